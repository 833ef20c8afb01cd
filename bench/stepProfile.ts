/**
 * Per-dispatch GPU time of one training step. WebGPU timestamps mark only the start and end of a
 * compute pass, so the step is recorded through a stand-in pass that opens a real pass (with
 * timestampWrites) around every dispatch. Each dispatch then also pays a pass's own start-up cost
 * (a few µs on an H200), so the figures rank the dispatches and say where a step's time goes;
 * `onePassMs` is the same step recorded as the trainer records it (one pass), and each
 * dispatch's `marginalMs` is how much that one-pass time drops without it.
 */

export interface DispatchTime {
  index: number;
  kernel: string;
  workgroups: [number, number, number];
  /** Alone in its own pass (includes a pass's start-up cost). */
  ms: number;
  /**
   * How much shorter the one-pass step gets when this dispatch is left out: its real cost in the
   * stream, overlap and barriers included (the data are wrong then, the timing is not).
   */
  marginalMs: number;
}

export interface StepProfile {
  dispatches: DispatchTime[];
  sumMs: number;
  onePassMs: number;
}

/** A compute pass stand-in that forwards everything to a real pass except dispatch number `skip`. */
class SkippingPass {
  private n = 0;
  constructor(
    private readonly pass: GPUComputePassEncoder,
    private readonly skip: number,
  ) {}
  setPipeline(p: GPUComputePipeline) {
    this.pass.setPipeline(p);
  }
  setBindGroup(i: number, g: GPUBindGroup) {
    this.pass.setBindGroup(i, g);
  }
  dispatchWorkgroups(x: number, y = 1, z = 1) {
    if (this.n++ !== this.skip) this.pass.dispatchWorkgroups(x, y, z);
  }
  end() {}
}

/** A compute pass stand-in: every dispatch runs in a pass of its own, timestamped. */
class SplittingPass {
  private pipeline: GPUComputePipeline | null = null;
  private groups = new Map<number, GPUBindGroup>();
  readonly recorded: { kernel: string; workgroups: [number, number, number] }[] = [];
  constructor(
    private readonly encoder: GPUCommandEncoder,
    private readonly querySet: GPUQuerySet | null,
  ) {}
  setPipeline(p: GPUComputePipeline) {
    this.pipeline = p;
  }
  setBindGroup(i: number, g: GPUBindGroup) {
    this.groups.set(i, g);
  }
  dispatchWorkgroups(x: number, y = 1, z = 1) {
    const i = this.recorded.length;
    const pass = this.encoder.beginComputePass(
      this.querySet
        ? {
            timestampWrites: {
              querySet: this.querySet,
              beginningOfPassWriteIndex: 2 * i,
              endOfPassWriteIndex: 2 * i + 1,
            },
          }
        : {},
    );
    pass.setPipeline(this.pipeline!);
    for (const [k, g] of this.groups) pass.setBindGroup(k, g);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
    this.recorded.push({ kernel: this.pipeline!.label, workgroups: [x, y, z] });
  }
  end() {}
}

async function readTimestamps(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  querySet: GPUQuerySet,
  count: number,
): Promise<BigInt64Array> {
  const resolve = device.createBuffer({
    size: count * 8,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const read = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
  encoder.copyBufferToBuffer(resolve, 0, read, 0, count * 8);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const t = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  resolve.destroy();
  read.destroy();
  return t;
}

/**
 * Profiles `encodeStep` (which records one training step into the pass it is given): `repeats`
 * times with a pass per dispatch, averaged, and the same in one pass. Needs 'timestamp-query'.
 */
export async function profileStep(
  device: GPUDevice,
  encodeStep: (pass: GPUComputePassEncoder) => void,
  repeats = 20,
): Promise<StepProfile> {
  let dispatches: DispatchTime[] = [];
  const maxDispatches = 256;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * maxDispatches });
  try {
    for (let r = -1; r < repeats; r++) {
      // r = -1: warm-up, not counted
      const encoder = device.createCommandEncoder({ label: 'step profile' });
      const fake = new SplittingPass(encoder, querySet);
      encodeStep(fake as unknown as GPUComputePassEncoder);
      const n = fake.recorded.length;
      if (n > maxDispatches) throw new Error(`a step has ${n} dispatches; the profiler takes ${maxDispatches}`);
      const t = await readTimestamps(device, encoder, querySet, 2 * n);
      if (r < 0) {
        dispatches = fake.recorded.map((d, index) => ({ index, ...d, ms: 0, marginalMs: 0 }));
        continue;
      }
      for (let i = 0; i < n; i++) dispatches[i].ms += Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6 / repeats;
    }
    // One pass per measurement; skip = -1 records the whole step. Several steps per submit (the
    // same step recorded `perSubmit` times) so the figure is the step's, not the submit's.
    const perSubmit = 8;
    const onePass = async (skip: number): Promise<number> => {
      let ms = 0;
      for (let r = -1; r < Math.ceil(repeats / 4); r++) {
        const encoder = device.createCommandEncoder({ label: 'step profile, one pass' });
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
        });
        for (let k = 0; k < perSubmit; k++)
          encodeStep(skip < 0 ? pass : (new SkippingPass(pass, skip) as unknown as GPUComputePassEncoder));
        pass.end();
        const t = await readTimestamps(device, encoder, querySet, 2);
        if (r >= 0) ms += Number(t[1] - t[0]) / 1e6 / perSubmit / Math.ceil(repeats / 4);
      }
      return ms;
    };
    const onePassMs = await onePass(-1);
    for (const d of dispatches) d.marginalMs = onePassMs - (await onePass(d.index));
    const round = (x: number) => Number(x.toFixed(4));
    dispatches = dispatches.map((d) => ({ ...d, ms: round(d.ms), marginalMs: round(d.marginalMs) }));
    return { dispatches, sumMs: round(dispatches.reduce((a, d) => a + d.ms, 0)), onePassMs: round(onePassMs) };
  } finally {
    querySet.destroy();
  }
}
