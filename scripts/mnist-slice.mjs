/**
 * The starter slice of MNIST: the first few thousand training images and a few hundred test images,
 * written as their own small IDX files so the home page can start training before the full set
 * (about 11 MB) has arrived. Plain Node ESM with no imports, so prepare-mnist.mjs and tests share it.
 */

/** How many images of each split the starter slice keeps (the first ones, in MNIST's own order). */
export const STARTER_COUNTS = { train: 2000, test: 200 };

/** The folder inside the MNIST output folder that holds the slice and its own manifest.json. */
export const STARTER_DIR = 'starter';

/**
 * The first `count` items of an IDX file (header with the item count rewritten, then the items'
 * bytes). Throws when the file holds fewer items or its header is unreadable.
 */
export function sliceIdx(buf, count) {
  if (!Number.isInteger(count) || count < 1) throw new Error(`A slice needs a whole number of items, not ${count}.`);
  if (buf.length < 8) throw new Error(`An IDX file of ${buf.length} bytes is too short to slice.`);
  const ndims = buf[3];
  const headerBytes = 4 + 4 * ndims;
  if (ndims < 1 || buf.length < headerBytes) throw new Error('The IDX header is damaged: it cannot be sliced.');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const total = view.getUint32(4);
  if (count > total) throw new Error(`The IDX file holds ${total} items, fewer than the ${count} asked for.`);
  let itemBytes = 1;
  for (let d = 1; d < ndims; d++) itemBytes *= view.getUint32(4 + 4 * d);
  const out = new Uint8Array(headerBytes + count * itemBytes);
  out.set(buf.subarray(0, headerBytes), 0);
  new DataView(out.buffer).setUint32(4, count);
  out.set(buf.subarray(headerBytes, headerBytes + count * itemBytes), headerBytes);
  return out;
}
