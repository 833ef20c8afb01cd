/**
 * gather_batch: builds a normalised mini-batch on the GPU from the packed-u8 data set that lives
 * there, by shuffled order (training) or sequentially with padding (evaluation). Checked bit for
 * bit against cpu/batch.ts gatherBatch.
 */
import type { KernelSpec } from '../../kernel/spec';
import { gatherBatch } from './cpu';
import gatherBatchSource from '../../../../kernels/gather_batch.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { checkGatherBatch } from './check';
import { gridStrideDispatch } from '../../kernel/dispatch';

export const GATHER_BATCH: KernelSpec = {
  name: 'gather_batch',
  file: 'gather_batch.wgsl',
  builtinSource: gatherBatchSource,
  entryPoint: 'main',
  description:
    'Builds the next mini-batch on the GPU: picks the images of this step from the shuffled order, turns each ' +
    'pixel byte into a number around 0 ((p/255 − mean)/std), and copies the labels. The whole data set stays on the GPU.',
  bindings: [
    {
      binding: 0,
      name: 'images',
      access: 'read',
      description: 'All images as bytes packed 4 per u32 [count * pixels].',
    },
    { binding: 1, name: 'labels', access: 'read', description: 'All labels as bytes packed 4 per u32 [count].' },
    {
      binding: 2,
      name: 'perm',
      access: 'read',
      description: 'u32 shuffled image order of this epoch (training mode).',
      optional: true,
    },
    {
      binding: 3,
      name: 'train_state',
      access: 'read',
      description: 'u32 [global step, step in epoch] (training mode).',
      optional: true,
    },
    { binding: 4, name: 'x_out', access: 'read_write', description: 'The normalised batch [batch, pixels] as f32.' },
    {
      binding: 5,
      name: 'y_out',
      access: 'read_write',
      description: 'u32 labels [batch]; 0xffffffff marks evaluation padding.',
    },
    {
      binding: 6,
      name: 'params',
      access: 'uniform',
      description: 'batch, pixels, mean, stdDev, mode (0 train, 1 evaluate), offset, count.',
    },
  ],
  uniforms: [
    { name: 'batch', type: 'u32' },
    { name: 'pixels', type: 'u32' },
    { name: 'mean', type: 'f32' },
    { name: 'stdDev', type: 'f32' },
    { name: 'mode', type: 'u32' },
    { name: 'offset', type: 'u32' },
    { name: 'count', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: (o) => [o.WG, 1, 1],
  dispatch: (u, o) => gridStrideDispatch(u.batch * u.pixels, o.WG),
  cpuTwins: [cpuTwin(gatherBatch, 'gatherBatch', 'ops/batch/cpu.ts')],
  check: (runner, rng, options) => checkGatherBatch(GATHER_BATCH, runner, rng, options),
};
