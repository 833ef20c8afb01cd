import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainerClient } from '../../state/trainingBridge';
import type { MainToWorker, WorkerEvent } from '../../worker/protocol';
import type { PredictedImage } from '../../worker/dashboardProtocol';
import { createHomeTrainer } from './homeTrainer';

/** A stand-in for the trainer Worker: answers requests at once and lets the test send events. */
function fakeClient(step: () => number) {
  const listeners = new Set<(e: WorkerEvent) => void>();
  const sent: string[] = [];
  let terminated = false;
  const item = (index: number): PredictedImage => ({
    index,
    label: index % 10,
    predicted: step() > 0 ? index % 10 : 0,
    probs: new Array(10).fill(0.1),
    pixels: new Uint8Array(784),
  });
  const client: TrainerClient = {
    request: (async (message: MainToWorker) => {
      if (terminated) throw new Error('The trainer worker was terminated');
      sent.push(message.type === 'dashboard' ? `dashboard:${message.request.op}` : message.type);
      switch (message.type) {
        case 'hello':
          return { type: 'ready', requestId: 1, gpu: null, gpuError: 'no adapter' };
        case 'startTraining':
          return {
            type: 'trainingStarted',
            requestId: 2,
            info: {
              backend: 'cpu',
              stepsPerEpoch: 62,
              totalSteps: 62,
              paramCount: 1,
              trainImages: 2000,
              testImages: 200,
            },
          };
        case 'dashboard':
          return {
            type: 'dashboardResult',
            requestId: 3,
            result: {
              op: 'testPredictions',
              step: step(),
              total: 10,
              items: Array.from({ length: 10 }, (_, i) => item(i)),
            },
          };
        default:
          return { type: 'ack', requestId: 4 };
      }
    }) as TrainerClient['request'],
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    terminate() {
      terminated = true;
    },
    onDeath() {},
    worker: { postMessage() {}, terminate() {}, addEventListener() {}, removeEventListener() {} } as never,
  };
  return {
    client,
    sent,
    emit: (e: WorkerEvent) => listeners.forEach((l) => l(e)),
    isTerminated: () => terminated,
  };
}

const progress = (step: number, checkpoint = false): WorkerEvent => ({
  type: 'trainingProgress',
  progress: {
    metrics: [{ step, loss: 2 / step, accuracy: 0.5 }],
    epoch: 0,
    step,
    totalSteps: 62,
    stepsPerEpoch: 62,
    imagesPerSecond: 100,
    stepsPerSubmit: 1,
    elapsedMs: step * 10,
    checkpoint: checkpoint ? { step, accuracy: 0.8, loss: 0.6, count: 200 } : undefined,
  },
});

const settle = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => vi.useRealTimers());

describe('the home page trainer', () => {
  it('plans from the Worker’s answer, runs the job on the starter slice and records loss, accuracy and answers', async () => {
    let step = 0;
    const fake = fakeClient(() => step);
    const t = createHomeTrainer({
      dataBaseUrl: 'https://example.test/data/mnist/starter/',
      createClient: () => fake.client,
    });
    await t.start();
    let s = t.store.getState();
    expect(s.phase).toBe('running');
    expect(s.plan).toMatchObject({ hardware: 'cpu', backend: 'cpu', totalSteps: 62 });
    expect(fake.sent.slice(0, 2)).toEqual(['hello', 'startTraining']);
    await settle();
    expect(t.store.getState().predictions?.[1].predicted).toBe(0); // the untrained network's guesses

    step = 1;
    fake.emit(progress(1));
    step = 2;
    fake.emit(progress(2, true)); // a checkpoint shows its points and asks for new answers at once
    await settle();
    s = t.store.getState();
    expect(s.loss).toEqual([
      { step: 1, loss: 2 },
      { step: 2, loss: 1 },
    ]);
    expect(s.accuracy).toEqual([{ step: 2, accuracy: 0.8 }]);
    expect(s.predictionsStep).toBe(2);
    expect(s.predictions?.[1].predicted).toBe(1);

    fake.emit({ type: 'trainingEnded', end: { kind: 'finished' }, step: 62 });
    expect(t.store.getState()).toMatchObject({ phase: 'finished', step: 62 });
    t.dispose();
    expect(fake.isTerminated()).toBe(true);
  });

  it('shows loss points a moment after they arrive, without a checkpoint', async () => {
    const fake = fakeClient(() => 1);
    const t = createHomeTrainer({ dataBaseUrl: 'x/', createClient: () => fake.client });
    await t.start();
    vi.useFakeTimers();
    fake.emit(progress(1));
    expect(t.store.getState().loss).toHaveLength(0);
    vi.advanceTimersByTime(300);
    expect(t.store.getState()).toMatchObject({ step: 1, loss: [{ step: 1, loss: 2 }] });
    t.dispose();
  });

  it('starts over in a fresh Worker and ignores what the old run still sends', async () => {
    const first = fakeClient(() => 1);
    const second = fakeClient(() => 1);
    const clients = [first, second];
    const t = createHomeTrainer({ dataBaseUrl: 'x/', createClient: () => clients.shift()!.client });
    await t.start();
    first.emit(progress(1, true));
    await t.start();
    expect(first.isTerminated()).toBe(true);
    first.emit(progress(2, true));
    expect(t.store.getState().loss).toEqual([]);
    second.emit(progress(1, true));
    expect(t.store.getState().loss).toEqual([{ step: 1, loss: 2 }]);
    t.dispose();
  });

  it('pauses and resumes through the Worker and says why a run stopped', async () => {
    const fake = fakeClient(() => 1);
    const t = createHomeTrainer({ dataBaseUrl: 'x/', createClient: () => fake.client });
    await t.start();
    await t.pause();
    expect(t.store.getState().phase).toBe('paused');
    await t.resume();
    expect(t.store.getState().phase).toBe('running');
    expect(fake.sent).toContain('pauseTraining');
    expect(fake.sent).toContain('resumeTraining');
    fake.emit({ type: 'trainingEnded', end: { kind: 'diverged', step: 3, message: 'The loss became NaN.' }, step: 3 });
    expect(t.store.getState()).toMatchObject({ phase: 'failed', message: 'The loss became NaN.' });
    t.dispose();
  });

  it('says paused only once the Worker has answered, and a resume before that keeps it running', async () => {
    const fake = fakeClient(() => 1);
    let ack: () => void = () => undefined;
    const request = fake.client.request;
    fake.client.request = ((m: MainToWorker) =>
      m.type === 'pauseTraining'
        ? new Promise<unknown>((r) => (ack = () => r({ type: 'ack', requestId: 9 })))
        : request(m as never)) as unknown as TrainerClient['request'];
    const t = createHomeTrainer({ dataBaseUrl: 'x/', createClient: () => fake.client });
    await t.start();
    const pausing = t.pause();
    expect(t.store.getState().phase).toBe('running');
    ack();
    await pausing;
    expect(t.store.getState().phase).toBe('paused');
    await t.resume();
    const again = t.pause();
    await t.resume(); // while the pause is still on its way
    ack();
    await again;
    expect(t.store.getState().phase).toBe('running');
    expect(fake.sent.filter((x) => x === 'resumeTraining')).toHaveLength(2);
    t.dispose();
  });
});
