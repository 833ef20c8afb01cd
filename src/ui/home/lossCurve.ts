/** The home page's small loss chart as SVG path data. Pure, so the arithmetic is tested. */

export interface ChartBox {
  width: number;
  height: number;
  /** Room kept free on each side, in the same units. */
  pad: number;
}

export interface Scaled {
  /** SVG path data, "M x y L x y …", or '' with no points. */
  d: string;
  /** The value at the top of the chart. */
  top: number;
}

/** A value scale's top: the largest value rounded up to a step of 0.5 (at least 0.5). */
export function niceTop(max: number): number {
  return Math.max(0.5, Math.ceil(max / 0.5) * 0.5);
}

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * Maps points onto the box: x from step 0 to `lastStep` (at least the last point's step), y from
 * 0 at the bottom to `top` (given, or niceTop of the largest value).
 */
export function linePath(
  points: readonly { x: number; y: number }[],
  box: ChartBox,
  lastStep: number,
  top?: number,
): Scaled {
  const maxY = top ?? niceTop(points.reduce((m, p) => Math.max(m, p.y), 0));
  if (!points.length) return { d: '', top: maxY };
  const xEnd = Math.max(1, lastStep, points[points.length - 1].x);
  const w = box.width - 2 * box.pad;
  const h = box.height - 2 * box.pad;
  const d = points
    .map((p, i) => {
      const x = box.pad + (p.x / xEnd) * w;
      const y = box.pad + h - (Math.min(Math.max(p.y, 0), maxY) / maxY) * h;
      return `${i ? 'L' : 'M'}${round(x)} ${round(y)}`;
    })
    .join(' ');
  return { d, top: maxY };
}

/** At most `max` points, averaging runs of neighbours (the last point kept as it is). */
export function thin<T extends { x: number; y: number }>(
  points: readonly T[],
  max: number,
): { x: number; y: number }[] {
  if (points.length <= max) return points.slice();
  const size = Math.ceil(points.length / max);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const run = points.slice(i, i + size);
    out.push({ x: run[run.length - 1].x, y: run.reduce((a, p) => a + p.y, 0) / run.length });
  }
  return out;
}
