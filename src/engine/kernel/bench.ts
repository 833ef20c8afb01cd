/**
 * Times an edited kernel against the built-in one on one representative call, for the kernel
 * editor's "Benchmark" button. Uses GPU timestamp queries where the device has them, else wall
 * time over many dispatches with a single onSubmittedWorkDone. Reports numbers; never asserts.
 */
import type { KernelRunner, PreparedDispatch } from './runner';
import type { KernelSpec, UniformValues } from './spec';
import { withErrorScopes } from './device';
import { conv2dGeometry } from '../ops/conv2d/cpu';
import { pool2dGeometry } from '../ops/pool/cpu';
import { SeededRandom } from '../rng';
import { matmulUniforms } from '../ops/matmul/abi';
import { conv2dUniforms } from '../ops/conv2d/abi';
import { activationUniforms } from '../ops/activation/abi';
import { biasGradUniforms } from '../ops/bias/abi';
import { poolUniforms } from '../ops/pool/abi';

/** One representative call: its uniforms, the 4-byte element count of each bound buffer, its work. */
export interface BenchCase {
  shape: string;
  uniforms: UniformValues;
  /** Elements (4 bytes each) per binding name; bindings not listed get the runner's zero buffer. */
  buffers: Record<string, number>;
  /** Floating-point operations of one call, when meaningful (for GFLOP/s). */
  flops?: number;
}

/** Representative calls per kernel; `large` for real GPUs, small ones for software adapters. */
export function benchCase(kernel: string, large: boolean): BenchCase | null {
  switch (kernel) {
    case 'matmul':
    case 'matmul_large': {
      // matmul_large is for big matrices: time it where it is used.
      const s = large ? (kernel === 'matmul_large' ? 2048 : 1024) : 128;
      return {
        shape: `${s}x${s}x${s}`,
        uniforms: matmulUniforms({ M: s, K: s, N: s }),
        buffers: { A: s * s, B: s * s, C: s * s },
        flops: 2 * s ** 3,
      };
    }
    case 'conv2d_forward': {
      const g = conv2dGeometry(large ? 64 : 4, [8, 28, 28], 16, 3, 1, 1);
      const out = g.batch * g.outChannels * g.outHeight * g.outWidth;
      return {
        shape: `batch ${g.batch}, 8→16 channels, 28×28, 3×3`,
        uniforms: conv2dUniforms(g),
        buffers: { x: g.batch * 8 * 28 * 28, w: 16 * 8 * 9, bias: 16, y: out },
        flops: 2 * out * 8 * 9,
      };
    }
    case 'activation_forward':
    case 'activation_backward': {
      const n = large ? 1 << 22 : 1 << 16;
      const buffers: Record<string, number> =
        kernel === 'activation_forward' ? { x: n, y: n } : { x: n, y: n, dy: n, dx: n };
      return { shape: `${n.toLocaleString('en-US')} values, ReLU`, uniforms: activationUniforms('relu', n), buffers };
    }
    case 'bias_grad': {
      const rows = large ? 4096 : 256;
      return {
        shape: `${rows} rows × 128 channels`,
        uniforms: biasGradUniforms(rows, 128, 1),
        buffers: { dy: rows * 128, db: 128 },
        flops: rows * 128,
      };
    }
    case 'maxpool_forward':
    case 'avgpool_forward': {
      const g = pool2dGeometry(large ? 64 : 4, [16, 28, 28], 2, 2);
      const out = g.batch * g.channels * g.outHeight * g.outWidth;
      const buffers: Record<string, number> = { x: g.batch * 16 * 28 * 28, y: out };
      if (kernel === 'maxpool_forward') buffers.argmax = out;
      return { shape: `batch ${g.batch}, 16 channels, 28×28, 2×2`, uniforms: poolUniforms(g), buffers };
    }
    default:
      return null;
  }
}

export interface KernelTiming {
  /** Median milliseconds per call over the rounds. */
  msPerCall: number;
  gflops?: number;
}

export interface KernelBenchResult {
  kernel: string;
  shape: string;
  method: 'timestamp' | 'wall';
  callsPerRound: number;
  rounds: number;
  builtin: KernelTiming;
  edited: KernelTiming;
  /** edited / builtin time: above 1 means the edited kernel is slower. */
  ratio: number;
}

export interface BenchOptions {
  /** Use timestamp queries (the device must have been created with 'timestamp-query'). */
  timestamps: boolean;
  /** Larger shapes, for real GPUs. */
  large: boolean;
  rounds?: number;
  /** Aim for about this much GPU time per timed round. */
  targetMs?: number;
}

const QUERY_RESOLVE = 0x200;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

/** Times `source` against the kernel's built-in source; throws for kernels without a bench case. */
export async function benchmarkKernel(
  runner: KernelRunner,
  spec: KernelSpec,
  source: string,
  options: BenchOptions,
): Promise<KernelBenchResult> {
  const bench = benchCase(spec.name, options.large);
  if (!bench) throw new Error(`There is no benchmark shape for "${spec.name}" yet.`);
  const [builtin, edited] = [
    await runner.compile(spec, { source: spec.builtinSource }),
    await runner.compile(spec, { source }),
  ];
  const rng = new SeededRandom(5, 0);
  const buffers: GPUBuffer[] = [];
  const bindings: Record<string, GPUBuffer> = {};
  for (const [name, count] of Object.entries(bench.buffers)) {
    const data = Float32Array.from({ length: count }, () => rng.next() * 2 - 1);
    bindings[name] = runner.createBuffer(data);
    buffers.push(bindings[name]);
  }
  try {
    return await withErrorScopes(runner.device, async () => {
      const calls = [
        runner.prepare(builtin, bindings, bench.uniforms),
        runner.prepare(edited, bindings, bench.uniforms),
      ];
      for (const c of calls) if (c.uniformBuffer) buffers.push(c.uniformBuffer);
      // Warm up both, and size the rounds from the slower one.
      const first = Math.max(
        await timeDispatches(runner, [calls[0]], 1, false),
        await timeDispatches(runner, [calls[1]], 1, false),
      );
      const callsPerRound = Math.max(1, Math.min(200, Math.round((options.targetMs ?? 150) / Math.max(first, 0.01))));
      const rounds = options.rounds ?? 3;
      const times: number[][] = [[], []];
      for (let r = 0; r < rounds; r++) {
        // Alternate the order so neither kernel always runs on a warmer GPU.
        for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
          const ms = await timeDispatches(runner, [calls[i]], callsPerRound, options.timestamps);
          times[i].push(ms / callsPerRound);
        }
      }
      const timing = (t: number[]): KernelTiming => {
        const msPerCall = median(t);
        return bench.flops ? { msPerCall, gflops: bench.flops / (msPerCall * 1e6) } : { msPerCall };
      };
      const b = timing(times[0]);
      const e = timing(times[1]);
      return {
        kernel: spec.name,
        shape: bench.shape,
        method: options.timestamps ? 'timestamp' : 'wall',
        callsPerRound,
        rounds,
        builtin: b,
        edited: e,
        ratio: e.msPerCall / Math.max(b.msPerCall, 1e-9),
      };
    });
  } finally {
    for (const b of buffers) b.destroy();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Milliseconds for `n` repetitions of `calls` (encoded in order) in one compute pass: from GPU
 * timestamps at the pass's start and end when `timestamps` (the device must have been created
 * with 'timestamp-query'), else wall time from submit to onSubmittedWorkDone.
 */
export async function timeDispatches(
  runner: KernelRunner,
  calls: PreparedDispatch[],
  n: number,
  timestamps: boolean,
): Promise<number> {
  const device = runner.device;
  const encoder = device.createCommandEncoder({ label: timestamps ? 'bench (timestamps)' : 'bench' });
  const querySet = timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const pass = encoder.beginComputePass(
    querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
  );
  for (let i = 0; i < n; i++) for (const call of calls) runner.encode(pass, call);
  pass.end();
  if (!querySet) {
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  }
  const resolve = device.createBuffer({ size: 16, usage: QUERY_RESOLVE | COPY_SRC });
  const read = device.createBuffer({ size: 16, usage: MAP_READ | COPY_DST });
  encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
  encoder.copyBufferToBuffer(resolve, 0, read, 0, 16);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(MAP_READ);
  const [t0, t1] = new BigUint64Array(read.getMappedRange().slice(0));
  read.unmap();
  for (const r of [read, resolve]) r.destroy();
  querySet.destroy();
  return Number(t1 - t0) / 1e6;
}
