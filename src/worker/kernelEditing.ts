/**
 * The kernel editor's side of the trainer Worker. Edited WGSL is compiled, tested and timed on a
 * SEPARATE "sandbox" GPU device, so a kernel that loops forever or loses the device cannot take
 * the training device (and the model on it) down; the sandbox is simply made again. Only source
 * that passes its check is swapped into the training runner, and it is swapped without a gap, so
 * a running trainer picks it up at its next submit. A run that diverges or fails while edited
 * kernels are in use puts the built-in kernels back.
 *
 * Test and Benchmark run a GUARDED copy of the edited source (loopGuard.ts: every loop has an
 * iteration bound), so an endless loop ends within moments with a sentence naming the loop,
 * instead of holding a software GPU (and with it the browser's painting) until the time limit.
 * Only source whose guarded test passed may be swapped into training.
 */
import { acquireGpu, type GpuContext } from '../engine/kernel/device';
import { hashSource, KernelCompileError, KernelRunner, type CompileMessage } from '../engine/kernel/runner';
import { benchmarkKernel } from '../engine/kernel/bench';
import { ALL_KERNELS, kernelByName } from '../engine/ops';
import { SeededRandom } from '../engine/rng';
import type { WorkerToMain } from './protocol';
import type { KernelEditRequest, KernelEditResult } from './kernelEditingProtocol';
import type { KernelCheckResult, KernelSpec, KernelCheckOptions } from '../engine/kernel/spec';

export interface KernelEditingOptions {
  getGpu: () => GPU | undefined | null;
  /** The training device's runner (acquired on demand): its overrides are what training runs. */
  trainingRunner: () => Promise<KernelRunner>;
  post: (message: WorkerToMain) => void;
  /** A test or benchmark that takes longer counts as hung (default 20 s). */
  timeoutMs?: number;
}

export interface KernelEditing {
  handle(request: KernelEditRequest): Promise<KernelEditResult>;
  /** Sees every message the host posts, to react to lost devices and badly ended runs. */
  observe(message: WorkerToMain): void;
}

interface Sandbox {
  ctx: GpuContext;
  /** Compiles for the editor's markers. */
  runner: KernelRunner;
  /** Runs tests and benchmarks: every kernel it compiles is the loop-guarded copy. */
  guarded: KernelRunner;
  compiles: number;
  lost: boolean;
}

/** After this many compiles the sandbox starts a fresh runner, dropping the cached pipelines of old drafts. */
const MAX_SANDBOX_COMPILES = 60;

/**
 * Makes `source` (or the built-in source, for null) the one `runner.dispatch(spec)` uses, with no
 * moment in between where the kernel is "not ready": the pipeline is compiled first, then the
 * override and re-ready happen in a fresh task, where nothing else (no trainer submit) can run
 * until the cached pipeline is active again. Throws KernelCompileError for bad source.
 */
export async function swapKernelSource(runner: KernelRunner, spec: KernelSpec, source: string | null): Promise<void> {
  await runner.compile(spec, { source: source ?? spec.builtinSource });
  // Its variants too (the same source at other tile sizes, for some layers), so `ready` finds them all built.
  for (const overrides of runner.variantsOf(spec.name))
    await runner.compile(spec, { source: source ?? spec.builtinSource, overrides });
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (source === null || source === spec.builtinSource) runner.clearOverride(spec.name);
  else runner.setOverride(spec.name, source);
  await runner.ready(spec);
  // Cached bind groups of the old pipeline are dead weight now; the trainer re-prepares on its next submit.
  runner.clearDispatchCache();
}

export function createKernelEditing(options: KernelEditingOptions): KernelEditing {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let sandbox: Promise<Sandbox> | null = null;
  let training: KernelRunner | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  /** Kernel + source fingerprints that passed their check on this worker. */
  const passed = new Set<string>();

  // One editing operation at a time: checks push GPU error scopes, which must not interleave.
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  function ensureSandbox(): Promise<Sandbox> {
    if (!sandbox) {
      const made: Promise<Sandbox> = acquireGpu(options.getGpu(), { label: 'kernel editor' }).then((ctx) => {
        const box: Sandbox = {
          ctx,
          runner: new KernelRunner(ctx),
          guarded: new KernelRunner(ctx, { loopGuard: {} }),
          compiles: 0,
          lost: false,
        };
        void ctx.lost.then(() => {
          box.lost = true;
          if (sandbox === made) sandbox = null;
        });
        return box;
      });
      made.catch(() => {
        if (sandbox === made) sandbox = null;
      });
      sandbox = made;
    }
    return sandbox;
  }

  /** Runs GPU work on the sandbox with a time limit; a hang or a lost device ends in `{ lost }`. */
  async function guarded<T>(box: Sandbox, work: () => Promise<T>): Promise<{ value: T } | { lost: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<{ lost: string }>((resolve) => {
      timer = setTimeout(
        () => resolve({ lost: `it did not finish within ${Math.round(timeoutMs / 1000)} s` }),
        timeoutMs,
      );
    });
    const lost = box.ctx.lost.then((info) => ({ lost: `the GPU device was lost (${info.message || info.reason})` }));
    try {
      let out = await Promise.race([work().then((value) => ({ value })), timeout, lost]);
      // A device lost mid-check often shows up first as a failed read; give the lost event a moment.
      if ('value' in out && isFailedCheck(out.value)) out = await Promise.race([lost, delay(50).then(() => out)]);
      if ('lost' in out) {
        box.lost = true;
        sandbox = null;
        try {
          box.ctx.device.destroy();
        } catch {
          // Already gone.
        }
      }
      return out;
    } finally {
      clearTimeout(timer);
    }
  }

  function fingerprint(kernel: string, source: string): string {
    return `${kernel}|${hashSource(source)}:${source.length}`;
  }

  function inUse(): string[] {
    const runner = training;
    return runner ? ALL_KERNELS.filter((k) => runner.hasOverride(k.name)).map((k) => k.name) : [];
  }

  async function compile(spec: KernelSpec, source: string): Promise<KernelEditResult> {
    const box = await ensureSandbox();
    if (++box.compiles > MAX_SANDBOX_COMPILES) {
      box.runner = new KernelRunner(box.ctx);
      box.guarded = new KernelRunner(box.ctx, { loopGuard: {} });
      box.compiles = 0;
    }
    const out = await guarded(box, async () => {
      try {
        return { ok: true, messages: (await box.runner.compile(spec, { source })).messages };
      } catch (e) {
        return { ok: false, messages: e instanceof KernelCompileError ? e.messages : [lineless(e)] };
      }
    });
    if ('lost' in out) return { op: 'compile', ok: false, messages: [lineless(`The compiler stopped: ${out.lost}.`)] };
    return { op: 'compile', ...out.value };
  }

  /** The kernel's check on the guarded copy; a loop that ran past its bound fails it with the guard's sentence. */
  async function guardedCheck(
    box: Sandbox,
    spec: KernelSpec,
    rng: SeededRandom,
    options: KernelCheckOptions,
  ): Promise<KernelCheckResult> {
    const runner = box.guarded;
    runner.resetLoopGuard();
    const result = await spec.check(runner, rng, options);
    const overrun = await runner.readLoopOverrun().catch(() => null);
    return overrun ? { kernel: spec.name, cases: [], pass: false, error: overrun } : result;
  }

  async function test(
    spec: KernelSpec,
    source: string,
    seed?: number,
  ): Promise<Extract<KernelEditResult, { op: 'test' }>> {
    const box = await ensureSandbox();
    const t0 = performance.now();
    const rng = new SeededRandom(seed ?? Math.floor(Math.random() * 2 ** 31), 0);
    const out = await guarded(box, () => guardedCheck(box, spec, rng, { source }));
    const ms = performance.now() - t0;
    if ('lost' in out) {
      const error =
        `The test stopped: ${out.lost}. An endless loop or a very slow kernel does this. ` +
        `The editor's GPU device is restarted for the next try; training was not touched.`;
      return { op: 'test', result: { kernel: spec.name, cases: [], pass: false, error }, ms, deviceLost: true };
    }
    if (out.value.pass) passed.add(fingerprint(spec.name, source));
    return { op: 'test', result: out.value, ms };
  }

  async function benchmark(spec: KernelSpec, source: string): Promise<KernelEditResult> {
    const box = await ensureSandbox();
    const large = !box.ctx.summary.isFallback;
    const out = await guarded(box, async () => {
      try {
        box.guarded.resetLoopGuard();
        const result = await benchmarkKernel(box.guarded, spec, source, { timestamps: box.ctx.hasTimestamps, large });
        const overrun = await box.guarded.readLoopOverrun();
        return overrun ? { result: null, error: overrun } : { result };
      } catch (e) {
        return { result: null, error: errorText(e) };
      }
    });
    if ('lost' in out)
      return { op: 'benchmark', result: null, error: `The benchmark stopped: ${out.lost}.`, deviceLost: true };
    return { op: 'benchmark', ...out.value };
  }

  async function use(spec: KernelSpec, source: string, seed?: number): Promise<KernelEditResult> {
    let result: KernelCheckResult | undefined;
    if (!passed.has(fingerprint(spec.name, source))) {
      result = (await test(spec, source, seed)).result;
      if (!result.pass) {
        return {
          op: 'use',
          ok: false,
          message: 'Not swapped in: the kernel does not pass its test. Training keeps the kernel it had.',
          result,
          inUse: inUse(),
        };
      }
    }
    try {
      const runner = await options.trainingRunner();
      // Layers that run this kernel at other workgroup sizes (its variants) get the same source, so
      // it must pass its test at those sizes too.
      for (const overrides of runner.variantsOf(spec.name)) {
        const box = await ensureSandbox();
        const rng = new SeededRandom(seed ?? Math.floor(Math.random() * 2 ** 31), 0);
        const out = await guarded(box, () => guardedCheck(box, spec, rng, { source, overrides }));
        const sizes = Object.entries(overrides)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', ');
        const atSizes: KernelCheckResult =
          'lost' in out
            ? { kernel: spec.name, cases: [], pass: false, error: `The test stopped: ${out.lost}.` }
            : out.value;
        if (!atSizes.pass) {
          const message = `Not swapped in: the kernel does not pass its test at the workgroup sizes some layers train with (${sizes}). Training keeps the kernel it had.`;
          return { op: 'use', ok: false, message, result: atSizes, inUse: inUse() };
        }
      }
      training = runner;
      await swapKernelSource(runner, spec, source);
    } catch (e) {
      return { op: 'use', ok: false, message: `Not swapped in: ${errorText(e)}`, result, inUse: inUse() };
    }
    return {
      op: 'use',
      ok: true,
      message: `Training now uses your ${spec.name} kernel, from its next step.`,
      result,
      inUse: inUse(),
    };
  }

  async function revert(names: string[]): Promise<void> {
    const runner = training;
    if (!runner) return;
    for (const name of names) if (runner.hasOverride(name)) await swapKernelSource(runner, kernelByName(name), null);
  }

  return {
    handle(request) {
      return serial(async (): Promise<KernelEditResult> => {
        switch (request.op) {
          case 'compile':
            return compile(kernelByName(request.kernel), request.source);
          case 'test':
            return test(kernelByName(request.kernel), request.source, request.seed);
          case 'benchmark':
            return benchmark(kernelByName(request.kernel), request.source);
          case 'use':
            return use(kernelByName(request.kernel), request.source, request.seed);
          case 'revert':
            await revert(request.kernel ? [kernelByName(request.kernel).name] : inUse());
            return { op: 'revert', inUse: inUse() };
          case 'status':
            return { op: 'status', inUse: inUse() };
        }
      });
    },
    observe(message) {
      // A lost training device takes its overrides with it: the next device runs the built-in kernels.
      if (message.type === 'gpuLost') training = null;
      if (message.type !== 'trainingEnded') return;
      const end = message.end;
      const names = inUse();
      if ((end.kind !== 'diverged' && end.kind !== 'failed') || names.length === 0) return;
      void serial(() => revert(names)).then(() => {
        options.post({
          type: 'kernelsRestored',
          kernels: names,
          message:
            `Training stopped (${end.message}) while it used your edited ${names.join(', ')} kernel` +
            `${names.length > 1 ? 's' : ''}, so the built-in kernel${names.length > 1 ? 's are' : ' is'} back in place.`,
        });
      });
    },
  };
}

function isFailedCheck(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { pass?: boolean }).pass === false &&
    Boolean((value as { error?: string }).error)
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lineless(e: unknown): CompileMessage {
  return { line: 0, column: 0, type: 'error', message: errorText(e) };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
