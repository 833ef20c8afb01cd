/**
 * Loads one MNIST split (images + labels) from the gzipped IDX files that scripts/prepare-mnist.mjs
 * writes to public/data/mnist/. Uses only fetch, Response, Blob and DecompressionStream, which are
 * globals in browsers, Workers and Node 20, so it runs on the main thread, in the trainer Worker and in tests.
 */
import { IdxFormatError, parseIdx, validateMnistPair } from './idx';

/** One decoded split: `images` holds `count` 28x28 images, one byte per pixel (0-255), row-major. */
export interface MnistSet {
  /** count * 784 bytes. */
  images: Uint8Array;
  /** count digits, 0 to 9. */
  labels: Uint8Array;
  count: number;
  rows: 28;
  cols: 28;
}

export type MnistSplit = 'train' | 'test';

/** Progress over both files of a split, in compressed bytes (what crosses the network). */
export interface MnistProgress {
  loadedBytes: number;
  totalBytes: number;
  /** The file that just made progress, e.g. "test-images.idx3.gz". */
  file: string;
}

export interface LoadMnistOptions {
  /** URL of the folder holding manifest.json, e.g. `new URL('data/mnist/', document.baseURI).href`. */
  baseUrl: string;
  onProgress?: (progress: MnistProgress) => void;
  /** Aborting rejects with the signal's reason (an AbortError by default), not with MnistLoadError. */
  signal?: AbortSignal;
  /** Replaces the global fetch (tests pass an in-memory one). */
  fetchImpl?: typeof fetch;
}

/** One file entry of manifest.json, as written by scripts/prepare-mnist.mjs. */
export interface MnistManifestFile {
  name: string;
  split: MnistSplit;
  kind: 'images' | 'labels';
  /** Size of the .gz file. */
  bytes: number;
  /** Size of the decompressed IDX file. */
  rawBytes: number;
  sha256: string;
  count: number;
  dims: number[];
  rows?: number;
  cols?: number;
}

export interface MnistManifest {
  format: number;
  dataset: string;
  files: MnistManifestFile[];
}

/** Why a load failed, for code that reacts differently (e.g. offers a retry only for 'network'). */
export type MnistLoadErrorKind = 'not-found' | 'http' | 'network' | 'corrupt' | 'mismatch';

/** A failed load, with a message written for a student rather than for a stack trace. */
export class MnistLoadError extends Error {
  override name = 'MnistLoadError';
  constructor(
    message: string,
    readonly kind: MnistLoadErrorKind,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const PREPARE_HINT = 'run `npm run build` (or `npm start`), which prepares them';

/** Downloads, decompresses, checks and decodes one MNIST split. */
export async function loadMnistSplit(split: MnistSplit, options: LoadMnistOptions): Promise<MnistSet> {
  const outer = options.signal;
  outer?.throwIfAborted();
  // An inner controller lets a failure in one download cancel the other one.
  const inner = new AbortController();
  const forwardAbort = () => inner.abort(outer?.reason);
  outer?.addEventListener('abort', forwardAbort, { once: true });
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const ctx: FetchContext = { base, doFetch, signal: inner.signal, outer };
  try {
    const manifest = await fetchManifest(ctx);
    const imagesEntry = manifestEntry(manifest, split, 'images', ctx);
    const labelsEntry = manifestEntry(manifest, split, 'labels', ctx);

    const totalBytes = imagesEntry.bytes + labelsEntry.bytes;
    const loaded = new Map<string, number>();
    const report = (file: string, fileLoaded: number) => {
      loaded.set(file, fileLoaded);
      let loadedBytes = 0;
      for (const n of loaded.values()) loadedBytes += n;
      options.onProgress?.({ loadedBytes, totalBytes, file });
    };

    const [imagesRaw, labelsRaw] = await Promise.all(
      [imagesEntry, labelsEntry].map((entry) =>
        fetchIdxFile(entry, ctx, (n) => report(entry.name, n)).catch((err: unknown) => {
          inner.abort(err);
          throw err;
        }),
      ),
    );

    const images = decode(imagesRaw, imagesEntry, ctx);
    const labels = decode(labelsRaw, labelsEntry, ctx);
    let count: number;
    try {
      count = validateMnistPair(images, labels, imagesEntry.count).count;
    } catch (err) {
      if (!(err instanceof IdxFormatError)) throw err;
      throw new MnistLoadError(
        `The MNIST ${splitName(split)} files do not fit together. ${err.message} Run \`npm run build\` to prepare them again.`,
        'mismatch',
        ctx.base,
        { cause: err },
      );
    }
    // Copies so each array owns a tight buffer (the parsed views start after the IDX header).
    return { images: images.data.slice(), labels: labels.data.slice(), count, rows: 28, cols: 28 };
  } catch (err) {
    if (outer?.aborted) throw outer.reason;
    throw err;
  } finally {
    outer?.removeEventListener('abort', forwardAbort);
  }
}

interface FetchContext {
  base: string;
  doFetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  signal: AbortSignal;
  outer: AbortSignal | undefined;
}

const splitName = (split: MnistSplit) => (split === 'train' ? 'training' : 'test');
const fileLabel = (entry: MnistManifestFile) => `MNIST ${splitName(entry.split)} ${entry.kind}`;

function resolveUrl(base: string, name: string): string {
  try {
    return new URL(name, base).href;
  } catch {
    return base + name; // a relative base (no scheme) cannot be parsed alone; plain joining is what fetch expects
  }
}

/** Fetches a URL, turning network failures, 404s and HTML fallback pages into MnistLoadErrors. */
async function fetchOk(url: string, what: string, hint: string, ctx: FetchContext): Promise<Response> {
  let response: Response;
  try {
    response = await ctx.doFetch(url, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new MnistLoadError(
      `Could not download the ${what} from ${url} (${errorText(err)}). Check that the page's server is still running, then try again.`,
      'network',
      url,
      { cause: err },
    );
  }
  // A dev server with an SPA fallback answers a missing file with index.html and status 200.
  const isHtml = (response.headers.get('content-type') ?? '').includes('text/html');
  if (response.status === 404 || (response.ok && isHtml)) {
    throw new MnistLoadError(`The ${what} were not found at ${url}; ${hint}.`, 'not-found', url);
  }
  if (!response.ok) {
    throw new MnistLoadError(
      `The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} ` +
        `when asked for the ${what} at ${url}.`,
      'http',
      url,
    );
  }
  return response;
}

async function fetchManifest(ctx: FetchContext): Promise<MnistManifest> {
  const url = resolveUrl(ctx.base, 'manifest.json');
  const response = await fetchOk(url, 'MNIST data files (manifest.json)', PREPARE_HINT, ctx);
  let manifest: unknown;
  try {
    manifest = await response.json();
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new MnistLoadError(
      `The MNIST manifest at ${url} is not valid JSON; run \`npm run build\` to prepare the data again.`,
      'corrupt',
      url,
      { cause: err },
    );
  }
  const files = (manifest as Partial<MnistManifest> | null)?.files;
  if (!Array.isArray(files)) {
    throw new MnistLoadError(
      `The MNIST manifest at ${url} has no list of files; run \`npm run build\` to prepare the data again.`,
      'corrupt',
      url,
    );
  }
  return manifest as MnistManifest;
}

function manifestEntry(
  manifest: MnistManifest,
  split: MnistSplit,
  kind: 'images' | 'labels',
  ctx: FetchContext,
): MnistManifestFile {
  const entry = manifest.files.find((f) => f?.split === split && f?.kind === kind);
  const valid = entry && typeof entry.name === 'string' && entry.bytes > 0 && entry.rawBytes > 0 && entry.count >= 0;
  if (!valid) {
    const url = resolveUrl(ctx.base, 'manifest.json');
    throw new MnistLoadError(
      `The MNIST manifest at ${url} does not describe the ${splitName(split)} ${kind}; run \`npm run build\` to prepare the data again.`,
      'corrupt',
      url,
    );
  }
  return entry;
}

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Downloads one .gz file with progress and returns the raw IDX bytes, checked against the manifest. */
async function fetchIdxFile(
  entry: MnistManifestFile,
  ctx: FetchContext,
  onLoaded: (compressedBytes: number) => void,
): Promise<Uint8Array> {
  const url = resolveUrl(ctx.base, entry.name);
  const what = fileLabel(entry);
  const response = await fetchOk(url, what, PREPARE_HINT, ctx);
  onLoaded(0);

  let body: Uint8Array<ArrayBuffer>;
  try {
    // A server that sends the file with `Content-Encoding: gzip` makes fetch hand over the raw
    // (bigger) bytes; scaling keeps the progress measured in the manifest's compressed bytes.
    let scale = 0; // decided from the first two bytes
    body = await readBody(response, (received, head) => {
      if (scale === 0 && head.length >= 2) scale = isGzip(head) ? 1 : entry.bytes / entry.rawBytes;
      onLoaded(Math.min(entry.bytes, Math.round(received * (scale || 1))));
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new MnistLoadError(
      `The download of the ${what} from ${url} broke off (${errorText(err)}); try again.`,
      'network',
      url,
      { cause: err },
    );
  }

  let raw: Uint8Array;
  if (isGzip(body)) {
    if (body.length !== entry.bytes) {
      throw new MnistLoadError(
        `The ${what} file at ${url} is ${body.length} bytes, but the manifest says ${entry.bytes}: the download was cut short ` +
          `or the files are from different builds. Reload the page; if it persists, run \`npm run build\` again.`,
        'mismatch',
        url,
      );
    }
    raw = await gunzip(body, url, what);
  } else if (body.length === entry.rawBytes) {
    raw = body; // already decompressed by the browser (see above)
  } else {
    throw new MnistLoadError(
      `The ${what} file at ${url} is not gzip data (it does not start with the gzip signature 1f 8b); ` +
        `run \`npm run build\` to prepare it again.`,
      'corrupt',
      url,
    );
  }
  if (raw.length !== entry.rawBytes) {
    throw new MnistLoadError(
      `The ${what} file at ${url} decompressed to ${raw.length} bytes, but the manifest says ${entry.rawBytes}; ` +
        `run \`npm run build\` to prepare it again.`,
      'mismatch',
      url,
    );
  }
  onLoaded(entry.bytes);
  return raw;
}

/** Reads a response body chunk by chunk, calling back with the running byte count and the first chunk. */
async function readBody(
  response: Response,
  onChunk: (received: number, head: Uint8Array) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) {
    const all = new Uint8Array(await response.arrayBuffer());
    onChunk(all.length, all);
    return all;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onChunk(received, chunks[0]);
  }
  const all = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>, url: string, what: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new MnistLoadError(
      `The ${what} file at ${url} is corrupt: it could not be decompressed (${errorText(err)}). ` +
        `Run \`npm run build\` to prepare it again.`,
      'corrupt',
      url,
      { cause: err },
    );
  }
}

function decode(raw: Uint8Array, entry: MnistManifestFile, ctx: FetchContext) {
  try {
    return parseIdx(raw);
  } catch (err) {
    if (!(err instanceof IdxFormatError)) throw err;
    const url = resolveUrl(ctx.base, entry.name);
    throw new MnistLoadError(
      `The ${fileLabel(entry)} file at ${url} is not a valid IDX file: ${err.message}`,
      'corrupt',
      url,
      { cause: err },
    );
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
