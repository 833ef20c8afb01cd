import { MAX_LAYERS } from '../../config';
import type { LayerSpec } from '../../engine/layers';
import { insertionHint, insertionIndex } from '../../state/layerInsertion';
import { appStore } from '../../state/store';
import { LAYER_INFO, LAYER_KINDS } from './layerInfo';

interface Props {
  layers: LayerSpec[];
  locked: boolean;
  /** The selected layer: new layers go after it. */
  selected: number | null;
  /** Called with the new layer's index after an add while a layer is selected, and to clear the selection. */
  onSelect: (index: number | null) => void;
}

/** One button per layer kind the engine supports, each with a one-line explanation. */
export function LayerPalette({ layers, locked, selected, onSelect }: Props) {
  const full = layers.length >= MAX_LAYERS;
  const add = (kind: LayerSpec['kind']) => {
    const at = insertionIndex(layers, kind, selected);
    appStore.getState().addLayer(kind, at);
    if (selected !== null) onSelect(at);
  };
  return (
    <section className="bf-palette" aria-labelledby="bf-palette-title" data-testid="layer-palette">
      <h3 id="bf-palette-title">Add a layer</h3>
      <p className="muted bf-small" data-testid="layer-insert-hint">
        {full
          ? `A network can have at most ${MAX_LAYERS} layers. Remove one to add another.`
          : insertionHint(layers, selected)}{' '}
        {!full && selected !== null && (
          <button
            type="button"
            className="bf-link-button"
            data-testid="layer-insert-default"
            onClick={() => onSelect(null)}
          >
            Add at the usual place instead
          </button>
        )}
      </p>
      <ul className="bf-palette-grid">
        {LAYER_KINDS.map((kind) => (
          <li key={kind}>
            <button
              type="button"
              className={`bf-palette-item bf-cat-${LAYER_INFO[kind].category}`}
              disabled={full || locked}
              data-testid={`layer-add-${kind}`}
              onClick={() => add(kind)}
            >
              <span className="bf-palette-name">+ {LAYER_INFO[kind].label}</span>
              <span className="bf-palette-explain">{LAYER_INFO[kind].explain}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
