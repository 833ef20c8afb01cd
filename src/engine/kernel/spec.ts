/**
 * What every GPU kernel's description says: its WGSL file, bindings, uniforms, workgroup sizes, how
 * many workgroups a call needs, the CPU twin it is checked against and the stepper that shows it.
 * The descriptions themselves live with their families in ops/<family>/specs.ts, gathered in
 * ops/index.ts (the one table).
 */
import type { KernelRunner } from './runner';
import type { SeededRandom } from '../rng';

export type BindingAccess = 'read' | 'read_write' | 'uniform';

export interface BindingSpec {
  binding: number;
  name: string;
  access: BindingAccess;
  description: string;
  /** When true a caller may leave it out; the runner binds a small zero buffer instead. */
  optional?: boolean;
}

export type UniformType = 'u32' | 'i32' | 'f32';

export interface UniformField {
  name: string;
  type: UniformType;
}

/** Named numbers packed, in `uniforms` order, into the kernel's one uniform buffer. */
export type UniformValues = Record<string, number>;

/** Pipeline-overridable constants (workgroup sizes, tile depths) by WGSL name. */
export type KernelOverrides = Record<string, number>;

export interface KernelCheckCase {
  /** A human description of the case, e.g. "17x33x65 A^T bias". */
  shape: string;
  maxAbsError: number;
  /** Largest error divided by the output's scale (max(1, max |reference|)). */
  maxRelError: number;
  /** The relative error this case had to stay under. */
  tolerance: number;
  pass: boolean;
}

export interface KernelCheckResult {
  kernel: string;
  cases: KernelCheckCase[];
  pass: boolean;
  /** Set when the kernel could not even run (compile error, GPU error); `cases` is then empty. */
  error?: string;
}

export interface KernelCheckOptions {
  /** WGSL to check instead of the runner's current source (the editor checks before swapping). */
  source?: string;
  overrides?: KernelOverrides;
}

export interface KernelSpec {
  /** Stable identifier, also the key for source overrides and the pipeline cache. */
  name: string;
  /** File under kernels/. */
  file: string;
  /** The shipped WGSL text (imported with ?raw). */
  builtinSource: string;
  entryPoint: string;
  /** One or two plain-English sentences for students. */
  description: string;
  bindings: BindingSpec[];
  uniforms: UniformField[];
  overrides: KernelOverrides;
  /** Threads per workgroup for the given overrides (the WGSL @workgroup_size). */
  workgroupSize(overrides: KernelOverrides): [number, number, number];
  /** Workgroups to dispatch for one call with these uniforms. */
  dispatch(uniforms: UniformValues, overrides: KernelOverrides): [number, number, number];
  /**
   * The CPU functions this kernel is checked against (a fused kernel has several), by reference, so
   * renaming one breaks the type check; ops/index.test.ts checks each name and file.
   */
  cpuTwins: readonly CpuTwin[];
  /** The step-by-step page (a route name) that shows this computation cell by cell, if one does. */
  stepper?: StepperRoute;
  /** Runs the kernel on several random shapes and compares with the CPU reference. */
  check(runner: KernelRunner, rng: SeededRandom, options?: KernelCheckOptions): Promise<KernelCheckResult>;
}

/** The spec's default overrides with the given ones on top. */
export function resolveOverrides(spec: KernelSpec, overrides?: KernelOverrides): KernelOverrides {
  return overrides ? { ...spec.overrides, ...overrides } : spec.overrides;
}

/** Routes of the step-by-step pages a kernel can point a student to. */
export type StepperRoute = 'matmul' | 'conv' | 'pool';

/** A CPU function a kernel is checked against, with where it lives for display. */
export interface CpuTwin {
  // The twins take many shapes of arguments; this is only ever compared, never called through here.
  readonly fn: (...args: never[]) => unknown;
  /** The function's name as exported (kept, because bundlers minify `fn.name`). */
  readonly name: string;
  /** Its file under src/engine, e.g. "ops/matmul/cpu.ts". */
  readonly file: string;
}

export function cpuTwin(fn: (...args: never[]) => unknown, name: string, file: string): CpuTwin {
  return { fn, name, file };
}
