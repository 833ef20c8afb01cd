/** `useHashRoute` subscribes React to hash changes; parsing and building live in src/state/routing.ts. */
import { useSyncExternalStore } from 'react';
import { parseHash, type HashRoute } from '../state/routing';

export { buildHash, parseHash, type HashRoute } from '../state/routing';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current hash route; re-renders on every hash change (links, back/forward, typing a URL). */
export function useHashRoute(): HashRoute {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}
