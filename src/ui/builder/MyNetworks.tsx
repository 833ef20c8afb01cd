import { useState } from 'react';
import { useStore } from 'zustand';
import type { Config } from '../../config';
import { appSavedNetworks, type SavedNetwork } from '../../state/savedNetworks';
import { appStore } from '../../state/store';

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function summary(config: Config): string {
  const n = config.model.layers.length;
  return `${n} layer${n === 1 ? '' : 's'}, ${config.model.input.length === 1 ? 'toy AND set' : 'MNIST'}`;
}

/** Loads a saved network as the student's own (no classroom locks), as one undoable step. */
export function openSavedNetwork(config: Config): void {
  const saved = appSavedNetworks();
  appStore.getState().loadConfig(config, 'big');
  saved.startNewEntry();
  saved.dismissLinkNotice();
}

/** "My networks": the automatic history of the student's networks on this device. */
export function MyNetworks({ open, onToggle }: { open: boolean; onToggle: (open: boolean) => void }) {
  const saved = appSavedNetworks();
  const entries = useStore(saved.store, (s) => s.entries);
  const loaded = useStore(saved.store, (s) => s.loaded);
  const problem = useStore(saved.store, (s) => s.problem);
  const [renaming, setRenaming] = useState<{ id: string; text: string } | null>(null);

  const finishRename = (entry: SavedNetwork) => {
    if (renaming && renaming.id === entry.id) void saved.rename(entry.id, renaming.text);
    setRenaming(null);
  };

  return (
    <details
      className="card bf-panel bf-my-networks"
      data-testid="my-networks"
      open={open}
      onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <h2>My networks{loaded ? ` (${entries.length})` : ''}</h2>
      </summary>
      <p className="bf-small muted">
        Saved on this device as you edit, and before a link replaces your network. Open one to carry on with it.
      </p>
      {problem && (
        <p className="bf-small bad-text" role="status" data-testid="my-networks-problem">
          {problem}
        </p>
      )}
      {loaded && entries.length === 0 && (
        <p className="bf-small">Nothing saved yet: edit a network and it appears here.</p>
      )}
      <ol className="bf-saved-list">
        {entries.map((entry, i) => (
          <li key={entry.id} className="bf-saved-row" data-testid={`my-network-row-${i}`}>
            {renaming?.id === entry.id ? (
              <label className="bf-field bf-grow">
                <span className="sr-only">New name for {entry.name}</span>
                <input
                  type="text"
                  value={renaming.text}
                  maxLength={80}
                  autoFocus
                  data-testid={`my-network-name-input-${i}`}
                  onChange={(e) => setRenaming({ id: entry.id, text: e.target.value })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') finishRename(entry);
                    if (e.key === 'Escape') setRenaming(null);
                  }}
                  onBlur={() => finishRename(entry)}
                />
              </label>
            ) : (
              <div className="bf-saved-text">
                <strong data-testid={`my-network-name-${i}`}>{entry.name}</strong>
                <span className="bf-small muted">
                  {summary(entry.config)} · {dateFormat.format(entry.savedAt)}
                  {entry.origin === 'before-link' ? ' · kept when a link opened' : ''}
                </span>
              </div>
            )}
            <div className="bf-saved-actions">
              <button
                type="button"
                className="button"
                data-testid={`my-network-open-${i}`}
                aria-label={`Open ${entry.name}, saved ${dateFormat.format(entry.savedAt)}`}
                onClick={() => openSavedNetwork(entry.config)}
              >
                Open
              </button>
              <button
                type="button"
                className="button"
                data-testid={`my-network-rename-${i}`}
                aria-label={`Rename ${entry.name}`}
                onClick={() => setRenaming({ id: entry.id, text: entry.name })}
              >
                Rename
              </button>
              <button
                type="button"
                className="button"
                data-testid={`my-network-delete-${i}`}
                aria-label={`Delete ${entry.name}`}
                onClick={() => void saved.remove(entry.id)}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ol>
    </details>
  );
}
