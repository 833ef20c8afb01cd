/**
 * `npm run bench:kernels -- [--only matmul|dense|conv] [--sweep] [--batch B] [--no-relu] [--sizes 1024,4096] [--override NAME=FILE ...]`
 *
 * Times single kernels through the engine's own KernelRunner, the way training dispatches them:
 * square f32 matmuls with `matmul` and `matmul_large`, and the forward and input-gradient (each
 * with its general and its large-layer kernel) and weight-gradient convolutions of the MNIST presets at their training batch. Prints one JSON
 * line per case: milliseconds per call (GPU timestamps when the adapter has them, else wall time
 * over many calls in one submit) and TFLOP/s.
 *
 * --sweep also times each conv case at other workgroup and tile sizes, and each dense case at
 * other K splits.
 *
 * --override NAME=FILE swaps in another WGSL file for kernel NAME (a variant under test): each
 * case then runs both and reports `vsBuiltin`, the largest difference between their outputs
 * relative to the largest output, so a fast but wrong variant shows at once.
 */
import { readFileSync } from 'node:fs';
import { installDawn } from './dawn';
import { acquireGpu } from '../src/engine/kernel/device';
import { KernelRunner, type CompiledKernel, type PreparedDispatch } from '../src/engine/kernel/runner';
import { timeDispatches } from '../src/engine/kernel/bench';
import { maxAbs, maxAbsDiff } from '../src/engine/cpu/tensor';
import { kernelByName } from '../src/engine/ops';
import { MATMUL_REDUCE } from '../src/engine/ops/matmul/specs';
import { countMismatches } from '../src/engine/kernel/check';
import {
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_WEIGHT_REDUCE,
  conv2dBackwardInputKernelFor,
  conv2dForwardKernelFor,
} from '../src/engine/ops/conv2d/specs';
import { TRANSPOSE } from '../src/engine/ops/transpose/specs';
import { conv2dGeometry, type Conv2dGeometry } from '../src/engine/ops/conv2d/cpu';
import { SeededRandom } from '../src/engine/rng';
import { MATMUL, MATMUL_LARGE, MATMUL_SMALL } from '../src/engine/ops/matmul/specs';
import type { KernelOverrides, KernelSpec, UniformValues } from '../src/engine/kernel/spec';
import {
  kernelPartialLength,
  largeMatmulSplitK,
  matmulSplitK,
  matmulUniforms,
  useSmallMatmul,
  type MatmulCall,
} from '../src/engine/ops/matmul/abi';
import { conv2dUniforms } from '../src/engine/ops/conv2d/abi';
import { conv2dWeightOverridesFor, conv2dWeightPartialLength, conv2dWeightSplitK } from '../src/engine/ops/conv2d/abi';

interface Options {
  only: string | null;
  /** Also time each conv case at a few other workgroup and tile sizes. */
  sweep: boolean;
  smallEverywhere: boolean;
  /** Batch for the conv cases instead of the presets' (small values for a software adapter). */
  batch: number | null;
  /** Conv cases with the fused ReLU (the presets' layers have it); --no-relu times them without. */
  relu: boolean;
  sizes: number[];
  overrides: Map<string, string>;
}

function parse(argv: string[]): Options {
  const o: Options = {
    only: null,
    sweep: false,
    smallEverywhere: false,
    batch: null,
    relu: true,
    sizes: [1024, 2048, 4096],
    overrides: new Map(),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = argv[++i];
    else if (a === '--sweep') o.sweep = true;
    else if (a === '--small-everywhere') o.smallEverywhere = true;
    else if (a === '--no-relu') o.relu = false;
    else if (a === '--batch') o.batch = Number(argv[++i]);
    else if (a === '--sizes') o.sizes = argv[++i].split(',').map(Number);
    else if (a === '--override') {
      const [name, file] = argv[++i].split('=');
      kernelByName(name); // throws for an unknown kernel
      o.overrides.set(name, readFileSync(file, 'utf8'));
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const opts = parse(process.argv.slice(2));
const { gpu } = installDawn();
const ctx = await acquireGpu(gpu, { label: 'kernel bench' });
const runner = new KernelRunner(ctx);
const info = ctx.adapter.info;
const adapter = [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');
const timestamps = ctx.hasTimestamps;
const rng = new SeededRandom(1, 0);

function randomBuffer(count: number): GPUBuffer {
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = rng.next() * 2 - 1;
  return runner.createBuffer(data);
}

/** One kernel call of a case (a case may need two: the weight gradient and its reduce). */
interface Call {
  spec: KernelSpec;
  bindings: Record<string, GPUBuffer>;
  uniforms: UniformValues;
  /** Pipeline overrides (workgroup and tile sizes); the spec's defaults when absent. */
  overrides?: KernelOverrides;
}

async function prepareAll(
  calls: Call[],
  source?: (spec: KernelSpec) => string | undefined,
): Promise<PreparedDispatch[]> {
  const out: PreparedDispatch[] = [];
  for (const c of calls) {
    const kernel: CompiledKernel = await runner.compile(c.spec, {
      source: source?.(c.spec) ?? c.spec.builtinSource,
      overrides: c.overrides,
    });
    out.push(runner.prepare(kernel, c.bindings, c.uniforms));
  }
  return out;
}

/** GPU milliseconds for `n` repetitions of the calls in one compute pass. */
function timeCalls(prepared: PreparedDispatch[], n: number): Promise<number> {
  return timeDispatches(runner, prepared, n, timestamps);
}

/** Median ms per repetition over 5 rounds of about 100 ms of GPU work each. */
async function measure(prepared: PreparedDispatch[]): Promise<number> {
  const once = await timeCalls(prepared, 2);
  const reps = Math.max(3, Math.min(500, Math.round(100 / Math.max(once / 2, 0.001))));
  const times: number[] = [];
  for (let r = 0; r < 5; r++) times.push((await timeCalls(prepared, reps)) / reps);
  times.sort((x, y) => x - y);
  return times[2];
}

async function readOut(buffer: GPUBuffer): Promise<Float32Array> {
  return new Float32Array(await runner.readBuffer(buffer, buffer.size));
}

/** The largest difference between two outputs, relative to the largest value of the second. */
function relDiff(a: Float32Array, b: Float32Array): number {
  return maxAbsDiff(a, b) / Math.max(maxAbs(b), 1e-30);
}

/**
 * Times a case with the shipped kernels, and with the overriding file when one is given. With
 * `sameAs` (another kernel's output on the same inputs) it also counts the outputs that differ;
 * with `keepOutput` it returns the shipped kernels' output.
 */
async function runCase(
  name: string,
  calls: Call[],
  output: GPUBuffer,
  flops: number,
  extra: Record<string, unknown> = {},
  compare: { sameAs?: Float32Array | null; keepOutput?: boolean } = {},
): Promise<Float32Array | null> {
  const builtin = await prepareAll(calls);
  const ms = await measure(builtin);
  const overridden = calls.some((c) => opts.overrides.has(c.spec.name));
  let expected: Float32Array | null = null;
  if (overridden || compare.sameAs || compare.keepOutput) {
    await timeCalls(builtin, 1);
    expected = await readOut(output);
  }
  const result: Record<string, unknown> = {
    adapter,
    method: timestamps ? 'timestamp' : 'wall',
    case: name,
    ...extra,
    ...(compare.sameAs ? { mismatchesVsMatmul: countMismatches(expected!, compare.sameAs) } : {}),
    kernels: calls.map((c) => c.spec.name),
    ms: +ms.toFixed(4),
    tflops: +(flops / ms / 1e9).toFixed(2),
  };
  if (overridden) {
    const variant = await prepareAll(calls, (spec) => opts.overrides.get(spec.name));
    const vms = await measure(variant);
    await timeCalls(variant, 1);
    result.override = {
      ms: +vms.toFixed(4),
      tflops: +(flops / vms / 1e9).toFixed(2),
      vsBuiltin: +relDiff(await readOut(output), expected!).toExponential(2),
    };
  }
  console.log(JSON.stringify(result));
  return expected;
}

/** The dense layers' three matmuls of the CNN presets at their training batch. */
const DENSE_CALLS: [string, MatmulCall][] = [
  ['pytorch-cnn dense1 forward', { M: 64, K: 12544, N: 128, bias: true, biasInB: true, relu: true }],
  ['pytorch-cnn dense1 weight grad', { M: 12545, K: 64, N: 128, transposeA: true, onesRowA: true }],
  ['pytorch-cnn dense1 input grad', { M: 64, K: 128, N: 12544, transposeB: true }],
  ['fast-cnn dense1 weight grad', { M: 801, K: 256, N: 256, transposeA: true, onesRowA: true }],
  ['fast-cnn dense1 forward', { M: 256, K: 800, N: 256, bias: true, biasInB: true, relu: true }],
  ['fast-cnn dense1 input grad', { M: 256, K: 256, N: 800, transposeB: true }],
  // Small layers: latency, not arithmetic, bounds these.
  ['pytorch-cnn dense2 forward', { M: 64, K: 128, N: 10, bias: true, biasInB: true }],
  ['pytorch-cnn dense2 weight grad', { M: 129, K: 64, N: 10, transposeA: true, onesRowA: true }],
  ['pytorch-cnn dense2 input grad', { M: 64, K: 10, N: 128, transposeB: true }],
  ['fast-cnn dense2 forward', { M: 256, K: 256, N: 10, bias: true, biasInB: true }],
  ['fast-cnn dense2 weight grad', { M: 257, K: 256, N: 10, transposeA: true, onesRowA: true }],
  ['fast-cnn dense2 input grad', { M: 256, K: 10, N: 256, transposeB: true }],
  ['keras-cnn dense forward', { M: 128, K: 1600, N: 10, bias: true, biasInB: true }],
  ['keras-cnn dense weight grad', { M: 1601, K: 128, N: 10, transposeA: true, onesRowA: true }],
  ['keras-small-cnn dense2 forward', { M: 64, K: 64, N: 10, bias: true, biasInB: true }],
  ['mlp dense1 forward', { M: 128, K: 784, N: 128, bias: true, biasInB: true, relu: true }],
  ['mlp dense1 weight grad', { M: 785, K: 128, N: 128, transposeA: true, onesRowA: true }],
  ['mlp dense2 forward', { M: 128, K: 128, N: 10, bias: true, biasInB: true }],
  ['mlp dense2 weight grad', { M: 129, K: 128, N: 10, transposeA: true, onesRowA: true }],
  ['mlp dense2 input grad', { M: 128, K: 10, N: 128, transposeB: true }],
];

/** Workgroup shapes tried with --sweep on every dense case (matmul's default is 16 x 16: 64 x 64 tiles). */
const DENSE_TILE_SHAPES: KernelOverrides[] = [
  { WG_X: 8, WG_Y: 16 },
  { WG_X: 16, WG_Y: 8 },
  { WG_X: 8, WG_Y: 8 },
  { WG_X: 32, WG_Y: 8 },
  { WG_X: 32, WG_Y: 4 },
  { WG_X: 4, WG_Y: 16 },
  { WG_X: 32, WG_Y: 16 },
];

async function denseCases() {
  for (const [name, base] of DENSE_CALLS) {
    // The same inputs for every kernel, so their outputs can be compared bit for bit.
    const rowsA = base.onesRowA ? base.M - 1 : base.M;
    const A = randomBuffer(rowsA * base.K);
    const B = randomBuffer(base.K * base.N + base.N);
    const C = runner.createBuffer(base.M * base.N * 4);
    let tiledOutput: Float32Array | null = null;
    for (const spec of [MATMUL, MATMUL_LARGE, MATMUL_SMALL]) {
      // --sweep (or --small-everywhere): matmul_small on every case, to place useSmallMatmul's limits.
      if (
        spec === MATMUL_SMALL &&
        !(useSmallMatmul(base.M, base.N, base.K, base) || opts.sweep || opts.smallEverywhere)
      )
        continue;
      // matmul_small takes matmul's split (it sums the same chunks itself).
      const chosen =
        spec === MATMUL_LARGE ? largeMatmulSplitK(base.M, base.N, base.K) : matmulSplitK(base.M, base.N, base.K);
      // --sweep: other K splits too (the chosen one first), to check matmulSplitK's choice.
      const others =
        opts.sweep && spec !== MATMUL_SMALL ? [1, 2, 4, 8, 16, 32, 64, 128, 256].filter((s) => s * 16 <= base.K) : [];
      for (const splitK of new Set([chosen, ...others])) {
        const out = await denseCase(
          name,
          spec,
          { ...base, splitK },
          { A, B, C },
          splitK === chosen && spec === MATMUL_SMALL ? tiledOutput : null,
        );
        if (spec === MATMUL && splitK === chosen) tiledOutput = out;
      }
      // --sweep: deeper staging steps (fewer of them: the small layers wait on memory once per step).
      if (opts.sweep && spec === MATMUL) {
        for (const TILE_K of [32, 64])
          await denseCase(name, spec, { ...base, splitK: chosen }, { A, B, C }, null, { WG_X: 16, WG_Y: 16, TILE_K });
        // Other tile shapes at the same split: the same sums in the same order, so the same bits.
        for (const shape of DENSE_TILE_SHAPES)
          await denseCase(name, spec, { ...base, splitK: chosen }, { A, B, C }, tiledOutput, shape);
      }
    }
    for (const b of [A, B, C]) b.destroy();
  }
}

/** Times one dense call; with `sameAs` (matmul's output on the same inputs) also counts differing outputs. */
async function denseCase(
  name: string,
  spec: KernelSpec,
  call: MatmulCall,
  io: { A: GPUBuffer; B: GPUBuffer; C: GPUBuffer },
  sameAs: Float32Array | null,
  overrides?: KernelOverrides,
) {
  const { A, B, C } = io;
  const u = matmulUniforms(call);
  const calls: Call[] = [];
  const partialLength = kernelPartialLength(spec.name, call);
  const partial = partialLength ? runner.createBuffer(partialLength * 4) : null;
  if (partial) {
    calls.push({ spec, bindings: { A, B, C, partial }, uniforms: u, overrides });
    calls.push({ spec: MATMUL_REDUCE, bindings: { partial, bias: B, C }, uniforms: u });
  } else calls.push({ spec, bindings: { A, B, C }, uniforms: u, overrides });
  const extra = { splitK: call.splitK, ...(overrides ? { overrides } : {}) };
  const output = await runCase(name, calls, C, 2 * call.M * call.K * call.N, extra, {
    sameAs,
    keepOutput: spec === MATMUL,
  });
  partial?.destroy();
  return output;
}

async function matmulCases() {
  for (const s of opts.sizes) {
    const A = randomBuffer(s * s);
    const B = randomBuffer(s * s);
    const C = runner.createBuffer(s * s * 4);
    for (const spec of [MATMUL, MATMUL_LARGE]) {
      for (const transposeA of [false, true]) {
        if (transposeA && s !== Math.max(...opts.sizes)) continue;
        await runCase(
          `matmul ${s}x${s}x${s}${transposeA ? ' Aᵀ' : ''}`,
          [{ spec, bindings: { A, B, C }, uniforms: matmulUniforms({ M: s, K: s, N: s, transposeA }) }],
          C,
          2 * s ** 3,
        );
      }
    }
    // A plain multiply as the engine runs a big one: A transposed into scratch, then the Aᵀ path
    // (both dispatches timed together).
    const At = runner.createBuffer(s * s * 4);
    await runCase(
      `matmul ${s}x${s}x${s} via transpose`,
      [
        { spec: TRANSPOSE, bindings: { x: A, y: At }, uniforms: { rows: s, cols: s } },
        {
          spec: MATMUL_LARGE,
          bindings: { A: At, B, C },
          uniforms: matmulUniforms({ M: s, K: s, N: s, transposeA: true }),
        },
      ],
      C,
      2 * s ** 3,
    );
    if (s === Math.max(...opts.sizes)) {
      // B stored transposed too (a dense layer's input gradient, dY·Wᵀ): plain A, and A via the transpose.
      await runCase(
        `matmul ${s}x${s}x${s} Bᵀ`,
        [
          {
            spec: MATMUL_LARGE,
            bindings: { A, B, C },
            uniforms: matmulUniforms({ M: s, K: s, N: s, transposeB: true }),
          },
        ],
        C,
        2 * s ** 3,
      );
      await runCase(
        `matmul ${s}x${s}x${s} Bᵀ via transpose`,
        [
          { spec: TRANSPOSE, bindings: { x: A, y: At }, uniforms: { rows: s, cols: s } },
          {
            spec: MATMUL_LARGE,
            bindings: { A: At, B, C },
            uniforms: matmulUniforms({ M: s, K: s, N: s, transposeA: true, transposeB: true }),
          },
        ],
        C,
        2 * s ** 3,
      );
    }
    await runCase(
      `transpose ${s}x${s}`,
      [{ spec: TRANSPOSE, bindings: { x: A, y: At }, uniforms: { rows: s, cols: s } }],
      At,
      0,
    );
    for (const b of [A, B, C, At]) b.destroy();
  }
}

/** The convolution layers of the CNN presets at their training batch: [name, batch, [c, h, w], filters, kernel, padding]. */
const CONV_LAYERS: [string, number, [number, number, number], number, number, number][] = [
  ['pytorch-cnn conv1', 64, [1, 28, 28], 32, 3, 1],
  ['pytorch-cnn conv2', 64, [32, 28, 28], 64, 3, 1],
  ['fast-cnn conv1', 256, [1, 28, 28], 24, 5, 0],
  ['fast-cnn conv2', 256, [24, 12, 12], 32, 3, 0],
  ['keras-cnn conv1', 128, [1, 28, 28], 32, 3, 0],
  ['keras-cnn conv2', 128, [32, 13, 13], 64, 3, 0],
];

/** Other workgroup and tile sizes tried with --sweep, per kernel. */
const SWEEP: Record<string, KernelOverrides[]> = {
  conv2d_forward: [
    { WG_X: 16, WG_Y: 4 },
    { WG_X: 32, WG_Y: 8 },
    { WG_X: 16, WG_Y: 8, TILE_K: 8 },
    { WG_X: 16, WG_Y: 16 },
  ],
  conv2d_backward_input: [
    { WG_X: 16, WG_Y: 4 },
    { WG_X: 32, WG_Y: 8 },
    { WG_X: 16, WG_Y: 8, TILE_K: 8 },
    { WG_X: 8, WG_Y: 8 },
  ],
  conv2d_backward_weight: [
    { WG_X: 16, WG_Y: 16 },
    { WG_X: 8, WG_Y: 16 },
    { WG_X: 16, WG_Y: 8, TILE_K: 32 },
    // Narrow column tiles for layers with few input channels (a first layer has only k*k + 1 columns).
    { WG_X: 4, WG_Y: 8 },
    { WG_X: 4, WG_Y: 16 },
    { WG_X: 4, WG_Y: 8, TILE_K: 32 },
  ],
};

/** Runs a conv case at its defaults, then (with --sweep) at the other sizes of its main kernel. */
async function convCase(
  name: string,
  calls: Call[],
  output: GPUBuffer,
  flops: number,
  extra: Record<string, unknown> = {},
) {
  await runCase(name, calls, output, flops, extra);
  if (!opts.sweep) return;
  for (const overrides of SWEEP[calls[0].spec.name] ?? []) {
    await runCase(name, [{ ...calls[0], overrides }, ...calls.slice(1)], output, flops, { ...extra, overrides });
  }
}

async function convCases() {
  for (const [name, presetBatch, input, filters, kernel, padding] of CONV_LAYERS) {
    const batch = opts.batch ?? presetBatch;
    const g: Conv2dGeometry = conv2dGeometry(batch, input, filters, kernel, 1, padding);
    const inCount = batch * input[0] * input[1] * input[2];
    const outCount = batch * filters * g.outHeight * g.outWidth;
    const wCount = filters * input[0] * kernel * kernel;
    const x = randomBuffer(inCount);
    const w = randomBuffer(wCount);
    const bias = randomBuffer(filters);
    const y = randomBuffer(outCount);
    const dy = randomBuffer(outCount);
    const dx = runner.createBuffer(inCount * 4);
    const dw = runner.createBuffer(wCount * 4);
    const db = runner.createBuffer(filters * 4);
    const macs = outCount * input[0] * kernel * kernel;
    const yOut = runner.createBuffer(outCount * 4);
    await convCase(
      `${name} forward`,
      [{ spec: CONV2D_FORWARD, bindings: { x, w, bias, y: yOut }, uniforms: conv2dUniforms(g, { relu: opts.relu }) }],
      yOut,
      2 * macs,
    );
    // The large-layer forward kernel too, on every layer, so the chooser's threshold can be checked.
    await runCase(
      `${name} forward`,
      [
        {
          spec: CONV2D_FORWARD_LARGE,
          bindings: { x, w, bias, y: yOut },
          uniforms: conv2dUniforms(g, { relu: opts.relu }),
        },
      ],
      yOut,
      2 * macs,
      { chosen: conv2dForwardKernelFor(g).name },
    );
    if (g.outHeight >= 2 && g.outWidth >= 2) {
      // The same kernel doing the 2x2 max pooling after the layer (and a dropout after that), as
      // the trainer runs it when a pooling follows: only the pooled output is written.
      const pooled = batch * filters * Math.floor(g.outHeight / 2) * Math.floor(g.outWidth / 2);
      const pooledY = runner.createBuffer(pooled * 4);
      const argmax = runner.createBuffer(pooled * 4);
      const mask = runner.createBuffer(pooled * 4);
      const trainState = runner.createBuffer(new Uint32Array([7, 0, 0, 0]));
      const dropout = { rate: 0.25, seed: 1, layerIndex: 5 };
      await runCase(
        `${name} forward + maxpool + dropout`,
        [
          {
            spec: CONV2D_FORWARD_LARGE,
            bindings: { x, w, bias, y: pooledY, argmax, mask, train_state: trainState },
            uniforms: conv2dUniforms(g, { relu: opts.relu, pool: true, dropout }),
          },
        ],
        pooledY,
        2 * macs,
      );
    }
    if (input[0] > 1) {
      await convCase(
        `${name} input grad`,
        [{ spec: CONV2D_BACKWARD_INPUT, bindings: { dy, w, y, dx }, uniforms: conv2dUniforms(g, { relu: opts.relu }) }],
        dx,
        2 * macs,
      );
      await runCase(
        `${name} input grad`,
        [
          {
            spec: CONV2D_BACKWARD_INPUT_LARGE,
            bindings: { dy, w, y, dx },
            uniforms: conv2dUniforms(g, { relu: opts.relu }),
          },
        ],
        dx,
        2 * macs,
        { chosen: conv2dBackwardInputKernelFor(g).name },
      );
    }
    // The weight gradient, at the trainer's split of the reduction and (with --sweep) at other
    // tile sizes with half, the same and twice their own default split.
    const weightCase = async (overrides: KernelOverrides | undefined, splitK: number) => {
      const u = conv2dUniforms(g, { relu: opts.relu, splitK });
      const calls: Call[] = [];
      let partial: GPUBuffer | null = null;
      if (splitK > 1) {
        partial = runner.createBuffer(conv2dWeightPartialLength(g, splitK) * 4);
        calls.push({ spec: CONV2D_BACKWARD_WEIGHT, bindings: { dy, x, y, dw, db, partial }, uniforms: u, overrides });
        calls.push({ spec: CONV2D_WEIGHT_REDUCE, bindings: { partial, dw, db }, uniforms: u });
      } else {
        calls.push({ spec: CONV2D_BACKWARD_WEIGHT, bindings: { dy, x, y, dw, db }, uniforms: u, overrides });
      }
      await runCase(`${name} weight grad`, calls, dw, 2 * macs, overrides ? { splitK, overrides } : { splitK });
      partial?.destroy();
    };
    await weightCase(undefined, conv2dWeightSplitK(g));
    // The trainer's own tile sizes for this layer, where they are not the defaults.
    const chosenTiles = conv2dWeightOverridesFor(g);
    if (chosenTiles) await weightCase(chosenTiles, conv2dWeightSplitK(g, chosenTiles));
    if (opts.sweep) {
      for (const overrides of SWEEP.conv2d_backward_weight) {
        const split = conv2dWeightSplitK(g, overrides);
        for (const s of new Set([Math.max(1, split >> 1), split, split * 2])) await weightCase(overrides, s);
      }
    }
    for (const b of [x, w, bias, y, dy, dx, dw, db, yOut]) b.destroy();
  }
}

if (!opts.only || opts.only === 'matmul') await matmulCases();
if (!opts.only || opts.only === 'dense') await denseCases();
if (!opts.only || opts.only === 'conv') await convCases();
process.exit(0);
