import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createTrainerClient, type WorkerLike } from './client';
import type { MainToWorker, WorkerEvent, WorkerToMain } from './protocol';

/** A stand-in Worker: records what the page sent and lets the test answer as the worker. */
class FakeWorker implements WorkerLike {
  sent: MainToWorker[] = [];
  terminated = false;
  private readonly target = new EventTarget();

  postMessage(message: MainToWorker): void {
    this.sent.push(message);
  }
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    this.target.addEventListener(type, listener as unknown as EventListener);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: WorkerToMain): void {
    this.target.dispatchEvent(new MessageEvent('message', { data: message }));
  }
  fail(message: string): void {
    const event = new Event('error') as Event & { message: string };
    event.message = message;
    this.target.dispatchEvent(event);
  }
}

function setup() {
  const worker = new FakeWorker();
  const client = createTrainerClient(() => worker);
  return { worker, client };
}

describe('the trainer client', () => {
  it('resolves each request with the reply that carries its requestId, in any order', async () => {
    const { worker, client } = setup();
    const hello = client.request({ type: 'hello' });
    const checks = client.request({ type: 'runKernelChecks', seed: 5 });
    expectTypeOf(hello).resolves.toMatchTypeOf<{ type: 'ready' }>();
    expect(worker.sent).toEqual([
      { type: 'hello', requestId: 1 },
      { type: 'runKernelChecks', requestId: 2, seed: 5 },
    ]);
    worker.reply({ type: 'kernelChecks', requestId: 2, results: [] });
    worker.reply({ type: 'ready', requestId: 1, gpu: null, gpuError: 'no WebGPU' });
    await expect(hello).resolves.toEqual({ type: 'ready', requestId: 1, gpu: null, gpuError: 'no WebGPU' });
    await expect(checks).resolves.toEqual({ type: 'kernelChecks', requestId: 2, results: [] });
  });

  it('rejects a request when the worker answers it with an error', async () => {
    const { worker, client } = setup();
    const checks = client.request({ type: 'runKernelChecks' });
    worker.reply({ type: 'error', requestId: 1, message: 'GPU unavailable' });
    await expect(checks).rejects.toThrow('GPU unavailable');
  });

  it('rejects a request answered with the wrong kind of reply', async () => {
    const { worker, client } = setup();
    const hello = client.request({ type: 'hello' });
    worker.reply({ type: 'kernelChecks', requestId: 1, results: [] });
    await expect(hello).rejects.toThrow(/Expected "ready"/);
  });

  it('passes unsolicited messages to subscribers until they unsubscribe', () => {
    const { worker, client } = setup();
    const seen: WorkerEvent[] = [];
    const unsubscribe = client.onEvent((e) => seen.push(e));
    worker.reply({ type: 'gpuLost', message: 'device lost' });
    worker.reply({ type: 'error', message: 'oops' });
    worker.reply({ type: 'ready', requestId: 99, gpu: null }); // a reply nobody waits for is dropped
    unsubscribe();
    worker.reply({ type: 'gpuLost', message: 'again' });
    expect(seen).toEqual([
      { type: 'gpuLost', message: 'device lost' },
      { type: 'error', message: 'oops' },
    ]);
  });

  it('fails pending requests and tells subscribers when the worker script errors', async () => {
    const { worker, client } = setup();
    const seen: WorkerEvent[] = [];
    client.onEvent((e) => seen.push(e));
    const hello = client.request({ type: 'hello' });
    worker.fail('SyntaxError in trainer.worker.ts');
    await expect(hello).rejects.toThrow(/Trainer worker failed: SyntaxError/);
    expect(seen).toEqual([{ type: 'error', message: 'Trainer worker failed: SyntaxError in trainer.worker.ts' }]);
  });

  it('terminates the worker, rejects what was pending and refuses new requests', async () => {
    const { worker, client } = setup();
    const hello = client.request({ type: 'hello' });
    client.terminate();
    expect(worker.terminated).toBe(true);
    await expect(hello).rejects.toThrow(/terminated/);
    await expect(client.request({ type: 'hello' })).rejects.toThrow(/terminated/);
  });

  it('counts a terminate() called on the Worker from elsewhere as a death: pending requests fail and onDeath hears it once', async () => {
    const { worker, client } = setup();
    const deaths: string[] = [];
    client.onDeath((r) => deaths.push(r));
    const start = client.request({ type: 'startTraining', job: {} as never });
    client.worker.terminate();
    expect(worker.terminated).toBe(true);
    await expect(start).rejects.toThrow('The training worker stopped: it was shut down.');
    client.worker.terminate();
    expect(deaths).toEqual(['it was shut down']);
  });

  it('does not call onDeath when the page itself terminates the client', () => {
    const { client } = setup();
    const deaths: string[] = [];
    client.onDeath((r) => deaths.push(r));
    client.terminate();
    expect(deaths).toEqual([]);
  });

  it('pings on its heartbeat and counts a Worker silent for too long as dead, but not one that answers', async () => {
    vi.useFakeTimers();
    try {
      let t = 0;
      const worker = new FakeWorker();
      const client = createTrainerClient(() => worker, { heartbeatMs: 1000, silenceMs: 5000, now: () => t });
      const deaths: string[] = [];
      client.onDeath((r) => deaths.push(r));
      for (let i = 0; i < 10; i++) {
        t += 1000;
        vi.advanceTimersByTime(1000);
        const ping = worker.sent.at(-1)!;
        expect(ping.type).toBe('ping');
        worker.reply({ type: 'pong', requestId: ping.requestId });
      }
      expect(deaths).toEqual([]);
      // Now it answers nothing: after 5 s of silence it counts as dead.
      for (let i = 0; i < 6; i++) {
        t += 1000;
        vi.advanceTimersByTime(1000);
      }
      expect(deaths).toEqual(['it gave no answer for 5 s']);
      const sent = worker.sent.length;
      vi.advanceTimersByTime(5000);
      expect(worker.sent.length).toBe(sent);
    } finally {
      vi.useRealTimers();
    }
  });
});
