/** The transpose on the CPU, the twin kernels/transpose.wgsl is checked against (exactly). */

/** The CPU twin: a row-major [rows, cols] matrix as a row-major [cols, rows] one. */
export function transposeMatrix(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
  return y;
}
