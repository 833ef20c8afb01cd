import { describe, expect, it } from 'vitest';
import { createNodeGpu } from '../testing/nodeGpu';
import { createTrainerHost } from './trainerHost';
import type { TrainingJob, WorkerToMain } from './protocol';
import { PRESETS } from '../engine/presets';

const gpu = await createNodeGpu();
const hasAdapter = (await gpu.requestAdapter()) !== null;

/** A GPU whose devices we can reach from the test, to destroy one mid-training. */
function spyGpu(devices: GPUDevice[]): GPU {
  return new Proxy(gpu, {
    get(target, prop) {
      if (prop !== 'requestAdapter') return Reflect.get(target, prop, target);
      return async (options?: GPURequestAdapterOptions) => {
        const adapter = await target.requestAdapter(options);
        if (!adapter) return adapter;
        return new Proxy(adapter, {
          get(a, p) {
            if (p !== 'requestDevice') {
              const v = Reflect.get(a, p, a);
              return typeof v === 'function' ? v.bind(a) : v;
            }
            return async (d?: GPUDeviceDescriptor) => {
              const device = await a.requestDevice(d);
              devices.push(device);
              return device;
            };
          },
        });
      };
    },
  });
}

function perceptronJob(epochs: number, learningRate?: number): TrainingJob {
  const p = PRESETS.perceptron;
  const optimizer = learningRate === undefined ? p.training.optimizer : { ...p.training.optimizer, learningRate };
  return {
    config: { ...p.training, optimizer, model: p.model, epochs },
    dataset: 'toy-and',
    dataBaseUrl: 'unused',
    backend: 'gpu',
  };
}

function waitFor(messages: WorkerToMain[], type: WorkerToMain['type'], timeoutMs = 30_000): Promise<WorkerToMain> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const m = messages.find((x) => x.type === type);
      if (m) resolve(m);
      else if (Date.now() - start > timeoutMs) reject(new Error(`no ${type} message`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe.skipIf(!hasAdapter)('training jobs in the worker host', () => {
  it('trains the perceptron to the end on the GPU and reports progress and the end', async () => {
    const messages: WorkerToMain[] = [];
    const handle = createTrainerHost({ getGpu: () => gpu, post: (m) => messages.push(m) });
    await handle({ type: 'startTraining', requestId: 1, job: perceptronJob(40) });
    const started = messages.find((m) => m.type === 'trainingStarted');
    expect(started).toMatchObject({ info: { backend: 'gpu', totalSteps: 40, stepsPerEpoch: 1, paramCount: 3 } });
    const ended = (await waitFor(messages, 'trainingEnded')) as Extract<WorkerToMain, { type: 'trainingEnded' }>;
    expect(ended.end).toEqual({ kind: 'finished' });
    expect(ended.step).toBe(40);
    const progress = messages.filter((m) => m.type === 'trainingProgress');
    expect(progress.length).toBeGreaterThan(0);
  });

  it('stops with a message about the learning rate when the loss becomes NaN', async () => {
    const messages: WorkerToMain[] = [];
    const handle = createTrainerHost({ getGpu: () => gpu, post: (m) => messages.push(m) });
    // With MSE through a sigmoid the loss stays bounded, so use an MLP-style job with a huge rate
    // on a linear output instead.
    const job = perceptronJob(30, 1e30);
    job.config = {
      ...job.config,
      model: {
        input: [2],
        layers: [
          { kind: 'dense', units: 4 },
          { kind: 'dense', units: 1 },
        ],
        loss: 'mse',
      },
    };
    await handle({ type: 'startTraining', requestId: 1, job });
    const ended = (await waitFor(messages, 'trainingEnded')) as Extract<WorkerToMain, { type: 'trainingEnded' }>;
    expect(ended.end.kind).toBe('diverged');
    if (ended.end.kind === 'diverged') expect(ended.end.message).toMatch(/learning rate is too high/);
  });

  it('reports a lost device, ends the job, and trains again on a new device without restarting', async () => {
    const devices: GPUDevice[] = [];
    const messages: WorkerToMain[] = [];
    const handle = createTrainerHost({ getGpu: () => spyGpu(devices), post: (m) => messages.push(m) });
    await handle({ type: 'startTraining', requestId: 1, job: perceptronJob(100000) });
    await waitFor(messages, 'trainingProgress');
    expect(devices).toHaveLength(1);
    devices[0].destroy();
    const lost = await waitFor(messages, 'gpuLost');
    expect(lost).toMatchObject({ type: 'gpuLost' });
    const ended = (await waitFor(messages, 'trainingEnded')) as Extract<WorkerToMain, { type: 'trainingEnded' }>;
    expect(['failed', 'stopped']).toContain(ended.end.kind);
    messages.length = 0;
    await handle({ type: 'hello', requestId: 2 });
    expect(messages[0]).toMatchObject({ type: 'ready', requestId: 2 });
    expect(devices).toHaveLength(2);
    await handle({ type: 'startTraining', requestId: 3, job: perceptronJob(5) });
    const again = (await waitFor(messages, 'trainingEnded')) as Extract<WorkerToMain, { type: 'trainingEnded' }>;
    expect(again.end).toEqual({ kind: 'finished' });
  });
});

describe('training jobs on the CPU reference', () => {
  it('keep answering messages while they train: a pause sent after the first progress lands before the end', async () => {
    const messages: WorkerToMain[] = [];
    const handle = createTrainerHost({ getGpu: () => undefined, post: (m) => messages.push(m) });
    await handle({ type: 'startTraining', requestId: 1, job: { ...perceptronJob(20000), backend: 'cpu' } });
    expect(messages.find((m) => m.type === 'trainingStarted')).toMatchObject({ info: { backend: 'cpu' } });
    // A Worker's messages arrive as tasks: the session must leave room for one between its chunks.
    await new Promise((r) => setTimeout(r, 0));
    expect(messages.some((m) => m.type === 'trainingEnded')).toBe(false);
    await handle({ type: 'pauseTraining', requestId: 2 });
    expect(messages.find((m) => m.type === 'ack')).toMatchObject({ requestId: 2 });
    expect(messages.some((m) => m.type === 'trainingEnded')).toBe(false);
    await handle({ type: 'stopTraining', requestId: 3 });
    const ended = (await waitFor(messages, 'trainingEnded')) as Extract<WorkerToMain, { type: 'trainingEnded' }>;
    expect(ended.end).toEqual({ kind: 'stopped' });
    expect(ended.step).toBeLessThan(20000);
  });
});
