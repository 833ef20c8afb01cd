import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { kernelCheckTests } from '../../../testing/kernelMutations';
import { SeededRandom } from '../../rng';
import { BIAS_GRAD } from './specs';

const ctx = await nodeGpu();

describe.skipIf(!ctx)('the bias-gradient kernel on the GPU', () => {
  const runner = kernelCheckTests(ctx!, [[BIAS_GRAD, 's += WG', 's += 2u * WG']]);

  it('passes with small workgroups, so grid-stride loops cover every element', async () => {
    const r = await BIAS_GRAD.check(runner(), new SeededRandom(23, 0), { overrides: { WG: 16 } });
    expect(r.pass).toBe(true);
  });
});
