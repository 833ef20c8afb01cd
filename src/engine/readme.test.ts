/** Keeps src/engine/README.md true: its tables are how a newcomer finds a kernel's whole story. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_KERNELS } from './ops';

const engine = new URL('./', import.meta.url);
const repo = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', engine), 'utf8');
/** The family table's rows: `ops/<family>/` | kernels | stepper. */
const rows = [...readme.matchAll(/^\| `ops\/(\w+)\/` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
  family: m[1],
  kernels: [...m[2].matchAll(/`(\w+)`/g)].map((k) => k[1]),
}));

describe('src/engine/README.md', () => {
  it('lists every family folder under ops/, and only those', () => {
    const folders = readdirSync(new URL('ops/', engine), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(rows.map((r) => r.family).sort()).toEqual(folders.sort());
  });

  it('lists every kernel of the table once, under the family whose specs.ts defines it', async () => {
    const listed = rows.flatMap((r) => r.kernels);
    expect([...listed].sort()).toEqual(ALL_KERNELS.map((k) => k.name).sort());
    for (const { family, kernels } of rows) {
      const specs = (await import(`./ops/${family}/specs.ts`)) as Record<string, unknown>;
      const defined = Object.values(specs).map(
        (v) => (v as { name?: unknown; check?: unknown }).check && (v as { name: string }).name,
      );
      for (const name of kernels) expect(defined, `${name} in ops/${family}/specs.ts`).toContain(name);
    }
  });

  it('names only paths that exist', () => {
    const paths = [...readme.matchAll(/`((?:src\/|ops\/|kernel\/|train\/|cpu\/|export\/)[\w/.-]+)`/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(20);
    for (const p of paths) {
      const where = p.startsWith('src/') ? new URL(p, repo) : new URL(p, engine);
      expect(existsSync(where), p).toBe(true);
    }
  });
});
