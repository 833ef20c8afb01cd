import { networkName, type Config } from '../../config';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../engine/presets';
import { appStore } from '../../state/store';

/** Picks a preset and loads it at once (Undo brings the previous network back); names the current network. */
export function PresetPicker({ config, locked }: { config: Config; locked: boolean }) {
  const current = config.preset;
  return (
    <div className="bf-presets" role="group" aria-labelledby="bf-presets-title">
      <div className="bf-preset-row">
        <label className="bf-field bf-grow">
          <span className="bf-field-label" id="bf-presets-title">
            Start from a preset
          </span>
          <select
            value={current ?? ''}
            data-testid="preset-select"
            disabled={locked}
            aria-describedby="bf-preset-note"
            onChange={(e) => {
              if (e.target.value) appStore.getState().loadPreset(e.target.value as PresetName);
            }}
          >
            {current === undefined && (
              <option value="" disabled>
                Custom network (your own)
              </option>
            )}
            {PRESET_NAMES.map((n) => (
              <option key={n} value={n}>
                {PRESETS[n].title}
              </option>
            ))}
          </select>
        </label>
        <p className="bf-network-name">
          <span className="bf-field-label">This network</span>
          <strong data-testid="network-name">{networkName(config)}</strong>
        </p>
      </div>
      <p className="bf-small" id="bf-preset-note">
        {current ? (
          <span data-testid="preset-description">{PRESETS[current].description}</span>
        ) : (
          'Edited in the builder, so it is no longer one of the presets.'
        )}{' '}
        <span className="muted">
          Picking a preset replaces the layers and training settings; Undo brings yours back.
        </span>
      </p>
    </div>
  );
}
