/**
 * Routing lives in the URL hash (`#/route?query`) so the built site works from any static host
 * and shared links keep working. This module parses and builds such hashes (pure, so the store's
 * URL sync can use it); src/ui/router.ts subscribes React to hash changes.
 */
export interface HashRoute {
  /** Route name without slashes: '' for home, 'build', 'matmul', ... */
  name: string;
  /** Query parameters after the `?` in the hash. */
  params: URLSearchParams;
  /** The raw query string (without `?`), for views that decode their own format. */
  query: string;
}

/** Parses `#/matmul?a=1,2` into { name: 'matmul', params, query }. Never throws. */
export function parseHash(hash: string): HashRoute {
  const body = hash.replace(/^#/, '');
  const q = body.indexOf('?');
  const path = q === -1 ? body : body.slice(0, q);
  const query = q === -1 ? '' : body.slice(q + 1);
  const name = path.replace(/^\/+|\/+$/g, '').split('/')[0] ?? '';
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    params = new URLSearchParams();
  }
  return { name, params, query };
}

/** Builds a hash such as `#/build?c=...` from a route name and optional query. */
export function buildHash(name: string, query?: string | URLSearchParams): string {
  const q = typeof query === 'string' ? query : (query?.toString() ?? '');
  return `#/${name}${q ? `?${q}` : ''}`;
}
