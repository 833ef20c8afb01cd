import { adapterLabel } from '../../engine/gpu/device';
import { useAppState } from '../../state/store';
import { bootGpu } from '../gpuBoot';
import { WebGpuHowTo } from './WebGpuHowTo';

/** The banner that says which GPU adapter is in use, or why WebGPU is missing and what still works. */
export function WebGpuStatus() {
  const gpu = useAppState((s) => s.gpu);
  const worker = useAppState((s) => s.worker);
  let tone: 'ok' | 'warn' | 'info' = 'info';
  let body: React.ReactNode;
  switch (gpu.kind) {
    case 'checking':
      body = <span>Looking for a WebGPU adapter…</span>;
      break;
    case 'ready':
      tone = 'ok';
      body = (
        <>
          <strong>WebGPU ready:</strong> <span data-testid="webgpu-adapter">{adapterLabel(gpu.adapter)}</span>
          {gpu.adapter.isFallback && (
            <span className="status-note"> (a software renderer: correct, but much slower than a real GPU)</span>
          )}
          {worker.kind === 'ready' && (
            <span className="status-note" data-testid="worker-status">
              {worker.gpu ? ' · training worker has the GPU' : ` · training worker: ${worker.gpuError ?? 'no GPU'}`}
            </span>
          )}
          {worker.kind === 'failed' && (
            <span className="status-note" data-testid="worker-status">
              {' '}
              · training worker failed: {worker.reason}
            </span>
          )}
        </>
      );
      break;
    case 'unavailable':
      tone = 'warn';
      body = (
        <>
          <strong>WebGPU is not available.</strong> {gpu.reason}{' '}
          <span data-testid="cpu-fallback">
            The steppers and the builder work as usual; training runs on the CPU reference instead (slower).
          </span>
          <WebGpuHowTo />
        </>
      );
      break;
    case 'lost':
      tone = 'warn';
      body = (
        <>
          <strong>The GPU device was lost</strong> ({gpu.reason}). Your work is kept.{' '}
          <button type="button" className="link-button" onClick={() => void bootGpu()}>
            Reconnect to the GPU
          </button>
        </>
      );
      break;
  }
  return (
    <div
      className={`status-banner status-${tone}`}
      data-testid="webgpu-status"
      data-state={gpu.kind}
      role="status"
      aria-live="polite"
    >
      <span className="status-dot" aria-hidden="true" />
      <span className="status-text">{body}</span>
    </div>
  );
}
