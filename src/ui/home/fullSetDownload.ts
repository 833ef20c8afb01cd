/**
 * Downloads the full MNIST files (as listed in data/mnist/manifest.json) in the background while
 * the home page trains on its starter slice, so the browser's caches hold them when the student
 * opens the training view. Only the bytes are counted here; the training view decodes them itself.
 */

export interface DownloadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  /** The folder holding manifest.json, ending in '/'. */
  baseUrl: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  fetchImpl?: typeof fetch;
}

interface ManifestFile {
  name: string;
  bytes: number;
}

/** Fetches every file of the manifest one after the other; resolves with the total byte count. */
export async function downloadFullSet(options: DownloadOptions): Promise<DownloadProgress> {
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const signal = options.signal;
  const get = async (name: string) => {
    const url = new URL(name, options.baseUrl).href;
    const response = await doFetch(url, { signal });
    if (!response.ok) throw new Error(`The server answered HTTP ${response.status} for ${url}.`);
    return response;
  };
  const manifest = (await (await get('manifest.json')).json()) as { files?: ManifestFile[] };
  const files = (manifest.files ?? []).filter((f) => typeof f?.name === 'string' && f.bytes > 0);
  if (!files.length) throw new Error('The MNIST manifest lists no files.');
  const totalBytes = files.reduce((a, f) => a + f.bytes, 0);
  let done = 0;
  options.onProgress?.({ loadedBytes: 0, totalBytes });
  for (const file of files) {
    const response = await get(file.name);
    let received = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        received += value.length;
        // A server that gzips on the fly sends more raw bytes than the file has: never count past it.
        options.onProgress?.({ loadedBytes: done + Math.min(received, file.bytes), totalBytes });
      }
    } else {
      await response.arrayBuffer();
    }
    done += file.bytes;
    options.onProgress?.({ loadedBytes: done, totalBytes });
  }
  return { loadedBytes: done, totalBytes };
}

/** "3.2 of 11.2 MB" */
export function megabytesText(p: DownloadProgress): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return `${mb(p.loadedBytes)} of ${mb(p.totalBytes)} MB`;
}
