/** Number formatting for the builder's read-outs. */

/** 1234567 → "1,234,567". */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1234567 → "1.23 M"; small numbers are written out in full. */
export function formatCompact(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toPrecision(3)} ${unit}`;
  return formatInt(n);
}

/** Bytes in binary units: 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  if (u === 0) return `${formatInt(value)} bytes`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[u]}`;
}

/** [32, 26, 26] → "32×26×26"; null → "—". */
export function shapeText(shape: number[] | null): string {
  return shape ? shape.join('×') : '—';
}
