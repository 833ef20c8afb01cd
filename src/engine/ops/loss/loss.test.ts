import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { KernelRunner } from '../../kernel/runner';
import type { KernelCheckResult, KernelSpec } from '../../kernel/spec';
import { EVALUATE, MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from './specs';
import { runGpuCases } from '../../kernel/check';
import { PADDING_LABEL, evaluateUniforms, softmaxCrossEntropyUniforms } from './abi';

const ctx = await nodeGpu();

/** Edits that make each kernel wrong in a way its check must notice. */
const BROKEN: [KernelSpec, string, string][] = [
  [
    SOFTMAX_CROSS_ENTROPY,
    'if (v > best) { best = v; best_class = c; }',
    'if (v >= best) { best = v; best_class = c; }',
  ],
  [SOFTMAX_CROSS_ENTROPY, 'let slot = train_state[0] % max(params.metricSlots, 1u);', 'let slot = 0u;'],
  [SOFTMAX_CROSS_ENTROPY, 'var sum = 0.0;', 'var sum = 1e-3;'],
  [SOFTMAX_CROSS_ENTROPY, 'train_state[1] = train_state[1] + 1u;', ''],
  [SOFTMAX_CROSS_ENTROPY, 'if (params.advanceStep != 0u) {', 'if (true) {'],
  [EVALUATE, 'let label = labels[b];', 'let label = select(labels[b], 0u, labels[b] == PADDING_LABEL);'], // counts padding as class 0
  [
    EVALUATE,
    'if (tid < half) { loss_part[tid] += loss_part[tid + half]; }',
    'if (tid < half && tid > 0u) { loss_part[tid] += loss_part[tid + half]; }',
  ],
  [MSE_LOSS, 'if (features == 1u) {', 'if (false) {'],
  [MSE_LOSS, 'dpred[row + c] = (2.0 * d) / n;', 'dpred[row + c] = d / n;'],
  [MSE_LOSS, 'train_state[0] = train_state[0] + 1u;', ''],
];
const SPECS = [SOFTMAX_CROSS_ENTROPY, EVALUATE, MSE_LOSS];

describe.skipIf(!ctx)('loss kernels on the GPU', () => {
  let runner: KernelRunner;
  const shipped = new Map<string, KernelCheckResult>();

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    for (const spec of SPECS) shipped.set(spec.name, await spec.check(runner, new SeededRandom(41, 0)));
  });

  it.each(SPECS.map((spec) => [spec.name]))(
    '%s matches its CPU twin, batch 1, one class and > 256 rows included',
    (name) => {
      const result = shipped.get(name)!;
      expect(result.error).toBeUndefined();
      expect(result.cases.filter((c) => !c.pass)).toEqual([]);
      expect(result.cases.length).toBeGreaterThanOrEqual(8);
      expect(result.pass).toBe(true);
    },
  );

  it.each(BROKEN.map(([spec, from, to], i) => [`${spec.name} #${i}`, spec, from, to] as const))(
    '%s fails its check when the kernel is wrong',
    async (_, spec, from, to) => {
      expect(spec.builtinSource).toContain(from);
      const result = await spec.check(runner, new SeededRandom(42, 0), {
        source: spec.builtinSource.replace(from, to),
      });
      expect(result.error).toBeUndefined();
      expect(result.pass).toBe(false);
    },
  );

  it('stays finite for huge logits and writes each step into its own ring slot', async () => {
    const kernel = await runner.compile(SOFTMAX_CROSS_ENTROPY);
    const logits = new Float32Array([1000, -1000, 0, 3e38, -3e38, 3e38]);
    const labels = new Uint32Array([0, 2]);
    const cases = [0, 1, 2].map((step) => ({
      shape: `step ${step}`,
      buffers: {
        logits,
        labels,
        dlogits: 24,
        metrics: new Float32Array(4).fill(-1),
        train_state: new Uint32Array([step, 0]),
      },
      uniforms: softmaxCrossEntropyUniforms(2, 3, 2),
      read: ['dlogits', 'metrics'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    for (const out of outs) for (const v of new Float32Array(out.dlogits)) expect(Number.isFinite(v)).toBe(true);
    // Row 0 is certain and right; row 1 ties classes 0 and 2 (first max wins: predicts 0, label 2).
    expect([...new Float32Array(outs[0].metrics)].map((v) => Math.round(v * 1e3) / 1e3)).toEqual([0.347, 1, -1, -1]);
    expect([...new Float32Array(outs[1].metrics)].map((v) => Math.round(v * 1e3) / 1e3)).toEqual([-1, -1, 0.347, 1]);
  });

  it('accumulates a confusion matrix over several batches and skips padding rows', async () => {
    const kernel = await runner.compile(EVALUATE);
    const confusion = runner.createBuffer(new Uint32Array(4));
    const lossOut = runner.createBuffer(new Float32Array(2));
    const encoder = runner.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const batches: [number[], number[]][] = [
      [
        [2, 0, 0, 2, 1, 1],
        [0, 1, 0],
      ], // right (0,0), right (1,1), wrong: tie predicts 0 for label 0 -> right
      [
        [0, 5, 9, 0],
        [1, PADDING_LABEL],
      ], // right (1,1); padding ignored even though it would be wrong
    ];
    batches.forEach(([l, y], i) => {
      const prepared = runner.prepare(
        kernel,
        {
          logits: runner.createBuffer(new Float32Array(l)),
          labels: runner.createBuffer(new Uint32Array(y)),
          confusion,
          loss_out: lossOut,
        },
        evaluateUniforms(y.length, 2, i),
      );
      runner.encode(pass, prepared);
    });
    pass.end();
    runner.device.queue.submit([encoder.finish()]);
    const [c, loss] = await runner.readBuffers([
      { buffer: confusion, byteLength: 16 },
      { buffer: lossOut, byteLength: 8 },
    ]);
    expect([...new Uint32Array(c)]).toEqual([2, 0, 0, 2]);
    const expected0 = Math.log(1 + Math.exp(-2)) * 2 + Math.log(2);
    expect(new Float32Array(loss)[0]).toBeCloseTo(expected0, 5);
    expect(new Float32Array(loss)[1]).toBeCloseTo(Math.log(1 + Math.exp(-5)), 5);
  });
});
