/**
 * Turns a KernelSpec plus WGSL source TEXT into pipelines, buffers and dispatches.
 * Source text is first class: the runner compiles whatever text it is given (the shipped file or
 * an editor override), caches the pipeline by (kernel, hash of source, overrides), and reports
 * compile errors as structured messages with line numbers.
 *
 * Hot path: `prepare` once (bind group + uniform buffer), then `encode` each step allocates
 * nothing. `dispatch` is the convenient form; it caches prepared dispatches by their buffers and
 * uniform values, so a training loop that repeats the same calls reuses them.
 */
import { withErrorScopes, type GpuContext } from './device';
import { resolveOverrides, type KernelOverrides, type KernelSpec, type UniformValues } from './spec';
import {
  DEFAULT_LOOP_BOUND,
  guardLoops,
  LOOP_GUARD_BYTES,
  LOOP_GUARD_GROUP,
  loopOverrunMessage,
  type GuardedSource,
} from './loopGuard';

export interface CompileMessage {
  /** 1-based line in the source; 0 when the error is not tied to a line (e.g. a layout mismatch). */
  line: number;
  /** 1-based column; 0 when not tied to a line. */
  column: number;
  message: string;
  type: 'error' | 'warning' | 'info';
  /** Character offset and length in the source, for highlighting (when the compiler gives them). */
  offset?: number;
  length?: number;
}

/** A kernel's source did not compile or did not fit its spec's bindings. */
export class KernelCompileError extends Error {
  constructor(
    readonly kernel: string,
    readonly messages: CompileMessage[],
  ) {
    const first = messages.find((m) => m.type === 'error') ?? messages[0];
    const where = first && first.line > 0 ? ` at line ${first.line}:${first.column}` : '';
    super(`Kernel "${kernel}" failed to compile${where}: ${first?.message ?? 'unknown error'}`);
    this.name = 'KernelCompileError';
  }
}

export interface CompiledKernel {
  spec: KernelSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  source: string;
  overrides: KernelOverrides;
  /** Cache key: kernel name, source hash, overrides. */
  key: string;
  /** Warnings and notes from the compiler (errors throw instead). */
  messages: CompileMessage[];
  /** Set on a runner made with `loopGuard`: the transformed source that was compiled. */
  guarded?: GuardedSource;
}

export interface KernelRunnerOptions {
  /**
   * Compile every kernel as a guarded copy (loopGuard.ts): each loop gets an iteration bound and
   * reports an overrun in a guard buffer bound at group 1 (see `readLoopOverrun`). The kernel
   * editor's test and benchmark runner uses it; training never does.
   */
  loopGuard?: { bound?: number };
}

/** A kernel call with its bind group and uniform buffer made once, ready to encode many times. */
export interface PreparedDispatch {
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  uniformBuffer: GPUBuffer | null;
  workgroups: [number, number, number];
  /** Scratch space reused by `updateUniforms`. */
  uniformData: ArrayBuffer;
}

/** A whole buffer, or a range of one (the executor keeps all parameters in one flat buffer). */
export type BufferRef = GPUBuffer | GPUBufferBinding;

export type BufferBindings = Record<string, BufferRef>;

/** True for a `{ buffer, offset, size }` range rather than a whole GPUBuffer. */
export function isBufferRange(ref: BufferRef): ref is GPUBufferBinding {
  return typeof (ref as GPUBufferBinding).buffer === 'object' && (ref as GPUBufferBinding).buffer !== null;
}

const DEFAULT_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */
const USAGE = { MAP_READ: 0x01, COPY_SRC: 0x04, COPY_DST: 0x08, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** Beyond this many cached dispatches we start over, so one-off shapes cannot grow memory forever. */
const MAX_CACHED_DISPATCHES = 4096;

/** FNV-1a over UTF-16 code units: a fast, stable fingerprint of a shader's text. */
export function hashSource(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Bytes of a spec's uniform buffer: 4 per scalar, rounded up to 16 as uniform buffers require. */
export function uniformByteLength(spec: KernelSpec): number {
  return Math.max(16, Math.ceil((spec.uniforms.length * 4) / 16) * 16);
}

/** Writes named values into `target` in the spec's field order; throws if a field is missing. */
export function packUniforms(spec: KernelSpec, values: UniformValues, target?: ArrayBuffer): ArrayBuffer {
  const data = target ?? new ArrayBuffer(uniformByteLength(spec));
  const view = new DataView(data);
  spec.uniforms.forEach((field, i) => {
    const v = values[field.name];
    if (v === undefined) throw new Error(`Kernel "${spec.name}": missing uniform "${field.name}"`);
    if (field.type === 'f32') view.setFloat32(i * 4, v, true);
    else if (field.type === 'i32') view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v, true);
  });
  return data;
}

function bindingLayoutEntry(
  access: KernelSpec['bindings'][number]['access'],
  binding: number,
): GPUBindGroupLayoutEntry {
  const visibility = 0x4; // GPUShaderStage.COMPUTE
  if (access === 'uniform') return { binding, visibility, buffer: { type: 'uniform' } };
  return { binding, visibility, buffer: { type: access === 'read' ? 'read-only-storage' : 'storage' } };
}

function overridesKey(o: KernelOverrides): string {
  return Object.keys(o)
    .sort()
    .map((k) => `${k}=${o[k]}`)
    .join(',');
}

function variantKey(name: string, resolved: KernelOverrides): string {
  return `${name}|${overridesKey(resolved)}`;
}

export class KernelRunner {
  readonly device: GPUDevice;
  private readonly sourceOverrides = new Map<string, string>();
  private readonly pipelines = new Map<string, Promise<CompiledKernel>>();
  private readonly active = new Map<string, CompiledKernel>();
  /** Pipelines `dispatch(spec, ..., overrides)` uses, by variantKey: the same source at other workgroup or tile sizes. */
  private readonly activeVariants = new Map<string, CompiledKernel>();
  /** The overrides of every variant made ready, by kernel name: `ready` (an editor swap) remakes them all. */
  private readonly variantOverrides = new Map<string, KernelOverrides[]>();
  private readonly dispatchCache = new Map<string, PreparedDispatch>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private readonly kernelIds = new WeakMap<CompiledKernel, number>();
  private nextId = 1;
  private readonly zeroBuffers = new Map<number, GPUBuffer>();
  /**
   * Bumped whenever what `dispatch(spec)` would record may change (a kernel swapped, the cached
   * bind groups dropped): a caller that replays recorded dispatches re-records when it moves.
   */
  generation = 0;
  private readonly loopGuard: { bound?: number } | null;
  private guardState: { buffer: GPUBuffer; layout: GPUBindGroupLayout; group: GPUBindGroup } | null = null;
  /** Every guarded source compiled, numbered apart, for naming the loop that overran. */
  private readonly guardedSources: GuardedSource[] = [];
  private nextLoopId = 0;

  constructor(
    readonly gpu: GpuContext,
    options: KernelRunnerOptions = {},
  ) {
    this.device = gpu.device;
    this.loopGuard = options.loopGuard ?? null;
  }

  /** True for a runner made with the `loopGuard` option. */
  get guardsLoops(): boolean {
    return this.loopGuard !== null;
  }

  private guard() {
    if (!this.guardState) {
      const buffer = this.createBuffer(LOOP_GUARD_BYTES, DEFAULT_USAGE, 'loop guard');
      const layout = this.device.createBindGroupLayout({
        label: 'loop guard',
        entries: [{ binding: 0, visibility: 0x4, buffer: { type: 'storage' } }],
      });
      const group = this.device.createBindGroup({
        label: 'loop guard',
        layout,
        entries: [{ binding: 0, resource: { buffer } }],
      });
      this.guardState = { buffer, layout, group };
    }
    return this.guardState;
  }

  /** Clears the guard buffer (before a test), so a later read reports only overruns since. */
  resetLoopGuard(): void {
    if (!this.loopGuard) return;
    this.device.queue.writeBuffer(this.guard().buffer, 0, new Uint32Array(LOOP_GUARD_BYTES / 4));
  }

  /**
   * The sentence for a loop that ran past its bound since the last reset, or null. Reads the guard
   * buffer after the work already submitted.
   */
  async readLoopOverrun(): Promise<string | null> {
    if (!this.loopGuard) return null;
    const word = new Uint32Array(await this.readBuffer(this.guard().buffer, 4))[0];
    const guarded = this.guardedSources.find((g) => word > g.firstLoopId && word <= g.firstLoopId + g.loops.length) ?? {
      source: '',
      loops: [],
      bound: this.loopGuard.bound ?? DEFAULT_LOOP_BOUND,
      firstLoopId: 0,
    };
    return loopOverrunMessage(guarded, word);
  }

  /** Replaces a kernel's source for later `ready`/`dispatch(spec)` calls (the editor's swap). */
  setOverride(name: string, source: string): void {
    this.sourceOverrides.set(name, source);
    this.deactivate(name);
  }

  /** Goes back to the shipped source of a kernel. */
  clearOverride(name: string): void {
    this.sourceOverrides.delete(name);
    this.deactivate(name);
  }

  private deactivate(name: string): void {
    this.active.delete(name);
    for (const o of this.variantsOf(name)) this.activeVariants.delete(variantKey(name, o));
    this.generation++;
  }

  /** The overrides of the variants of a kernel made ready so far (see readyVariant). */
  variantsOf(name: string): KernelOverrides[] {
    return this.variantOverrides.get(name) ?? [];
  }

  /** True when the kernel runs user-supplied source. */
  hasOverride(name: string): boolean {
    return this.sourceOverrides.has(name);
  }

  /** The source a kernel runs now: its override, else the shipped file. */
  currentSource(spec: KernelSpec): string {
    return this.sourceOverrides.get(spec.name) ?? spec.builtinSource;
  }

  /**
   * Compiles `spec` from `source` (default: its current source) with the given overrides, or
   * returns the cached pipeline. Throws KernelCompileError with line numbers on bad source.
   */
  compile(spec: KernelSpec, options: { source?: string; overrides?: KernelOverrides } = {}): Promise<CompiledKernel> {
    const source = options.source ?? this.currentSource(spec);
    const overrides = resolveOverrides(spec, options.overrides);
    const key = `${spec.name}|${hashSource(source)}:${source.length}|${overridesKey(overrides)}${this.loopGuard ? '|guarded' : ''}`;
    let entry = this.pipelines.get(key);
    if (!entry) {
      entry = this.build(spec, source, overrides, key);
      this.pipelines.set(key, entry);
      // A failed compile must not stay cached: the same text may be retried after a fix elsewhere.
      entry.catch(() => this.pipelines.delete(key));
    }
    return entry;
  }

  /**
   * Compiles the kernel's current source with its default overrides and makes it the one
   * `dispatch(spec)` uses; also remakes, from that source, every variant made ready before.
   */
  async ready(spec: KernelSpec): Promise<CompiledKernel> {
    const kernel = await this.compile(spec);
    if (this.currentSource(spec) === kernel.source && this.active.get(spec.name) !== kernel) {
      this.active.set(spec.name, kernel);
      this.generation++;
    }
    for (const o of this.variantsOf(spec.name)) await this.readyVariant(spec, o);
    return kernel;
  }

  /**
   * The same for a VARIANT: the kernel's current source at other overrides (workgroup or tile
   * sizes), for one layer whose shape runs faster so; `dispatch(spec, ..., overrides)` uses it.
   * An editor swap (`ready` after `setOverride`) remakes it from the new source.
   */
  async readyVariant(spec: KernelSpec, overrides: KernelOverrides): Promise<CompiledKernel> {
    const resolved = resolveOverrides(spec, overrides);
    const key = variantKey(spec.name, resolved);
    const kernel = await this.compile(spec, { overrides: resolved });
    // Remembered only once it compiles: a variant that does not would make every later `ready` throw.
    const known = this.variantsOf(spec.name);
    if (!known.some((o) => variantKey(spec.name, o) === key))
      this.variantOverrides.set(spec.name, [...known, resolved]);
    if (this.currentSource(spec) === kernel.source && this.activeVariants.get(key) !== kernel) {
      this.activeVariants.set(key, kernel);
      this.generation++;
    }
    return kernel;
  }

  private async build(
    spec: KernelSpec,
    source: string,
    overrides: KernelOverrides,
    key: string,
  ): Promise<CompiledKernel> {
    const device = this.device;
    let messages: CompileMessage[] = [];
    let module: GPUShaderModule;
    const guarded = this.loopGuard ? guardLoops(source, this.loopGuard.bound, this.nextLoopId) : undefined;
    if (guarded) {
      this.nextLoopId += guarded.loops.length;
      this.guardedSources.push(guarded);
    }
    try {
      module = await withErrorScopes(device, async () => {
        const m = device.createShaderModule({ code: guarded?.source ?? source, label: `${spec.name} (${spec.file})` });
        messages = (await m.getCompilationInfo()).messages.map((msg) => ({
          line: msg.lineNum,
          column: msg.linePos,
          message: msg.message,
          type: msg.type,
          offset: msg.offset,
          length: msg.length,
        }));
        return m;
      });
    } catch (e) {
      throw new KernelCompileError(spec.name, messages.some((m) => m.type === 'error') ? messages : [lineless(e)]);
    }
    if (messages.some((m) => m.type === 'error')) throw new KernelCompileError(spec.name, messages);

    // An explicit layout from the spec (not 'auto'): the table is the contract, so source that
    // declares a binding differently fails here, and bindings the source ignores still bind.
    const layout = device.createBindGroupLayout({
      label: spec.name,
      entries: spec.bindings.map((b) => bindingLayoutEntry(b.access, b.binding)),
    });
    let pipeline: GPUComputePipeline;
    try {
      // Synchronous on purpose: createComputePipelineAsync aborts dawn.node (std::system_error)
      // in Vitest's forked workers; pipelines are built once, so blocking briefly is fine.
      pipeline = await withErrorScopes(device, () =>
        device.createComputePipeline({
          label: spec.name,
          // The guarded copy has the guard buffer as its only binding in group 1.
          layout: device.createPipelineLayout({
            bindGroupLayouts: guarded ? [layout, this.guard().layout] : [layout],
          }),
          compute: { module, entryPoint: spec.entryPoint, constants: overrides },
        }),
      );
    } catch (e) {
      throw new KernelCompileError(spec.name, [...messages, lineless(e)]);
    }
    return { spec, pipeline, layout, source, overrides, key, messages, guarded };
  }

  /** A GPU buffer holding `data` (copied in) or `size` zero bytes; storage + copy by default. */
  createBuffer(dataOrSize: ArrayBufferView | number, usage: number = DEFAULT_USAGE, label?: string): GPUBuffer {
    const byteLength = typeof dataOrSize === 'number' ? dataOrSize : dataOrSize.byteLength;
    // Sizes must be multiples of 4 for mapping and copies; never zero so bindings stay valid.
    const size = Math.max(16, Math.ceil(byteLength / 4) * 4);
    const buffer = this.device.createBuffer({ size, usage, label, mappedAtCreation: typeof dataOrSize !== 'number' });
    if (typeof dataOrSize !== 'number') {
      const src = new Uint8Array(dataOrSize.buffer, dataOrSize.byteOffset, dataOrSize.byteLength);
      new Uint8Array(buffer.getMappedRange()).set(src);
      buffer.unmap();
    }
    return buffer;
  }

  /** A uniform buffer filled with the spec's named values. */
  createUniformBuffer(spec: KernelSpec, values: UniformValues): GPUBuffer {
    const data = packUniforms(spec, values);
    return this.createBuffer(new Uint8Array(data), USAGE.UNIFORM | USAGE.COPY_DST, `${spec.name} uniforms`);
  }

  /** Makes the bind group and uniform buffer for one call, to be encoded any number of times. */
  prepare(kernel: CompiledKernel, bindings: BufferBindings, uniforms: UniformValues): PreparedDispatch {
    const spec = kernel.spec;
    const uniformData = packUniforms(spec, uniforms);
    let uniformBuffer: GPUBuffer | null = null;
    const entries: GPUBindGroupEntry[] = spec.bindings.map((b) => {
      if (b.access === 'uniform') {
        uniformBuffer ??= this.createBuffer(
          new Uint8Array(uniformData),
          USAGE.UNIFORM | USAGE.COPY_DST,
          `${spec.name} uniforms`,
        );
        return { binding: b.binding, resource: { buffer: uniformBuffer } };
      }
      const ref = bindings[b.name] ?? (b.optional ? this.zeros(b.access === 'read' ? -1 : b.binding) : undefined);
      if (!ref) throw new Error(`Kernel "${spec.name}": no buffer for binding "${b.name}"`);
      return { binding: b.binding, resource: isBufferRange(ref) ? ref : { buffer: ref } };
    });
    const bindGroup = this.device.createBindGroup({ label: spec.name, layout: kernel.layout, entries });
    return { kernel, bindGroup, uniformBuffer, workgroups: this.workgroups(kernel, uniforms), uniformData };
  }

  /**
   * Rewrites a prepared call's uniforms (queue.writeBuffer). The write lands before the next
   * submit, so one prepared call cannot carry two different uniform sets within one submit.
   */
  updateUniforms(prepared: PreparedDispatch, uniforms: UniformValues): void {
    packUniforms(prepared.kernel.spec, uniforms, prepared.uniformData);
    if (prepared.uniformBuffer) this.device.queue.writeBuffer(prepared.uniformBuffer, 0, prepared.uniformData);
    const w = this.workgroups(prepared.kernel, uniforms);
    prepared.workgroups[0] = w[0];
    prepared.workgroups[1] = w[1];
    prepared.workgroups[2] = w[2];
  }

  /** Records a prepared call into a compute pass; allocates nothing. */
  encode(pass: GPUComputePassEncoder, prepared: PreparedDispatch): void {
    pass.setPipeline(prepared.kernel.pipeline);
    pass.setBindGroup(0, prepared.bindGroup);
    if (prepared.kernel.guarded) pass.setBindGroup(LOOP_GUARD_GROUP, this.guard().group);
    pass.dispatchWorkgroups(prepared.workgroups[0], prepared.workgroups[1], prepared.workgroups[2]);
  }

  /**
   * Records one kernel call. `kernel` is a compiled kernel, or a spec whose active pipeline was
   * made by `ready(spec)`. Given a command encoder, it opens and closes a pass for this call.
   */
  dispatch(
    target: GPUComputePassEncoder | GPUCommandEncoder,
    kernel: CompiledKernel | KernelSpec,
    bindings: BufferBindings,
    uniforms: UniformValues,
    variant?: KernelOverrides,
  ): PreparedDispatch {
    const compiled =
      'pipeline' in kernel
        ? kernel
        : variant
          ? this.activeVariants.get(variantKey(kernel.name, resolveOverrides(kernel, variant)))
          : this.active.get(kernel.name);
    if (!compiled) {
      const how = variant ? 'runner.readyVariant(spec, overrides)' : 'runner.ready(spec)';
      throw new Error(
        `Kernel "${(kernel as KernelSpec).name}"${variant ? ` at ${overridesKey(variant)}` : ''} is not ready: await ${how} first`,
      );
    }
    const key = this.dispatchKey(compiled, bindings, uniforms);
    let prepared = this.dispatchCache.get(key);
    if (!prepared) {
      if (this.dispatchCache.size >= MAX_CACHED_DISPATCHES) this.dispatchCache.clear();
      prepared = this.prepare(compiled, bindings, uniforms);
      this.dispatchCache.set(key, prepared);
    }
    if ('beginComputePass' in target) {
      const pass = target.beginComputePass({ label: compiled.spec.name });
      this.encode(pass, prepared);
      pass.end();
    } else {
      this.encode(target, prepared);
    }
    return prepared;
  }

  /** Copies a buffer's bytes back to the CPU (one submit, one map). */
  async readBuffer(buffer: GPUBuffer, byteLength: number, offset = 0): Promise<ArrayBuffer> {
    return (await this.readBuffers([{ buffer, byteLength, offset }]))[0];
  }

  /** Copies several buffers back with ONE submit, so a batch of checks waits on the GPU once. */
  async readBuffers(reads: { buffer: GPUBuffer; byteLength: number; offset?: number }[]): Promise<ArrayBuffer[]> {
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    const staging = reads.map((r) => {
      const size = Math.ceil(r.byteLength / 4) * 4;
      const s = this.device.createBuffer({
        size: Math.max(4, size),
        usage: USAGE.MAP_READ | USAGE.COPY_DST,
        label: 'staging',
      });
      if (size > 0) encoder.copyBufferToBuffer(r.buffer, r.offset ?? 0, s, 0, size);
      return s;
    });
    this.device.queue.submit([encoder.finish()]);
    await Promise.all(staging.map((s) => s.mapAsync(0x0001 /* GPUMapMode.READ */)));
    return staging.map((s, i) => {
      const copy = s.getMappedRange().slice(0, reads[i].byteLength);
      s.unmap();
      s.destroy();
      return copy;
    });
  }

  /** Drops cached bind groups (call after destroying buffers that cached dispatches used). */
  clearDispatchCache(): void {
    this.dispatchCache.clear();
    this.generation++;
  }

  private workgroups(kernel: CompiledKernel, uniforms: UniformValues): [number, number, number] {
    const w = kernel.spec.dispatch(uniforms, kernel.overrides);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (w.some((n) => n > max)) {
      throw new Error(
        `Kernel "${kernel.spec.name}": ${w.join('x')} workgroups exceed the limit of ${max} per dimension`,
      );
    }
    return w;
  }

  /**
   * A small zero buffer for a left-out optional binding. Read-only ones share one; each writable
   * binding slot gets its own, because one buffer bound twice as writable in a dispatch is invalid.
   */
  private zeros(slot: number): GPUBuffer {
    let b = this.zeroBuffers.get(slot);
    if (!b) {
      b = this.createBuffer(16, USAGE.STORAGE, slot < 0 ? 'zeros' : `zeros for binding ${slot}`);
      this.zeroBuffers.set(slot, b);
    }
    return b;
  }

  private idOf(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }

  private dispatchKey(kernel: CompiledKernel, bindings: BufferBindings, uniforms: UniformValues): string {
    let kid = this.kernelIds.get(kernel);
    if (kid === undefined) {
      kid = this.nextId++;
      this.kernelIds.set(kernel, kid);
    }
    let key = String(kid);
    for (const b of kernel.spec.bindings) {
      if (b.access === 'uniform') continue;
      const ref = bindings[b.name];
      if (!ref) key += ':0';
      else if (isBufferRange(ref)) key += `:${this.idOf(ref.buffer)}@${ref.offset ?? 0}+${ref.size ?? ''}`;
      else key += ':' + this.idOf(ref);
    }
    for (const f of kernel.spec.uniforms) key += '|' + uniforms[f.name];
    return key;
  }
}

function lineless(e: unknown): CompileMessage {
  return { line: 0, column: 0, type: 'error', message: e instanceof Error ? e.message : String(e) };
}
