import { describe, expect, it } from 'vitest';
import { runSession, RUN_TO_END, type StepSource, type SessionControl } from './session';
import type { StepMetric } from './gpuTrainer';

/** A fake trainer: each step "takes" 10 ms of fake time; loss falls as 1/(step+1), or NaN from `nanAt`. */
function fakeSource(stepsPerEpoch: number, epochs: number, nanAt = -1) {
  let clock = 0;
  const submits: number[] = [];
  const evaluatedAt: number[] = [];
  const source: StepSource & { clock: () => number } = {
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * epochs,
    batch: 32,
    globalStep: 0,
    clock: () => clock,
    submitSteps(n: number) {
      const left = stepsPerEpoch - (this.globalStep % stepsPerEpoch);
      n = Math.min(n, left);
      const first = this.globalStep;
      this.globalStep += n;
      submits.push(n);
      const metrics: StepMetric[] = Array.from({ length: n }, (_, i) => ({
        step: first + i,
        loss: first + i === nanAt ? NaN : 1 / (first + i + 1),
        accuracy: 0.5,
      }));
      return Promise.resolve().then(() => {
        clock += 10 * n;
        return metrics;
      });
    },
    evaluate() {
      evaluatedAt.push(this.globalStep);
      return { loss: 0.1, accuracy: 0.9, confusion: new Uint32Array(100), count: 100 };
    },
  };
  return { source, submits, evaluatedAt };
}

describe('a training session', () => {
  it('runs every step, evaluates after each epoch on the end-of-epoch weights, and grows chunks', async () => {
    const { source, submits, evaluatedAt } = fakeSource(50, 3);
    const seen: number[] = [];
    const epochs: number[] = [];
    const end = await runSession(source, RUN_TO_END, {
      now: source.clock,
      targetChunkMs: 100,
      onProgress: (e) => seen.push(...e.metrics.map((m) => m.step)),
      onEpoch: (e) => void epochs.push(e.epoch),
    });
    expect(end).toEqual({ kind: 'finished' });
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(evaluatedAt).toEqual([50, 100, 150]);
    expect(epochs).toEqual([0, 1, 2]);
    expect(submits[0]).toBe(1); // starts small, then grows towards the target chunk duration
    expect(Math.max(...submits)).toBeGreaterThan(4); // about 100 ms of 10 ms steps
    // ... by at most 2x per submit, so the CPU records each while the GPU runs the one before.
    for (let i = 1; i < submits.length; i++) expect(submits[i]).toBeLessThanOrEqual(Math.max(4, 2 * submits[i - 1]));
    expect(submits.slice(0, 3)).toEqual([1, 1, 4]);
    // After each epoch's evaluation (nothing in flight) it starts again from at most 4.
    expect(
      submits[submits.findIndex((_, i) => submits.slice(0, i).reduce((a, b) => a + b, 0) === 50)],
    ).toBeLessThanOrEqual(4);
    expect(submits.reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('stops at the first non-finite loss with a message about the learning rate', async () => {
    const { source } = fakeSource(20, 2, 7);
    const end = await runSession(source, RUN_TO_END, { now: source.clock, learningRate: 10 });
    expect(end.kind).toBe('diverged');
    if (end.kind === 'diverged') {
      expect(end.step).toBe(7);
      expect(end.message).toMatch(/learning rate is too high \(it is 10\)/);
    }
  });

  it('submits nothing while paused, continues on resume, and ends when stopped', async () => {
    const { source } = fakeSource(10, 100);
    let paused = false;
    let stop = false;
    let resume: () => void = () => {};
    const control: SessionControl = {
      isPaused: () => paused,
      waitForResume: () => new Promise<void>((r) => (resume = r)),
      stopRequested: () => stop,
    };
    let progressCalls = 0;
    let resumed = false;
    let callsAtResume = 0;
    const done = runSession(source, control, {
      now: source.clock,
      onProgress: () => {
        progressCalls++;
        if (progressCalls === 3) paused = true;
        if (resumed && progressCalls === callsAtResume + 2) stop = true;
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    const stepWhilePaused = source.globalStep;
    await new Promise((r) => setTimeout(r, 20));
    expect(source.globalStep).toBe(stepWhilePaused);
    expect(source.globalStep).toBeLessThan(source.totalSteps);
    paused = false;
    resumed = true;
    callsAtResume = progressCalls;
    resume();
    expect(await done).toEqual({ kind: 'stopped' });
    expect(source.globalStep).toBeLessThan(source.totalSteps);
    expect(source.globalStep).toBeGreaterThan(stepWhilePaused);
  });

  it('reports a thrown error as a failure instead of throwing', async () => {
    const { source } = fakeSource(10, 1);
    source.submitSteps = () => Promise.reject(new Error('device lost'));
    expect(await runSession(source, RUN_TO_END)).toEqual({ kind: 'failed', message: 'device lost' });
  });
});
