import { describe, expect, it } from 'vitest';
import { createNodeGpu } from '../testing/nodeGpu';
import { ALL_KERNELS } from '../engine/ops';
import { createTrainerHost } from './trainerHost';
import type { WorkerToMain } from './protocol';

const gpu = await createNodeGpu();
const hasAdapter = (await gpu.requestAdapter()) !== null;

function host(getGpu: () => GPU | undefined) {
  const replies: WorkerToMain[] = [];
  return { replies, handle: createTrainerHost({ getGpu, post: (m) => replies.push(m) }) };
}

describe('the trainer worker host without WebGPU', () => {
  it('answers hello with no GPU and a sentence saying why, instead of throwing', async () => {
    const { replies, handle } = host(() => undefined);
    await handle({ type: 'hello', requestId: 3 });
    expect(replies).toHaveLength(1);
    const reply = replies[0] as Extract<WorkerToMain, { type: 'ready' }>;
    expect(reply).toMatchObject({ type: 'ready', requestId: 3, gpu: null });
    expect(reply.gpuError).toMatch(/does not offer WebGPU/);
  });

  it('answers a kernel-check request with an error when there is no GPU', async () => {
    const { replies, handle } = host(() => undefined);
    await handle({ type: 'runKernelChecks', requestId: 4 });
    expect(replies).toEqual([{ type: 'error', requestId: 4, message: expect.stringMatching(/WebGPU/) }]);
  });

  it('answers an unknown message type with an error naming it', async () => {
    const { replies, handle } = host(() => undefined);
    await handle({ type: 'teleport', requestId: 5 } as never);
    expect(replies).toEqual([{ type: 'error', requestId: 5, message: 'Unknown message type "teleport"' }]);
  });
});

describe('the trainer worker host keeping the page informed', () => {
  it('answers a ping at once, even while another request still waits for the GPU', async () => {
    const stuck = { requestAdapter: () => new Promise(() => undefined) } as unknown as GPU;
    const { replies, handle } = host(() => stuck);
    void handle({ type: 'hello', requestId: 1 });
    await handle({ type: 'ping', requestId: 2 });
    expect(replies).toEqual([{ type: 'pong', requestId: 2 }]);
  });
});

describe.skipIf(!hasAdapter)('the trainer worker host with a GPU', () => {
  it('reports the adapter on hello and runs the check of every kernel in the table', async () => {
    const { replies, handle } = host(() => gpu);
    await handle({ type: 'hello', requestId: 1 });
    await handle({ type: 'runKernelChecks', requestId: 2, seed: 9 });
    const [ready, checks] = replies;
    expect(ready).toMatchObject({ type: 'ready', requestId: 1 });
    expect((ready as Extract<WorkerToMain, { type: 'ready' }>).gpu?.vendor).toBeTruthy();
    expect(checks.type).toBe('kernelChecks');
    const results = (checks as Extract<WorkerToMain, { type: 'kernelChecks' }>).results;
    expect(results.map((r) => r.kernel)).toEqual(ALL_KERNELS.map((k) => k.name));
    // Every kernel is reported, with cases or with the error that stopped it; whether each one
    // passes is its own test's business, so only the shipped matmul must pass here.
    for (const r of results) expect(r.cases.length > 0 || Boolean(r.error), r.kernel).toBe(true);
    const matmul = results.find((r) => r.kernel === 'matmul')!;
    expect(matmul.error).toBeUndefined();
    expect(matmul.pass).toBe(true);
  });
});
