/**
 * Presenter mode (larger type, stronger contrast for a projector): a class on <html>.
 * The header toggle switches it and remembers the choice in localStorage; a classroom link that
 * asks for presenter mode still turns it on for that link (src/state/urlSync.ts sets the class
 * whenever the config's presenter option changes). The class itself is the one source of truth,
 * so the toggle always shows what the page really looks like, whoever changed it.
 */
import { PRESENTER_CLASS } from '../../state/urlSync';

export const PRESENTER_STORAGE_KEY = 'gpu-learn.presenter';

export type SavedPresenter = 'on' | 'off' | null;

/**
 * Whether the page opens in presenter mode. A link whose config asks for it wins; otherwise the
 * last choice saved in this browser; otherwise what the restored config says.
 */
export function presenterAtStartup(opts: {
  linkAsksForIt: boolean;
  saved: SavedPresenter;
  restoredConfigAsksForIt: boolean;
}): boolean {
  if (opts.linkAsksForIt) return true;
  if (opts.saved !== null) return opts.saved === 'on';
  return opts.restoredConfigAsksForIt;
}

/** Reads the saved choice ('on', 'off' or null when none or storage is blocked). */
export function readSavedPresenter(storage: Pick<Storage, 'getItem'> | null): SavedPresenter {
  try {
    const value = storage?.getItem(PRESENTER_STORAGE_KEY) ?? null;
    return value === 'on' || value === 'off' ? value : null;
  } catch {
    return null;
  }
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked storage (privacy settings): the toggle still works for this page
  }
}

export function isPresenterOn(): boolean {
  return document.documentElement.classList.contains(PRESENTER_CLASS);
}

/** Switches presenter mode (the header toggle). */
export function setPresenterMode(on: boolean): void {
  document.documentElement.classList.toggle(PRESENTER_CLASS, on);
}

/** Calls back whenever presenter mode changes; returns an unsubscribe function. */
export function subscribePresenter(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

/**
 * Applies the startup rule once (after the URL sync has read the link) and from then on saves
 * every change, so a reload keeps what the user last saw.
 */
export function startPresenterMode(opts: { linkAsksForIt: boolean; restoredConfigAsksForIt: boolean }): void {
  const storage = browserStorage();
  setPresenterMode(presenterAtStartup({ ...opts, saved: readSavedPresenter(storage) }));
  subscribePresenter(() => {
    try {
      storage?.setItem(PRESENTER_STORAGE_KEY, isPresenterOn() ? 'on' : 'off');
    } catch {
      // storage full or blocked: the mode still applies to this page
    }
  });
}
