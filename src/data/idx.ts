/**
 * The IDX file format used by MNIST (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
 * (two zero bytes, an element-type byte, a dimension-count byte), one big-endian u32 per dimension,
 * then the elements in row-major order. Only unsigned bytes (type 0x08) are supported, with any
 * number of dimensions; MNIST labels are 1-D (magic 0x00000801), images 3-D (0x00000803).
 * Pure: no DOM, no Node built-ins, so it runs in the browser, a Worker and Node.
 */

/** The element-type byte for unsigned bytes, the only type this parser accepts. */
export const IDX_TYPE_UBYTE = 0x08;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** A decoded IDX tensor of unsigned bytes; `data` is a view into the parsed buffer (no copy). */
export interface IdxTensor {
  /** Sizes of each dimension, outermost first (e.g. [10000, 28, 28]). */
  dims: number[];
  /** The elements in row-major order; length is the product of `dims`. */
  data: Uint8Array;
}

/** Thrown for bytes that are not a well-formed IDX file (or not a valid MNIST pair). */
export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
}

const hexByte = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;
const hexWord = (w: number) => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
const dimsText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

function asBytes(buffer: ArrayBuffer | Uint8Array): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}

/** Parses an IDX file of unsigned bytes; throws IdxFormatError with a specific sentence when malformed. */
export function parseIdx(buffer: ArrayBuffer | Uint8Array): IdxTensor {
  const bytes = asBytes(buffer);
  if (bytes.length < 4) {
    throw new IdxFormatError(
      `IDX data is too short for a header: got ${bytes.length} bytes, but the magic number alone needs 4.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(
      `Not an IDX file: the magic number ${hexWord(magic)} should start with two zero bytes ` +
        `(MNIST images use 0x00000803, labels 0x00000801).`,
    );
  }
  const type = bytes[2];
  if (type !== IDX_TYPE_UBYTE) {
    const known = TYPE_NAMES[type];
    throw new IdxFormatError(
      known
        ? `IDX element type ${hexByte(type)} (${known}) is not supported; only ${hexByte(IDX_TYPE_UBYTE)} (unsigned byte) is.`
        : `Unknown IDX element type ${hexByte(type)} in magic number ${hexWord(magic)}; expected ${hexByte(IDX_TYPE_UBYTE)} (unsigned byte).`,
    );
  }
  const ndims = bytes[3];
  if (ndims === 0) {
    throw new IdxFormatError(`IDX magic number ${hexWord(magic)} declares 0 dimensions; at least 1 is needed.`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(
      `IDX data is too short for a header: ${ndims} dimensions need ${headerBytes} header bytes, but only ${bytes.length} are present.`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d)); // DataView reads big-endian by default
  // A product of u32s can pass 2^53, but then it is still far beyond any real length, which is all we compare.
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  const expectedTotal = headerBytes + dataBytes;
  if (bytes.length < expectedTotal) {
    throw new IdxFormatError(
      `IDX data is truncated: dims ${dimsText(dims)} need ${dataBytes} data bytes after the ${headerBytes}-byte header ` +
        `(${expectedTotal} bytes in all), but the file has ${bytes.length} bytes (${bytes.length - headerBytes} of data).`,
    );
  }
  if (bytes.length > expectedTotal) {
    throw new IdxFormatError(
      `IDX data has ${bytes.length - expectedTotal} unexpected extra bytes at the end: dims ${dimsText(dims)} ` +
        `need ${expectedTotal} bytes in all, but the file has ${bytes.length}.`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expectedTotal) };
}

/** Encodes unsigned bytes as an IDX file (the inverse of parseIdx); used to craft test data. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array<ArrayBuffer> {
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`IDX needs 1 to 255 dimensions, got ${dims.length}.`);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new RangeError(`dims ${dimsText(dims)} need ${expected} elements, got ${data.length}.`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_TYPE_UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, headerBytes);
  return out;
}

/** What a valid MNIST images/labels pair holds. */
export interface MnistPairInfo {
  count: number;
  rows: 28;
  cols: 28;
}

/** Checks that images are N x 28 x 28, labels are N values in 0..9, and N matches expectedCount if given. */
export function validateMnistPair(images: IdxTensor, labels: IdxTensor, expectedCount?: number): MnistPairInfo {
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    throw new IdxFormatError(`MNIST images must have dims [count, 28, 28], but these have ${dimsText(images.dims)}.`);
  }
  if (labels.dims.length !== 1) {
    throw new IdxFormatError(`MNIST labels must be 1-D [count], but these have dims ${dimsText(labels.dims)}.`);
  }
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new IdxFormatError(`There are ${count} MNIST images but ${labels.dims[0]} labels; the counts must match.`);
  }
  if (expectedCount !== undefined && count !== expectedCount) {
    throw new IdxFormatError(`Expected ${expectedCount} MNIST images and labels, but found ${count}.`);
  }
  const bad = labels.data.findIndex((label) => label > 9);
  if (bad >= 0) {
    throw new IdxFormatError(`MNIST label at index ${bad} is ${labels.data[bad]}; labels must be digits 0 to 9.`);
  }
  return { count, rows: 28, cols: 28 };
}
