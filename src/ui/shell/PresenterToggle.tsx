import { useSyncExternalStore } from 'react';
import { isPresenterOn, setPresenterMode, subscribePresenter } from './presenter';

/** The header button that switches presenter mode (larger type for a projector) on and off. */
export function PresenterToggle() {
  const on = useSyncExternalStore(subscribePresenter, isPresenterOn, () => false);
  return (
    <button
      type="button"
      className="presenter-toggle"
      data-testid="presenter-toggle"
      aria-pressed={on}
      title="Presenter mode: larger type and stronger contrast for a projector"
      onClick={() => setPresenterMode(!on)}
    >
      <svg className="presenter-icon" viewBox="0 0 24 24" aria-hidden="true">
        <rect x="3" y="4" width="18" height="12" rx="1.5" />
        <path d="M12 16v4M8 20h8" />
      </svg>
      <span>Presenter</span>
    </button>
  );
}
