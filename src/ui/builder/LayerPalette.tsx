import { MAX_LAYERS } from '../../config';
import { appStore } from '../../state/store';
import { LAYER_INFO, LAYER_KINDS } from './layerInfo';

/** One button per layer kind the engine supports, each with a one-line explanation. */
export function LayerPalette({ count, locked }: { count: number; locked: boolean }) {
  const full = count >= MAX_LAYERS;
  return (
    <section className="bf-palette" aria-labelledby="bf-palette-title" data-testid="layer-palette">
      <h3 id="bf-palette-title">Add a layer</h3>
      <p className="muted bf-small">
        {full
          ? `A network can have at most ${MAX_LAYERS} layers. Remove one to add another.`
          : 'New layers go to the end of the list; move them with the arrows, by dragging, or with Alt+↑ / Alt+↓.'}
      </p>
      <ul className="bf-palette-grid">
        {LAYER_KINDS.map((kind) => (
          <li key={kind}>
            <button
              type="button"
              className={`bf-palette-item bf-cat-${LAYER_INFO[kind].category}`}
              disabled={full || locked}
              data-testid={`layer-add-${kind}`}
              onClick={() => appStore.getState().addLayer(kind)}
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
