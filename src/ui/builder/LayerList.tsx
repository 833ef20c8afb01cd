import { useState, type DragEvent, type KeyboardEvent } from 'react';
import type { LayerKind, LayerSpec } from '../../engine/layers';
import { DEPENDS_ON_EARLIER_ERROR, type LayerAnalysis } from '../../engine/shapes';
import { appStore } from '../../state/store';
import { LAYER_INFO, LAYER_KINDS } from './layerInfo';
import { NumberField } from './NumberField';
import { formatBytes, formatCompact, formatInt, shapeText } from './format';

interface Props {
  layers: LayerSpec[];
  analysis: LayerAnalysis[];
  inputShape: number[];
  locked: boolean;
  /** The selected layer (new layers go after it), or null. */
  selected: number | null;
  onSelect: (index: number | null) => void;
}

/** After a keyboard move, focus the same control on the layer's new row. */
function refocus(from: number, to: number) {
  const active = document.activeElement as HTMLElement | null;
  const testId = active?.dataset.testid ?? `layer-${from}`;
  const target = testId.replace(/^layer-\d+/, `layer-${to}`);
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="${target}"]`)?.focus());
}

/** The editable list of layers, each with its shape, parameters, FLOPs and memory. */
export function LayerList({ layers, analysis, inputShape, locked, selected, onSelect }: Props) {
  const actions = appStore.getState();
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);

  const move = (from: number, to: number) => {
    if (to < 0 || to >= layers.length) return;
    actions.moveLayer(from, to);
    refocus(from, to);
  };
  const onKeyDown = (i: number) => (e: KeyboardEvent) => {
    if (!e.altKey || locked || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    move(i, e.key === 'ArrowUp' ? i - 1 : i + 1);
  };
  const onDrop = (i: number) => (e: DragEvent) => {
    e.preventDefault();
    const from = dragFrom ?? Number(e.dataTransfer.getData('text/plain'));
    setDragFrom(null);
    setDropAt(null);
    if (Number.isInteger(from) && from !== i) actions.moveLayer(from, i);
  };

  return (
    <ol className="bf-layers" aria-label="Layers, from input to output" data-testid="layer-list">
      <li className="bf-layer bf-input-row">
        <div className="bf-layer-head">
          <span className="bf-layer-num" aria-hidden="true">
            in
          </span>
          <strong>Input</strong>
          <span className="bf-readout">
            <span>
              shape <b data-testid="builder-input-shape">{shapeText(inputShape)}</b>
            </span>
          </span>
        </div>
      </li>
      {layers.map((layer, i) => {
        const a = analysis[i];
        const info = LAYER_INFO[layer.kind];
        const errorId = `layer-${i}-error`;
        const waiting = a?.error === DEPENDS_ON_EARLIER_ERROR;
        return (
          <li
            key={i}
            className={`bf-layer bf-cat-${info.category}${a?.error && !waiting ? ' bf-layer-bad' : ''}${dropAt === i ? ' bf-drop-target' : ''}${dragFrom === i ? ' bf-dragging' : ''}${selected === i ? ' bf-layer-selected' : ''}`}
            data-testid={`layer-${i}`}
            data-selected={selected === i ? 'true' : undefined}
            tabIndex={-1}
            aria-label={`Layer ${i + 1}: ${info.label}${selected === i ? ' (selected: new layers go after it)' : ''}`}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && selected !== null) onSelect(null);
              onKeyDown(i)(e);
            }}
            // Working in a layer selects it, so the palette adds the next layer after it.
            onFocus={() => onSelect(i)}
            onClick={() => onSelect(i)}
            onDragOver={(e) => {
              if (dragFrom !== null) {
                e.preventDefault();
                setDropAt(i);
              }
            }}
            onDragLeave={() => setDropAt((d) => (d === i ? null : d))}
            onDrop={onDrop(i)}
          >
            <div className="bf-layer-head">
              <span
                className="bf-handle"
                draggable={!locked}
                title="Drag to move this layer (or press Alt+↑ / Alt+↓)"
                aria-hidden="true"
                data-testid={`layer-${i}-handle`}
                onDragStart={(e) => {
                  setDragFrom(i);
                  e.dataTransfer.setData('text/plain', String(i));
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onDragEnd={() => {
                  setDragFrom(null);
                  setDropAt(null);
                }}
              >
                ⠿
              </span>
              <span className="bf-layer-num">{i + 1}</span>
              <label className="bf-kind">
                <span className="sr-only">Layer {i + 1} kind</span>
                <select
                  value={layer.kind}
                  disabled={locked}
                  data-testid={`layer-${i}-kind`}
                  aria-describedby={a?.error ? errorId : undefined}
                  onChange={(e) => actions.setLayerKind(i, e.target.value as LayerKind)}
                >
                  {LAYER_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {LAYER_INFO[k].label}
                    </option>
                  ))}
                </select>
              </label>
              <div className="bf-layer-buttons" role="group" aria-label={`Layer ${i + 1} actions`}>
                <button
                  type="button"
                  className="bf-icon"
                  disabled={locked || i === 0}
                  onClick={() => move(i, i - 1)}
                  aria-label={`Move layer ${i + 1} up`}
                  title="Move up (Alt+↑)"
                  data-testid={`layer-${i}-up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="bf-icon"
                  disabled={locked || i === layers.length - 1}
                  onClick={() => move(i, i + 1)}
                  aria-label={`Move layer ${i + 1} down`}
                  title="Move down (Alt+↓)"
                  data-testid={`layer-${i}-down`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="bf-icon"
                  disabled={locked}
                  onClick={() => actions.duplicateLayer(i)}
                  aria-label={`Duplicate layer ${i + 1}`}
                  title="Duplicate"
                  data-testid={`layer-${i}-duplicate`}
                >
                  <DuplicateIcon />
                </button>
                <button
                  type="button"
                  className="bf-icon bf-remove"
                  disabled={locked}
                  onClick={() => actions.removeLayer(i)}
                  aria-label={`Remove layer ${i + 1}`}
                  title="Remove"
                  data-testid={`layer-${i}-remove`}
                >
                  ✕
                </button>
              </div>
            </div>
            {info.fields.length > 0 && (
              <div className="bf-layer-fields">
                {info.fields.map((f) => (
                  <NumberField
                    key={f.key}
                    label={f.label}
                    value={(layer as unknown as Record<string, number>)[f.key]}
                    bound={f.bound}
                    disabled={locked}
                    testId={`layer-${i}-${f.key}`}
                    name={`layer ${i + 1}'s ${f.label.toLowerCase()}`}
                    onChange={(v) => actions.updateLayer(i, { [f.key]: v })}
                  />
                ))}
              </div>
            )}
            <dl className="bf-readout">
              <div>
                <dt>out</dt>
                <dd data-testid={`layer-${i}-shape`}>{shapeText(a?.outputShape ?? null)}</dd>
              </div>
              <div>
                <dt>params</dt>
                <dd data-testid={`layer-${i}-params`}>{formatInt(a?.params ?? 0)}</dd>
              </div>
              <div>
                <dt>FLOPs</dt>
                <dd data-testid={`layer-${i}-flops`} title={`${formatInt(a?.flopsPerImage ?? 0)} per image`}>
                  {formatCompact(a?.flopsPerImage ?? 0)}
                </dd>
              </div>
              <div>
                <dt>memory</dt>
                <dd data-testid={`layer-${i}-memory`} title="Output values stored per image">
                  {formatBytes(a?.activationBytesPerImage ?? 0)}
                </dd>
              </div>
            </dl>
            {a?.error && (
              <p className={waiting ? 'bf-layer-waiting' : 'bf-layer-error'} id={errorId} data-testid={errorId}>
                {waiting ? 'Shapes unknown: this layer depends on an earlier layer that has a problem.' : a.error}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Two overlapping squares (the ⧉ glyph is missing from many fonts). */
function DuplicateIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" className="bf-icon-svg">
      <rect x="5" y="5" width="9" height="9" rx="1.5" />
      <path d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5" />
    </svg>
  );
}
