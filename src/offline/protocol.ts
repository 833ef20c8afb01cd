/** Messages between the page and the offline service worker (sent over a MessageChannel). */

export type OfflineRequest =
  /** How much is stored for offline use. */
  | { type: 'status' }
  /** Download the MNIST files into the cache (skipping those already there), then answer with the status. */
  | { type: 'save-data' };

export type OfflineReply =
  | { type: 'status'; version: string; ready: boolean; dataCached: number; dataTotal: number }
  | { type: 'error'; message: string };
