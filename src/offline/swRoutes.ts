/**
 * How the service worker answers each request, as pure functions (unit-tested in Node). The
 * worker itself (sw.ts) only wires these to the Cache API.
 *
 * - the app shell and the main JS/CSS chunks are precached when the worker installs;
 * - lazily loaded chunks (Monaco, its worker and font) are cached the first time they are used;
 * - the MNIST files (11 MB) are cached the first time they are downloaded, or when the user asks
 *   to save them for offline use, in a cache that survives app updates (the data never changes).
 */

/** What the build writes into sw.js: file paths relative to the worker's folder. */
export interface OfflineManifest {
  /** Changes whenever any precached file changes; names the precache. */
  version: string;
  /** Fetched and stored on install (index.html, main chunks, CSS, icon, data manifest). */
  precache: string[];
  /** The MNIST data files (relative paths), cached on first use. */
  data: string[];
}

export type RouteKind = 'navigate' | 'precache' | 'lazy' | 'data' | 'network';

export const CACHE_PREFIX = 'gpu-learn-';
export const LAZY_CACHE = `${CACHE_PREFIX}lazy`;
export const DATA_CACHE = `${CACHE_PREFIX}mnist`;

/** The precache's name for a manifest version. */
export function precacheName(version: string): string {
  return `${CACHE_PREFIX}app-${version}`;
}

/** Caches an activating worker of `version` should delete (older precaches; the lazy and data caches stay). */
export function staleCaches(names: string[], version: string): string[] {
  const keep = precacheName(version);
  return names.filter((n) => n.startsWith(`${CACHE_PREFIX}app-`) && n !== keep);
}

/** The path of `url` relative to the worker's scope, or null when it lies outside the scope or origin. */
export function scopedPath(url: URL, scope: URL): string | null {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  return decodeURIComponent(url.pathname.slice(scope.pathname.length));
}

/** Decides how to answer a GET request. */
export function routeFor(url: URL, scope: URL, mode: string, manifest: OfflineManifest): RouteKind {
  const path = scopedPath(url, scope);
  if (path === null) return 'network';
  if (mode === 'navigate') return path === '' || path === 'index.html' ? 'navigate' : 'network';
  if (path === 'sw.js') return 'network';
  if (manifest.precache.includes(path)) return 'precache';
  if (manifest.data.includes(path)) return 'data';
  if (path.startsWith('assets/')) return 'lazy';
  return 'network';
}

/** Whether a response may be stored: complete, successful, same-origin answers only. */
export function cacheable(response: { ok: boolean; status: number; type: string }): boolean {
  return response.ok && response.status === 200 && (response.type === 'basic' || response.type === 'default');
}
