import { describe, expect, it } from 'vitest';
import { MATMUL } from '../engine/kernels';
import { matmulThreadFor } from './gpuMapping';

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
