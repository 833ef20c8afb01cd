/**
 * The conv2d family's check: random geometries and options, the float64 reference built from the CPU
 * twin (./cpu.ts), tolerances, and the runner that compares a kernel (shipped or edited) with it.
 * Test harness only: training never imports this file.
 */
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type {
  KernelCheckCase,
  KernelCheckOptions,
  KernelCheckResult,
  KernelSpec,
  UniformValues,
} from '../../kernel/spec';
import type { SeededRandom } from '../../rng';
import { checkKernel, compareValues, randomFloats } from '../../kernel/check';
import { conv2dBackward, conv2dForward, conv2dGeometry, conv2dSizes, type Conv2dGeometry } from './cpu';
import { pooledForwardCases } from './pooledCheck';
import { conv2dUniforms, conv2dWeightPartialLength, type Conv2dOptions } from './abi';

/** The partner kernels a weight-gradient check runs with: each is checked together with the other. */
export interface Conv2dFamily {
  backwardWeight: KernelSpec;
  weightReduce: KernelSpec;
}

export type Conv2dKind = 'forward' | 'backwardInput' | 'backwardWeight';

/** One kernel call to check: which gradient (or the forward pass), the geometry and options. */
export interface Conv2dCall extends Conv2dOptions {
  kind: Conv2dKind;
  g: Conv2dGeometry;
}

/** Compiled kernels a batch of calls may use (backwardWeight with splitK > 1 needs the reduce too). */
export interface Conv2dCompiled {
  forward?: CompiledKernel;
  backwardInput?: CompiledKernel;
  backwardWeight?: CompiledKernel;
  weightReduce?: CompiledKernel;
}

export interface Conv2dInputs {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
  /** A post-ReLU output (about half zeros) for the dy mask. */
  y: Float32Array;
  /** The output buffer's contents before the call (matters when accumulating). */
  out0: Float32Array;
  /** db before the call. */
  db0: Float32Array;
}

/** A readable label such as "forward 2x3x7x9→5 k3 s2 p1 relu +=". */
export function describeConv2dCall(call: Conv2dCall): string {
  const g = call.g;
  const tags = [
    call.relu && 'relu',
    call.accumulate && '+=',
    call.bias === false && 'no-bias',
    (call.splitK ?? 1) > 1 && `split${call.splitK}`,
  ];
  const shape = `${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth}→${g.outChannels} k${g.kernel} s${g.stride} p${g.padding}`;
  return [call.kind, shape, ...tags.filter(Boolean)].join(' ');
}

function outputLength(call: Conv2dCall): number {
  const sizes = conv2dSizes(call.g);
  return call.kind === 'forward' ? sizes.output : call.kind === 'backwardInput' ? sizes.input : sizes.weight;
}

/** Uniform random inputs in [-1, 1) for a call (y is relu of random values). */
export function randomConv2dInputs(call: Conv2dCall, rng: SeededRandom): Conv2dInputs {
  const sizes = conv2dSizes(call.g);
  const y = randomFloats(rng, sizes.output).map((v) => Math.max(0, v));
  return {
    x: randomFloats(rng, sizes.input),
    w: randomFloats(rng, sizes.weight),
    bias: randomFloats(rng, call.g.outChannels),
    dy: randomFloats(rng, sizes.output),
    y,
    out0: call.accumulate ? randomFloats(rng, outputLength(call)) : new Float32Array(outputLength(call)),
    db0: call.accumulate ? randomFloats(rng, call.g.outChannels) : new Float32Array(call.g.outChannels),
  };
}

/**
 * The expected output in f64 from cpu/conv.ts, composed with ReLU (forward) or the ReLU mask of
 * dy (backward) and with the old contents when accumulating. Weight gradients come as [dw, db].
 */
export function conv2dReference(call: Conv2dCall, inputs: Conv2dInputs): Float64Array {
  const g = call.g;
  const x = Float64Array.from(inputs.x);
  const w = Float64Array.from(inputs.w);
  const add = (a: Float64Array, b: Float32Array) => {
    if (call.accumulate) for (let i = 0; i < a.length; i++) a[i] += b[i];
    return a;
  };
  if (call.kind === 'forward') {
    const bias = call.bias === false ? new Float64Array(g.outChannels) : Float64Array.from(inputs.bias);
    const y = add(conv2dForward(x, w, bias, g), inputs.out0);
    return call.relu ? y.map((v) => Math.max(0, v)) : y;
  }
  const dy = Float64Array.from(inputs.dy, (v, i) => (call.relu && !(inputs.y[i] > 0) ? 0 : v));
  const grads = conv2dBackward(x, w, dy, g);
  if (call.kind === 'backwardInput') return add(grads.dx, inputs.out0);
  const dw = add(grads.dw, inputs.out0);
  if (call.bias === false) return dw;
  const out = new Float64Array(dw.length + g.outChannels);
  out.set(dw);
  out.set(add(grads.db, inputs.db0), dw.length);
  return out;
}

/** Terms summed into one output value: f32 rounding error grows about linearly with it. */
function reductionLength(call: Conv2dCall): number {
  const g = call.g;
  const taps = g.kernel * g.kernel;
  if (call.kind === 'forward') return g.inChannels * taps + 2;
  if (call.kind === 'backwardInput') return g.outChannels * taps + 1;
  return g.batch * g.outHeight * g.outWidth + 1;
}

/** Allowed error relative to the output's scale. */
export function conv2dTolerance(call: Conv2dCall): number {
  return 1e-5 * Math.max(1, reductionLength(call));
}

/**
 * Runs every call on the GPU in one submit, reads all results back with one wait, and compares
 * each with the CPU reference. Returns the GPU outputs too (weight gradients as [dw, db]).
 */
export async function runConv2dCases(
  runner: KernelRunner,
  kernels: Conv2dCompiled,
  calls: { call: Conv2dCall; inputs: Conv2dInputs }[],
): Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }> {
  const created: GPUBuffer[] = [];
  const make = (init: ArrayBufferView | number) => {
    const b = runner.createBuffer(init);
    created.push(b);
    return b;
  };
  const need = (k: CompiledKernel | undefined, what: string) => {
    if (!k) throw new Error(`runConv2dCases: no compiled ${what} kernel`);
    return k;
  };
  const encoder = runner.device.createCommandEncoder({ label: 'conv2d check' });
  const pass = encoder.beginComputePass();
  const run = (kernel: CompiledKernel, bindings: Record<string, GPUBuffer>, u: UniformValues) => {
    const prepared = runner.prepare(kernel, bindings, u);
    if (prepared.uniformBuffer) created.push(prepared.uniformBuffer);
    runner.encode(pass, prepared);
  };
  const reads = calls.flatMap(({ call, inputs }) => {
    const u = conv2dUniforms(call.g, call);
    const out = make(inputs.out0);
    const read = [{ buffer: out, byteLength: inputs.out0.byteLength }];
    if (call.kind === 'forward') {
      run(
        need(kernels.forward, 'forward'),
        { x: make(inputs.x), w: make(inputs.w), bias: make(inputs.bias), y: out },
        u,
      );
    } else if (call.kind === 'backwardInput') {
      run(
        need(kernels.backwardInput, 'backwardInput'),
        { dy: make(inputs.dy), w: make(inputs.w), y: make(inputs.y), dx: out },
        u,
      );
    } else {
      const db = make(inputs.db0);
      const bindings: Record<string, GPUBuffer> = {
        dy: make(inputs.dy),
        x: make(inputs.x),
        y: make(inputs.y),
        dw: out,
        db,
      };
      const partialLength = conv2dWeightPartialLength(call.g, u.splitK);
      if (partialLength > 0) {
        // Filled with NaN so a chunk the kernel forgot to write poisons the sum instead of adding 0.
        bindings.partial = make(new Float32Array(partialLength).fill(NaN));
      }
      run(need(kernels.backwardWeight, 'backwardWeight'), bindings, u);
      if (partialLength > 0)
        run(need(kernels.weightReduce, 'weightReduce'), { partial: bindings.partial, dw: out, db }, u);
      if (call.bias !== false) read.push({ buffer: db, byteLength: inputs.db0.byteLength });
    }
    return read;
  });
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const bytes = await runner.readBuffers(reads);
  for (const b of created) b.destroy();

  let next = 0;
  const outputs = calls.map(({ call }) => {
    const main = new Float32Array(bytes[next++]);
    if (call.kind !== 'backwardWeight' || call.bias === false) return main;
    const db = new Float32Array(bytes[next++]);
    const both = new Float32Array(main.length + db.length);
    both.set(main);
    both.set(db, main.length);
    return both;
  });
  const cases = calls.map(({ call, inputs }, i) =>
    compareValues(describeConv2dCall(call), outputs[i], conv2dReference(call, inputs), conv2dTolerance(call)),
  );
  return { cases, outputs };
}

/** A random valid geometry with small sizes (quick on a software GPU) that still cross tile edges. */
export function randomConv2dGeometry(rng: SeededRandom, maxSide = 12): Conv2dGeometry {
  for (;;) {
    const kernel = 1 + rng.int(5);
    const padding = rng.int(3);
    const h = 1 + rng.int(maxSide);
    const w = 1 + rng.int(maxSide);
    if (kernel > h + 2 * padding || kernel > w + 2 * padding) continue;
    return conv2dGeometry(1 + rng.int(3), [1 + rng.int(5), h, w], 1 + rng.int(9), kernel, 1 + rng.int(3), padding);
  }
}

/** Calls of one kind over random shapes, cycling through relu / accumulate / bias variants. */
export function randomConv2dCalls(kind: Conv2dKind, rng: SeededRandom, count = 5): Conv2dCall[] {
  const calls: Conv2dCall[] = [];
  for (let i = 0; i < count; i++) {
    const g = randomConv2dGeometry(rng);
    const call: Conv2dCall = { kind, g, relu: i % 2 === 1, accumulate: i % 3 === 2, bias: i !== 3 };
    if (kind === 'backwardWeight') call.splitK = 1 + (i % 3);
    calls.push(call);
  }
  // A fixed shape of a real layer type (3x3, padding 1) with a partial tile on every axis.
  calls.push({
    kind,
    g: conv2dGeometry(2, [3, 9, 11], 6, 3, 1, 1),
    relu: true,
    splitK: kind === 'backwardWeight' ? 4 : 1,
  });
  return calls;
}

async function compileOthers(
  runner: KernelRunner,
  kernel: CompiledKernel,
  role: keyof Conv2dCompiled,
  family: Conv2dFamily,
): Promise<Conv2dCompiled> {
  const compiled: Conv2dCompiled = { [role]: kernel };
  // The weight gradient and its reduce pass are checked together: the partner runs its current source.
  if (role === 'backwardWeight') compiled.weightReduce = await runner.compile(family.weightReduce);
  if (role === 'weightReduce') compiled.backwardWeight = await runner.compile(family.backwardWeight);
  return compiled;
}

async function checkConv2d(
  spec: KernelSpec,
  family: Conv2dFamily,
  role: keyof Conv2dCompiled,
  calls: Conv2dCall[],
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions,
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const compiled = await compileOthers(runner, kernel, role, family);
    const batch = calls.map((call) => ({ call, inputs: randomConv2dInputs(call, rng) }));
    return (await runConv2dCases(runner, compiled, batch)).cases;
  });
}

/** KernelSpec.check for conv2d_forward: random shapes, with and without fused ReLU, bias, accumulate. */
export function checkConv2dForward(
  spec: KernelSpec,
  family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(spec, family, 'forward', randomConv2dCalls('forward', rng), runner, rng, options);
}

/**
 * KernelSpec.check for conv2d_forward_large: the same random shapes, plus layers wide enough to fill
 * its 128 x 64 tile on both halves of each thread's block and past it (70 channels), with input
 * channel counts that leave the last 8-channel step of each tap part-empty (3, 9) or fill it (24).
 */
export function checkConv2dForwardLarge(
  spec: KernelSpec,
  _family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls = randomConv2dCalls('forward', rng);
  calls.push({ kind: 'forward', g: conv2dGeometry(2, [3, 10, 10], 70, 3, 1, 1), bias: true, relu: true });
  calls.push({ kind: 'forward', g: conv2dGeometry(1, [9, 13, 12], 64, 3, 2, 1), accumulate: true, bias: true });
  // 24 input channels: three whole 8-channel steps per tap, as in fast-cnn's second layer.
  calls.push({ kind: 'forward', g: conv2dGeometry(1, [24, 7, 8], 64, 3, 1, 1), relu: true });
  return checkKernel(spec, runner, options, async (kernel) => {
    const batch = calls.map((call) => ({ call, inputs: randomConv2dInputs(call, rng) }));
    const plain = (await runConv2dCases(runner, { forward: kernel }, batch)).cases;
    // The same kernel with the max pooling (and dropout) after it.
    return [...plain, ...(await pooledForwardCases(runner, kernel, rng))];
  });
}

/** KernelSpec.check for conv2d_backward_input: random shapes, with and without the ReLU mask. */
export function checkConv2dBackwardInput(
  spec: KernelSpec,
  family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(spec, family, 'backwardInput', randomConv2dCalls('backwardInput', rng), runner, rng, options);
}

/**
 * KernelSpec.check for conv2d_backward_input_large: the same random shapes, plus layers with more
 * input channels than its 32-wide tile, with the ReLU mask, stride 2, and output channel counts
 * that leave the last 8-channel step of each tap part-empty (13, 9) or fill it (16).
 */
export function checkConv2dBackwardInputLarge(
  spec: KernelSpec,
  family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls = randomConv2dCalls('backwardInput', rng);
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(2, [40, 9, 10], 13, 3, 1, 1), relu: true });
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(1, [33, 11, 12], 9, 3, 2, 1), accumulate: true });
  // 16 output channels: two whole 8-channel steps per tap.
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(1, [24, 8, 7], 16, 3, 1, 1), relu: true });
  return checkConv2d(spec, family, 'backwardInput', calls, runner, rng, options);
}

/** KernelSpec.check for conv2d_backward_weight (split calls also run the shipped or overridden reduce). */
export function checkConv2dBackwardWeight(
  spec: KernelSpec,
  family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(spec, family, 'backwardWeight', randomConv2dCalls('backwardWeight', rng), runner, rng, options);
}

/** KernelSpec.check for conv2d_weight_reduce: split weight gradients only, so every case exercises it. */
export function checkConv2dWeightReduce(
  spec: KernelSpec,
  family: Conv2dFamily,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls: Conv2dCall[] = randomConv2dCalls('backwardWeight', rng).map((c, i) => ({ ...c, splitK: 2 + (i % 3) }));
  // A long split whose 37 chunks (16 positions each) all hold data, so the reduce's unrolled loop
  // (4 chunks per lane per pass) is exercised as well as its tail.
  calls.push({ kind: 'backwardWeight', g: conv2dGeometry(1, [2, 16, 37], 4, 3, 1, 1), relu: true, splitK: 37 });
  // 75 full chunks (3 x 20 x 20 = 1200 positions, 16 each) for the reduce's 8-deep loop, which
  // a lane enters while 8 more of its chunks remain.
  calls.push({ kind: 'backwardWeight', g: conv2dGeometry(3, [2, 20, 20], 3, 3, 1, 1), relu: false, splitK: 75 });
  return checkConv2d(spec, family, 'weightReduce', calls, runner, rng, options);
}
