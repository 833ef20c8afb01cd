/**
 * The service worker that makes the playground work offline after the first visit. The build
 * (scripts/offline-plugin.ts) bundles this file into `sw.js` and puts the list of built files in
 * `self.__OFFLINE_MANIFEST__`. Decisions live in swRoutes.ts; this file wires them to the Cache API.
 */
import {
  cacheable,
  DATA_CACHE,
  LAZY_CACHE,
  precacheName,
  routeFor,
  staleCaches,
  type OfflineManifest,
} from './swRoutes';
import type { OfflineReply, OfflineRequest } from './protocol';

/** The few ServiceWorkerGlobalScope members we use (the project's TS lib is DOM, not WebWorker). */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  data: OfflineRequest;
  ports: readonly MessagePort[];
}
interface ServiceWorkerScope {
  __OFFLINE_MANIFEST__: OfflineManifest;
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (e: ExtendableMessageEvent) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;
const manifest = sw.__OFFLINE_MANIFEST__;
const scope = () => new URL(sw.registration.scope);
const PRECACHE = precacheName(manifest.version);
const urlOf = (path: string) => new URL(path, scope()).href;

sw.addEventListener('install', (event) => {
  // All or nothing: addAll fails if any file fails, and the worker is then not installed.
  event.waitUntil(
    caches
      .open(PRECACHE)
      .then((cache) => cache.addAll(manifest.precache.map((p) => new Request(urlOf(p), { cache: 'reload' }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(staleCaches(names, manifest.version).map((n) => caches.delete(n))))
      .then(() => sw.clients.claim()),
  );
});

/** Answers from `cacheName`, or fetches, stores a good answer there and returns it. */
async function cacheFirst(request: Request, cacheName: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (cacheable(response)) await cache.put(request, response.clone());
  return response;
}

async function fromPrecache(request: Request, path: string): Promise<Response> {
  const hit = await caches.match(urlOf(path), { cacheName: PRECACHE, ignoreSearch: true });
  return hit ?? fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  switch (routeFor(url, scope(), request.mode, manifest)) {
    case 'navigate':
      // The precached index.html always matches the precached chunks; updates arrive with a new sw.js.
      event.respondWith(fromPrecache(request, 'index.html'));
      return;
    case 'precache':
      event.respondWith(fromPrecache(request, url.pathname.slice(scope().pathname.length)));
      return;
    case 'lazy':
      event.respondWith(cacheFirst(request, LAZY_CACHE));
      return;
    case 'data':
      event.respondWith(cacheFirst(request, DATA_CACHE));
      return;
    case 'network':
      return;
  }
});

async function dataCachedCount(): Promise<number> {
  const cache = await caches.open(DATA_CACHE);
  const hits = await Promise.all(manifest.data.map((p) => cache.match(urlOf(p))));
  return hits.filter(Boolean).length;
}

async function saveData(): Promise<void> {
  const cache = await caches.open(DATA_CACHE);
  for (const path of manifest.data) {
    if (await cache.match(urlOf(path))) continue;
    const response = await fetch(urlOf(path));
    if (!cacheable(response)) throw new Error(`Could not download ${path} (HTTP ${response.status}).`);
    await cache.put(urlOf(path), response);
  }
}

async function answer(request: OfflineRequest): Promise<OfflineReply> {
  try {
    if (request.type === 'save-data') await saveData();
    const precached = await caches.has(PRECACHE);
    return {
      type: 'status',
      version: manifest.version,
      ready: precached,
      dataCached: await dataCachedCount(),
      dataTotal: manifest.data.length,
    };
  } catch (e) {
    return { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

sw.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!port || !event.data || typeof event.data.type !== 'string') return;
  event.waitUntil(answer(event.data).then((reply) => port.postMessage(reply)));
});
