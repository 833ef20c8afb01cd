import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { SeededRandom } from '../../engine/rng';
import { parseHash } from '../router';
import {
  decodeKernelSource,
  encodeKernelSource,
  kernelLinkHash,
  MAX_ENCODED_SOURCE,
  MAX_SOURCE_LENGTH,
  parseKernelLink,
} from './kernelLink';
import { MATMUL } from '../../engine/ops/matmul/specs';

const KNOWN = ['matmul', 'bias_grad'];

describe('kernels in share links', () => {
  it('round-trips the shipped matmul through a link hash', () => {
    const link = kernelLinkHash('matmul', MATMUL.builtinSource);
    expect(link.ok).toBe(true);
    if (!link.ok) return;
    expect(link.hash.startsWith('#/kernels?k=matmul&src=')).toBe(true);
    const route = parseHash(link.hash);
    expect(route.name).toBe('kernels');
    expect(parseKernelLink(route.params, KNOWN)).toEqual({
      kind: 'source',
      kernel: 'matmul',
      source: MATMUL.builtinSource,
    });
  });

  it('round-trips any text, including non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const enc = encodeKernelSource(text);
        if (!enc.ok) return;
        expect(decodeKernelSource(enc.encoded)).toEqual({ ok: true, source: text });
      }),
    );
  });

  it('refuses text whose compressed form is over the link limit, saying how big it is', () => {
    // Random hex does not compress well: 20,000 of them are well over 8 KB of base64url.
    const rng = new SeededRandom(1, 0);
    let noise = '';
    for (let i = 0; i < 20_000; i++) noise += rng.int(16).toString(16);
    const enc = encodeKernelSource(`// ${noise}`);
    expect(enc.ok).toBe(false);
    if (!enc.ok) expect(enc.reason).toMatch(/too large for a link: [\d.]+ KB compressed, the limit is 8 KB/);
  });

  it('never throws on hostile input, and explains the problem', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const out = decodeKernelSource(text);
        if (!out.ok) expect(out.reason.length).toBeGreaterThan(0);
      }),
    );
    for (const bad of ['', '!!!!', 'A', 'AAAA', 'x'.repeat(MAX_ENCODED_SOURCE + 1), '%00%ff', '____']) {
      expect(decodeKernelSource(bad).ok).toBe(false);
    }
  });

  it('rejects a decompression bomb instead of inflating it', () => {
    const bomb = deflateSync(new Uint8Array(50 * 1024 * 1024), { level: 9 });
    let bin = '';
    for (const b of bomb) bin += String.fromCharCode(b);
    const encoded = btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(encoded.length).toBeLessThan(MAX_ENCODED_SOURCE * 10);
    const out = decodeKernelSource(encoded.slice(0, MAX_ENCODED_SOURCE));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(/too large/);
  });

  it('calls a decompression bomb too large, not damaged, for every size and cut', () => {
    const encode = (bytes: Uint8Array) => {
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    // Zeros and repeated text, from just past the cap to 50 MB, whole where they fit a link and cut where not.
    let checked = 0;
    const sizes = [MAX_SOURCE_LENGTH * 4 + 1, 300 * 1024, 1024 * 1024, 8 * 1024 * 1024, 50 * 1024 * 1024];
    for (const size of sizes) {
      for (const fill of [0, 0x61]) {
        const encoded = encode(deflateSync(new Uint8Array(size).fill(fill), { level: 9 }));
        for (const cut of [encoded.length, MAX_ENCODED_SOURCE]) {
          const text = encoded.slice(0, Math.min(cut, MAX_ENCODED_SOURCE));
          // A cut bomb is still a bomb when its first part alone expands well past the cap; a cut
          // that ends before the cap is reached is a damaged link, tested below.
          if (text.length < encoded.length && (size * text.length) / encoded.length < MAX_SOURCE_LENGTH * 8) continue;
          const out = decodeKernelSource(text);
          expect(out, `${size} bytes of ${fill}, cut at ${cut}`).toEqual({
            ok: false,
            reason: expect.stringMatching(/too large: it expands to more than 256 KB/),
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('says a source over the character limit is too large and names its length, but opens one at the limit', () => {
    const at = 'a'.repeat(MAX_SOURCE_LENGTH);
    const encode = (text: string) => {
      let bin = '';
      for (const b of deflateSync(new TextEncoder().encode(text), { level: 9 })) bin += String.fromCharCode(b);
      return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    expect(decodeKernelSource(encode(at))).toEqual({ ok: true, source: at });
    const over = decodeKernelSource(encode(at + 'b'));
    expect(over).toEqual({ ok: false, reason: expect.stringContaining('too large: 65,537 characters') });
    // Cut and changed links are still damaged, not too large.
    const good = encodeKernelSource(MATMUL.builtinSource);
    if (!good.ok) throw new Error(good.reason);
    expect(decodeKernelSource(good.encoded.slice(0, good.encoded.length - 8))).toMatchObject({
      reason: expect.stringContaining('damaged'),
    });
  });

  it('reports unknown kernel names and missing names without decoding anything', () => {
    expect(parseKernelLink(new URLSearchParams('k=rm_rf&src=AAAA'), KNOWN)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/does not have/),
    });
    expect(parseKernelLink(new URLSearchParams('src=AAAA'), KNOWN)).toMatchObject({ kind: 'invalid', kernel: null });
    expect(parseKernelLink(new URLSearchParams('k=bias_grad'), KNOWN)).toEqual({ kind: 'none', kernel: 'bias_grad' });
    expect(parseKernelLink(new URLSearchParams('k=matmul&src=%%%'), KNOWN)).toMatchObject({
      kind: 'invalid',
      kernel: 'matmul',
    });
  });
});
