import { it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from './kernelRunner';
import { CONV2D_KERNELS } from './conv';
const ctx = await nodeGpu();
it('debug', async () => {
  const runner = new KernelRunner(ctx!);
  for (const k of CONV2D_KERNELS.slice(0, Number(process.env.N ?? 4))) {
    console.error('compiling', k.name);
    try { const c = await runner.compile(k); console.error('ok', c.messages); } catch (e) { console.error('ERR', (e as Error).message); }
  }
});
