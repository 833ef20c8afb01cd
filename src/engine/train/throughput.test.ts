import { describe, expect, it } from 'vitest';
import { runSession, RUN_TO_END, type ProgressEvent, type SessionControl, type StepSource } from './session';
import { imagesPerSecond } from './throughput';

describe('images per second', () => {
  it('is the images divided by the elapsed seconds', () => {
    expect(imagesPerSecond(4000, 2600)).toBeCloseTo(1538.46, 2);
    expect(imagesPerSecond(64, 1000)).toBe(64);
    expect(imagesPerSecond(60000, 12_000)).toBe(5000);
  });

  it('is 0 before any image or any time has passed, never infinite or negative', () => {
    expect(imagesPerSecond(0, 1000)).toBe(0);
    expect(imagesPerSecond(4000, 0)).toBe(0);
    expect(imagesPerSecond(4000, -5)).toBe(0);
    expect(imagesPerSecond(Number.NaN, 100)).toBe(0);
    expect(imagesPerSecond(100, Number.POSITIVE_INFINITY)).toBe(0);
  });
});

/**
 * A fake trainer on a fake clock. `synchronous` does the work inside submitSteps and returns a
 * resolved promise, like the CPU reference in the Worker; otherwise the time passes while the
 * promise is pending, like the GPU.
 */
function timedSource(opts: { steps: number; batch: number; msPerStep: number; synchronous: boolean }) {
  let clock = 0;
  const s: StepSource & { now: () => number; advance: (ms: number) => void } = {
    stepsPerEpoch: opts.steps,
    totalSteps: opts.steps,
    batch: opts.batch,
    globalStep: 0,
    now: () => clock,
    advance: (ms) => void (clock += ms),
    submitSteps(n) {
      const first = this.globalStep;
      this.globalStep += n;
      const metrics = Array.from({ length: n }, (_, i) => ({ step: first + i, loss: 1, accuracy: 0.5 }));
      if (opts.synchronous) {
        clock += n * opts.msPerStep;
        return Promise.resolve(metrics);
      }
      return Promise.resolve().then(() => {
        clock += n * opts.msPerStep;
        return metrics;
      });
    },
    evaluate: () => ({ loss: 0.5, accuracy: 0.9, confusion: new Uint32Array(100), count: 100 }),
  };
  return s;
}

describe('the images-per-second read-out of a training session', () => {
  it('on the CPU path (steps run inside submitSteps): 4,000 images in 2.6 s read as 1,538 per second', async () => {
    // 40 steps of 100 images, 65 ms each: 4,000 images in 2,600 ms.
    const s = timedSource({ steps: 40, batch: 100, msPerStep: 65, synchronous: true });
    const progress: ProgressEvent[] = [];
    await runSession(s, RUN_TO_END, { now: s.now, evaluateEachEpoch: false, onProgress: (e) => progress.push(e) });
    const last = progress[progress.length - 1];
    expect(last.step).toBe(40);
    expect(last.elapsedMs).toBe(2600);
    expect(Math.round(last.imagesPerSecond)).toBe(1538);
    // Every report is its images so far over its time so far.
    for (const p of progress) expect(p.imagesPerSecond).toBeCloseTo(imagesPerSecond(p.step * 100, p.elapsedMs), 6);
  });

  it('on the GPU path (time passes while a submit is on the GPU): the same rule', async () => {
    const s = timedSource({ steps: 200, batch: 64, msPerStep: 2, synchronous: false });
    const progress: ProgressEvent[] = [];
    await runSession(s, RUN_TO_END, { now: s.now, evaluateEachEpoch: false, onProgress: (e) => progress.push(e) });
    const last = progress[progress.length - 1];
    expect(last.step).toBe(200);
    expect(last.elapsedMs).toBe(400);
    // 12,800 images in 0.4 s.
    expect(last.imagesPerSecond).toBe(32_000);
  });

  it('leaves time spent paused out of the elapsed time and the rate', async () => {
    const s = timedSource({ steps: 20, batch: 10, msPerStep: 10, synchronous: true });
    let pausedOnce = false;
    let paused = false;
    const control: SessionControl = {
      isPaused: () => paused,
      waitForResume: () => {
        s.advance(5000); // a long pause
        paused = false;
        return Promise.resolve();
      },
      stopRequested: () => false,
    };
    const progress: ProgressEvent[] = [];
    await runSession(s, control, {
      now: s.now,
      evaluateEachEpoch: false,
      onProgress: (e) => {
        progress.push(e);
        if (!pausedOnce && e.step >= 5) {
          pausedOnce = true;
          paused = true;
        }
      },
    });
    const last = progress[progress.length - 1];
    expect(pausedOnce).toBe(true);
    expect(last.step).toBe(20);
    expect(last.elapsedMs).toBe(200);
    expect(last.imagesPerSecond).toBe(1000);
  });
});
