/**
 * "My networks": an automatic local history of the networks a student builds, kept in IndexedDB
 * (through idb-keyval) so that opening a link, a preset or a file never loses what they had.
 *
 * The whole list is one IndexedDB value, written in one transaction: a write that fails (storage
 * full, IndexedDB blocked) leaves the stored list exactly as it was, and the failure becomes a
 * sentence in `problem` instead of being swallowed. Entries are the student's own networks, so
 * classroom restrictions are never stored with them.
 */
import { createStore as createIdbStore, get as idbGet, set as idbSet, type UseStore } from 'idb-keyval';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { configFromPreset, isPresetModel, networkName, ownNetwork, validateConfig, type Config } from '../config';

/** Most entries kept; past it the oldest automatic entry goes first, then the oldest named one. */
export const SAVED_LIMIT = 30;
/** Edits within this time of the entry they started update it instead of adding a new one. */
export const COALESCE_MS = 2 * 60 * 1000;
/** Quiet time after the last edit before it is written. */
export const AUTOSAVE_DELAY_MS = 800;

export interface SavedNetwork {
  id: string;
  name: string;
  /** Milliseconds since 1970 of the last write. */
  savedAt: number;
  config: Config;
  /** 'edit': saved while the student edited; 'before-link': kept when a link replaced it. */
  origin: 'edit' | 'before-link';
  /** True once the student renamed it (automatic edits never overwrite a renamed entry). */
  named: boolean;
}

/** Where the list lives: IndexedDB in the app, a Map in tests. */
export interface NetworkStorage {
  read: () => Promise<unknown>;
  write: (entries: SavedNetwork[]) => Promise<void>;
}

export interface SavedNetworksState {
  entries: SavedNetwork[];
  /** False until the stored list was read (or found unavailable). */
  loaded: boolean;
  /** A sentence about storage that failed; null when the last write worked. */
  problem: string | null;
  /** Set when a link replaced the student's network and that network was kept first. */
  linkNotice: { previous: SavedNetwork } | null;
}

const LIST_KEY = 'history';

/** The app's storage: one IndexedDB database; opened on first use, so a blocked IndexedDB is a sentence. */
export function idbStorage(): NetworkStorage {
  let store: UseStore | null = null;
  const open = () => (store ??= createIdbStore('gpu-learn', 'saved-networks'));
  return {
    read: async () => idbGet(LIST_KEY, open()),
    write: async (entries) => idbSet(LIST_KEY, entries, open()),
  };
}

/** A Map-backed storage for tests, with switches for a full or missing storage. */
export function memoryStorage() {
  const data = new Map<string, unknown>();
  const faults = { full: false, unavailable: false };
  const storage: NetworkStorage = {
    read: async () => {
      if (faults.unavailable) throw new DOMException('IndexedDB is not available', 'InvalidStateError');
      return structuredClone(data.get(LIST_KEY));
    },
    write: async (entries) => {
      if (faults.unavailable) throw new DOMException('IndexedDB is not available', 'InvalidStateError');
      if (faults.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      data.set(LIST_KEY, structuredClone(entries));
    },
  };
  return { storage, data, faults };
}

/** The sentence for a failed read or write; `what` says what was not saved. */
export function storageProblem(error: unknown, what: string | null): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const consequence = what === null ? 'My networks cannot keep anything' : `${what} was not saved`;
  if (name === 'QuotaExceededError')
    return (
      `Your browser's storage for this site is full, so ${consequence}. ` +
      'Everything saved before is still there: delete a network in My networks, or use Export JSON to keep this one.'
    );
  return (
    `This browser does not let the page save networks (private browsing or blocked site data), so ${consequence}. ` +
    'Use Export JSON to keep a network.'
  );
}

/** Entries that still validate; `dropped` counts the ones that do not (saved by another version). */
function readEntries(raw: unknown): { entries: SavedNetwork[]; dropped: number } {
  if (!Array.isArray(raw)) return { entries: [], dropped: 0 };
  const entries: SavedNetwork[] = [];
  for (const item of raw.slice(0, SAVED_LIMIT * 2)) {
    const e = item as Partial<SavedNetwork> | null;
    if (!e || typeof e.id !== 'string' || typeof e.name !== 'string' || typeof e.savedAt !== 'number') continue;
    const checked = validateConfig(e.config, 'file');
    if (checked.errors.length > 0) continue;
    entries.push({
      id: e.id,
      name: e.name.slice(0, 80),
      savedAt: e.savedAt,
      config: ownNetwork(checked.config),
      origin: e.origin === 'before-link' ? 'before-link' : 'edit',
      named: e.named === true,
    });
  }
  return { entries, dropped: raw.length - entries.length };
}

/** Keeps at most SAVED_LIMIT entries (newest first), dropping automatic ones before renamed ones. */
export function bounded(entries: SavedNetwork[]): SavedNetwork[] {
  const list = [...entries];
  while (list.length > SAVED_LIMIT) {
    const oldestAuto = list.findLastIndex((e) => !e.named);
    list.splice(oldestAuto >= 0 ? oldestAuto : list.length - 1, 1);
  }
  return list;
}

const same = (a: Config, b: Config) => JSON.stringify(a) === JSON.stringify(b);

/** True for a preset exactly as it comes: nothing the student built, so not worth an entry. */
const isUntouchedPreset = (c: Config) =>
  c.preset !== undefined && isPresetModel(c) && same(c, ownNetwork(configFromPreset(c.preset)));

/**
 * True when `next` continues editing `prev` (layer kinds differ by at most one insertion, removal
 * or change): such edits update one entry, while a preset, a file or a restore starts another.
 */
export function continues(prev: Config, next: Config): boolean {
  const a = prev.model.layers.map((l) => l.kind);
  const b = next.model.layers.map((l) => l.kind);
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return a.length - i - j <= 1 && b.length - i - j <= 1;
}

export interface SavedNetworks {
  store: StoreApi<SavedNetworksState>;
  /** Reads the stored list (once; later calls return the same promise). */
  load: () => Promise<void>;
  /** Records an edit after AUTOSAVE_DELAY_MS of quiet (a newer edit restarts the wait); a big change writes a waiting one first. */
  scheduleEdit: (config: Config, big?: boolean) => void;
  /** Writes a scheduled edit now. */
  flush: () => Promise<void>;
  /** Records `config` as an edit now; resolves when written (or when the write failed). */
  recordEdit: (config: Config) => Promise<void>;
  /** Keeps the network a link is about to replace; sets `linkNotice` once it is safely stored. */
  keepBeforeLink: (config: Config) => Promise<boolean>;
  rename: (id: string, name: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
  /** The newest entry that differs from `current`, for "Open my own network". */
  latestOtherThan: (current: Config) => SavedNetwork | null;
  /** Marks that the student picked an entry: the next edit starts a new entry instead of changing another. */
  startNewEntry: () => void;
  dismissLinkNotice: () => void;
}

export function createSavedNetworks(storage: NetworkStorage, now: () => number = Date.now): SavedNetworks {
  const store = createStore<SavedNetworksState>()(() => ({
    entries: [],
    loaded: false,
    problem: null,
    linkNotice: null,
  }));
  let queue: Promise<unknown> = Promise.resolve();
  let loading: Promise<void> | null = null;
  let available = true;
  let draftId: string | null = null;
  let pending: Config | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let counter = 0;
  const newId = () => `${now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  /** Runs `task` after every earlier one, so writes never interleave. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  /** Writes `next`; on failure keeps the entries as they were and says why. True when written. */
  const write = async (next: SavedNetwork[], what: string): Promise<boolean> => {
    if (!available) {
      store.setState({ problem: storageProblem(new Error('unavailable'), what) });
      return false;
    }
    try {
      await storage.write(next);
      store.setState({ entries: next, problem: null });
      return true;
    } catch (error) {
      store.setState({ problem: storageProblem(error, what) });
      return false;
    }
  };

  // Not through `serial`: every write awaits it first, so it runs once before any write.
  const load = () =>
    (loading ??= (async () => {
      try {
        const { entries, dropped } = readEntries(await storage.read());
        store.setState({
          entries,
          loaded: true,
          problem:
            dropped > 0
              ? `${dropped} saved network${dropped === 1 ? '' : 's'} could not be read (saved by another version of GPU Learn) and ${dropped === 1 ? 'is' : 'are'} not shown.`
              : null,
        });
      } catch (error) {
        available = false;
        store.setState({ loaded: true, problem: storageProblem(error, null) });
      }
    })());

  const recordEdit = (config: Config) =>
    serial(async () => {
      await load();
      const own = ownNetwork(config);
      const { entries } = store.getState();
      if (isUntouchedPreset(own)) draftId = null;
      if (isUntouchedPreset(own) || entries.some((e) => same(e.config, own))) return;
      const head = entries[0];
      const t = now();
      const extend =
        head && head.id === draftId && !head.named && t - head.savedAt < COALESCE_MS && continues(head.config, own);
      const entry: SavedNetwork = extend
        ? { ...head, config: own, savedAt: t, name: networkName(own) }
        : { id: newId(), name: networkName(own), savedAt: t, config: own, origin: 'edit', named: false };
      if (await write(bounded([entry, ...(extend ? entries.slice(1) : entries)]), 'your latest change'))
        draftId = entry.id;
    });

  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const config = pending;
    pending = null;
    if (config) await recordEdit(config);
  };

  return {
    store,
    load,
    scheduleEdit: (config, big = false) => {
      if (big && pending) void recordEdit(pending);
      pending = config;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
    },
    flush,
    recordEdit,
    keepBeforeLink: async (config) => {
      await flush();
      return serial(async () => {
        await load();
        const own = ownNetwork(config);
        const { entries } = store.getState();
        const existing = entries.find((e) => same(e.config, own));
        const entry: SavedNetwork = existing
          ? { ...existing, savedAt: now(), origin: 'before-link' }
          : { id: newId(), name: networkName(own), savedAt: now(), config: own, origin: 'before-link', named: false };
        const rest = entries.filter((e) => e.id !== entry.id);
        const ok = await write(bounded([entry, ...rest]), 'the network you had before opening this link');
        draftId = null;
        if (ok) store.setState({ linkNotice: { previous: entry } });
        return ok;
      });
    },
    rename: (id, name) =>
      serial(async () => {
        const clean = name.replace(/\s+/g, ' ').trim().slice(0, 80);
        if (!clean) return;
        const next = store.getState().entries.map((e) => (e.id === id ? { ...e, name: clean, named: true } : e));
        await write(next, 'the new name');
      }),
    remove: (id) =>
      serial(async () => {
        if (draftId === id) draftId = null;
        await write(
          store.getState().entries.filter((e) => e.id !== id),
          'the change to My networks',
        );
      }),
    latestOtherThan: (current) => {
      const own = ownNetwork(current);
      return store.getState().entries.find((e) => !same(e.config, own)) ?? null;
    },
    startNewEntry: () => {
      draftId = null;
    },
    dismissLinkNotice: () => store.setState({ linkNotice: null }),
  };
}

let app: SavedNetworks | null = null;

/** The app's one history, on IndexedDB (created on first use, so tests never touch it). */
export function appSavedNetworks(): SavedNetworks {
  return (app ??= createSavedNetworks(idbStorage()));
}
