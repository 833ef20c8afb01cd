/**
 * Page side of offline use: registers the service worker (production builds only, so the dev
 * server and hot reload are never served stale files) and keeps a small store saying what is
 * stored for offline use.
 */
import { createStore } from 'zustand/vanilla';
import type { OfflineReply, OfflineRequest } from './protocol';

export type OfflineState =
  | { kind: 'off' }
  | { kind: 'installing' }
  | { kind: 'ready'; dataCached: number; dataTotal: number; saving: boolean; error: string | null }
  | { kind: 'failed'; message: string };

export const offlineStore = createStore<OfflineState>()(() => ({ kind: 'off' }));

let registration: Promise<ServiceWorkerRegistration> | null = null;

/** Sends one request to the active worker and waits for its answer. */
function ask(worker: ServiceWorker, request: OfflineRequest): Promise<OfflineReply> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e: MessageEvent<OfflineReply>) => resolve(e.data);
    worker.postMessage(request, [channel.port2]);
  });
}

async function activeWorker(): Promise<ServiceWorker | null> {
  if (!registration) return null;
  const reg = await navigator.serviceWorker.ready;
  return reg.active;
}

function apply(reply: OfflineReply, saving = false): void {
  const prev = offlineStore.getState();
  if (reply.type === 'error') {
    if (prev.kind === 'ready') offlineStore.setState({ ...prev, saving: false, error: reply.message });
    return;
  }
  if (!reply.ready) return;
  offlineStore.setState(
    { kind: 'ready', dataCached: reply.dataCached, dataTotal: reply.dataTotal, saving, error: null },
    true,
  );
}

/** Asks the worker again what is stored (after data was downloaded, say). */
export async function refreshOfflineStatus(): Promise<void> {
  const worker = await activeWorker();
  if (worker) apply(await ask(worker, { type: 'status' }));
}

/** Downloads the MNIST files into the offline cache. */
export async function saveDataForOffline(): Promise<void> {
  const worker = await activeWorker();
  const prev = offlineStore.getState();
  if (!worker || prev.kind !== 'ready') return;
  offlineStore.setState({ ...prev, saving: true, error: null });
  apply(await ask(worker, { type: 'save-data' }));
}

/** Registers `sw.js` next to index.html (works from any sub-folder); a no-op in development. */
export function registerOffline(): void {
  if (!import.meta.env.PROD || registration || !('serviceWorker' in navigator)) return;
  offlineStore.setState({ kind: 'installing' }, true);
  registration = navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href);
  registration.then(
    () => void refreshOfflineStatus(),
    (e: Error) => offlineStore.setState({ kind: 'failed', message: e.message }, true),
  );
}
