/**
 * Training data as the trainer sees it. Images (MNIST) stay u8 and are uploaded once, packed
 * four bytes per u32; batches are gathered and normalised on the GPU. Small vector sets (the
 * perceptron's toy data) are used whole as one batch.
 */
export interface ImageDataset {
  kind: 'images';
  /** count × pixels bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  pixels: number;
  /** Normalisation: x = (byte/255 − mean)/std. */
  mean?: number;
  std?: number;
}

export interface VectorDataset {
  kind: 'vectors';
  /** count × features floats. */
  inputs: Float32Array;
  /** count × outputs floats. */
  targets: Float32Array;
  count: number;
}

export type Dataset = ImageDataset | VectorDataset;

/** The first `n` examples of an image set (the "train subset" option), sharing memory. */
export function subsetImages(set: ImageDataset, n: number): ImageDataset {
  const count = Math.max(1, Math.min(set.count, Math.floor(n)));
  return { ...set, count, images: set.images.subarray(0, count * set.pixels), labels: set.labels.subarray(0, count) };
}

/** u8 bytes packed into u32 words (little-endian), padded to a whole word: how WGSL reads them. */
export function packBytesToWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4) || 1);
  new Uint8Array(words.buffer).set(bytes);
  return words;
}
