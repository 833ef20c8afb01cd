/**
 * Whether the GPU panels of the training view can ever work in this browser, and the note they
 * show when they cannot: what to do instead of waiting for something that will not come.
 */
import type { ReactNode } from 'react';
import { useAppState } from '../../state/store';

/** 'yes': training uses the GPU; 'never': no WebGPU here (page or worker); 'unknown': still looking, or lost. */
export function useGpuForTraining(): 'yes' | 'never' | 'unknown' {
  const gpu = useAppState((s) => s.gpu);
  const worker = useAppState((s) => s.worker);
  if (gpu.kind === 'unavailable') return 'never';
  if (worker.kind === 'ready' && !worker.gpu) return 'never';
  if (gpu.kind === 'ready') return 'yes';
  return 'unknown';
}

/** "<what>, which this browser does not offer: …" with the way out. */
export function NoGpuHere({ what, instead }: { what: string; instead?: ReactNode }) {
  return (
    <p className="muted needs-webgpu" data-testid="needs-webgpu">
      {what}, which this browser does not offer here: the banner at the top of the page says why and how to turn it on.{' '}
      {instead ?? 'Training itself still works, on the CPU.'}
    </p>
  );
}
