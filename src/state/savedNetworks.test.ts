import { describe, expect, it, vi } from 'vitest';
import { configFromPreset, type Config } from '../config';
import {
  AUTOSAVE_DELAY_MS,
  COALESCE_MS,
  continues,
  createSavedNetworks,
  memoryStorage,
  SAVED_LIMIT,
  type SavedNetwork,
} from './savedNetworks';

/** The MLP preset with `units` in its first dense layer and `extra` relu layers appended. */
function network(units: number, extra = 0): Config {
  const c = configFromPreset('mlp');
  const layers = [...c.model.layers];
  layers[1] = { kind: 'dense', units };
  for (let i = 0; i < extra; i++) layers.splice(layers.length - 1, 0, { kind: 'tanh' });
  const { preset: _preset, ...rest } = c;
  void _preset;
  return { ...rest, model: { ...c.model, layers } };
}

function setup() {
  let t = 1_000_000;
  const mem = memoryStorage();
  const saved = createSavedNetworks(mem.storage, () => t);
  return { mem, saved, state: () => saved.store.getState(), advance: (ms: number) => (t += ms) };
}

describe('My networks', () => {
  it('keeps one entry per editing session and starts another after a pause or a different network', async () => {
    const { saved, state, advance } = setup();
    await saved.recordEdit(network(10));
    await saved.recordEdit(network(11));
    expect(state().entries).toHaveLength(1);
    expect(state().entries[0].config).toEqual(network(11));
    expect(state().entries[0].name).toBe('Custom network');
    advance(COALESCE_MS + 1);
    await saved.recordEdit(network(12));
    expect(state().entries.map((e) => e.config.model.layers[1])).toEqual([
      { kind: 'dense', units: 12 },
      { kind: 'dense', units: 11 },
    ]);
    // A network three layers longer is not a continuation (a file or a preset), so it gets its own entry.
    await saved.recordEdit(network(12, 3));
    expect(state().entries).toHaveLength(3);
  });

  it('never records a preset exactly as it comes, nor a network it already has', async () => {
    const { saved, state } = setup();
    await saved.recordEdit(configFromPreset('mlp'));
    expect(state().entries).toEqual([]);
    await saved.recordEdit(network(10));
    saved.startNewEntry();
    await saved.recordEdit(network(10));
    expect(state().entries).toHaveLength(1);
  });

  it(`keeps the newest ${SAVED_LIMIT} and drops the oldest automatic entries before renamed ones`, async () => {
    const { saved, state, advance, mem } = setup();
    for (let i = 1; i <= 3; i++) {
      await saved.recordEdit(network(i));
      advance(COALESCE_MS + 1);
    }
    const first = state().entries.at(-1) as SavedNetwork;
    await saved.rename(first.id, '  My   first   net ');
    for (let i = 4; i <= SAVED_LIMIT + 10; i++) {
      await saved.recordEdit(network(i));
      advance(COALESCE_MS + 1);
    }
    const entries = state().entries;
    expect(entries).toHaveLength(SAVED_LIMIT);
    expect(entries[0].config.model.layers[1]).toEqual({ kind: 'dense', units: SAVED_LIMIT + 10 });
    expect(entries.at(-1)).toMatchObject({ id: first.id, name: 'My first net', named: true });
    expect(entries[SAVED_LIMIT - 2].config.model.layers[1]).toEqual({ kind: 'dense', units: 12 });
    expect(mem.data.get('history')).toEqual(entries);
  });

  it('says when storage is full, keeps every earlier entry, and saves again once there is room', async () => {
    const { saved, state, mem, advance } = setup();
    await saved.recordEdit(network(1));
    advance(COALESCE_MS + 1);
    await saved.recordEdit(network(2));
    const before = structuredClone(state().entries);
    mem.faults.full = true;
    advance(COALESCE_MS + 1);
    await saved.recordEdit(network(3));
    expect(state().problem).toMatch(
      /^Your browser's storage for this site is full, so your latest change was not saved\./,
    );
    expect(state().problem).toMatch(/Everything saved before is still there/);
    expect(state().entries).toEqual(before);
    expect(mem.data.get('history')).toEqual(before);
    const kept = await saved.keepBeforeLink(network(4));
    expect(kept).toBe(false);
    expect(state().linkNotice).toBeNull();
    expect(state().problem).toMatch(/the network you had before opening this link was not saved/);
    await saved.rename(before[0].id, 'x');
    await saved.remove(before[0].id);
    expect(mem.data.get('history')).toEqual(before);
    mem.faults.full = false;
    await saved.recordEdit(network(3));
    expect(state().problem).toBeNull();
    expect(state().entries).toHaveLength(3);
  });

  it('says when IndexedDB is unavailable (private browsing) and does not throw', async () => {
    const { saved, state, mem } = setup();
    mem.faults.unavailable = true;
    await saved.load();
    expect(state().loaded).toBe(true);
    expect(state().problem).toMatch(/does not let the page save networks \(private browsing or blocked site data\)/);
    await saved.recordEdit(network(5));
    expect(state().entries).toEqual([]);
    expect(state().problem).toMatch(/so your latest change was not saved/);
  });

  it('keeps the network a link replaces, marks it, and offers it back', async () => {
    const { saved, state } = setup();
    await saved.recordEdit(network(7));
    const link = configFromPreset('pytorch-cnn');
    expect(await saved.keepBeforeLink(network(7))).toBe(true);
    expect(state().entries).toHaveLength(1);
    expect(state().entries[0]).toMatchObject({ origin: 'before-link', config: network(7) });
    expect(state().linkNotice?.previous.config).toEqual(network(7));
    expect(saved.latestOtherThan(link)?.config).toEqual(network(7));
    expect(saved.latestOtherThan(network(7))).toBeNull();
    // Edits to the link's network start a new entry; they never overwrite the kept one.
    await saved.recordEdit({ ...network(7), training: { ...network(7).training, seed: 99 } });
    expect(state().entries).toHaveLength(2);
    expect(state().entries[1].config).toEqual(network(7));
  });

  it('stores the student network without a link classroom restrictions', async () => {
    const { saved, state } = setup();
    await saved.recordEdit({
      ...network(8),
      classroom: { hide: ['layers'], lock: ['presets'] },
      view: { focus: 'layers' },
    });
    expect(state().entries[0].config).toEqual(network(8));
  });

  it('reads back what it wrote, skipping entries that no longer validate', async () => {
    const { saved, mem } = setup();
    await saved.recordEdit(network(9));
    const good = (mem.data.get('history') as SavedNetwork[])[0];
    mem.data.set('history', [good, { ...good, id: 'bad', config: { v: 1, model: { layers: 'x' } } }, 42, null]);
    const reread = createSavedNetworks(mem.storage);
    await reread.load();
    expect(reread.store.getState().entries).toEqual([good]);
    expect(reread.store.getState().problem).toBe(
      '3 saved networks could not be read (saved by another version of GPU Learn) and are not shown.',
    );
  });

  it('writes an edit after a quiet moment, and a waiting edit before a big change', async () => {
    vi.useFakeTimers();
    try {
      const { saved, state } = setup();
      saved.scheduleEdit(network(20));
      saved.scheduleEdit(network(21));
      await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS + 10);
      expect(state().entries.map((e) => e.config)).toEqual([network(21)]);
      saved.scheduleEdit(network(22, 3));
      saved.scheduleEdit(network(23, 6), true);
      await saved.flush();
      expect(state().entries.map((e) => e.config)).toEqual([network(23, 6), network(22, 3), network(21)]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats one added, removed or changed layer as the same network being edited', () => {
    expect(continues(network(1), network(2))).toBe(true);
    expect(continues(network(1), network(1, 1))).toBe(true);
    expect(continues(network(1, 1), network(1))).toBe(true);
    expect(continues(network(1), network(1, 2))).toBe(false);
    expect(continues(network(1), configFromPreset('pytorch-cnn'))).toBe(false);
  });
});
