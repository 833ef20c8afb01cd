import { it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from './kernelRunner';
import { SeededRandom } from '../rng';
import { TRAINING_KERNELS } from './trainingKernels';
const ctx = await nodeGpu();
it('debug', async () => {
  const runner = new KernelRunner(ctx!);
  const only = process.env.ONLY?.split(',');
  for (const spec of TRAINING_KERNELS) {
    if (only && !only.includes(spec.name)) continue;
    console.log('start', spec.name);
    const r = await spec.check(runner, new SeededRandom(1, 0));
    console.log(spec.name, r.pass, r.error ?? '', r.cases.length, Math.max(...r.cases.map((c) => c.maxRelError / (c.tolerance || 1))).toExponential(2), JSON.stringify(r.cases.filter((c) => !c.pass)));
  }
}, 600000);
