/** Workgroup sizes and counts shared by the one-dimensional (element-wise) kernels of several families. */
import type { KernelOverrides, UniformValues } from './spec';

/** Workgroups for a grid-stride kernel: one thread per item, capped at the 65535 per-dimension minimum limit. */
export function gridStrideDispatch(items: number, workgroupSize: number): [number, number, number] {
  return [Math.max(1, Math.min(65535, Math.ceil(items / workgroupSize))), 1, 1];
}

/** `@workgroup_size(WG)`: a kernel's threads per workgroup from its WG override. */
export const linearWorkgroup = (o: KernelOverrides): [number, number, number] => [o.WG, 1, 1];

/** One thread per element of `uniforms.count`, grid-stride beyond the dispatch limit. */
export const countDispatch = (u: UniformValues, o: KernelOverrides): [number, number, number] =>
  gridStrideDispatch(u.count, o.WG);
