import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { kernelCheckTests } from '../../../testing/kernelMutations';
import { SeededRandom } from '../../rng';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD } from './specs';

const ctx = await nodeGpu();

describe.skipIf(!ctx)('activation kernels on the GPU', () => {
  const runner = kernelCheckTests(ctx!, [
    [ACTIVATION_FORWARD, 'select(0.0, v, v > 0.0)', 'select(0.0, v, v >= 0.0) + 0.001'],
    [ACTIVATION_BACKWARD, 'g * (1.0 - t * t)', 'g * (1.0 - t)'],
  ]);

  it('passes with small workgroups, so grid-stride loops cover every element', async () => {
    const r = await ACTIVATION_FORWARD.check(runner(), new SeededRandom(23, 0), { overrides: { WG: 32 } });
    expect(r.pass).toBe(true);
  });
});
