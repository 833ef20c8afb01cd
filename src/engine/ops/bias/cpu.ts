/** The bias gradient on the CPU, the twin the bias_grad kernel is checked against. */

/** CPU twin of bias_grad: db[c] (+)= sum of dy[r, c, s] (f64 sum, as the CPU layers do). */
export function biasGradReference(
  dy: Float32Array,
  rows: number,
  channels: number,
  spatial: number,
  db0?: Float32Array,
): Float64Array {
  const db = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) for (let s = 0; s < spatial; s++) db[c] += dy[(r * channels + c) * spatial + s];
  }
  if (db0) for (let c = 0; c < channels; c++) db[c] += db0[c];
  return db;
}
