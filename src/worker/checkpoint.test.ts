import { describe, expect, it } from 'vitest';
import { createRecovery, resumeJob } from './checkpoint';
import type { JobModel } from './trainingJob';
import type { TrainingJob, TrainingStarted } from './protocol';
import type { LayerParameterMap } from '../engine/train/gpuTrainer';

const job = { config: { epochs: 3 }, dataset: 'mnist', dataBaseUrl: 'x', trainSubset: 500 } as unknown as TrainingJob;
const info: TrainingStarted = {
  backend: 'gpu',
  stepsPerEpoch: 10,
  totalSteps: 30,
  paramCount: 3,
  trainImages: 500,
  testImages: 100,
};

function weights(v: number): LayerParameterMap {
  return new Map([[1, { weight: new Float32Array([v, v]), bias: new Float32Array([v]) }]]);
}

function modelWith(v: number): JobModel {
  return {
    job,
    gpu: null,
    cpu: { readParameters: () => weights(v) },
    runner: null,
    train: null,
    test: null,
  } as unknown as JobModel;
}

describe('checkpoints for resuming after a lost GPU', () => {
  it('keeps the weights and step of the last finished epoch and resumes the same job from there', async () => {
    const started: TrainingJob[] = [];
    const recovery = createRecovery({
      startJob: async (j) => {
        started.push(j);
        return info;
      },
      adapter: async () => null,
      destroyDevice: async () => undefined,
    });
    recovery.jobStarted(job);
    expect(await recovery.handle({ op: 'status' })).toEqual({ op: 'status', checkpoint: null });
    await recovery.epochEnded(job, modelWith(1), 10, 10);
    await recovery.epochEnded(job, modelWith(2), 20, 10);
    expect(recovery.checkpoint).toEqual({ step: 20, epoch: 2 });

    const result = await recovery.handle({ op: 'resume' });
    expect(result).toMatchObject({ op: 'resume', step: 20, info });
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ trainSubset: 500, startStep: 20, config: job.config });
    expect(Array.from(started[0].initialParameters!.get(1)!.weight)).toEqual([2, 2]);
    // Starting the resumed job keeps the checkpoint; a brand-new job forgets it.
    recovery.jobStarted(started[0]);
    expect(recovery.checkpoint).toEqual({ step: 20, epoch: 2 });
    recovery.jobStarted(job);
    expect(recovery.checkpoint).toBeNull();
  });

  it('refuses to resume without a checkpoint and to lose the device unless test hooks are on', async () => {
    let destroyed = 0;
    const recovery = createRecovery({
      startJob: async () => info,
      adapter: async () => null,
      destroyDevice: async () => {
        destroyed++;
      },
    });
    await expect(recovery.handle({ op: 'resume' })).rejects.toThrow('no finished epoch');
    await expect(recovery.handle({ op: 'loseDevice' })).rejects.toThrow('Test hooks are off');
    await recovery.handle({ op: 'enableTestHooks' });
    await recovery.handle({ op: 'loseDevice' });
    expect(destroyed).toBe(1);
  });

  it('builds the resumed job from the original one', () => {
    const j = resumeJob({ job, step: 10, epoch: 1, parameters: weights(3) });
    expect(j).toMatchObject({ dataset: 'mnist', startStep: 10 });
  });
});
