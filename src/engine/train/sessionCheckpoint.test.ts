import { describe, expect, it } from 'vitest';
import { runSession, RUN_TO_END, type ProgressEvent, type StepSource } from './session';

/** A fake trainer with 10 steps per epoch that records every evaluation and its limit. */
function source(epochs: number) {
  const evaluations: { step: number; limit?: number }[] = [];
  const submits: number[] = [];
  let clock = 0;
  const s: StepSource & { now: () => number } = {
    stepsPerEpoch: 10,
    totalSteps: 10 * epochs,
    batch: 8,
    globalStep: 0,
    now: () => clock,
    submitSteps(n) {
      n = Math.min(n, 10 - (this.globalStep % 10));
      const first = this.globalStep;
      this.globalStep += n;
      submits.push(n);
      return Promise.resolve().then(() => {
        clock += n;
        return Array.from({ length: n }, (_, i) => ({ step: first + i, loss: 1, accuracy: 0.5 }));
      });
    },
    evaluate(limit?: number) {
      evaluations.push({ step: this.globalStep, limit });
      return { loss: 0.5, accuracy: limit ? 0.7 : 0.9, confusion: new Uint32Array(100), count: limit ?? 100 };
    },
  };
  return { s, evaluations, submits };
}

describe('mid-epoch evaluation in a training session', () => {
  it('evaluates a test subset about every N steps and reports it with the progress, besides the per-epoch evaluation', async () => {
    const { s, evaluations, submits } = source(2);
    const progress: ProgressEvent[] = [];
    const end = await runSession(s, RUN_TO_END, {
      evaluateEverySteps: 4,
      evaluateSubset: 50,
      targetChunkMs: 2,
      now: s.now,
      onProgress: (e) => progress.push(e),
    });
    expect(end).toEqual({ kind: 'finished' });
    const subset = evaluations.filter((e) => e.limit === 50);
    const full = evaluations.filter((e) => e.limit === undefined);
    expect(full.map((e) => e.step)).toEqual([10, 20]);
    expect(subset.length).toBeGreaterThanOrEqual(2);
    // Never at an epoch's end (the full evaluation covers it), and at least N steps apart.
    for (const e of subset) expect(e.step % 10).not.toBe(0);
    // Chunks end at the next evaluation, so it comes exactly every N steps, counted from each epoch's start.
    expect(subset.map((e) => e.step)).toEqual([4, 8, 14, 18]);
    const checkpoints = progress.filter((p) => p.checkpoint).map((p) => p.checkpoint!);
    expect(checkpoints.map((c) => c.step)).toEqual(subset.map((e) => e.step));
    expect(checkpoints[0]).toMatchObject({ accuracy: 0.7, count: 50 });
    // Chunks stay batched: more than one step per submit after the first.
    expect(Math.max(...submits)).toBeGreaterThan(1);
  });

  it('does no mid-epoch evaluation unless asked', async () => {
    const { s, evaluations } = source(2);
    await runSession(s, RUN_TO_END, { now: s.now });
    expect(evaluations.every((e) => e.limit === undefined)).toBe(true);
  });
});
