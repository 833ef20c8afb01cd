import { describe, expect, it } from 'vitest';
import { decodeConfig } from '../../config';
import type { AdapterSummary } from '../../engine/kernel/device';
import { inferModel } from '../../engine/shapes';
import { parseHash } from '../router';
import { describeRun, homeConfig, homeJob, homeRunPlan, STARTER_SLICE, trainViewHash } from './runPlan';
import { STARTER_COUNTS } from '../../../scripts/mnist-slice.mjs';

const realGpu = { isFallback: false } as AdapterSummary;
const softwareGpu = { isFallback: true } as AdapterSummary;

describe('the home run plan', () => {
  it('asks for no more images than the starter slice that prepare-mnist writes', () => {
    expect(STARTER_SLICE).toEqual(STARTER_COUNTS);
    for (const gpu of [realGpu, softwareGpu, null]) {
      const p = homeRunPlan(gpu);
      expect(p.trainImages).toBeLessThanOrEqual(STARTER_COUNTS.train);
      expect(p.testImages).toBeLessThanOrEqual(STARTER_COUNTS.test);
    }
  });

  it('trains five passes with the shaders on a real GPU and one pass on the CPU reference otherwise', () => {
    expect(homeRunPlan(realGpu)).toMatchObject({ hardware: 'gpu', backend: 'gpu', epochs: 5 });
    expect(homeRunPlan(softwareGpu)).toMatchObject({ hardware: 'software-gpu', backend: 'cpu', epochs: 1 });
    expect(homeRunPlan(null)).toMatchObject({ hardware: 'cpu', backend: 'cpu', epochs: 1 });
  });

  it('counts steps as the trainers do, leaving out the last partial batch of each pass', () => {
    const p = homeRunPlan(realGpu);
    expect(p.totalSteps).toBe(Math.floor(2000 / 32) * 5);
    expect(homeRunPlan(null).totalSteps).toBe(62);
    expect(p.evaluateEverySteps).toBe(Math.round(310 / 20));
  });

  it('builds a Worker job for the starter folder with the backend, subsets and recipe of the plan', () => {
    const p = homeRunPlan(softwareGpu);
    const job = homeJob(p, 'https://example.test/data/mnist/starter/');
    expect(job).toMatchObject({
      dataset: 'mnist',
      backend: 'cpu',
      trainSubset: 2000,
      testSubset: 200,
      evaluateSubset: 200,
      evaluateEverySteps: p.evaluateEverySteps,
      dataBaseUrl: 'https://example.test/data/mnist/starter/',
    });
    expect(job.config).toMatchObject({ epochs: 1, batchSize: 32 });
    expect(job.config.model).toEqual(homeConfig().model);
  });

  it('links to the training view with the same network and recipe, readable by the config decoder', () => {
    const hash = trainViewHash(homeRunPlan(realGpu));
    const route = parseHash(hash);
    expect(route.name).toBe('train');
    const decoded = decodeConfig(route.params.get('c'));
    expect(decoded.errors).toEqual([]);
    expect(decoded.config.model).toEqual(homeConfig().model);
    expect(decoded.config.training).toMatchObject({ batchSize: 32, trainSubset: 2000 });
    expect(inferModel(decoded.config.model).totals.params).toBe(784 * 128 + 128 + 128 * 10 + 10);
  });

  it('says where each run trains and what a real GPU would do differently', () => {
    const gpu = describeRun(homeRunPlan(realGpu), 'nvidia · ampere');
    expect(gpu.headline).toBe('Training on your GPU: 5 passes over 2,000 digits (310 steps).');
    expect(gpu.detail).toContain('(nvidia · ampere)');
    const soft = describeRun(homeRunPlan(softwareGpu), 'google · swiftshader');
    expect(soft.headline).toBe('A short run on the CPU: 1 pass over 2,000 digits (62 steps).');
    expect(soft.detail).toMatch(/google · swiftshader\) is a software one.*trains 5 passes with WGSL shaders/);
    expect(describeRun(homeRunPlan(null), null).detail).toMatch(/WebGPU is not available/);
  });
});
