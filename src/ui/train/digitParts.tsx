/** Small pieces the dashboard panels share: a 28×28 digit, a probability bar chart, a heat-map canvas. */
import { useEffect, useRef } from 'react';

/** One 28×28 digit (0 = paper) drawn pixel for pixel and scaled up by CSS. */
export function DigitImage({ pixels, label, className }: { pixels: Uint8Array; label: string; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = 255 - pixels[p];
      img.data[p * 4] = v;
      img.data[p * 4 + 1] = v;
      img.data[p * 4 + 2] = v;
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels]);
  return (
    <canvas ref={ref} width={28} height={28} className={className ?? 'digit-image'} role="img" aria-label={label} />
  );
}

/** Ten horizontal bars, one per digit, the most likely one highlighted. */
export function ProbabilityBars({ probs, testId }: { probs: number[]; testId?: string }) {
  const best = probs.reduce((b, p, i) => (p > probs[b] ? i : b), 0);
  return (
    <ol className="prob-bars" data-testid={testId} aria-label="Probability of each digit">
      {probs.map((p, digit) => (
        <li key={digit} className={digit === best ? 'best' : undefined}>
          <span className="prob-digit">{digit}</span>
          <span className="prob-track">
            <span className="prob-fill" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
          </span>
          <span className="prob-value">{(p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ol>
  );
}

/**
 * A small map of values as colours: diverging blue/white/red around 0 for weights, or white to
 * dark for activations (`positive`). Each map is scaled to its own largest magnitude.
 */
export function HeatMap({
  values,
  width,
  height,
  positive,
  label,
}: {
  values: Float32Array;
  width: number;
  height: number;
  positive?: boolean;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    let max = 1e-12;
    for (const v of values) max = Math.max(max, Math.abs(v));
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const t = values[i] / max;
      let r: number, g: number, b: number;
      if (positive) {
        const v = Math.round(255 * (1 - Math.max(0, t)));
        r = v;
        g = v;
        b = v;
      } else if (t >= 0) {
        r = 255;
        g = Math.round(255 * (1 - t));
        b = Math.round(255 * (1 - t));
      } else {
        r = Math.round(255 * (1 + t));
        g = Math.round(255 * (1 + t));
        b = 255;
      }
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = b;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [values, width, height, positive]);
  return <canvas ref={ref} width={width} height={height} className="heat-map" role="img" aria-label={label} />;
}
