import { useRef, useState } from 'react';
import { configFromJsonFile, configToJsonFile, encodeConfig, type Config } from '../../config';
import { appStore } from '../../state/store';
import { configHash } from '../../state/urlSync';
import type { ControlAccess } from './classroom';
import { ExportPyTorchButton } from './PyTorchExport';

/** The full address of a config route, for copying. */
export function shareUrl(config: Config): string {
  const route = config.classroom?.startView ?? 'build';
  const { origin, pathname, search } = window.location;
  return `${origin}${pathname}${search}${configHash(route, encodeConfig(config))}`;
}

/** Share link (copy with a fallback), "Train this network", JSON export and import. */
export function ShareTools({
  config,
  access,
  blocked,
}: {
  config: Config;
  access: ControlAccess;
  /** Why the network cannot be trained yet, or null when it can. */
  blocked: string | null;
}) {
  const [shared, setShared] = useState<{ url: string; copied: boolean } | null>(null);
  const urlField = useRef<HTMLInputElement>(null);
  const encoded = encodeConfig(config);

  const share = async () => {
    const url = shareUrl(config);
    let copied = false;
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(url);
        copied = true;
      }
    } catch {
      copied = false;
    }
    setShared({ url, copied });
    // Without clipboard access, select the link so Ctrl+C copies it.
    if (!copied) requestAnimationFrame(() => urlField.current?.select());
  };

  const exportFile = () => {
    const blob = new Blob([configToJsonFile(config)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `gpu-learn-${config.preset ?? 'custom-network'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text().catch(() => null);
    const result = configFromJsonFile(text);
    const s = appStore.getState();
    if (result.errors.length === 0) s.loadConfig(result.config, 'big');
    else
      s.setConfigLoadError({ source: 'file', errors: result.errors, salvaged: result.partial ? result.config : null });
  };

  return (
    <div className="bf-share">
      {blocked === null ? (
        <a className="button primary" href={configHash('train', encoded)} data-testid="train-link">
          Train this network →
        </a>
      ) : (
        // A disabled button, not a link: an invalid network cannot be sent to training.
        <button
          type="button"
          className="button primary"
          disabled
          data-testid="train-link"
          aria-describedby="bf-train-blocked"
        >
          Train this network →
        </button>
      )}
      {!access.hidden('share') && (
        <button
          type="button"
          className="button"
          data-testid="share-link"
          disabled={access.locked('share')}
          onClick={() => void share()}
        >
          Copy share link
        </button>
      )}
      {!access.hidden('importExport') && (
        <>
          <button
            type="button"
            className="button"
            data-testid="config-export"
            disabled={access.locked('importExport')}
            onClick={exportFile}
          >
            Export JSON
          </button>
          <ExportPyTorchButton config={config} />
          <label className={`button bf-file${access.locked('importExport') ? ' bf-file-locked' : ''}`}>
            Import JSON
            <input
              type="file"
              accept="application/json,.json"
              className="sr-only"
              disabled={access.locked('importExport')}
              data-testid="config-import"
              onChange={(e) => {
                void importFile(e.target.files?.[0]);
                e.target.value = '';
              }}
            />
          </label>
        </>
      )}
      {shared && (
        <div className="bf-share-result" role="status">
          <span data-testid="share-status" className={shared.copied ? 'ok-text' : undefined}>
            {shared.copied ? 'Link copied' : 'Press Ctrl+C (⌘C on a Mac) to copy the selected link'}
          </span>
          <label className="bf-share-url">
            <span className="sr-only">Share link</span>
            <input
              ref={urlField}
              type="text"
              readOnly
              value={shared.url}
              data-testid="share-url"
              onFocus={(e) => e.target.select()}
            />
          </label>
        </div>
      )}
    </div>
  );
}
