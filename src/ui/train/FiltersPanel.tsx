/**
 * Inside the first convolution layer: its learned filters (blue negative, red positive) and what
 * each filter responds to in one chosen image (a drawn digit or a test image), after its ReLU.
 */
import { memo, useEffect, useState } from 'react';
import { askDashboard } from './dashboardClient';
import { DigitImage, HeatMap } from './digitParts';
import type { LayerActivation } from '../../worker/dashboardProtocol';

type Filters = { layerIndex: number; shape: number[]; weights: Float32Array };

export const FiltersPanel = memo(function FiltersPanel({
  modelVersion,
  image,
}: {
  modelVersion: number;
  image: { pixels: Uint8Array; label: string } | null;
}) {
  const [filters, setFilters] = useState<Filters | null | 'none'>(null);
  const [activation, setActivation] = useState<LayerActivation | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    askDashboard({ op: 'filters' }).then(
      (r) => live && setFilters(r.layerIndex < 0 ? 'none' : (r as Filters)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [modelVersion]);
  useEffect(() => {
    if (!image) return;
    let live = true;
    askDashboard({ op: 'predictImage', pixels: image.pixels }).then(
      (r) => live && setActivation(r.activation),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [image, modelVersion]);
  if (filters === 'none') {
    return (
      <section className="card">
        <h2>Filters</h2>
        <p className="muted">
          This network has no convolution layer, so it has no filters to show. Pick a CNN to see what its filters learn.
        </p>
      </section>
    );
  }
  const [count, inC, k] = filters ? filters.shape : [0, 1, 0];
  const shown = Math.min(count, 32);
  return (
    <section className="card" aria-labelledby="filters-title">
      <h2 id="filters-title">First convolution layer: filters and activations</h2>
      {error && (
        <p className="bad-text" role="alert">
          {error}
        </p>
      )}
      {filters && (
        <>
          <p className="muted">
            {count} filters of {k}×{k} pixels{count > shown ? ` (first ${shown} shown)` : ''}. Red weights add
            brightness under them, blue ones subtract it.
          </p>
          <ul className="map-grid" data-testid="conv-filters">
            {Array.from({ length: shown }, (_, f) => (
              <li key={f}>
                <HeatMap
                  values={filters.weights.subarray(f * inC * k * k, f * inC * k * k + k * k)}
                  width={k}
                  height={k}
                  label={`filter ${f + 1}`}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>What each filter sees in {image ? image.label : 'an image'}</h3>
      {!image && (
        <p className="muted">Draw a digit or click a test image above to see each filter&apos;s response to it.</p>
      )}
      {image && activation && (
        <div className="activation-layout">
          <DigitImage pixels={image.pixels} label={image.label} className="digit-image large" />
          <ul className="map-grid" data-testid="conv-activations">
            {Array.from({ length: Math.min(activation.shape[0], shown) }, (_, f) => {
              const hw = activation.shape[1] * activation.shape[2];
              return (
                <li key={f}>
                  <HeatMap
                    values={activation.data.subarray(f * hw, (f + 1) * hw)}
                    width={activation.shape[2]}
                    height={activation.shape[1]}
                    positive
                    label={`activation of filter ${f + 1}`}
                  />
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
});
