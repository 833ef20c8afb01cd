import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_KERNELS, kernelByName } from './index';
import { hashSource, packUniforms, uniformByteLength } from '../kernel/runner';
import { MATMUL } from './matmul/specs';
import { resolveOverrides } from '../kernel/spec';
import { matmulDispatch, matmulUniforms } from './matmul/abi';

describe('the kernel table', () => {
  it.each(ALL_KERNELS.map((k) => [k.name, k] as const))('describes %s consistently with its WGSL file', (_, spec) => {
    const onDisk = readFileSync(new URL(`../../../kernels/${spec.file}`, import.meta.url), 'utf8');
    expect(spec.builtinSource).toBe(onDisk);
    expect(spec.builtinSource).toContain(`fn ${spec.entryPoint}(`);
    for (const name of Object.keys(spec.overrides))
      expect(spec.builtinSource).toMatch(new RegExp(`override ${name}\\b`));
    const numbers = spec.bindings.map((b) => b.binding);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const b of spec.bindings)
      expect(spec.builtinSource).toMatch(new RegExp(`@binding\\(${b.binding}\\) var<[^>]*> ${b.name}\\b`));
    expect(spec.bindings.filter((b) => b.access === 'uniform')).toHaveLength(spec.uniforms.length ? 1 : 0);
    const [x, y, z] = spec.workgroupSize(spec.overrides);
    expect(x * y * z).toBeLessThanOrEqual(256); // WebGPU's default maxComputeInvocationsPerWorkgroup
    expect(spec.description.length).toBeGreaterThan(20);
  });

  it.each(ALL_KERNELS.map((k) => [k.name, k] as const))("names %s's CPU twins truly", async (_, spec) => {
    expect(spec.cpuTwins.length).toBeGreaterThan(0);
    for (const twin of spec.cpuTwins) {
      // The shown name and file must be where the function really lives (it is exported there by that name).
      expect(twin.fn.name).toBe(twin.name);
      const module = (await import(`../${twin.file.replace(/\.ts$/, '')}`)) as Record<string, unknown>;
      expect(module[twin.name]).toBe(twin.fn);
    }
    // A stepper link must name a page that shows this computation.
    if (spec.stepper) expect(['matmul', 'conv', 'pool']).toContain(spec.stepper);
  });

  it('points the matmul, convolution and pooling kernels at their steppers', () => {
    const stepperOf = Object.fromEntries(ALL_KERNELS.map((k) => [k.name, k.stepper]));
    expect(stepperOf.matmul).toBe('matmul');
    expect(stepperOf.conv2d_forward).toBe('conv');
    expect(stepperOf.maxpool_forward).toBe('pool');
    expect(stepperOf.optimizer).toBeUndefined();
  });

  it('has unique kernel names and finds each by name', () => {
    expect(new Set(ALL_KERNELS.map((k) => k.name)).size).toBe(ALL_KERNELS.length);
    expect(kernelByName('matmul')).toBe(MATMUL);
    expect(() => kernelByName('nope')).toThrow(/Unknown kernel/);
  });

  it('layers given overrides on top of the defaults', () => {
    expect(resolveOverrides(MATMUL, { TILE_K: 8 })).toEqual({ WG_X: 16, WG_Y: 16, TILE_K: 8 });
    expect(resolveOverrides(MATMUL)).toEqual(MATMUL.overrides);
  });
});

describe('matmul dispatch and uniforms', () => {
  it('covers every output tile, including partial ones', () => {
    const o = { WG_X: 16, WG_Y: 8, TILE_K: 16 }; // tiles are 32 rows by 64 columns
    expect(matmulDispatch({ M: 1, N: 1, K: 1, flags: 0 }, o)).toEqual([1, 1, 1]);
    expect(matmulDispatch({ M: 32, N: 64, K: 9, flags: 0 }, o)).toEqual([1, 1, 1]);
    expect(matmulDispatch({ M: 33, N: 65, K: 9, flags: 0 }, o)).toEqual([2, 2, 1]);
  });

  it('sets one flag bit per option', () => {
    expect(matmulUniforms({ M: 2, K: 3, N: 4 })).toEqual({
      M: 2,
      N: 4,
      K: 3,
      flags: 0,
      splitK: 1,
      kChunk: 3,
      gateRate: 0,
      dropoutRate: 0,
      seed: 0,
      layerIndex: 0,
    });
    expect(matmulUniforms({ M: 2, K: 3, N: 4, relu: true, biasInB: true, onesRowA: true }).flags).toBe(16 + 32 + 64);
    // A dropout after the layer (matmul_reduce's), with and without the ReLU in its mask.
    const dropout = { rate: 0.5, seed: 2 ** 32 - 1, layerIndex: 9 };
    expect(matmulUniforms({ M: 2, K: 3, N: 4, splitK: 2, dropout: { ...dropout, foldRelu: true } })).toMatchObject({
      flags: 128 + 256,
      dropoutRate: 0.5,
      seed: 2 ** 32 - 1,
      layerIndex: 9,
    });
    expect(matmulUniforms({ M: 2, K: 3, N: 4, splitK: 2, dropout }).flags).toBe(128);
    // The backward pass of the layer before, done by matmul_small's input gradient (its gate).
    expect(matmulUniforms({ M: 2, K: 3, N: 4, transposeB: true, gate: { kind: 'dropout', rate: 0.25 } })).toMatchObject(
      { flags: 2 + 512, gateRate: 0.25 },
    );
    expect(matmulUniforms({ M: 2, K: 3, N: 4, transposeB: true, gate: { kind: 'relu' } })).toMatchObject({
      flags: 2 + 1024,
      gateRate: 0,
    });
    // Split K: chunks are whole multiples of the 16-deep tile and cover K.
    const split = matmulUniforms({ M: 2, K: 1000, N: 4, splitK: 3 });
    expect(split.splitK).toBe(3);
    expect(split.kChunk % 16).toBe(0);
    expect(split.kChunk * 3).toBeGreaterThanOrEqual(1000);
    expect(split.kChunk * 2).toBeLessThan(1000);
    expect(matmulUniforms({ M: 1, K: 1, N: 1, transposeA: true, accumulate: true }).flags).toBe(9);
    expect(matmulUniforms({ M: 1, K: 1, N: 1, transposeB: true, bias: true }).flags).toBe(6);
  });
});

describe('uniform packing', () => {
  const spec = {
    ...MATMUL,
    uniforms: [
      { name: 'n', type: 'u32' as const },
      { name: 'offset', type: 'i32' as const },
      { name: 'scale', type: 'f32' as const },
      { name: 'count', type: 'u32' as const },
      { name: 'alpha', type: 'f32' as const },
    ],
  };

  it('writes fields in table order with their own types, padded to 16 bytes', () => {
    expect(uniformByteLength(spec)).toBe(32);
    const data = packUniforms(spec, { n: 7, offset: -3, scale: 0.5, count: 4294967295, alpha: 1.25 });
    const view = new DataView(data);
    expect(data.byteLength).toBe(32);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getInt32(4, true)).toBe(-3);
    expect(view.getFloat32(8, true)).toBe(0.5);
    expect(view.getUint32(12, true)).toBe(4294967295);
    expect(view.getFloat32(16, true)).toBe(1.25);
  });

  it('refuses to pack when a named value is missing', () => {
    expect(() => packUniforms(spec, { n: 1, offset: 0, scale: 1, count: 1 })).toThrow(/missing uniform "alpha"/);
  });

  it('fingerprints different sources differently and the same source the same', () => {
    expect(hashSource(MATMUL.builtinSource)).toBe(hashSource(String(MATMUL.builtinSource)));
    expect(hashSource(MATMUL.builtinSource)).not.toBe(hashSource(MATMUL.builtinSource + ' '));
    expect(hashSource('')).toMatch(/^[0-9a-f]{8}$/);
  });
});
