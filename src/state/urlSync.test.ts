import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createModelSlice, linkedNetwork, type ModelSlice } from './modelSlice';
import { configHash, STORAGE_KEY, startUrlSync, type UrlEnv } from './urlSync';
import { configFromPreset, decodeConfig, encodeConfig, type Config } from '../config';
import { createSavedNetworks, memoryStorage } from './savedNetworks';
import { hostileLinks } from '../config/hostileLinks';

/** A fake browser: a history list with a cursor, hashchange listeners and a storage map. */
function fakeBrowser(initialHash: string) {
  const entries = [initialHash];
  let at = 0;
  const listeners = new Set<() => void>();
  const storage = new Map<string, string>();
  const presenter = { on: false };
  const env: UrlEnv = {
    getHash: () => entries[at],
    replaceHash: (h) => {
      entries[at] = h;
    },
    pushHash: (h) => {
      entries.splice(at + 1, entries.length, h);
      at++;
    },
    onHashChange: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => {
        storage.set(k, v);
      },
    },
    setPresenter: (on) => {
      presenter.on = on;
    },
  };
  const fire = () => listeners.forEach((cb) => cb());
  return {
    env,
    entries,
    storage,
    presenter,
    get index() {
      return at;
    },
    back: () => {
      at--;
      fire();
    },
    forward: () => {
      at++;
      fire();
    },
    navigate: (h: string) => {
      entries.splice(at + 1, entries.length, h);
      at++;
      fire();
    },
  };
}

let store: StoreApi<ModelSlice>;
const s = () => store.getState();

beforeEach(() => {
  store = createStore<ModelSlice>()((...a) => createModelSlice(...a));
});

describe('URL sync', () => {
  it('loads the config of the link it opens on', () => {
    const browser = fakeBrowser(configHash('build', encodeConfig(configFromPreset('perceptron'))));
    startUrlSync(store, browser.env)();
    expect(s().config).toEqual(configFromPreset('perceptron'));
    expect(s().configLoadError).toBeNull();
  });

  it('leaves the URL of a plain #/build alone until the user edits', () => {
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, browser.env);
    expect(browser.entries).toEqual(['#/build']);
    s().updateLayer(4, { units: 12 });
    expect(browser.entries).toEqual([configHash('build', encodeConfig(s().config))]);
    stop();
  });

  it('replaces the entry for small edits and pushes one for big edits', () => {
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, browser.env);
    s().setTrainingConfig({ seed: 5 }, 'seed');
    s().setTrainingConfig({ seed: 55 }, 'seed');
    expect(browser.entries).toHaveLength(1);
    s().addLayer('relu');
    expect(browser.entries).toHaveLength(2);
    expect(browser.entries[0]).toMatch(/^#\/build\?c=/);
    s().undoConfig();
    expect(browser.entries).toHaveLength(2);
    expect(browser.entries[1]).toBe(configHash('build', encodeConfig(s().config)));
    stop();
  });

  it('steps back through big edits with the Back button', () => {
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, browser.env);
    const start = s().config;
    s().addLayer('relu');
    const one = s().config;
    s().addLayer('tanh');
    browser.back();
    expect(s().config).toEqual(one);
    browser.back();
    expect(s().config).toEqual(start);
    browser.forward();
    expect(s().config).toEqual(one);
    stop();
  });

  it('does not write the URL on other routes', () => {
    const browser = fakeBrowser('#/matmul?a=1');
    const stop = startUrlSync(store, browser.env);
    s().addLayer('relu');
    expect(browser.entries).toEqual(['#/matmul?a=1']);
    stop();
  });

  it('writes #/train?c= with the same encoding on the training route', () => {
    const browser = fakeBrowser('#/train');
    const stop = startUrlSync(store, browser.env);
    s().addLayer('relu');
    expect(browser.entries.at(-1)).toBe(`#/train?c=${encodeConfig(s().config)}`);
    stop();
  });

  it.each(hostileLinks().map((h) => [h.name, h.text] as const))(
    'keeps the current work and reports %s',
    (_name, text) => {
      const browser = fakeBrowser('#/build');
      const stop = startUrlSync(store, browser.env);
      s().addLayer('relu');
      const work = s().config;
      browser.navigate(`#/build?c=${text}`);
      expect(s().config).toEqual(work);
      expect(s().configLoadError?.errors.length).toBeGreaterThan(0);
      stop();
    },
  );

  it("puts a #/train link's network, training subset included, in the store for the Train page", () => {
    const c = configFromPreset('mlp');
    const text = encodeConfig({ ...c, training: { ...c.training, trainSubset: 1200 } });
    const browser = fakeBrowser(configHash('train', text));
    const stop = startUrlSync(store, browser.env);
    expect(s().config.training.trainSubset).toBe(1200);
    expect(linkedNetwork(s())).toEqual({ text, config: s().config, errors: [] });
    expect(browser.entries).toEqual([configHash('train', text)]);
    browser.navigate('#/train');
    expect(linkedNetwork(s())).toBeNull();
    expect(s().config.training.trainSubset).toBe(1200);
    stop();
  });

  it('gives the Train page the reasons of a link it cannot read, and keeps the current work', () => {
    const browser = fakeBrowser('#/train');
    const stop = startUrlSync(store, browser.env);
    const work = s().config;
    browser.navigate('#/train?c=broken');
    expect(s().config).toEqual(work);
    const linked = linkedNetwork(s());
    expect(linked?.text).toBe('broken');
    expect(linked?.config).toBeNull();
    expect(linked?.errors[0]).toMatch(/damaged/);
    stop();
  });

  it('clears a link error when the user navigates to a plain #/build', () => {
    const browser = fakeBrowser('#/build?c=%%%');
    const stop = startUrlSync(store, browser.env);
    expect(s().configLoadError?.source).toBe('link');
    browser.navigate('#/build');
    expect(s().configLoadError).toBeNull();
    stop();
  });

  it('restores the last good config from storage on reload, even when the link is broken', () => {
    const first = fakeBrowser('#/build');
    startUrlSync(store, first.env);
    s().loadPreset('fast-cnn');
    s().updateLayer(0, { filters: 7 });
    const work = s().config;
    expect(first.storage.get(STORAGE_KEY)).toBe(encodeConfig(work));

    const reloaded = createStore<ModelSlice>()((...a) => createModelSlice(...a));
    const second = fakeBrowser('#/build?c=broken');
    second.storage.set(STORAGE_KEY, first.storage.get(STORAGE_KEY)!);
    startUrlSync(reloaded, second.env)();
    expect(reloaded.getState().config).toEqual(work);
    expect(reloaded.getState().configLoadError?.errors[0]).toMatch(/damaged/);
  });

  it('turns presenter mode on and off with the classroom option', () => {
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, browser.env);
    s().setClassroom({ presenter: true });
    expect(browser.presenter.on).toBe(true);
    s().setClassroom({ presenter: false });
    expect(browser.presenter.on).toBe(false);
    stop();
  });

  it('saves the network without a link classroom locks, so a later plain visit is not locked', () => {
    const locked: Config = {
      ...configFromPreset('keras-cnn'),
      classroom: {
        hide: ['presets', 'classroom'],
        lock: ['layers', 'optimizer', 'seed'],
        lockSeed: true,
        presenter: true,
      },
      view: { focus: 'layers' },
    };
    const first = fakeBrowser(`#/build?c=${encodeConfig(locked)}`);
    startUrlSync(store, first.env)();
    expect(s().config).toEqual(locked);
    const kept = decodeConfig(first.storage.get(STORAGE_KEY));
    expect(kept.config.classroom).toBeUndefined();
    expect(kept.config.view).toBeUndefined();
    expect(kept.config.model).toEqual(locked.model);

    const later = createStore<ModelSlice>()((...a) => createModelSlice(...a));
    const second = fakeBrowser('#/build');
    second.storage.set(STORAGE_KEY, first.storage.get(STORAGE_KEY) as string);
    startUrlSync(later, second.env)();
    expect(later.getState().config.classroom).toBeUndefined();
    expect(later.getState().config.model).toEqual(locked.model);
  });

  it('strips locks from a copy an older version saved with them', () => {
    const browser = fakeBrowser('#/build');
    browser.storage.set(STORAGE_KEY, encodeConfig({ ...configFromPreset('mlp'), classroom: { lock: ['layers'] } }));
    startUrlSync(store, browser.env)();
    expect(s().config).toEqual(configFromPreset('mlp'));
  });

  it('keeps the student network in My networks before a link replaces it, and only then', async () => {
    const mem = memoryStorage();
    const saved = createSavedNetworks(mem.storage);
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, { ...browser.env, saved });
    // The untouched default is nothing to keep.
    browser.navigate(`#/build?c=${encodeConfig(configFromPreset('mlp'))}`);
    await saved.flush();
    await saved.load();
    expect(saved.store.getState().linkNotice).toBeNull();
    s().addLayer('tanh');
    const own = s().config;
    browser.navigate(`#/build?c=${encodeConfig(configFromPreset('pytorch-cnn'))}`);
    expect(s().config).toEqual(configFromPreset('pytorch-cnn'));
    await saved.flush();
    await vi.waitFor(() => expect(saved.store.getState().linkNotice?.previous.config).toEqual(own));
    expect(saved.store.getState().entries.map((e) => e.config)).toEqual([own]);
    // The same network again (with locks added) replaces nothing of the student's.
    saved.dismissLinkNotice();
    const sameWithLocks = { ...configFromPreset('pytorch-cnn'), classroom: { lock: ['layers' as const] } };
    browser.navigate(`#/build?c=${encodeConfig(sameWithLocks)}`);
    await saved.flush();
    expect(saved.store.getState().linkNotice).toBeNull();
    stop();
  });

  it('says so when localStorage is full and keeps the copy saved before', () => {
    const saved = createSavedNetworks(memoryStorage().storage);
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, {
      ...browser.env,
      saved,
      storage: {
        getItem: (k) => browser.storage.get(k) ?? null,
        setItem: (k, v) => {
          if (browser.storage.has(k)) throw new DOMException('full', 'QuotaExceededError');
          browser.storage.set(k, v);
        },
      },
    });
    s().addLayer('relu');
    const first = browser.storage.get(STORAGE_KEY);
    expect(saved.store.getState().problem).toBeNull();
    s().addLayer('tanh');
    expect(browser.storage.get(STORAGE_KEY)).toBe(first);
    expect(saved.store.getState().problem).toMatch(
      /storage for this site is full, so your latest change was not saved/,
    );
    stop();
  });

  it('keeps the network a preset or a file replaces in My networks, even before its edit was written', async () => {
    const saved = createSavedNetworks(memoryStorage().storage);
    const browser = fakeBrowser('#/build');
    const stop = startUrlSync(store, { ...browser.env, saved });
    s().loadPreset('mlp');
    s().addLayer('tanh');
    s().updateLayer(1, { units: 64 });
    const own = s().config;
    s().loadPreset('pytorch-cnn');
    await saved.flush();
    await vi.waitFor(() => expect(saved.store.getState().entries.map((e) => e.config)).toEqual([own]));
    s().loadConfig(configFromPreset('keras-cnn'), 'big');
    await saved.flush();
    // The untouched presets are nothing the student built, so only their own network is listed.
    expect(saved.store.getState().entries.map((e) => e.config)).toEqual([own]);
    stop();
  });
});
