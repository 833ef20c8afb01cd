/**
 * Record and replay of a training step's dispatches. Recording through runner.dispatch costs CPU
 * time per dispatch (building bindings, uniforms and cache keys), which for a small model is more
 * than the GPU needs for it, so the trainer records one step into a stand-in pass once and
 * replays the kept calls for every step: three calls per dispatch.
 */

/** One dispatch of a recorded step: what runner.dispatch put into the pass. */
export interface RecordedDispatch {
  pipeline: GPUComputePipeline;
  bindGroups: [number, GPUBindGroup][];
  workgroups: [number, number, number];
}

/** A stand-in compute pass that keeps the calls made to it instead of encoding them. */
export class RecordingPass {
  readonly dispatches: RecordedDispatch[] = [];
  private pipeline: GPUComputePipeline | null = null;
  private readonly groups = new Map<number, GPUBindGroup>();
  setPipeline(pipeline: GPUComputePipeline): void {
    this.pipeline = pipeline;
  }
  setBindGroup(index: number, group: GPUBindGroup): void {
    this.groups.set(index, group);
  }
  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    if (!this.pipeline) throw new Error('recorded a dispatch with no pipeline set');
    this.dispatches.push({ pipeline: this.pipeline, bindGroups: [...this.groups], workgroups: [x, y, z] });
  }
}

/** Records whatever `encode` dispatches and returns the kept calls. */
export function recordDispatches(encode: (pass: GPUComputePassEncoder) => void): RecordedDispatch[] {
  const recorder = new RecordingPass();
  encode(recorder as unknown as GPUComputePassEncoder);
  return recorder.dispatches;
}

export function replayStep(pass: GPUComputePassEncoder, dispatches: RecordedDispatch[]): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    for (const [index, group] of d.bindGroups) pass.setBindGroup(index, group);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}
