import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Passing an array as arguments (`Math.max(...xs)`, `out.push(...xs)`) overflows the stack at
 * around 100,000 elements, and a link can carry that many values. The steppers' code must use
 * loops instead; this scans it so a new spread of that kind cannot slip in.
 */
const FOLDERS = ['./', '../ui/stepper/'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
const SPREAD_CALL = /(?:Math\.(?:max|min)|\.push|\.unshift|String\.fromCharCode)\(\s*(?:[^()]*,\s*)?\.\.\./;

function sources(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'))
    .map((f) => join(folder, f));
}

describe('the steppers never spread an array into a call', () => {
  it('finds no Math.max(...), Math.min(...), push(...) or fromCharCode(...) spreads in src/viz and src/ui/stepper', () => {
    const found: string[] = [];
    for (const file of FOLDERS.flatMap(sources)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SPREAD_CALL.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('the check itself catches the kind of spread that crashed the page', () => {
    expect(SPREAD_CALL.test('const nCols = Math.max(...rows.map((r) => r.length));')).toBe(true);
    expect(SPREAD_CALL.test('const max = Math.max(1, ...counts);')).toBe(true);
    expect(SPREAD_CALL.test('out.push(...values);')).toBe(true);
    expect(SPREAD_CALL.test('const next = { ...d, ...patch };')).toBe(false);
  });
});
