import { useEffect } from 'react';
import { useStore } from 'zustand';
import { offlineStore, refreshOfflineStatus, registerOffline, saveDataForOffline } from '../../offline/register';
import { appStore } from '../../state/store';

/** MNIST's four gzipped files, for the button's label. */
const DATA_SIZE = '11 MB';

/** One line in the footer: whether the app works offline, and whether MNIST is stored for offline training. */
export function OfflineStatus() {
  const state = useStore(offlineStore);
  useEffect(() => {
    registerOffline();
    // Data loads and training runs may have just stored the MNIST files: ask again.
    return appStore.subscribe((s, prev) => {
      if (s.testSet.kind !== prev.testSet.kind || s.training.status !== prev.training.status)
        void refreshOfflineStatus();
    });
  }, []);
  if (state.kind !== 'ready') return null;
  const allData = state.dataCached >= state.dataTotal;
  return (
    <p
      className="offline-status"
      data-testid="offline-status"
      data-data-saved={allData ? 'true' : 'false'}
      role="status"
    >
      <span className="offline-dot" aria-hidden="true" />
      Ready to work offline.{' '}
      {allData ? (
        <span>The MNIST digits are saved too, so training works without a network.</span>
      ) : (
        <>
          <span>Training offline needs the MNIST digits saved first.</span>{' '}
          <button
            type="button"
            className="link-button"
            data-testid="offline-save-data"
            disabled={state.saving}
            onClick={() => void saveDataForOffline()}
          >
            {state.saving ? 'Saving MNIST…' : `Save MNIST for offline use (${DATA_SIZE})`}
          </button>
        </>
      )}
      {state.error && <span className="bad-text"> {state.error}</span>}
    </p>
  );
}
