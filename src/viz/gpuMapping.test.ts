import { describe, expect, it } from 'vitest';
import { CONV2D_FORWARD } from '../engine/ops/conv2d/specs';
import { conv2dGeometry } from '../engine/ops/conv2d/cpu';
import { convThreadFor, convTileSizes, matmulThreadFor, matmulTileSizes } from './gpuMapping';
import { MATMUL } from '../engine/ops/matmul/specs';
import { conv2dUniforms } from '../engine/ops/conv2d/abi';

describe('matmulThreadFor', () => {
  it("derives the tile from the kernel table's dispatch and workgroup size", () => {
    const t = matmulThreadFor(MATMUL, 3, 2, 2, 0, 0);
    const [wx, wy] = MATMUL.workgroupSize(MATMUL.overrides);
    expect(t.workgroupSize).toEqual([wx, wy, 1]);
    expect(t.tile.cols % wx).toBe(0);
    expect(MATMUL.dispatch({ M: 1, N: t.tile.cols, K: 1, flags: 0 }, MATMUL.overrides)[0]).toBe(1);
    expect(MATMUL.dispatch({ M: 1, N: t.tile.cols + 1, K: 1, flags: 0 }, MATMUL.overrides)[0]).toBe(2);
    expect(t.workgroups).toEqual([1, 1, 1]);
  });

  it('gives every output cell of a product spanning several tiles its own thread and register', () => {
    const o = { WG_X: 4, WG_Y: 2, TILE_K: 4 };
    const M = 21;
    const N = 37;
    const seen = new Set<string>();
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < N; c++) {
        const t = matmulThreadFor(MATMUL, M, 5, N, r, c, o);
        expect(t.local.x).toBeLessThan(4);
        expect(t.local.y).toBeLessThan(2);
        expect(t.workgroup.x).toBeLessThan(t.workgroups[0]);
        expect(t.workgroup.y).toBeLessThan(t.workgroups[1]);
        // The WGSL store: n = col0 + lid.x + c * WG_X, m = row0 + lid.y + r * WG_Y.
        expect(t.workgroup.x * t.tile.cols + t.local.x + t.register.c * 4).toBe(c);
        expect(t.workgroup.y * t.tile.rows + t.local.y + t.register.r * 2).toBe(r);
        seen.add(JSON.stringify([t.workgroup, t.local, t.register]));
      }
    }
    expect(seen.size).toBe(M * N);
  });

  it('follows a changed workgroup size', () => {
    // With 1x1 workgroups a workgroup covers 4x4 outputs, so C[7,6] is in workgroup (1, 1).
    expect(matmulThreadFor(MATMUL, 8, 8, 8, 7, 6, { WG_X: 1, WG_Y: 1 }).workgroup).toEqual({ x: 1, y: 1 });
    expect(matmulThreadFor(MATMUL, 8, 8, 8, 7, 6).workgroup).toEqual({ x: 0, y: 0 });
  });
});

describe('matmulTileSizes', () => {
  it("reads the real tile from the table: dispatch's block of C and the TILE_K override", () => {
    const t = matmulTileSizes(MATMUL);
    expect(t.depth).toBe(MATMUL.overrides.TILE_K);
    expect(MATMUL.dispatch({ M: t.rows, N: t.cols, K: 1, flags: 0 }, MATMUL.overrides)).toEqual([1, 1, 1]);
    expect(MATMUL.dispatch({ M: t.rows + 1, N: t.cols + 1, K: 1, flags: 0 }, MATMUL.overrides)).toEqual([2, 2, 1]);
    expect(matmulTileSizes(MATMUL, { WG_X: 2, WG_Y: 1, TILE_K: 3 })).toEqual({
      rows: t.rows / MATMUL.overrides.WG_Y,
      cols: (t.cols / MATMUL.overrides.WG_X) * 2,
      depth: 3,
    });
  });
});

describe('convThreadFor', () => {
  const uniformsFor = (batch: number, outC: number, H: number, W: number, k: number, stride: number, pad: number) =>
    conv2dUniforms(conv2dGeometry(batch, [1, H, W], outC, k, stride, pad), { bias: false });

  it('derives the tile of conv2d_forward from its dispatch and workgroup size', () => {
    const u = uniformsFor(1, 1, 4, 4, 3, 1, 0);
    const t = convThreadFor(CONV2D_FORWARD, u, { b: 0, oc: 0, oy: 1, ox: 1 });
    const [wx, wy] = CONV2D_FORWARD.workgroupSize(CONV2D_FORWARD.overrides);
    expect(t.workgroupSize).toEqual([wx, wy, 1]);
    expect(t.matrix).toEqual({ M: 4, N: 1 });
    expect(t.position).toBe(3);
    expect(t.workgroups).toEqual([1, 1, 1]);
    const one = { ...u, outH: 1, outC: 1 };
    expect(CONV2D_FORWARD.dispatch({ ...one, outW: t.tile.positions }, CONV2D_FORWARD.overrides)[0]).toBe(1);
    expect(CONV2D_FORWARD.dispatch({ ...one, outW: t.tile.positions + 1 }, CONV2D_FORWARD.overrides)[0]).toBe(2);
    expect(CONV2D_FORWARD.dispatch({ ...one, outW: 1, outC: t.tile.channels + 1 }, CONV2D_FORWARD.overrides)[1]).toBe(
      2,
    );
    expect(t.perThread.positions * wx).toBe(t.tile.positions);
    expect(t.local).toEqual({ x: 3, y: 0 });
    expect(t.register).toEqual({ r: 0, c: 0, index: 0 });
    expect(convTileSizes(CONV2D_FORWARD, u)).toEqual({
      rows: t.tile.positions,
      cols: t.tile.channels,
      depth: CONV2D_FORWARD.overrides.TILE_K,
    });
  });

  it('matches the WGSL store for every output of a multi-tile, multi-image call, each with its own thread and register', () => {
    const o = { WG_X: 2, WG_Y: 3, TILE_K: 4 };
    const u = uniformsFor(2, 14, 7, 6, 3, 1, 1);
    const seen = new Set<string>();
    for (let b = 0; b < 2; b++) {
      for (let oc = 0; oc < 14; oc++) {
        for (let oy = 0; oy < u.outH; oy++) {
          for (let ox = 0; ox < u.outW; ox++) {
            const t = convThreadFor(CONV2D_FORWARD, u, { b, oc, oy, ox }, o);
            // WGSL: m = m0 + lid.x + r * WG_X, n = n0 + lid.y + c * WG_Y, acc[r * TN + c].
            expect(t.workgroup.x * t.tile.positions + t.local.x + t.register.r * 2).toBe(t.position);
            expect(t.workgroup.y * t.tile.channels + t.local.y + t.register.c * 3).toBe(oc);
            expect(t.local.x).toBeLessThan(2);
            expect(t.local.y).toBeLessThan(3);
            expect(t.workgroup.x).toBeLessThan(t.workgroups[0]);
            expect(t.workgroup.y).toBeLessThan(t.workgroups[1]);
            expect(t.register.index).toBeLessThan(t.perThread.positions * t.perThread.channels);
            seen.add(JSON.stringify([t.workgroup, t.local, t.register.index]));
          }
        }
      }
    }
    expect(seen.size).toBe(2 * 14 * u.outH * u.outW);
  });

  it('follows a changed workgroup size', () => {
    const u = uniformsFor(1, 1, 12, 12, 3, 1, 0); // 10x10 = 100 positions
    // Position 99: past a 64-position tile (16 threads x 4), inside a 128-position one (32 x 4).
    expect(convThreadFor(CONV2D_FORWARD, u, { b: 0, oc: 0, oy: 9, ox: 9 }, { WG_X: 16 }).workgroup.x).toBe(1);
    expect(convThreadFor(CONV2D_FORWARD, u, { b: 0, oc: 0, oy: 9, ox: 9 }, { WG_X: 32 }).workgroup.x).toBe(0);
  });
});
