/**
 * Gathering a mini-batch of MNIST-style images by index and normalising it, exactly as the GPU
 * gather kernel does: every step is one f32 operation, in the same order, so results match bit for bit.
 */

/** The MNIST training-set mean and standard deviation of pixel/255 (the usual torchvision values). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/**
 * Copies images[indices[b]] into row b of x, normalised as ((p / 255) − mean) / std in f32, and the
 * matching labels into y. Throws RangeError for an index outside the data.
 */
export function gatherBatch(
  images: Uint8Array,
  labels: Uint8Array,
  indices: ArrayLike<number>,
  pixelsPerImage: number,
  mean = MNIST_MEAN,
  std = MNIST_STD,
): { x: Float32Array; y: Uint8Array } {
  if (!Number.isInteger(pixelsPerImage) || pixelsPerImage < 1) {
    throw new RangeError(`pixelsPerImage must be a positive integer, got ${pixelsPerImage}`);
  }
  const count = Math.min(labels.length, Math.floor(images.length / pixelsPerImage));
  const batch = indices.length;
  const x = new Float32Array(batch * pixelsPerImage);
  const y = new Uint8Array(batch);
  // The GPU receives mean and std as f32 uniforms.
  const mean32 = Math.fround(mean);
  const std32 = Math.fround(std);
  for (let b = 0; b < batch; b++) {
    const index = indices[b];
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`gatherBatch: index ${index} is outside [0, ${count})`);
    }
    for (let j = 0; j < pixelsPerImage; j++) {
      const p = images[index * pixelsPerImage + j];
      const scaled = Math.fround(p / 255); // f32(p) / 255.0
      const centred = Math.fround(scaled - mean32);
      x[b * pixelsPerImage + j] = Math.fround(centred / std32);
    }
    y[b] = labels[index];
  }
  return { x, y };
}
