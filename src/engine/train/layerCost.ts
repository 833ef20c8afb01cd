/**
 * What each layer costs: forward and backward GPU time for one training batch, next to its
 * parameter count and FLOPs from shape inference. Times come from timestamp queries (one compute
 * pass per layer with timestampWrites) when the device has 'timestamp-query'; otherwise each
 * layer's pass is submitted alone and timed until onSubmittedWorkDone, which includes submit
 * overhead and so only ranks layers roughly. Runs no optimizer step, so the weights do not change.
 */
import { inferModel } from '../shapes';
import type { TrainerHooks } from './gpuTrainer';
import type { ExecutionPlan } from './plan';
import type { FusionPlan } from './fusion';

export interface LayerCost {
  index: number;
  kind: string;
  /** Why the layer runs no kernel (fused or a view), if so. */
  note?: string;
  params: number;
  /** Forward FLOPs for the whole batch. */
  forwardFlops: number;
  forwardMs: number | null;
  backwardMs: number | null;
}

export interface LayerCostReport {
  method: 'timestamp-query' | 'submit-timing';
  batch: number;
  layers: LayerCost[];
  /** The loss kernel's time (between forward and backward). */
  lossMs: number | null;
}

type Part = { layer: number; phase: 'forward' | 'backward' } | { layer: -1; phase: 'loss' };

function parts(plan: ExecutionPlan, fusion: FusionPlan): Part[] {
  // A dropout done inside the pooling before it has no pass of its own to time, nor has a pooling
  // done inside the convolution before it (forward only).
  const runs = plan.steps.filter((s) => s.role !== 'alias' && !fusion.layers[s.index].doneInPool);
  return [
    ...runs
      .filter((s) => !fusion.forwardInOtherKernel.has(s.index))
      .map((s): Part => ({ layer: s.index, phase: 'forward' })),
    { layer: -1, phase: 'loss' },
    ...runs
      .slice()
      .reverse()
      .map((s): Part => ({ layer: s.index, phase: 'backward' })),
  ];
}

function encodePart(hooks: TrainerHooks, pass: GPUComputePassEncoder, p: Part): void {
  if (p.phase === 'forward') hooks.encodeForward(pass, true, p.layer);
  else if (p.phase === 'loss') hooks.encodeLoss(pass);
  else hooks.encodeBackward(pass, p.layer);
}

async function timeWithQueries(hooks: TrainerHooks, list: Part[], repeats: number): Promise<number[]> {
  const device = hooks.device;
  const n = list.length * 2;
  const querySet = device.createQuerySet({ type: 'timestamp', count: n });
  const resolve = device.createBuffer({ size: n * 8, usage: 0x200 /* QUERY_RESOLVE */ | 0x04 /* COPY_SRC */ });
  const read = device.createBuffer({ size: n * 8, usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */ });
  const sums = new Array<number>(list.length).fill(0);
  try {
    for (let r = 0; r < repeats; r++) {
      const encoder = device.createCommandEncoder({ label: 'layer timing' });
      list.forEach((p, i) => {
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        encodePart(hooks, pass, p);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, n, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, n * 8);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(0x0001);
      const t = new BigInt64Array(read.getMappedRange().slice(0));
      read.unmap();
      list.forEach((_, i) => (sums[i] += Math.max(0, Number(t[2 * i + 1] - t[2 * i])) / 1e6));
    }
    return sums.map((s) => s / repeats);
  } finally {
    querySet.destroy();
    resolve.destroy();
    read.destroy();
  }
}

async function timeWithSubmits(
  hooks: TrainerHooks,
  list: Part[],
  repeats: number,
  now: () => number,
): Promise<number[]> {
  const device = hooks.device;
  const sums = new Array<number>(list.length).fill(0);
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < list.length; i++) {
      await device.queue.onSubmittedWorkDone();
      const encoder = device.createCommandEncoder({ label: 'layer timing' });
      const pass = encoder.beginComputePass();
      encodePart(hooks, pass, list[i]);
      pass.end();
      const t0 = now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      sums[i] += now() - t0;
    }
  }
  return sums.map((s) => s / repeats);
}

/**
 * Measures every layer of a trainer at its batch size. Uses the batch already in the input
 * buffer (the data does not change the time), so it is meant for a paused or finished run.
 */
export async function measureLayerCosts(
  hooks: TrainerHooks,
  plan: ExecutionPlan,
  batch: number,
  options: { useTimestamps: boolean; repeats?: number; now?: () => number },
): Promise<LayerCostReport> {
  const list = parts(plan, hooks.fusion);
  const repeats = options.repeats ?? 3;
  const useTimestamps = options.useTimestamps && hooks.device.features.has('timestamp-query');
  // One untimed run first: pipelines and bind groups are made on first use.
  await timeWithSubmits(hooks, list, 1, () => 0);
  const times = useTimestamps
    ? await timeWithQueries(hooks, list, repeats)
    : await timeWithSubmits(hooks, list, repeats, options.now ?? (() => performance.now()));
  const analysis = inferModel(plan.model);
  const layers: LayerCost[] = plan.steps.map((s) => ({
    index: s.index,
    kind: s.layer.kind,
    note: hooks.fusion.layers[s.index].note,
    params: analysis.layers[s.index]?.params ?? 0,
    forwardFlops: (analysis.layers[s.index]?.flopsPerImage ?? 0) * batch,
    forwardMs: null,
    backwardMs: null,
  }));
  let lossMs: number | null = null;
  list.forEach((p, i) => {
    if (p.phase === 'loss') lossMs = times[i];
    else if (p.phase === 'forward') layers[p.layer].forwardMs = times[i];
    else layers[p.layer].backwardMs = times[i];
  });
  return { method: useTimestamps ? 'timestamp-query' : 'submit-timing', batch, layers, lossMs };
}
