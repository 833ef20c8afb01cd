import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { KernelRunner } from '../../kernel/runner';
import { TRANSPOSE } from './specs';
import { countMismatches } from '../../kernel/check';
import { transposeMatrix } from './cpu';
import { MATMUL_LARGE } from '../matmul/specs';
import { randomMatmulInputs, runMatmulCases } from '../matmul/check';
import type { MatmulCall } from '../matmul/abi';
import { MATMUL_REDUCE } from '../matmul/specs';

const ctx = await nodeGpu();

describe('transpose', () => {
  it('the CPU twin moves x[r][c] to y[c][r]', () => {
    expect(Array.from(transposeMatrix([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  describe.skipIf(!ctx)('on the GPU', () => {
    let runner: KernelRunner;
    beforeAll(() => {
      runner = new KernelRunner(ctx!);
    });

    it('matches its CPU twin exactly on whole blocks, ragged edges, one row and one column', async () => {
      const result = await TRANSPOSE.check(runner, new SeededRandom(5, 0));
      expect(result.error).toBeUndefined();
      expect(result.cases.length).toBeGreaterThanOrEqual(10);
      expect(result.cases.filter((c) => !c.pass)).toEqual([]);
    });

    it('lets matmul_large read a plain A transposed with the same bits: whole tiles and ragged edges', async () => {
      // The trainer sends plain-A products through transpose + matmul_large's transposed-A path;
      // the transpose is exact (above), so the two paths must agree bit for bit.
      const rng = new SeededRandom(8, 0);
      const calls: MatmulCall[] = [
        { M: 128, K: 64, N: 128, bias: true, biasInB: true, relu: true },
        { M: 256, K: 40, N: 128, transposeB: true },
        { M: 70, K: 33, N: 150, bias: true, transposeB: true },
        { M: 129, K: 17, N: 9 },
      ];
      const plain = calls.map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
      const viaTranspose = plain.map(({ call, inputs }) => ({
        call: { ...call, transposeA: true },
        inputs: { ...inputs, a: transposeMatrix(inputs.a, call.M, call.K) },
      }));
      const kernel = await runner.compile(MATMUL_LARGE);
      const direct = await runMatmulCases(runner, kernel, plain, MATMUL_REDUCE);
      const transposed = await runMatmulCases(runner, kernel, viaTranspose, MATMUL_REDUCE);
      expect(direct.cases.every((c) => c.pass)).toBe(true);
      expect(calls.map((_, i) => countMismatches(transposed.outputs[i], direct.outputs[i]))).toEqual(
        calls.map(() => 0),
      );
    });

    it.each([
      [
        'skips the ragged edge',
        'if (r < params.rows && c < params.cols) {\n      y[',
        'if (r < params.rows && c < params.cols && c % 32u != 31u) {\n      y[',
      ],
      ['reads the block unpadded', 'block[lid.x * PITCH + i]', 'block[lid.x * BLOCK + i]'],
    ])('its check fails a kernel that %s', async (_what, from, to) => {
      const source = TRANSPOSE.builtinSource.replace(from, to);
      expect(source).not.toBe(TRANSPOSE.builtinSource);
      const result = await TRANSPOSE.check(runner, new SeededRandom(5, 0), { source });
      expect(result.pass).toBe(false);
    });
  });
});
