import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom, seededPermutation } from '../../rng';
import { KernelRunner } from '../../kernel/runner';
import type { KernelCheckResult } from '../../kernel/spec';
import { GATHER_BATCH } from './specs';
import { SOFTMAX_CROSS_ENTROPY } from '../loss/specs';
import { countMismatches, packBytes, runGpuCases, type GpuCase } from '../../kernel/check';
import { GATHER_PADDING_LABEL, gatherEvalUniforms, gatherTrainUniforms } from './abi';
import { gatherReference } from './check';
import { softmaxCrossEntropyUniforms } from '../loss/abi';

const ctx = await nodeGpu();

describe.skipIf(!ctx)('gather_batch on the GPU', () => {
  let runner: KernelRunner;
  let shipped: KernelCheckResult;

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    shipped = await GATHER_BATCH.check(runner, new SeededRandom(51, 0));
  });

  it('matches cpu/batch.ts gatherBatch bit for bit, in training and evaluation mode', () => {
    expect(shipped.error).toBeUndefined();
    expect(shipped.cases.filter((c) => !c.pass)).toEqual([]);
    expect(shipped.cases.length).toBeGreaterThanOrEqual(10);
    expect(shipped.pass).toBe(true);
  });

  it('normalises every byte value bit-exactly for many means and standard deviations', async () => {
    const kernel = await runner.compile(GATHER_BATCH);
    const rng = new SeededRandom(52, 0);
    const images = Uint8Array.from({ length: 256 }, (_, i) => i);
    const pairs = Array.from({ length: 40 }, (_, i) =>
      i === 0 ? [0, 1] : [rng.next() * 2 - 0.5, 1e-3 + rng.next() * (i % 2 ? 0.5 : 300)],
    );
    const cases: GpuCase[] = pairs.map(([mean, std]) => ({
      shape: `${mean} ${std}`,
      buffers: {
        images: packBytes(images),
        labels: packBytes(new Uint8Array([3])),
        perm: new Uint32Array([0]),
        train_state: new Uint32Array(2),
        x_out: 256 * 4,
        y_out: 4,
      },
      uniforms: gatherTrainUniforms({ batch: 1, pixels: 256, count: 1, mean, std }),
      read: ['x_out'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    pairs.forEach(([mean, std], i) => {
      const ref = gatherReference(images, new Uint8Array([3]), [0], 256, 1, mean, std);
      expect(countMismatches(new Float32Array(outs[i].x_out), ref.x)).toBe(0);
    });
  });

  it('fails its check with plain hardware division, which is not correctly rounded everywhere', async () => {
    const source = GATHER_BATCH.builtinSource.replace(
      'x_out[i] = div_rn(centred, params.stdDev);',
      'x_out[i] = centred * (1.0 / params.stdDev);',
    );
    expect(source).not.toBe(GATHER_BATCH.builtinSource);
    const result = await GATHER_BATCH.check(runner, new SeededRandom(53, 0), { source });
    expect(result.error).toBeUndefined();
    expect(result.pass).toBe(false);
  });

  it('fails its check when evaluation padding is not written', async () => {
    const source = GATHER_BATCH.builtinSource.replace('if (i >= params.count) { return PADDING_LABEL; }', '');
    const result = await GATHER_BATCH.check(runner, new SeededRandom(53, 0), { source });
    expect(result.pass).toBe(false);
  });

  it('walks through an epoch by itself when the training loss advances the counters between gathers', async () => {
    const [kernel, loss] = [await runner.compile(GATHER_BATCH), await runner.compile(SOFTMAX_CROSS_ENTROPY)];
    const count = 10;
    const pixels = 3;
    const batch = 3;
    const images = Uint8Array.from({ length: count * pixels }, (_, i) => (i * 37) % 256);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const perm = seededPermutation(count, 9, 0);
    const shared = {
      images: runner.createBuffer(packBytes(images)),
      labels: runner.createBuffer(packBytes(labels)),
      perm: runner.createBuffer(perm),
      train_state: runner.createBuffer(new Uint32Array([40, 0])),
    };
    const encoder = runner.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const outs = [0, 1, 2].map(() => {
      const out = { x_out: runner.createBuffer(batch * pixels * 4), y_out: runner.createBuffer(batch * 4) };
      runner.encode(pass, runner.prepare(kernel, { ...shared, ...out }, gatherTrainUniforms({ batch, pixels, count })));
      // As in a training step: the loss kernel (here on a dummy 1x1 batch) ends the step's use of the counters.
      const lossBuffers = {
        logits: runner.createBuffer(4),
        labels: runner.createBuffer(4),
        dlogits: runner.createBuffer(4),
        metrics: runner.createBuffer(8),
      };
      runner.encode(
        pass,
        runner.prepare(
          loss,
          { ...lossBuffers, train_state: shared.train_state },
          softmaxCrossEntropyUniforms(1, 1, 1, true),
        ),
      );
      return out;
    });
    // Then an evaluation gather of the last, partly filled batch.
    const evalOut = { x_out: runner.createBuffer(batch * pixels * 4), y_out: runner.createBuffer(batch * 4) };
    runner.encode(
      pass,
      runner.prepare(
        kernel,
        { images: shared.images, labels: shared.labels, ...evalOut },
        gatherEvalUniforms({ batch, pixels, count, offset: 9 }),
      ),
    );
    pass.end();
    runner.device.queue.submit([encoder.finish()]);
    const reads = [...outs, evalOut].flatMap((o) => [
      { buffer: o.x_out, byteLength: batch * pixels * 4 },
      { buffer: o.y_out, byteLength: batch * 4 },
    ]);
    const bytes = await runner.readBuffers([...reads, { buffer: shared.train_state, byteLength: 8 }]);
    for (let s = 0; s < 3; s++) {
      const ref = gatherReference(images, labels, perm.subarray(s * batch, (s + 1) * batch), pixels, count);
      expect([...new Float32Array(bytes[2 * s])]).toEqual([...ref.x]);
      expect([...new Uint32Array(bytes[2 * s + 1])]).toEqual([...ref.y]);
    }
    expect([...new Uint32Array(bytes[7])]).toEqual([9, GATHER_PADDING_LABEL, GATHER_PADDING_LABEL]);
    expect([...new Float32Array(bytes[6])].slice(pixels)).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...new Uint32Array(bytes[8])]).toEqual([43, 3]);
  });
});
