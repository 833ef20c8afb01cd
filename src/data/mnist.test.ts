import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx';
import { loadMnistSplit, MnistLoadError, type MnistManifestFile, type MnistProgress } from './mnist';

const BASE = 'https://example.test/app/data/mnist/';

/** A crafted split of `count` images whose pixel p of image i is (i * 7 + p) % 256. */
function craftSplit(count: number, labelValues = Array.from({ length: count }, (_, i) => i % 10)) {
  const pixels = Uint8Array.from({ length: count * 784 }, (_, k) => (Math.floor(k / 784) * 7 + (k % 784)) % 256);
  const imagesRaw = encodeIdx([count, 28, 28], pixels);
  const labelsRaw = encodeIdx([labelValues.length], Uint8Array.from(labelValues));
  return {
    pixels,
    imagesRaw,
    labelsRaw,
    imagesGz: gzipSync(imagesRaw, { level: 9 }),
    labelsGz: gzipSync(labelsRaw, { level: 9 }),
  };
}

type Served = { status?: number; body?: Uint8Array; contentType?: string };

/** Builds the manifest entries the prepare script would write for these files. */
function manifestFor(
  split: 'train' | 'test',
  files: { images: [Uint8Array, Uint8Array]; labels: [Uint8Array, Uint8Array] },
  count: number,
) {
  const entry = (kind: 'images' | 'labels', [gz, raw]: [Uint8Array, Uint8Array]): MnistManifestFile => ({
    name: `${split}-${kind}.idx${kind === 'images' ? 3 : 1}.gz`,
    split,
    kind,
    bytes: gz.length,
    rawBytes: raw.length,
    sha256: '',
    count,
    dims: kind === 'images' ? [count, 28, 28] : [count],
  });
  return { format: 1, dataset: 'mnist', files: [entry('images', files.images), entry('labels', files.labels)] };
}

/**
 * An in-memory fetch serving `routes` (keyed by file name under BASE) in chunks of `chunkSize`
 * bytes, erroring the body like a real fetch when the signal aborts. Records the URLs asked for.
 */
function fakeFetch(routes: Record<string, Served>, chunkSize = 1000) {
  const requested: string[] = [];
  const impl: typeof fetch = async (input, init) => {
    const url = String(input);
    requested.push(url);
    init?.signal?.throwIfAborted();
    const name = url.startsWith(BASE) ? url.slice(BASE.length) : url.slice(url.lastIndexOf('/') + 1);
    const route = routes[name];
    if (!route) return new Response('Not Found', { status: 404, statusText: 'Not Found' });
    const body = route.body ?? new Uint8Array(0);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        init?.signal?.addEventListener('abort', () => controller.error(init.signal!.reason), { once: true });
      },
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (init?.signal?.aborted) return;
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.slice(offset, offset + chunkSize));
        offset += chunkSize;
      },
    });
    return new Response(stream, {
      status: route.status ?? 200,
      headers: { 'content-type': route.contentType ?? 'application/octet-stream' },
    });
  };
  return { impl, requested };
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Serves a valid crafted test split; `override` replaces individual routes. */
function testSplitRoutes(count = 3, override: Record<string, Served> = {}) {
  const s = craftSplit(count);
  const manifest = manifestFor('test', { images: [s.imagesGz, s.imagesRaw], labels: [s.labelsGz, s.labelsRaw] }, count);
  const routes: Record<string, Served> = {
    'manifest.json': { body: json(manifest), contentType: 'application/json' },
    'test-images.idx3.gz': { body: s.imagesGz },
    'test-labels.idx1.gz': { body: s.labelsGz },
    ...override,
  };
  return { ...s, manifest, routes };
}

async function loadError(promise: Promise<unknown>): Promise<MnistLoadError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MnistLoadError);
  return err as MnistLoadError;
}

describe('loadMnistSplit with an in-memory server', () => {
  it('decodes images and labels into tight arrays of count * 784 and count bytes', async () => {
    const { routes, pixels } = testSplitRoutes(3);
    const set = await loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl });
    expect(set.count).toBe(3);
    expect([set.rows, set.cols]).toEqual([28, 28]);
    expect(set.images.length).toBe(3 * 784);
    expect(set.images.byteOffset).toBe(0);
    expect(set.images.buffer.byteLength).toBe(3 * 784);
    expect(set.images).toEqual(pixels);
    expect(Array.from(set.labels)).toEqual([0, 1, 2]);
  });

  it('reports progress in compressed bytes that rises to exactly totalBytes', async () => {
    const { routes, imagesGz, labelsGz } = testSplitRoutes(20);
    const events: MnistProgress[] = [];
    await loadMnistSplit('test', {
      baseUrl: BASE,
      fetchImpl: fakeFetch(routes, 97).impl,
      onProgress: (p) => events.push(p),
    });
    const total = imagesGz.length + labelsGz.length;
    expect(events.length).toBeGreaterThan(5); // many chunks, not just a start and an end
    expect(events.every((e) => e.totalBytes === total)).toBe(true);
    for (let i = 1; i < events.length; i++)
      expect(events[i].loadedBytes).toBeGreaterThanOrEqual(events[i - 1].loadedBytes);
    expect(events.at(-1)!.loadedBytes).toBe(total);
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['test-images.idx3.gz', 'test-labels.idx1.gz']));
  });

  it('joins a base URL that lacks the trailing slash', async () => {
    const { routes } = testSplitRoutes(1);
    const fake = fakeFetch(routes);
    await loadMnistSplit('test', { baseUrl: BASE.slice(0, -1), fetchImpl: fake.impl });
    expect(fake.requested).toContain(`${BASE}test-images.idx3.gz`);
  });

  it('explains a missing image file (HTTP 404) and how to prepare it', async () => {
    const { routes } = testSplitRoutes(2);
    delete routes['test-images.idx3.gz'];
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('not-found');
    expect(err.url).toBe(`${BASE}test-images.idx3.gz`);
    expect(err.message).toBe(
      `The MNIST test images were not found at ${BASE}test-images.idx3.gz; run \`npm run build\` (or \`npm start\`), which prepares them.`,
    );
  });

  it('treats an HTML page served in place of the manifest (a dev server fallback) as missing', async () => {
    const { routes } = testSplitRoutes(2, {
      'manifest.json': {
        body: new TextEncoder().encode('<!doctype html><title>app</title>'),
        contentType: 'text/html',
      },
    });
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('not-found');
    expect(err.message).toMatch(/manifest\.json\) were not found at .*manifest\.json; run `npm run build`/);
  });

  it('names the status of other HTTP errors', async () => {
    const { routes } = testSplitRoutes(2, { 'test-labels.idx1.gz': { status: 503 } });
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('http');
    expect(err.message).toMatch(/HTTP 503 when asked for the MNIST test labels/);
  });

  it('turns a failed network request into a network error naming the file', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: failing }));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/Could not download the MNIST data files .*\(fetch failed\)/);
  });

  it('reports a corrupt gzip body of the right length as a file that could not be decompressed', async () => {
    const { routes, imagesGz } = testSplitRoutes(3);
    const damaged = imagesGz.slice();
    for (let i = 20; i < damaged.length - 20; i += 3) damaged[i] ^= 0xa5;
    routes['test-images.idx3.gz'] = { body: damaged };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/The MNIST test images file at .* is corrupt: it could not be decompressed/);
  });

  it('reports a gzip stream that ends early as corrupt even when its size matches the manifest', async () => {
    const s = craftSplit(3);
    const cut = s.imagesGz.subarray(0, s.imagesGz.length - 40);
    const manifest = manifestFor('test', { images: [cut, s.imagesRaw], labels: [s.labelsGz, s.labelsRaw] }, 3);
    const routes = {
      'manifest.json': { body: json(manifest) },
      'test-images.idx3.gz': { body: cut },
      'test-labels.idx1.gz': { body: s.labelsGz },
    };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/could not be decompressed/);
  });

  it('says a download was cut short when fewer bytes arrive than the manifest lists', async () => {
    const { routes, imagesGz } = testSplitRoutes(3);
    routes['test-images.idx3.gz'] = { body: imagesGz.subarray(0, 100) };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('mismatch');
    expect(err.message).toMatch(
      new RegExp(`is 100 bytes, but the manifest says ${imagesGz.length}: the download was cut short`),
    );
  });

  it('rejects a body that is neither gzip nor the raw file', async () => {
    const { routes } = testSplitRoutes(3, { 'test-labels.idx1.gz': { body: new Uint8Array([1, 2, 3, 4]) } });
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/MNIST test labels file .* is not gzip data/);
  });

  it('accepts raw IDX bytes from a server that already undid the gzip, with progress still ending at totalBytes', async () => {
    const { routes, imagesRaw, imagesGz, labelsGz, pixels } = testSplitRoutes(4);
    routes['test-images.idx3.gz'] = { body: imagesRaw };
    const events: MnistProgress[] = [];
    const set = await loadMnistSplit('test', {
      baseUrl: BASE,
      fetchImpl: fakeFetch(routes).impl,
      onProgress: (p) => events.push(p),
    });
    expect(set.images).toEqual(pixels);
    expect(Math.max(...events.map((e) => e.loadedBytes))).toBe(imagesGz.length + labelsGz.length);
  });

  it('checks the decompressed size against the manifest', async () => {
    const { routes, manifest } = testSplitRoutes(2);
    manifest.files[0].rawBytes += 1;
    routes['manifest.json'] = { body: json(manifest) };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('mismatch');
    expect(err.message).toMatch(/decompressed to 1584 bytes, but the manifest says 1585/);
  });

  it('reports image and label files whose counts disagree', async () => {
    const s = craftSplit(3, [1, 2]);
    const manifest = manifestFor('test', { images: [s.imagesGz, s.imagesRaw], labels: [s.labelsGz, s.labelsRaw] }, 3);
    const routes = {
      'manifest.json': { body: json(manifest) },
      'test-images.idx3.gz': { body: s.imagesGz },
      'test-labels.idx1.gz': { body: s.labelsGz },
    };
    const err = await loadError(loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('mismatch');
    expect(err.message).toMatch(/do not fit together. There are 3 MNIST images but 2 labels/);
  });

  it('reports a manifest that does not list the requested split', async () => {
    const { routes } = testSplitRoutes(2);
    const err = await loadError(loadMnistSplit('train', { baseUrl: BASE, fetchImpl: fakeFetch(routes).impl }));
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/does not describe the training images/);
  });

  it('rejects with the abort reason, not a MnistLoadError, when aborted mid-download', async () => {
    const { routes } = testSplitRoutes(20);
    const controller = new AbortController();
    const promise = loadMnistSplit('test', {
      baseUrl: BASE,
      fetchImpl: fakeFetch(routes, 50).impl,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.loadedBytes > 0) controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('does not fetch anything when the signal is already aborted', async () => {
    const fake = fakeFetch(testSplitRoutes(1).routes);
    await expect(
      loadMnistSplit('test', { baseUrl: BASE, fetchImpl: fake.impl, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.requested).toEqual([]);
  });
});

describe('loadMnistSplit with the prepared files', () => {
  const dataDir = fileURLToPath(new URL('../../public/data/mnist/', import.meta.url));

  beforeAll(() => {
    if (!existsSync(`${dataDir}manifest.json`)) {
      execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/prepare-mnist.mjs', import.meta.url))], {
        stdio: 'inherit',
      });
    }
  }, 120_000);

  it('loads the real test split: 10,000 images of 784 bytes with every digit among the labels', async () => {
    const fromDisk: typeof fetch = async (input) => {
      const path = fileURLToPath(String(input));
      if (!existsSync(path)) return new Response(null, { status: 404 });
      return new Response(new Uint8Array(await readFile(path)));
    };
    const set = await loadMnistSplit('test', { baseUrl: pathToFileURL(dataDir).href, fetchImpl: fromDisk });
    expect(set.count).toBe(10_000);
    expect(set.images.length).toBe(10_000 * 784);
    expect(set.labels.length).toBe(10_000);
    expect(new Set(set.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    // The first test digit of MNIST is a 7 (a known fact of the data set, not of our code).
    expect(set.labels[0]).toBe(7);
    expect(set.images.some((p) => p > 0)).toBe(true);
  });
});
