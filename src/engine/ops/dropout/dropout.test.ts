import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { kernelCheckTests } from '../../../testing/kernelMutations';
import { randomUniform } from '../../rng';
import { countMismatches } from '../../kernel/check';
import { dropoutForward, dropoutStream } from './cpu';
import { dropoutForwardUniforms } from './abi';
import { DROPOUT_BACKWARD, DROPOUT_FORWARD } from './specs';

const ctx = await nodeGpu();

describe.skipIf(!ctx)('dropout kernels on the GPU', () => {
  const runnerOf = kernelCheckTests(ctx!, [
    [DROPOUT_FORWARD, 'return 3000000u + step * 64u + layer;', 'return 3000000u + step * 64u;'],
    [DROPOUT_FORWARD, 'keep && ((params.flags & 1u) == 0u || v > 0.0)', 'keep'], // ignores the folded ReLU
    [DROPOUT_BACKWARD, 'dy[i] * scale', 'dy[i]'],
  ]);

  it('draws the same dropout mask as the CPU for thousands of elements at several steps', async () => {
    const runner = runnerOf();
    const kernel = await runner.compile(DROPOUT_FORWARD);
    const count = 5003;
    const seed = 0xdeadbeef;
    const layer = 5;
    const steps = [0, 1, 77777];
    const x = new Float32Array(count).fill(1);
    const xBuf = runner.createBuffer(x);
    const encoder = runner.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const masks = steps.map((step) => {
      const mask = runner.createBuffer(count * 4);
      const prepared = runner.prepare(
        kernel,
        {
          x: xBuf,
          y: runner.createBuffer(count * 4),
          mask,
          train_state: runner.createBuffer(new Uint32Array([step, 0])),
        },
        dropoutForwardUniforms(count, 0.5, seed, layer),
      );
      runner.encode(pass, prepared);
      return mask;
    });
    pass.end();
    runner.device.queue.submit([encoder.finish()]);
    const bytes = await runner.readBuffers(masks.map((buffer) => ({ buffer, byteLength: count * 4 })));
    steps.forEach((step, i) => {
      const gpu = new Uint32Array(bytes[i]);
      const cpu = dropoutForward(x, 0.5, seed, step, layer).mask;
      expect(countMismatches(gpu, cpu)).toBe(0);
      // Sanity: the mask is the documented hash, and roughly half survive.
      expect(gpu[17]).toBe(randomUniform(seed, dropoutStream(step, layer), 17) >= 0.5 ? 1 : 0);
      const kept = gpu.reduce((a, b) => a + b, 0);
      expect(kept).toBeGreaterThan(count * 0.45);
      expect(kept).toBeLessThan(count * 0.55);
    });
    // Different steps give different masks.
    expect(countMismatches(new Uint32Array(bytes[0]), new Uint32Array(bytes[1]))).toBeGreaterThan(count / 4);
  });
});
