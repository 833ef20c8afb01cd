/**
 * Tiny synthetic 2-D data sets for the `perceptron` preset: the AND / OR / XOR truth tables (XOR is
 * the classic set a single perceptron cannot learn) and a seeded, linearly separable point cloud.
 * Targets are 0 or 1. Pure and deterministic: the same kind, count and seed give the same numbers.
 */
import { RandomStream, SeededRandom } from '../engine/rng';

export type ToyKind = 'and' | 'or' | 'xor' | 'linear';

/** `count` points of 2 inputs each (row-major, `inputs[2 * i]`, `inputs[2 * i + 1]`) and one 0/1 target each. */
export interface ToySet {
  inputs: Float32Array;
  targets: Float32Array;
  count: number;
}

export interface ToyOptions {
  /** Points in the 'linear' set (ignored by the truth tables, which always have 4). Default 64. */
  count?: number;
  /** Seed for the 'linear' set. Default 1. */
  seed?: number;
}

/** No 'linear' point lies closer than this to the separating line, so a perceptron converges quickly. */
export const LINEAR_MARGIN = 0.1;

const CORNERS = [0, 0, 0, 1, 1, 0, 1, 1];
const TRUTH_TABLES: Record<Exclude<ToyKind, 'linear'>, number[]> = {
  and: [0, 0, 0, 1],
  or: [0, 1, 1, 1],
  xor: [0, 1, 1, 0],
};

/** Builds the named toy set: a 4-point truth table, or a seeded linearly separable set in [-1, 1]^2. */
export function toyPerceptronSet(kind: ToyKind, options: ToyOptions = {}): ToySet {
  if (kind === 'linear') return linearSet(options.count ?? 64, options.seed ?? 1);
  const table = TRUTH_TABLES[kind];
  if (!table) throw new RangeError(`Unknown toy data set "${String(kind)}"; expected and, or, xor or linear.`);
  return { inputs: Float32Array.from(CORNERS), targets: Float32Array.from(table), count: 4 };
}

/** The line through the points of the 'linear' set: class 1 where nx * x + ny * y + offset > 0. */
export interface ToyLine {
  nx: number;
  ny: number;
  offset: number;
}

/** The separating line the 'linear' set is drawn around for a seed (for plotting the true boundary). */
export function linearSetLine(seed: number): ToyLine {
  const rng = new SeededRandom(seed, RandomStream.data);
  const angle = 2 * Math.PI * rng.next();
  // A small offset keeps the line through the middle of the square, so both classes have room.
  return { nx: Math.cos(angle), ny: Math.sin(angle), offset: (rng.next() - 0.5) * 0.6 };
}

function linearSet(count: number, seed: number): ToySet {
  if (!Number.isInteger(count) || count < 2 || count > 100_000) {
    throw new RangeError(`The linear toy set needs a whole number of points from 2 to 100000, got ${count}.`);
  }
  const line = linearSetLine(seed);
  // Points come from a stream of their own, so changing the line's formula never reshuffles them.
  const rng = new SeededRandom(seed, RandomStream.data * 100003 + 1);
  const inputs = new Float32Array(count * 2);
  const targets = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // Alternating the wanted class gives exactly balanced classes; rejection keeps the margin.
    const want = i % 2;
    for (;;) {
      const x = Math.fround(rng.next() * 2 - 1);
      const y = Math.fround(rng.next() * 2 - 1);
      const side = line.nx * x + line.ny * y + line.offset;
      if (Math.abs(side) < LINEAR_MARGIN || (side > 0 ? 1 : 0) !== want) continue;
      inputs[2 * i] = x;
      inputs[2 * i + 1] = y;
      targets[i] = want;
      break;
    }
  }
  return { inputs, targets, count };
}
