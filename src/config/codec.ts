/**
 * Config ⇄ text. Links carry `encodeConfig`'s output: JSON, deflated with fflate in the zlib wrapper
 * (whose Adler-32 checksum catches a changed character), written in base64url (A–Z a–z 0–9 - _),
 * so it needs no escaping in a URL and the same text works after `#/build?c=` and `#/train?c=`.
 * Decoding never throws: every failure is a sentence.
 */
import { strFromU8, strToU8, unzlibSync, zlibSync } from 'fflate';
import type { Config } from './schema';
import { unreadable, validateConfig, type DecodeResult } from './validate';

/** Longest link text accepted (a 24-layer config is far below this). */
export const MAX_ENCODED_LENGTH = 8192;
/** Largest inflated JSON accepted, so a tiny link cannot expand into megabytes. */
export const MAX_JSON_BYTES = 64 * 1024;

/** Bytes → base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padding optional) → bytes, or null when the text is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  try {
    const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (body.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** Compact, URL-safe text for a config (deterministic: equal configs give equal text). */
export function encodeConfig(config: Config): string {
  return toBase64Url(zlibSync(strToU8(JSON.stringify(config)), { level: 9 }));
}

const CORRUPT =
  'The link is damaged: part of it may have been cut off or changed when it was copied. ' +
  'Ask for the link again, or copy the whole address.';

/** Reads link text back into a config; never throws (see DecodeResult for what comes back). */
export function decodeConfig(text: unknown): DecodeResult {
  try {
    if (typeof text !== 'string' || text.trim() === '')
      return unreadable(['The link has no network description in it.']);
    const trimmed = text.trim();
    if (trimmed.length > MAX_ENCODED_LENGTH) {
      return unreadable([
        `The link is too long to be a GPU Learn network (${trimmed.length.toLocaleString('en-US')} characters).`,
      ]);
    }
    const bytes = fromBase64Url(trimmed);
    if (!bytes || bytes.length === 0) return unreadable([CORRUPT]);
    let json: string;
    try {
      // One byte more than allowed: an output that fills it was cut short, so it was too big.
      const out = unzlibSync(bytes, { out: new Uint8Array(MAX_JSON_BYTES + 1) });
      if (out.length > MAX_JSON_BYTES)
        return unreadable(['The link expands to far more data than any GPU Learn network needs.']);
      // fflate does not check the zlib trailer; a mismatch means the text was changed or cut.
      if (bytes.length < 6 || adler32(out) !== readUint32(bytes, bytes.length - 4)) return unreadable([CORRUPT]);
      json = strFromU8(out);
    } catch {
      return unreadable([CORRUPT]);
    }
    return parseJsonConfig(json, 'link');
  } catch {
    return unreadable(['The link could not be read.']);
  }
}

/** Adler-32 of `bytes`, as the zlib format stores it (RFC 1950). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function parseJsonConfig(json: string, where: 'link' | 'file'): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return unreadable([
      where === 'link' ? CORRUPT : 'The file is not valid JSON, so it cannot be a GPU Learn network.',
    ]);
  }
  return validateConfig(value, where);
}

/** The text of a JSON file for a config (what "Export" downloads). */
export function configToJsonFile(config: Config): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Reads an exported JSON file with the same validation as links; never throws. */
export function configFromJsonFile(text: unknown): DecodeResult {
  try {
    if (typeof text !== 'string') return unreadable(['The file could not be read as text.']);
    if (text.length > MAX_JSON_BYTES) return unreadable(['The file is far larger than any GPU Learn network file.']);
    return parseJsonConfig(text, 'file');
  } catch {
    return unreadable(['The file could not be read.']);
  }
}
