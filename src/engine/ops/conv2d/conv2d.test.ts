import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { conv2dGeometry, type Conv2dGeometry } from './cpu';
import type { KernelCheckCase, KernelSpec } from '../../kernel/spec';
import { KernelRunner, type CompiledKernel } from '../../kernel/runner';
import {
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_KERNELS,
  CONV2D_WEIGHT_REDUCE,
  conv2dBackwardInputKernelFor,
  conv2dForwardKernelFor,
} from './specs';
import { conv2dGeometryFromUniforms, conv2dUniforms } from './abi';
import {
  conv2dBackwardInputDispatch,
  conv2dBackwardInputLargeDispatch,
  conv2dBackwardWeightDispatch,
  conv2dForwardDispatch,
  conv2dForwardLargeDispatch,
  conv2dForwardLargeRows,
  conv2dWeightPartialLength,
  conv2dWeightReduceDispatch,
  conv2dWeightSplitK,
} from './abi';
import {
  conv2dReference,
  describeConv2dCall,
  randomConv2dInputs,
  runConv2dCases,
  type Conv2dCall,
  type Conv2dCompiled,
  type Conv2dKind,
} from './check';
import { encodeConv2dBackwardWeight } from './encode';

const ctx = await nodeGpu();

const geo = (b: number, c: number, h: number, w: number, oc: number, k: number, s: number, p: number): Conv2dGeometry =>
  conv2dGeometry(b, [c, h, w], oc, k, s, p);

// Small shapes (SwiftShader is slow) that still cover: batch 1, odd sides, 1x1 images, stride
// 1/2/3, padding 0/1/2, kernels 1..5 larger than the stride, non-square images, channel counts
// that are not multiples of the 32-wide channel tile, and position counts that cross the 64-wide
// position tile (4x1x14x14 = 784 output positions).
const GEOMETRIES: Conv2dGeometry[] = [
  geo(1, 1, 1, 1, 1, 1, 1, 0),
  geo(1, 1, 5, 5, 1, 5, 1, 0),
  geo(2, 3, 7, 9, 5, 3, 1, 1),
  geo(1, 2, 8, 8, 3, 3, 2, 1),
  geo(3, 4, 11, 6, 7, 5, 3, 2),
  geo(2, 5, 13, 13, 8, 4, 2, 2),
  geo(4, 1, 14, 14, 8, 3, 1, 1),
  geo(1, 8, 6, 10, 6, 2, 3, 0),
  geo(2, 3, 3, 4, 2, 5, 1, 2),
  geo(1, 7, 12, 12, 40, 1, 1, 0),
];

// Every geometry in every kind; relu / accumulate / bias / splitK spread so each pairing appears.
const CALLS: Conv2dCall[] = GEOMETRIES.flatMap((g, s) =>
  (['forward', 'backwardInput', 'backwardWeight'] as Conv2dKind[]).map((kind, t) => ({
    kind,
    g,
    relu: (s + t) % 2 === 1,
    accumulate: (s + t) % 3 === 0,
    bias: (s + t) % 4 !== 2,
    splitK: kind === 'backwardWeight' ? 1 + ((s + t) % 4) : 1,
  })),
);

describe('conv2d uniforms and dispatch', () => {
  const g = geo(2, 3, 7, 9, 5, 3, 2, 1);

  it('packs the geometry and one flag bit per option', () => {
    const u = conv2dUniforms(g, { relu: true, accumulate: true, splitK: 3 });
    expect(u).toMatchObject({
      batch: 2,
      inC: 3,
      inH: 7,
      inW: 9,
      outC: 5,
      outH: 4,
      outW: 5,
      kernel: 3,
      stride: 2,
      padding: 1,
    });
    expect(u.flags).toBe(7);
    expect(u.splitK).toBe(3);
    expect(conv2dUniforms(g).flags).toBe(4);
    expect(conv2dUniforms(g, { bias: false }).flags).toBe(0);
    expect(conv2dGeometryFromUniforms(u)).toEqual(g);
    expect(() => conv2dUniforms(g, { splitK: 0 })).toThrow(RangeError);
  });

  it('packs the pooling mode and its dropout, and counts four rows per pooling window', () => {
    const pytorchConv2 = geo(64, 32, 28, 28, 64, 3, 1, 1);
    const dropout = { rate: 0.25, seed: 2 ** 32 - 1, layerIndex: 5 };
    const u = conv2dUniforms(pytorchConv2, { relu: true, pool: true, dropout });
    expect(u.flags).toBe(1 | 4 | 8 | 16);
    expect(u).toMatchObject({ dropoutRate: 0.25, seed: 2 ** 32 - 1, layerIndex: 5 });
    expect(conv2dUniforms(pytorchConv2, { dropout }).flags).toBe(4); // dropout only with pool
    // 28x28 -> 14x14 windows: the same 50176 rows; 11x11 -> 5x5 windows: 100 of the 121 positions.
    expect(conv2dForwardLargeRows(u)).toBe(50176);
    expect(conv2dForwardLargeDispatch(u)).toEqual([392, 1, 1]);
    const odd = conv2dUniforms(geo(128, 32, 13, 13, 64, 3, 1, 0), { pool: true });
    expect(conv2dForwardLargeRows(odd)).toBe(128 * 100);
    expect(() => conv2dUniforms(pytorchConv2, { pool: true, accumulate: true })).toThrow(RangeError);
    expect(() => conv2dUniforms(geo(1, 1, 3, 1, 4, 1, 1, 0), { pool: true })).toThrow(RangeError);
  });

  it('covers every output tile, including partial ones', () => {
    const o = { WG_X: 16, WG_Y: 8, TILE_K: 16 }; // 64 positions/columns by 32 channels
    // MNIST layer 2 at batch 64: 64*28*28 = 50176 positions, 64 filters.
    const mnist = conv2dUniforms(geo(64, 32, 28, 28, 64, 3, 1, 1));
    expect(conv2dForwardDispatch(mnist, o)).toEqual([784, 2, 1]);
    expect(conv2dBackwardInputDispatch(mnist, o)).toEqual([784, 1, 1]);
    expect(conv2dForwardDispatch(conv2dUniforms(geo(1, 1, 8, 8, 33, 1, 1, 0)), o)).toEqual([1, 2, 1]);
    expect(conv2dForwardDispatch(conv2dUniforms(geo(1, 1, 8, 9, 32, 1, 1, 0)), o)).toEqual([2, 1, 1]);
    // 32*9 weights + the bias column = 289 columns: 5 tiles of 64.
    expect(conv2dBackwardWeightDispatch({ ...mnist, splitK: 7 }, o)).toEqual([5, 2, 7]);
    expect(conv2dBackwardWeightDispatch(conv2dUniforms(geo(1, 1, 8, 8, 1, 8, 1, 0), { bias: false }), o)).toEqual([
      1, 1, 1,
    ]);
    expect(conv2dWeightReduceDispatch(mnist, { WG_X: 64 })).toEqual([Math.ceil((64 * 289) / 64), 1, 1]);
  });

  it('takes conv2d_forward_large only for layers with many channels, a long reduction and many positions', () => {
    const pytorchConv2 = geo(64, 32, 28, 28, 64, 3, 1, 1);
    expect(conv2dForwardKernelFor(pytorchConv2)).toBe(CONV2D_FORWARD_LARGE);
    expect(conv2dForwardLargeDispatch(conv2dUniforms(pytorchConv2))).toEqual([392, 1, 1]);
    expect(conv2dForwardLargeDispatch(conv2dUniforms(geo(1, 1, 8, 8, 65, 1, 1, 0)))).toEqual([1, 2, 1]);
    // The MNIST presets' other layers: one input channel, or 24-32 filters.
    expect(conv2dForwardKernelFor(geo(64, 1, 28, 28, 32, 3, 1, 1))).toBe(CONV2D_FORWARD);
    expect(conv2dForwardKernelFor(geo(256, 24, 12, 12, 32, 3, 1, 0))).toBe(CONV2D_FORWARD);
    expect(conv2dForwardKernelFor(geo(8, 8, 16, 16, 64, 3, 1, 1))).toBe(CONV2D_FORWARD); // 72 weights per filter
    // keras-cnn's 32→64 layer: 11x11 outputs at batch 128 make too few 128-position tiles.
    expect(conv2dForwardKernelFor(geo(128, 32, 13, 13, 64, 3, 1, 0))).toBe(CONV2D_FORWARD);
  });

  it('takes conv2d_backward_input_large only for layers fed by 24 or more channels with a long reduction', () => {
    const pytorchConv2 = geo(64, 32, 28, 28, 64, 3, 1, 1);
    expect(conv2dBackwardInputKernelFor(pytorchConv2)).toBe(CONV2D_BACKWARD_INPUT_LARGE);
    expect(conv2dBackwardInputLargeDispatch(conv2dUniforms(pytorchConv2))).toEqual([392, 1, 1]);
    expect(conv2dBackwardInputLargeDispatch(conv2dUniforms(geo(1, 33, 8, 8, 64, 3, 1, 1)))).toEqual([1, 2, 1]);
    expect(conv2dBackwardInputKernelFor(geo(256, 24, 12, 12, 32, 3, 1, 0))).toBe(CONV2D_BACKWARD_INPUT_LARGE); // fast-cnn conv2
    expect(conv2dBackwardInputKernelFor(geo(64, 16, 12, 12, 64, 3, 1, 0))).toBe(CONV2D_BACKWARD_INPUT);
    expect(conv2dBackwardInputKernelFor(geo(8, 32, 16, 16, 16, 3, 1, 1))).toBe(CONV2D_BACKWARD_INPUT); // 144-term reduction
  });

  it('splits long weight-gradient reductions to fill the GPU, and short ones not at all', () => {
    const first = geo(64, 1, 28, 28, 32, 3, 1, 1); // one output tile, 50176 positions
    const split = conv2dWeightSplitK(first);
    expect(split).toBeGreaterThan(64);
    expect(50176 / split).toBeGreaterThanOrEqual(64);
    expect(conv2dWeightSplitK(geo(2, 3, 7, 9, 5, 3, 1, 1))).toBe(1);
    expect(conv2dWeightPartialLength(first, split)).toBe(split * 32 * 10);
    expect(conv2dWeightPartialLength(first, 1)).toBe(0);
  });

  it('composes the CPU reference with ReLU and with the ReLU mask of dy', () => {
    const g1 = geo(1, 1, 1, 1, 1, 1, 1, 0);
    const inputs = {
      x: new Float32Array([2]),
      w: new Float32Array([-3]),
      bias: new Float32Array([1]),
      dy: new Float32Array([0.5]),
      y: new Float32Array([0]),
      out0: new Float32Array([0]),
      db0: new Float32Array([0]),
    };
    expect([...conv2dReference({ kind: 'forward', g: g1 }, inputs)]).toEqual([-5]);
    expect([...conv2dReference({ kind: 'forward', g: g1, relu: true }, inputs)]).toEqual([0]);
    expect([...conv2dReference({ kind: 'backwardWeight', g: g1 }, inputs)]).toEqual([1, 0.5]);
    expect([...conv2dReference({ kind: 'backwardWeight', g: g1, relu: true }, inputs)]).toEqual([0, 0]);
    expect([...conv2dReference({ kind: 'backwardInput', g: g1 }, inputs)]).toEqual([-1.5]);
  });
});

/** Source with `from` replaced by `to`; throws if `from` is missing, so a mutation test cannot go stale. */
function mutate(spec: KernelSpec, from: string, to: string): string {
  if (!spec.builtinSource.includes(from)) throw new Error(`${spec.name}: "${from}" not in the source`);
  return spec.builtinSource.replace(from, to);
}

/** Source with every replacement of `mutate` applied in turn. */
function mutateAll(spec: KernelSpec, replacements: [string, string][]): string {
  return replacements.reduce(
    (source, [from, to]) => mutate({ ...spec, builtinSource: source }, from, to),
    spec.builtinSource,
  );
}

describe.skipIf(!ctx)('conv2d kernels on the GPU', () => {
  let runner: KernelRunner;
  let compiled: Conv2dCompiled;
  let cases: KernelCheckCase[] = [];

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    const kernels: CompiledKernel[] = [];
    // One at a time: compiles interleaved through error scopes would mix up their errors.
    for (const spec of CONV2D_KERNELS) kernels.push(await runner.compile(spec));
    const [forward, backwardInput, backwardWeight, weightReduce] = kernels;
    compiled = { forward, backwardInput, backwardWeight, weightReduce };
    const rng = new SeededRandom(21, 0);
    // All cases in one submit and one readback: dawn.node tolerates only so many waits.
    const batch = CALLS.map((call) => ({ call, inputs: randomConv2dInputs(call, rng) }));
    ({ cases } = await runConv2dCases(runner, compiled, batch));
  });

  it.each(CALLS.map((c, i) => [describeConv2dCall(c), i] as const))('matches the CPU reference for %s', (_, i) => {
    const c = cases[i];
    expect(c.maxRelError).toBeLessThanOrEqual(c.tolerance);
    expect(c.pass).toBe(true);
  });

  it('passes its own checks with the shipped sources', async () => {
    const results = [];
    for (const [i, spec] of CONV2D_KERNELS.entries())
      results.push(await spec.check(runner, new SeededRandom(31 + i, 0)));
    for (const r of results) {
      expect(r.error, r.kernel).toBeUndefined();
      expect(r.cases.length).toBeGreaterThanOrEqual(5);
      expect(r.pass, r.kernel).toBe(true);
    }
  });

  it('passes its own checks with other workgroup and tile sizes', async () => {
    const small = { WG_X: 8, WG_Y: 4, TILE_K: 8 }; // tiles of 32 x 16, threads < tile elements
    const odd = { WG_X: 4, WG_Y: 16, TILE_K: 4 }; // more threads along the narrow axis
    const runs = [
      CONV2D_FORWARD.check(runner, new SeededRandom(41, 0), { overrides: small }),
      CONV2D_BACKWARD_INPUT.check(runner, new SeededRandom(42, 0), { overrides: odd }),
      CONV2D_BACKWARD_WEIGHT.check(runner, new SeededRandom(43, 0), { overrides: small }),
      CONV2D_BACKWARD_WEIGHT.check(runner, new SeededRandom(44, 0), { overrides: odd }),
      CONV2D_WEIGHT_REDUCE.check(runner, new SeededRandom(45, 0), { overrides: { WG_X: 16, WG_Y: 2 } }),
      CONV2D_WEIGHT_REDUCE.check(runner, new SeededRandom(46, 0), { overrides: { WG_X: 64, WG_Y: 1 } }),
    ];
    for (const r of await Promise.all(runs)) {
      expect(r.error, r.kernel).toBeUndefined();
      expect(r.pass, r.kernel).toBe(true);
    }
  });

  it('stages more than 8 values per thread through the plain loops after the batched loads, and fails when those drop values', async () => {
    // 16 threads for 16 x 16 tiles 16 deep: 16 staging values per thread and operand, more than
    // the 8 loaded together, so the rest go through the plain loops.
    const tiny = { WG_X: 4, WG_Y: 4, TILE_K: 16 };
    const general = [CONV2D_FORWARD, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT];
    for (const [i, spec] of general.entries()) {
      const shipped = await spec.check(runner, new SeededRandom(71 + i, 0), { overrides: tiny });
      expect(shipped.error, spec.name).toBeUndefined();
      expect(shipped.pass, spec.name).toBe(true);
      const rest = 'for (var i = tid + STAGED * threads; i < TILE_K * tile_m; i += threads)';
      const noRest = mutate(spec, rest, 'for (var i = tid + STAGED * threads; i < 0u; i += threads)');
      expect(
        (await spec.check(runner, new SeededRandom(71 + i, 0), { source: noRest, overrides: tiny })).pass,
        spec.name,
      ).toBe(false);
    }
  });

  it.each([
    // Each mutation is a plausible bug that the check must catch.
    [
      'forward without the padding offset',
      CONV2D_FORWARD,
      mutate(CONV2D_FORWARD, ' - i32(params.padding),\n        i32(ow', ',\n        i32(ow'),
    ],
    ['forward that ignores the ReLU flag', CONV2D_FORWARD, mutate(CONV2D_FORWARD, 'v = max(v, 0.0);', '')],
    [
      'large forward that never writes the second half of its channels',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 'write4(ma, nb, c0b);', ''),
    ],
    [
      'large forward whose tap walk never moves to the next kernel row',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 's_kw = 0u; s_kh += 1u;', 's_kw = 0u;'),
    ],
    [
      "large forward that reads every tap's weights at the first tap",
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, '* kk_per_ic + vec4<u32>(tap)', '* kk_per_ic'),
    ],
    // The padding channels of a step are zeroed twice (gathered x and staged weights): both guards must go to break it.
    [
      'large forward that uses the padding channels of a step',
      CONV2D_FORWARD_LARGE,
      mutateAll(CONV2D_FORWARD_LARGE, [
        ['(w_ic < vec4<u32>(params.inC))', 'vec4<bool>(true)'],
        ['let okj = ok && s_ic + j < params.inC;', 'let okj = ok;'],
      ]),
    ],
    [
      'large forward without the padding offset',
      CONV2D_FORWARD_LARGE,
      mutate(
        CONV2D_FORWARD_LARGE,
        'let g_top = i32(g_pos.y * params.stride) - i32(params.padding);',
        'let g_top = i32(g_pos.y * params.stride);',
      ),
    ],
    // Its pooling mode (Conv2dFlags.pool): checked with integer inputs, so ties are exact.
    [
      'pooling that lets a later tie win',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 'if (below > best)', 'if (below >= best)'),
    ],
    [
      'pooling that names a winner in windows the ReLU zeroed',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 'NO_WINNER, relu_zeroed)', 'NO_WINNER, false)'),
    ],
    [
      'pooling whose windows run column-major',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 'ph * 2u + j / 2u, pw * 2u + j % 2u', 'ph * 2u + j % 2u, pw * 2u + j / 2u'),
    ],
    [
      'pooling whose dropout ignores the step',
      CONV2D_FORWARD_LARGE,
      mutate(
        CONV2D_FORWARD_LARGE,
        'dropout_stream(train_state[0], params.layerIndex)',
        'dropout_stream(0u, params.layerIndex)',
      ),
    ],
    [
      'pooling that skips the bias',
      CONV2D_FORWARD_LARGE,
      mutate(CONV2D_FORWARD_LARGE, 'if ((params.flags & 4u) != 0u) { out += bias[ch]; }', ''),
    ],
    [
      'large input gradient that ignores the ReLU mask',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, 'if (masked && !(y[idx] > 0.0)) { v = 0.0; }', ''),
    ],
    [
      'large input gradient that ignores the stride test',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, ' && oh * stride == dh && ow * stride == dw', ''),
    ],
    [
      'large input gradient that reads the weights of the wrong output channel',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, '(oc * N + w_n) * kk_per_oc', '(w_n * params.outC + oc) * kk_per_oc'),
    ],
    [
      'large input gradient whose tap ignores the kernel column',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, 'let dw = g_col - i32(s_kw);', 'let dw = g_col;'),
    ],
    [
      'large input gradient whose tap walk never moves to the next kernel row',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, 's_kw = 0u; s_kh += 1u;', 's_kw = 0u;'),
    ],
    [
      'large input gradient whose gather forgets the output channel',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutate(CONV2D_BACKWARD_INPUT_LARGE, 'g_base + s_oc * out_hw', 'g_base'),
    ],
    [
      'large input gradient that uses the padding channels of a step',
      CONV2D_BACKWARD_INPUT_LARGE,
      mutateAll(CONV2D_BACKWARD_INPUT_LARGE, [
        ['let ok = w_n < N && oc < params.outC;', 'let ok = w_n < N;'],
        ['let okj = hit && s_oc + j < params.outC;', 'let okj = hit;'],
      ]),
    ],
    [
      'input gradient that ignores the ReLU mask',
      CONV2D_BACKWARD_INPUT,
      mutate(CONV2D_BACKWARD_INPUT, 'if (masked && !(y[idx] > 0.0)) { return 0.0; }', ''),
    ],
    [
      'input gradient that ignores the stride test',
      CONV2D_BACKWARD_INPUT,
      mutate(CONV2D_BACKWARD_INPUT, 'hit = hit && ty % stride == 0 && tx % stride == 0;', ''),
    ],
    [
      'weight gradient without the bias column',
      CONV2D_BACKWARD_WEIGHT,
      mutate(CONV2D_BACKWARD_WEIGHT, 'select(0.0, 1.0, row.x >= 0 && col.w == 2)', '0.0'),
    ],
    [
      'weight gradient that ignores the ReLU mask',
      CONV2D_BACKWARD_WEIGHT,
      mutate(CONV2D_BACKWARD_WEIGHT, 'ok && (!masked || yv > 0.0)', 'ok'),
    ],
    [
      'forward that drops a batched staging value of x',
      CONV2D_FORWARD,
      mutate(CONV2D_FORWARD, 'As[(i / tile_m) * tile_m + i % tile_m] = sa[j];', ''),
    ],
    [
      'input gradient that drops a batched staging value of w',
      CONV2D_BACKWARD_INPUT,
      mutate(CONV2D_BACKWARD_INPUT, 'Bs[(i % TILE_K) * tile_n + i / TILE_K] = sb[j];', ''),
    ],
    [
      'weight gradient that drops a batched staging value of dy',
      CONV2D_BACKWARD_WEIGHT,
      mutate(CONV2D_BACKWARD_WEIGHT, 'As[kl * a_row + ml / 4u][ml % 4u] = sa[j];', ''),
    ],
    [
      'weight gradient that drops the last step of each chunk',
      CONV2D_BACKWARD_WEIGHT,
      mutate(CONV2D_BACKWARD_WEIGHT, 'k0 < r_end;', 'k0 + TILE_K < r_end;'),
    ],
    [
      'reduce that reads only the first chunk',
      CONV2D_WEIGHT_REDUCE,
      mutate(CONV2D_WEIGHT_REDUCE, 'z < params.splitK', 'z < 1u'),
    ],
    [
      'reduce that drops a lane of its unrolled loop',
      CONV2D_WEIGHT_REDUCE,
      mutate(CONV2D_WEIGHT_REDUCE, 's3 += partial', 's3 -= partial'),
    ],
    [
      'reduce that drops a value of its 8-deep loop',
      CONV2D_WEIGHT_REDUCE,
      mutate(CONV2D_WEIGHT_REDUCE, 's3 += a7;', 's3 -= a7;'),
    ],
  ])('fails its check for a %s', async (_, spec, source) => {
    const result = await spec.check(runner, new SeededRandom(51, 0), { source });
    expect(result.error).toBeUndefined();
    expect(result.pass).toBe(false);
    expect(result.cases.some((c) => !c.pass)).toBe(true);
  });

  it('fails its check, with the compiler message, for source that does not compile', async () => {
    const result = await CONV2D_FORWARD.check(runner, new SeededRandom(11, 0), { source: 'fn main( {' });
    expect(result.pass).toBe(false);
    expect(result.error).toMatch(/failed to compile at line 1/);
  });

  it('encodes a split weight gradient with its reduce pass through runner.dispatch, deterministically', async () => {
    const g = geo(3, 4, 10, 10, 6, 3, 1, 1);
    const call: Conv2dCall = { kind: 'backwardWeight', g, relu: true };
    const inputs = randomConv2dInputs(call, new SeededRandom(61, 0));
    const kernels = { weight: compiled.backwardWeight!, reduce: compiled.weightReduce! };
    const dy = runner.createBuffer(inputs.dy);
    const x = runner.createBuffer(inputs.x);
    const y = runner.createBuffer(inputs.y);
    const outs = [1, 3, 3].map((splitK) => {
      const u = conv2dUniforms(g, { relu: true, splitK });
      const dw = runner.createBuffer(inputs.w.byteLength);
      const db = runner.createBuffer(g.outChannels * 4);
      const partial = splitK > 1 ? runner.createBuffer(conv2dWeightPartialLength(g, splitK) * 4) : undefined;
      return { u, dw, db, partial };
    });
    const encoder = runner.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const o of outs)
      encodeConv2dBackwardWeight(runner, pass, kernels, { dy, x, y, dw: o.dw, db: o.db, partial: o.partial }, o.u);
    pass.end();
    runner.device.queue.submit([encoder.finish()]);
    const bytes = await runner.readBuffers(
      outs.flatMap((o) => [
        { buffer: o.dw, byteLength: inputs.w.byteLength },
        { buffer: o.db, byteLength: g.outChannels * 4 },
      ]),
    );
    const results = outs.map((_, i) => [...new Float32Array(bytes[2 * i]), ...new Float32Array(bytes[2 * i + 1])]);
    const expected = conv2dReference(call, inputs);
    const scale = Math.max(1, ...expected.map(Math.abs));
    for (const r of results) {
      expect(r.length).toBe(expected.length);
      expect(Math.max(...r.map((v, i) => Math.abs(v - expected[i]))) / scale).toBeLessThan(1e-5 * 300);
    }
    // The same split twice gives the same bits: a fixed summation order.
    expect(results[2]).toEqual(results[1]);
    expect(() => encodeConv2dBackwardWeight(runner, pass, kernels, { dy, x, dw: outs[1].dw }, outs[1].u)).toThrow(
      /partial/,
    );
    for (const b of [dy, x, y, ...outs.flatMap((o) => [o.dw, o.db, ...(o.partial ? [o.partial] : [])])]) b.destroy();
  });
});
