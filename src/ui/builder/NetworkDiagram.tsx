import { useEffect, useRef, useState } from 'react';
import type { LayerSpec } from '../../engine/layers';
import { DEPENDS_ON_EARLIER_ERROR, type LayerAnalysis } from '../../engine/shapes';
import { LAYER_INFO, layerSummary, type LayerCategory } from './layerInfo';
import { shapeText } from './format';

const BOX_W = 92;
/** Narrow screens get tighter gaps so three boxes fit on a phone. */
const gapFor = (width: number) => (width < 480 ? 12 : 22);
const ROW_H = 150;
const MAX_BOX_H = 96;
/** Room around the drawing for the boxes' outlines, which the scrolling container would clip. */
const EDGE_PAD = 4;

interface Box {
  title: string;
  detail: string;
  shape: string;
  category: LayerCategory | 'input';
  height: number;
  state: 'ok' | 'bad' | 'waiting';
}

/** Box height grows with the log of how many numbers the layer outputs. */
function heightFor(shape: number[] | null): number {
  if (!shape) return 40;
  const n = shape.reduce((a, b) => a * b, 1);
  return Math.max(34, Math.min(MAX_BOX_H, 26 + 12 * Math.log10(Math.max(1, n))));
}

function boxes(inputShape: number[], layers: LayerSpec[], analysis: LayerAnalysis[]): Box[] {
  const input: Box = {
    title: 'Input',
    detail: inputShape.length === 3 ? 'MNIST image' : 'toy data',
    shape: shapeText(inputShape),
    category: 'input',
    height: heightFor(inputShape),
    state: 'ok',
  };
  return [
    input,
    ...layers.map((layer, i): Box => {
      const a = analysis[i];
      return {
        title: LAYER_INFO[layer.kind].short ?? LAYER_INFO[layer.kind].label,
        detail: layerSummary(layer),
        shape: a?.outputShape ? shapeText(a.outputShape) : '?',
        category: LAYER_INFO[layer.kind].category,
        height: heightFor(a?.outputShape ?? null),
        state: !a?.error ? 'ok' : a.error === DEPENDS_ON_EARLIER_ERROR ? 'waiting' : 'bad',
      };
    }),
  ];
}

/** An SVG drawing of the network: one box per layer, sized by its output and coloured by kind. */
export function NetworkDiagram({
  inputShape,
  layers,
  analysis,
}: {
  inputShape: number[];
  layers: LayerSpec[];
  analysis: LayerAnalysis[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(BOX_W, Math.floor(entry.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const items = boxes(inputShape, layers, analysis);
  const gap = gapFor(width);
  const perRow = Math.max(1, Math.floor((width - 2 * EDGE_PAD + gap) / (BOX_W + gap)));
  const rows = Math.ceil(items.length / perRow);
  const used = Math.min(items.length, perRow) * (BOX_W + gap) - gap;
  const svgW = Math.max(used, BOX_W) + 2 * EDGE_PAD;
  const svgH = rows * ROW_H;
  const pos = (i: number) => {
    const row = Math.floor(i / perRow);
    const col = i % perRow;
    return { x: col * (BOX_W + gap), cy: row * ROW_H + MAX_BOX_H / 2 + 6 };
  };
  const summary = items.map((b) => `${b.title} ${b.shape}`).join(', then ');

  return (
    <div ref={ref} className="bf-diagram" data-testid="network-diagram">
      <svg
        width={svgW}
        height={svgH}
        viewBox={`${-EDGE_PAD} 0 ${svgW} ${svgH}`}
        role="img"
        aria-label={`Network diagram: ${summary}`}
      >
        {items.slice(1).map((_, k) => {
          const a = pos(k);
          const b = pos(k + 1);
          const sameRow = Math.abs(a.cy - b.cy) < 1;
          const d = sameRow
            ? `M${a.x + BOX_W} ${a.cy} H${b.x - 4}`
            : `M${a.x + BOX_W / 2} ${a.cy + MAX_BOX_H / 2 + 30} V${a.cy + ROW_H / 2 + 20} H${b.x + BOX_W / 2} V${b.cy - MAX_BOX_H / 2 - 4}`;
          return <path key={k} d={d} className="bf-edge" markerEnd="url(#bf-arrow)" />;
        })}
        <defs>
          <marker id="bf-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0 0 L8 4 L0 8 z" className="bf-arrowhead" />
          </marker>
        </defs>
        {items.map((b, i) => {
          const p = pos(i);
          return (
            <g key={i} className={`bf-box bf-cat-${b.category} bf-box-${b.state}`} data-testid={`diagram-box-${i}`}>
              <rect x={p.x} y={p.cy - b.height / 2} width={BOX_W} height={b.height} rx={8} />
              <text x={p.x + BOX_W / 2} y={p.cy - 4} className="bf-box-title">
                {b.title}
              </text>
              {b.detail && (
                <text x={p.x + BOX_W / 2} y={p.cy + 12} className="bf-box-detail">
                  {b.detail}
                </text>
              )}
              <text
                x={p.x + BOX_W / 2}
                y={p.cy + MAX_BOX_H / 2 + 20}
                className="bf-box-shape"
                data-testid={`diagram-shape-${i}`}
              >
                {b.shape}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
