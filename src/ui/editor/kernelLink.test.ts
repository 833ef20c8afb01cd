import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { MATMUL } from '../../engine/kernels';
import { SeededRandom } from '../../engine/rng';
import { parseHash } from '../router';
import {
  decodeKernelSource,
  encodeKernelSource,
  kernelLinkHash,
  MAX_ENCODED_SOURCE,
  parseKernelLink,
} from './kernelLink';

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
