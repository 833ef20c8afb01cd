/** The pool kernels' interface with TypeScript: flags, uniform values and dispatch sizes. */
import type { UniformField, UniformValues } from '../../kernel/spec';
import { type Pool2dGeometry } from './cpu';
import { dropoutAfterUniforms, type DropoutAfter } from '../dropout/abi';
import { gridStrideDispatch } from '../../kernel/dispatch';

/** The uniform values of every pool kernel for a geometry from cpu/pool.ts pool2dGeometry. */
export function poolUniforms(g: Pool2dGeometry): UniformValues {
  return {
    batch: g.batch,
    channels: g.channels,
    inH: g.inHeight,
    inW: g.inWidth,
    size: g.size,
    stride: g.stride,
    outH: g.outHeight,
    outW: g.outWidth,
  };
}

/** maxpool_forward's uniforms: the pool's, and with `dropout` the dropout applied to its output. */
export function maxPoolForwardUniforms(g: Pool2dGeometry, dropout?: DropoutAfter): UniformValues {
  return { ...poolUniforms(g), dropout: dropout ? 1 : 0, ...dropoutAfterUniforms(dropout) };
}

/**
 * maxpool_backward's uniforms: the pool's, and with `dropoutRate` the rate of a dropout layer right
 * after the pooling, whose backward pass the kernel then does too (binding `mask`).
 */

export function maxPoolBackwardUniforms(g: Pool2dGeometry, dropoutRate?: number): UniformValues {
  return { ...poolUniforms(g), dropout: dropoutRate === undefined ? 0 : 1, dropoutRate: dropoutRate ?? 0 };
}

export const POOL_UNIFORMS: UniformField[] = ['batch', 'channels', 'inH', 'inW', 'size', 'stride', 'outH', 'outW'].map(
  (name) => ({
    name,
    type: 'u32' as const,
  }),
);

/** Forward kernels have a thread per output; backward (gather) kernels a thread per input cell. */
export function outputDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return gridStrideDispatch(u.batch * u.channels * u.outH * u.outW, o.WG);
}

export function inputDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return gridStrideDispatch(u.batch * u.channels * u.inH * u.inW, o.WG);
}

/** maxpool_backward scatters from the outputs when the windows tile the image (stride == size). */
export function maxBackwardDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return u.stride === u.size ? outputDispatch(u, o) : inputDispatch(u, o);
}
