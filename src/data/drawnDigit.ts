/**
 * Turns a digit drawn on a canvas into an MNIST-like 28×28 image, the way the MNIST images were
 * made: the ink's bounding box is scaled (keeping its aspect ratio, with anti-aliasing) so its
 * longer side is 20 pixels, and the result is placed in a 28×28 field so that its centre of mass
 * sits at the centre. Without this a digit drawn small or in a corner looks nothing like the
 * training data and the network guesses badly.
 */

/** Ink at or below this (0–255) counts as paper. */
const INK_THRESHOLD = 8;
export const DIGIT_SIDE = 28;
export const DIGIT_BOX = 20;

/**
 * `ink` is width×height values 0–255 (255 = full ink; e.g. a canvas's alpha channel).
 * Returns 784 bytes (0 = paper, 255 = ink) or null when nothing was drawn.
 */
export function drawingToMnist(ink: ArrayLike<number>, width: number, height: number): Uint8Array | null {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK_THRESHOLD) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return null;
  const boxW = maxX - minX + 1;
  const boxH = maxY - minY + 1;
  const scale = DIGIT_BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));
  const small = resampleArea(ink, width, minX, minY, boxW, boxH, outW, outH);

  // Centre of mass of the scaled digit, then shift it to the middle of the 28×28 field.
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x];
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  const cx = mass > 0 ? sx / mass : outW / 2;
  const cy = mass > 0 ? sy / mass : outH / 2;
  const dx = Math.round(DIGIT_SIDE / 2 - cx);
  const dy = Math.round(DIGIT_SIDE / 2 - cy);
  const out = new Uint8Array(DIGIT_SIDE * DIGIT_SIDE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const tx = x + dx;
      const ty = y + dy;
      if (tx < 0 || ty < 0 || tx >= DIGIT_SIDE || ty >= DIGIT_SIDE) continue;
      out[ty * DIGIT_SIDE + tx] = Math.round(Math.min(255, small[y * outW + x]));
    }
  }
  return out;
}

/** Area-averaging resample of a sub-rectangle (each output pixel = mean ink of the source area it covers). */
function resampleArea(
  src: ArrayLike<number>,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  const fx = w / outW;
  const fy = h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const ya = oy * fy;
    const yb = ya + fy;
    for (let ox = 0; ox < outW; ox++) {
      const xa = ox * fx;
      const xb = xa + fx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          const a = wx * wy;
          sum += a * src[(y0 + Math.min(h - 1, y)) * stride + x0 + Math.min(w - 1, x)];
          area += a;
        }
      }
      out[oy * outW + ox] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}
