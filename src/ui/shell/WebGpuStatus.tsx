import { useState } from 'react';
import { adapterLabel } from '../../engine/kernel/device';
import { useAppState } from '../../state/store';
import { bootGpu } from '../gpuBoot';
import { WebGpuHowTo } from './WebGpuHowTo';

/**
 * The banner that says which GPU adapter is in use, or why WebGPU is missing and what still works.
 * On phones it is one line (the headline); the rest (`status-detail`) opens with a Details button.
 */
export function WebGpuStatus() {
  const gpu = useAppState((s) => s.gpu);
  const worker = useAppState((s) => s.worker);
  const [expanded, setExpanded] = useState(false);
  let tone: 'ok' | 'warn' | 'info' = 'info';
  let body: React.ReactNode;
  let action: React.ReactNode = null;
  let hasDetail = true;
  switch (gpu.kind) {
    case 'checking':
      hasDetail = false;
      body = <span>Looking for a WebGPU adapter…</span>;
      break;
    case 'ready':
      tone = 'ok';
      body = (
        <>
          <strong>WebGPU ready:</strong> <span data-testid="webgpu-adapter">{adapterLabel(gpu.adapter)}</span>
          {gpu.adapter.isFallback && (
            <span className="status-note status-detail">
              {' '}
              (a software renderer: correct, but much slower than a real GPU)
            </span>
          )}
          {worker.kind === 'ready' && (
            <span className="status-note status-detail" data-testid="worker-status">
              {worker.gpu ? ' · training worker has the GPU' : ` · training worker: ${worker.gpuError ?? 'no GPU'}`}
            </span>
          )}
          {worker.kind === 'failed' && (
            <span className="status-note status-detail" data-testid="worker-status">
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
          <strong>WebGPU is not available.</strong>{' '}
          <span className="status-detail">
            {gpu.reason}{' '}
            <span data-testid="cpu-fallback">
              The steppers and the builder work as usual; training runs on the CPU reference instead (slower).
            </span>
            <WebGpuHowTo />
          </span>
        </>
      );
      break;
    case 'lost':
      tone = 'warn';
      body = (
        <>
          <strong>The GPU device was lost</strong>
          <span className="status-detail"> ({gpu.reason}). Your work is kept.</span>
        </>
      );
      action = (
        <button type="button" className="link-button status-action" onClick={() => void bootGpu()}>
          Reconnect to the GPU
        </button>
      );
      break;
  }
  return (
    <div
      className={`status-banner status-${tone}`}
      data-testid="webgpu-status"
      data-state={gpu.kind}
      data-expanded={expanded}
      role="status"
      aria-live="polite"
    >
      <span className="status-dot" aria-hidden="true" />
      <span className="status-text" id="webgpu-status-text">
        {body}
      </span>
      {action}
      {hasDetail && (
        <button
          type="button"
          className="status-more"
          data-testid="webgpu-status-more"
          aria-expanded={expanded}
          aria-controls="webgpu-status-text"
          onClick={() => setExpanded((open) => !open)}
        >
          {expanded ? 'Less' : 'Details'}
        </button>
      )}
    </div>
  );
}
