/**
 * Edited kernels in share links: WGSL text deflated with fflate and written as base64url, in
 * `#/kernels?k=<name>&src=<encoded>`. Decoding is defensive: a link is hostile input, so every
 * failure becomes a sentence, never an exception, and inflated text is capped (no zip bombs).
 */
import { deflateSync, Inflate } from 'fflate';
import { buildHash } from '../router';

/** Longest encoded source a link may carry (characters of base64url). */
export const MAX_ENCODED_SOURCE = 8192;
/** Longest source text a link may inflate to (characters). */
export const MAX_SOURCE_LENGTH = 64 * 1024;

export type Encoded = { ok: true; encoded: string } | { ok: false; reason: string };
export type Decoded = { ok: true; source: string } | { ok: false; reason: string };

/** Deflates and base64url-encodes WGSL text; refuses text whose encoding exceeds the link limit. */
export function encodeKernelSource(source: string): Encoded {
  if (source.length > MAX_SOURCE_LENGTH)
    return {
      ok: false,
      reason: `The kernel is too long to share (${source.length.toLocaleString('en-US')} characters).`,
    };
  const encoded = toBase64Url(deflateSync(new TextEncoder().encode(source), { level: 9 }));
  if (encoded.length > MAX_ENCODED_SOURCE) {
    return {
      ok: false,
      reason: `The kernel is too large for a link: ${(encoded.length / 1024).toFixed(1)} KB compressed, the limit is ${MAX_ENCODED_SOURCE / 1024} KB. Shorten it (comments count too).`,
    };
  }
  return { ok: true, encoded };
}

/** Reverses encodeKernelSource; any malformed, oversized or non-UTF-8 input gives `{ ok: false }`. */
export function decodeKernelSource(encoded: string): Decoded {
  if (typeof encoded !== 'string' || encoded.length === 0)
    return { ok: false, reason: 'The link carries no kernel source.' };
  if (encoded.length > MAX_ENCODED_SOURCE)
    return { ok: false, reason: 'The kernel in this link is larger than links may carry.' };
  const bytes = fromBase64Url(encoded);
  if (!bytes) return { ok: false, reason: 'The kernel in this link is damaged (it is not valid base64url).' };
  const inflated = inflateCapped(bytes, MAX_SOURCE_LENGTH * 4);
  if (inflated === 'too large')
    return {
      ok: false,
      reason: `The kernel in this link is too large: it expands to more than ${(MAX_SOURCE_LENGTH * 4) / 1024} KB of text, far more than any kernel needs, so it was not opened.`,
    };
  if (inflated === 'damaged')
    return { ok: false, reason: 'The kernel in this link is damaged (it does not decompress).' };
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    return { ok: false, reason: 'The kernel in this link is damaged (it is not text).' };
  }
  if (source.length > MAX_SOURCE_LENGTH)
    return {
      ok: false,
      reason: `The kernel in this link is too large: ${source.length.toLocaleString('en-US')} characters, the limit is ${MAX_SOURCE_LENGTH.toLocaleString('en-US')}.`,
    };
  return { ok: true, source };
}

/** The hash of a share link that opens the editor on `kernel` with `source`, or why it cannot. */
export function kernelLinkHash(
  kernel: string,
  source: string,
): { ok: true; hash: string } | { ok: false; reason: string } {
  const enc = encodeKernelSource(source);
  if (!enc.ok) return enc;
  // base64url needs no escaping in a query string.
  return { ok: true, hash: buildHash('kernels', `k=${encodeURIComponent(kernel)}&src=${enc.encoded}`) };
}

export type KernelLink =
  | { kind: 'none'; kernel: string | null }
  | { kind: 'source'; kernel: string; source: string }
  | { kind: 'invalid'; kernel: string | null; reason: string };

/** Reads `k` and `src` from the editor route's query; `knownKernels` guards against unknown names. */
export function parseKernelLink(params: URLSearchParams, knownKernels: readonly string[]): KernelLink {
  const k = params.get('k');
  const kernel = k && knownKernels.includes(k) ? k : null;
  const src = params.get('src');
  if (k && !kernel)
    return {
      kind: 'invalid',
      kernel: null,
      reason: `This link names a kernel "${k.slice(0, 40)}" that the playground does not have.`,
    };
  if (src === null) return { kind: 'none', kernel };
  if (!kernel)
    return {
      kind: 'invalid',
      kernel: null,
      reason: 'This link carries kernel source but does not say which kernel it is for.',
    };
  const decoded = decodeKernelSource(src);
  return decoded.ok
    ? { kind: 'source', kernel, source: decoded.source }
    : { kind: 'invalid', kernel, reason: decoded.reason };
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * Inflates raw deflate data; 'too large' once the output passes `maxBytes` (a decompression bomb is
 * a size problem, not damage), 'damaged' for corrupt or cut-off input.
 */
function inflateCapped(data: Uint8Array, maxBytes: number): Uint8Array | 'too large' | 'damaged' {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) tooBig = true;
    else chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    // Feed small slices so a bomb is noticed after a bounded amount of output.
    for (let i = 0; i < data.length && !tooBig; i += 1024)
      inflate.push(data.subarray(i, i + 1024), i + 1024 >= data.length);
  } catch {
    return tooBig ? 'too large' : 'damaged';
  }
  if (tooBig) return 'too large';
  if (!ended) return 'damaged';
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
