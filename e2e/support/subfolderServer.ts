/**
 * A tiny static server that serves dist/ from a sub-folder (e.g. /classroom/gpu-learn/), the way a
 * school's web space would, so tests can check that relative paths and the service worker work there.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
};

export interface SubfolderServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dist/` under `prefix` on a free port of 127.0.0.1. */
export async function serveDistFrom(prefix: string): Promise<SubfolderServer> {
  const root = resolve(import.meta.dirname, '../../dist');
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end('outside the app folder');
      return;
    }
    const rel = normalize(path.slice(prefix.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    const file = join(root, rel.endsWith('/') || rel === '.' ? join(rel, 'index.html') : rel);
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
