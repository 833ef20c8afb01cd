/**
 * Keeps the URL hash and the model config in step, from ONE store subscription:
 *   - an edit on `#/build` (or `#/train`) writes `#/<route>?c=<encoded config>`: replaceState for
 *     small edits and undo/redo, pushState for bigger ones, so Back steps through real edits;
 *   - opening or navigating to such a hash decodes it, here and only here, and applies it to the
 *     store (applyConfigLink): views such as the Train page read the link's network from there; an
 *     invalid link sets `configLoadError` and keeps the current work;
 *   - every good config is saved to localStorage without a link's classroom restrictions, so a
 *     reload restores the student's own network and a locked classroom link never locks a later visit;
 *   - with a `saved` history (My networks), edits are recorded there, and a link that replaces the
 *     student's network keeps that network there first.
 * The environment is passed in so tests can run it without a browser.
 */
import type { StoreApi } from 'zustand/vanilla';
import { decodeConfig, defaultConfig, encodeConfig, ownNetwork, type Config } from '../config';
import { buildHash, parseHash } from './routing';
import type { ModelSlice } from './modelSlice';
import { appSavedNetworks, continues, storageProblem, type SavedNetworks } from './savedNetworks';

/** Routes whose `c` parameter is the shared config. */
export const CONFIG_ROUTES = ['build', 'train'] as const;
export const STORAGE_KEY = 'gpu-learn.config';
/** Class on the document root while the config asks for presenter mode. */
export const PRESENTER_CLASS = 'presenter-mode';

export interface UrlEnv {
  getHash: () => string;
  replaceHash: (hash: string) => void;
  pushHash: (hash: string) => void;
  /** Calls back on hashchange/popstate; returns an unsubscribe function. */
  onHashChange: (callback: () => void) => () => void;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  setPresenter: (on: boolean) => void;
  /** The student's history of networks ("My networks"); none in tests that do not need it. */
  saved?: SavedNetworks;
}

/** The real browser: location.hash, history, localStorage and the <html> element. */
export function browserEnv(win: Window = window): UrlEnv {
  let storage: Storage | null = null;
  try {
    storage = win.localStorage;
  } catch {
    storage = null; // blocked storage (privacy settings): links still work
  }
  return {
    getHash: () => win.location.hash,
    replaceHash: (hash) => win.history.replaceState(win.history.state, '', hash),
    pushHash: (hash) => win.history.pushState(null, '', hash),
    onHashChange: (callback) => {
      win.addEventListener('hashchange', callback);
      win.addEventListener('popstate', callback);
      return () => {
        win.removeEventListener('hashchange', callback);
        win.removeEventListener('popstate', callback);
      };
    },
    storage,
    setPresenter: (on) => win.document.documentElement.classList.toggle(PRESENTER_CLASS, on),
    saved: appSavedNetworks(),
  };
}

/** The link to a route for a config: `#/build?c=…` (the same text works for `#/train`). */
export function configHash(route: (typeof CONFIG_ROUTES)[number], encoded: string): string {
  return buildHash(route, `c=${encoded}`);
}

const isConfigRoute = (name: string): name is (typeof CONFIG_ROUTES)[number] =>
  (CONFIG_ROUTES as readonly string[]).includes(name);

let stopActive: (() => void) | null = null;

/** Starts the sync (stopping an earlier one); returns a function that stops it. */
export function startUrlSync(store: StoreApi<ModelSlice>, env: UrlEnv = browserEnv()): () => void {
  stopActive?.();

  const history = env.saved;
  void history?.load();
  const stored = safely(() => env.storage?.getItem(STORAGE_KEY) ?? null, null);
  if (stored) {
    const restored = decodeConfig(stored);
    // ownNetwork: a copy saved by an older version may still carry a link's locks.
    if (restored.errors.length === 0) store.getState().resetConfig(ownNetwork(restored.config));
  }

  const applyHash = () => {
    const route = parseHash(env.getHash());
    const state = store.getState();
    const text = isConfigRoute(route.name) ? route.params.get('c') : null;
    if (text === null) return state.applyConfigLink(null);
    // The link of the config already shown (an edit's own URL coming back): nothing to decode.
    if (text === encodeConfig(state.config))
      return state.applyConfigLink({ text, decoded: { config: state.config, errors: [], partial: false } });
    const decoded = decodeConfig(text);
    if (decoded.errors.length === 0 && history && replacesOwnWork(state.config, decoded.config))
      void history.keepBeforeLink(state.config);
    state.applyConfigLink({ text, decoded });
  };

  const unsubscribe = store.subscribe((state, prev) => {
    if (state.config === prev.config) return;
    const encoded = encodeConfig(state.config);
    try {
      env.storage?.setItem(STORAGE_KEY, encodeConfig(ownNetwork(state.config)));
    } catch (error) {
      // The copy saved earlier stays as it was; say so instead of failing silently.
      history?.store.setState({ problem: storageProblem(error, 'your latest change') });
    }
    if (Boolean(state.config.classroom?.presenter) !== Boolean(prev.config.classroom?.presenter)) {
      env.setPresenter(Boolean(state.config.classroom?.presenter));
    }
    const kind = state.configChange.kind;
    // A change that replaces the network (a preset, a file, a salvaged link) keeps the one it replaced first.
    if (history && kind === 'big' && !continues(prev.config, state.config)) void history.recordEdit(prev.config);
    if (kind === 'small' || kind === 'big' || kind === 'history') history?.scheduleEdit(state.config, kind === 'big');
    if (kind === 'load' || kind === 'reset') return;
    const route = parseHash(env.getHash());
    if (!isConfigRoute(route.name)) return;
    const hash = configHash(route.name, encoded);
    if (hash === env.getHash()) return;
    if (kind !== 'big') return env.replaceHash(hash);
    // Before the first pushed edit, give a plain `#/build` entry the config it showed, so Back returns to it.
    if (route.params.get('c') === null) env.replaceHash(configHash(route.name, encodeConfig(prev.config)));
    env.pushHash(hash);
  });

  applyHash();
  env.setPresenter(Boolean(store.getState().config.classroom?.presenter));
  const stopListening = env.onHashChange(applyHash);
  const stop = () => {
    unsubscribe();
    stopListening();
    if (stopActive === stop) stopActive = null;
  };
  stopActive = stop;
  return stop;
}

const sameNetwork = (a: Config, b: Config) => JSON.stringify(ownNetwork(a)) === JSON.stringify(ownNetwork(b));

/** True when loading `incoming` would replace a network the student has (not the untouched default). */
function replacesOwnWork(current: Config, incoming: Config): boolean {
  return !sameNetwork(current, incoming) && !sameNetwork(current, defaultConfig());
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
