/**
 * Counter-based randomness shared bit-for-bit by the CPU reference and the WGSL kernels.
 * A number is a pure function of (seed, stream, index): no hidden state, so a dropout mask or a
 * shuffle can be recomputed anywhere (CPU, GPU, a later session) from the same three integers.
 * The mixing function is the PCG hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020),
 * which WGSL implements with plain u32 arithmetic (see kernels/*.wgsl `pcg_hash`).
 */

/** PCG hash of a u32 (result is a u32 as a JS number). Mirrors `pcg_hash` in WGSL. */
export function pcgHash(input: number): number {
  const state = (Math.imul(input >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> (((state >>> 28) + 4) >>> 0)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** u32 drawn from (seed, stream, index). Mirrors `random_u32` in WGSL. */
export function randomU32(seed: number, stream: number, index: number): number {
  return pcgHash((pcgHash((pcgHash(index >>> 0) ^ (stream >>> 0)) >>> 0) ^ (seed >>> 0)) >>> 0);
}

/** Uniform in [0, 1) with 24 random bits, exactly representable in f32. Mirrors `random_uniform` in WGSL. */
export function randomUniform(seed: number, stream: number, index: number): number {
  return (randomU32(seed, stream, index) >>> 8) / 16777216;
}

/** Named streams so different uses of one seed never draw the same numbers. */
export const RandomStream = {
  init: 1,
  shuffle: 2,
  dropout: 3, // dropout adds (step * 64 + layerIndex) to keep masks distinct per step and layer
  data: 4,
} as const;

/** A small sequential generator over the counter-based one, for CPU-side work like weight init. */
export class SeededRandom {
  private counter = 0;
  constructor(
    readonly seed: number,
    readonly stream: number,
  ) {}

  /** Uniform in [0, 1). */
  next(): number {
    return randomUniform(this.seed, this.stream, this.counter++);
  }

  /** Standard normal by Box-Muller (uses two uniforms; never takes log(0)). */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Seeded Fisher-Yates permutation of 0..n-1 (the per-epoch shuffle: stream is shuffle + epoch). */
export function seededPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = new SeededRandom(seed, RandomStream.shuffle * 100003 + epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}
