/**
 * The kernel editor's requests to the trainer Worker and their results. They travel inside one
 * protocol message pair (`kernelEdit` → `kernelEdited`, see protocol.ts) so the shared protocol
 * only grows by a few lines; `op` tells the cases apart.
 */
import type { CompileMessage } from '../engine/kernel/runner';
import type { KernelBenchResult } from '../engine/kernel/bench';
import type { KernelCheckResult } from '../engine/kernel/spec';

export type KernelEditRequest =
  /** Compile only, for the editor's error markers. */
  | { op: 'compile'; kernel: string; source: string }
  /** Run the kernel's check (random shapes against the CPU reference) on the edited source. */
  | { op: 'test'; kernel: string; source: string; seed?: number }
  /** Time the edited source against the built-in one on a representative call. */
  | { op: 'benchmark'; kernel: string; source: string }
  /** Swap the source into training; refused unless it passes the check. */
  | { op: 'use'; kernel: string; source: string; seed?: number }
  /** Put the built-in source back (one kernel, or all when `kernel` is left out). */
  | { op: 'revert'; kernel?: string }
  | { op: 'status' };

export type KernelEditResult =
  | { op: 'compile'; ok: boolean; messages: CompileMessage[] }
  /** `deviceLost` when the test killed (or timed out) the editor's GPU device; a fresh one is made next time. */
  | { op: 'test'; result: KernelCheckResult; ms: number; deviceLost?: boolean }
  | { op: 'benchmark'; result: KernelBenchResult | null; error?: string; deviceLost?: boolean }
  /** `ok` false with a sentence saying why (failed check, compile error, no GPU). */
  | { op: 'use'; ok: boolean; message: string; result?: KernelCheckResult; inUse: string[] }
  | { op: 'revert'; inUse: string[] }
  | { op: 'status'; inUse: string[] };

/** The result type for a request type. */
export type KernelEditResultOf<O extends KernelEditRequest['op']> = Extract<KernelEditResult, { op: O }>;
