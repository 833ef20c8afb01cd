/**
 * How the training view words its measured numbers: pure functions, so the arithmetic and the
 * sentences can be tested on concrete figures.
 */

/** "1,538" for an images-per-second rate; "—" before there is one. */
export function formatRate(perSecond: number): string {
  return perSecond > 0 && Number.isFinite(perSecond) ? Math.round(perSecond).toLocaleString('en-US') : '—';
}

export interface RaceVerdict {
  /** Which backend took less time per step; 'tie' within SAME_SPEED of each other. */
  winner: 'gpu' | 'cpu' | 'tie';
  /** How many times faster the winner was (slower time / faster time), at least 1. */
  factor: number;
  /** The factor as shown: one decimal under 10, whole above. */
  factorText: string;
  /** The sentence for the page, e.g. "The GPU was 3.2× faster per step." */
  sentence: string;
}

/** Times within this ratio of each other are "about the same speed". */
export const SAME_SPEED = 1.1;

// (9.96 rounds to whole too: "10", not "10.0".)
const factorText = (f: number) => (f >= 9.95 ? Math.round(f).toLocaleString('en-US') : f.toFixed(1));

/** Words the outcome of the CPU-vs-GPU race from each backend's time per step; null if either was not timed. */
export function raceVerdict(cpuMsPerStep: number, gpuMsPerStep: number): RaceVerdict | null {
  if (!(cpuMsPerStep > 0) || !(gpuMsPerStep > 0) || !Number.isFinite(cpuMsPerStep) || !Number.isFinite(gpuMsPerStep))
    return null;
  const ratio = cpuMsPerStep / gpuMsPerStep;
  const factor = Math.max(ratio, 1 / ratio);
  if (factor < SAME_SPEED)
    return { winner: 'tie', factor, factorText: factorText(factor), sentence: 'About the same speed per step.' };
  const winner = ratio > 1 ? 'gpu' : 'cpu';
  const text = factorText(factor);
  return { winner, factor, factorText: text, sentence: `The ${winner.toUpperCase()} was ${text}× faster per step.` };
}
