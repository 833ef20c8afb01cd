import { describe, expect, it } from 'vitest';
import { downloadFullSet, megabytesText, type DownloadProgress } from './fullSetDownload';

const BASE = 'https://example.test/app/data/mnist/';

function fakeFetch(files: Record<string, { body: Uint8Array | string; status?: number }>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    const f = files[url.slice(BASE.length)];
    if (!f) return new Response('missing', { status: 404 });
    const body = typeof f.body === 'string' ? f.body : new Blob([new Uint8Array(f.body)]).stream();
    return new Response(body, { status: f.status ?? 200 });
  }) as typeof fetch;
}

const manifest = JSON.stringify({
  files: [
    { name: 'a.gz', bytes: 3000 },
    { name: 'b.gz', bytes: 1000 },
  ],
});

describe('the background download of the full set', () => {
  it('fetches every file of the manifest and reports progress up to the manifest total', async () => {
    const seen: DownloadProgress[] = [];
    const result = await downloadFullSet({
      baseUrl: BASE,
      onProgress: (p) => seen.push(p),
      fetchImpl: fakeFetch({
        'manifest.json': { body: manifest },
        'a.gz': { body: new Uint8Array(3000) },
        'b.gz': { body: new Uint8Array(1000) },
      }),
    });
    expect(result).toEqual({ loadedBytes: 4000, totalBytes: 4000 });
    expect(seen[0]).toEqual({ loadedBytes: 0, totalBytes: 4000 });
    expect(seen.at(-1)).toEqual({ loadedBytes: 4000, totalBytes: 4000 });
    for (let i = 1; i < seen.length; i++) expect(seen[i].loadedBytes).toBeGreaterThanOrEqual(seen[i - 1].loadedBytes);
  });

  it('never counts past a file when the server sends more bytes than the manifest says', async () => {
    const seen: DownloadProgress[] = [];
    await downloadFullSet({
      baseUrl: BASE,
      onProgress: (p) => seen.push(p),
      fetchImpl: fakeFetch({
        'manifest.json': { body: manifest },
        'a.gz': { body: new Uint8Array(9000) },
        'b.gz': { body: new Uint8Array(1000) },
      }),
    });
    expect(Math.max(...seen.map((p) => p.loadedBytes))).toBe(4000);
  });

  it('fails with the HTTP status and the address of a missing file', async () => {
    const run = downloadFullSet({
      baseUrl: BASE,
      fetchImpl: fakeFetch({ 'manifest.json': { body: manifest }, 'a.gz': { body: new Uint8Array(3000) } }),
    });
    await expect(run).rejects.toThrow(`The server answered HTTP 404 for ${BASE}b.gz.`);
  });

  it('writes progress in megabytes with one decimal', () => {
    expect(megabytesText({ loadedBytes: 3_240_000, totalBytes: 11_243_332 })).toBe('3.2 of 11.2 MB');
  });
});
