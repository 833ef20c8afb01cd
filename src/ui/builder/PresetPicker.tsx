import { useState } from 'react';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../engine/presets';
import { appStore } from '../../state/store';

/** Pick a preset, read its paragraph, and load it (undoable). */
export function PresetPicker({ current, locked }: { current: PresetName | undefined; locked: boolean }) {
  const [picked, setPicked] = useState<PresetName>(current ?? PRESET_NAMES[0]);
  const preset = PRESETS[picked];
  return (
    <section className="card bf-panel" aria-labelledby="bf-presets-title">
      <h2 id="bf-presets-title">Start from a preset</h2>
      <div className="bf-preset-row">
        <label className="bf-field bf-grow">
          <span className="bf-field-label">Preset</span>
          <select
            value={picked}
            data-testid="preset-select"
            disabled={locked}
            onChange={(e) => setPicked(e.target.value as PresetName)}
          >
            {PRESET_NAMES.map((n) => (
              <option key={n} value={n}>
                {PRESETS[n].title}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button"
          data-testid="preset-load"
          disabled={locked}
          onClick={() => appStore.getState().loadPreset(picked)}
        >
          Load preset
        </button>
      </div>
      <p className="bf-small" data-testid="preset-description">
        {preset.description}
      </p>
      <p className="bf-small muted">
        Loading replaces the layers and training settings; Undo brings your network back.
      </p>
    </section>
  );
}
