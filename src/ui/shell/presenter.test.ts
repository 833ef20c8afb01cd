import { describe, expect, it } from 'vitest';
import { PRESENTER_STORAGE_KEY, presenterAtStartup, readSavedPresenter } from './presenter';

describe('presenter mode at startup', () => {
  it('opens in presenter mode when the link asks for it, whatever was saved', () => {
    expect(presenterAtStartup({ linkAsksForIt: true, saved: 'off', restoredConfigAsksForIt: false })).toBe(true);
    expect(presenterAtStartup({ linkAsksForIt: true, saved: null, restoredConfigAsksForIt: false })).toBe(true);
  });

  it('follows the saved header choice when the link does not ask for it', () => {
    expect(presenterAtStartup({ linkAsksForIt: false, saved: 'on', restoredConfigAsksForIt: false })).toBe(true);
    expect(presenterAtStartup({ linkAsksForIt: false, saved: 'off', restoredConfigAsksForIt: true })).toBe(false);
  });

  it('falls back to the restored config when nothing was saved', () => {
    expect(presenterAtStartup({ linkAsksForIt: false, saved: null, restoredConfigAsksForIt: true })).toBe(true);
    expect(presenterAtStartup({ linkAsksForIt: false, saved: null, restoredConfigAsksForIt: false })).toBe(false);
  });
});

describe('the saved presenter choice', () => {
  const storageWith = (value: string | null) => ({
    getItem: (key: string) => (key === PRESENTER_STORAGE_KEY ? value : null),
  });

  it('reads on and off, and ignores anything else', () => {
    expect(readSavedPresenter(storageWith('on'))).toBe('on');
    expect(readSavedPresenter(storageWith('off'))).toBe('off');
    expect(readSavedPresenter(storageWith('yes'))).toBe(null);
    expect(readSavedPresenter(storageWith(null))).toBe(null);
  });

  it('reads nothing when storage is missing or blocked', () => {
    expect(readSavedPresenter(null)).toBe(null);
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(readSavedPresenter(blocked)).toBe(null);
  });
});
