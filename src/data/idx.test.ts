import { describe, expect, it } from 'vitest';
import { encodeIdx, IdxFormatError, parseIdx, validateMnistPair, type IdxTensor } from './idx';

/** Hand-written bytes, so the parser is not only checked against its own encoder. */
const bytes = (...values: number[]) => new Uint8Array(values);

function expectIdxError(fn: () => unknown, message: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(IdxFormatError);
  expect((caught as Error).message).toMatch(message);
}

describe('parseIdx', () => {
  it('parses a 1-D label file with magic 0x00000801', () => {
    const t = parseIdx(bytes(0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9));
    expect(t.dims).toEqual([3]);
    expect(Array.from(t.data)).toEqual([7, 0, 9]);
  });

  it('parses a 3-D image file with magic 0x00000803 in row-major order', () => {
    const t = parseIdx(bytes(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    expect(t.dims).toEqual([2, 2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('reads dimensions as big-endian u32s', () => {
    // 0x00000102 = 258 elements; little-endian reading would ask for 0x02010000.
    const header = bytes(0, 0, 8, 1, 0x00, 0x00, 0x01, 0x02);
    const file = new Uint8Array(header.length + 258);
    file.set(header);
    expect(parseIdx(file).dims).toEqual([258]);
  });

  it('accepts any number of dimensions for unsigned bytes', () => {
    const data = Uint8Array.from({ length: 2 * 1 * 3 * 2 }, (_, i) => i);
    const t = parseIdx(encodeIdx([2, 1, 3, 2], data));
    expect(t.dims).toEqual([2, 1, 3, 2]);
    expect(Array.from(t.data)).toEqual(Array.from(data));
  });

  it('accepts an ArrayBuffer as well as a Uint8Array view that starts mid-buffer', () => {
    const file = bytes(0, 0, 8, 1, 0, 0, 0, 2, 4, 5);
    expect(Array.from(parseIdx(file.buffer).data)).toEqual([4, 5]);
    const padded = new Uint8Array(3 + file.length);
    padded.set(file, 3);
    expect(Array.from(parseIdx(padded.subarray(3)).data)).toEqual([4, 5]);
  });

  it('rejects data shorter than the 4-byte magic number', () => {
    expectIdxError(() => parseIdx(bytes(0, 0, 8)), /too short for a header: got 3 bytes/);
    expectIdxError(() => parseIdx(new ArrayBuffer(0)), /too short for a header: got 0 bytes/);
  });

  it('rejects a header cut off inside the dimensions', () => {
    expectIdxError(
      () => parseIdx(bytes(0, 0, 8, 3, 0, 0, 0, 2, 0, 0)),
      /3 dimensions need 16 header bytes, but only 10/,
    );
  });

  it('rejects a magic number that does not start with two zero bytes', () => {
    // A gzip signature is the likeliest mistake: parsing the compressed file.
    expectIdxError(() => parseIdx(bytes(0x1f, 0x8b, 8, 0, 0, 0, 0, 0)), /Not an IDX file.*0x1f8b0800/);
  });

  it('names a known but unsupported element type', () => {
    expectIdxError(() => parseIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0)), /0x0d \(float32\) is not supported/);
  });

  it('rejects an unknown element type', () => {
    expectIdxError(() => parseIdx(bytes(0, 0, 0x42, 1, 0, 0, 0, 0)), /Unknown IDX element type 0x42/);
  });

  it('rejects zero dimensions', () => {
    expectIdxError(() => parseIdx(bytes(0, 0, 8, 0)), /declares 0 dimensions/);
  });

  it('reports expected and actual sizes for truncated data', () => {
    const file = encodeIdx([2, 2, 2], new Uint8Array(8)).subarray(0, 16 + 5);
    expectIdxError(
      () => parseIdx(file),
      /truncated: dims \[2, 2, 2\] need 8 data bytes .*\(24 bytes in all\), but the file has 21 bytes \(5 of data\)/,
    );
  });

  it('rejects trailing bytes after the declared data', () => {
    const file = new Uint8Array(12);
    file.set(bytes(0, 0, 8, 1, 0, 0, 0, 2, 1, 2));
    expectIdxError(() => parseIdx(file), /2 unexpected extra bytes.*need 10 bytes in all, but the file has 12/);
  });

  it('does not overflow on absurd dimensions and reports them as truncated', () => {
    expectIdxError(
      () => parseIdx(bytes(0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
      /truncated: dims \[4294967295, 4294967295, 4294967295\]/,
    );
  });
});

describe('encodeIdx', () => {
  it('writes the big-endian header that parseIdx reads back', () => {
    const file = encodeIdx([1, 2, 2], bytes(1, 2, 3, 4));
    expect(Array.from(file.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2]);
    expect(parseIdx(file).dims).toEqual([1, 2, 2]);
  });

  it('refuses data whose length does not match the dims', () => {
    expect(() => encodeIdx([2, 2], bytes(1, 2, 3))).toThrow(RangeError);
  });
});

describe('validateMnistPair', () => {
  const images = (count: number, rows = 28, cols = 28): IdxTensor => ({
    dims: [count, rows, cols],
    data: new Uint8Array(count * rows * cols),
  });
  const labels = (...values: number[]): IdxTensor => ({ dims: [values.length], data: Uint8Array.from(values) });

  it('accepts N 28x28 images with N labels in 0..9 and returns the count', () => {
    expect(validateMnistPair(images(3), labels(0, 9, 5), 3)).toEqual({ count: 3, rows: 28, cols: 28 });
  });

  it('rejects images that are not 28x28', () => {
    expectIdxError(() => validateMnistPair(images(2, 32, 32), labels(1, 2)), /\[count, 28, 28\].*\[2, 32, 32\]/);
  });

  it('rejects labels that are not 1-D', () => {
    expectIdxError(() => validateMnistPair(images(2), { dims: [2, 1], data: bytes(1, 2) }), /labels must be 1-D/);
  });

  it('rejects mismatched image and label counts', () => {
    expectIdxError(() => validateMnistPair(images(3), labels(1, 2)), /3 MNIST images but 2 labels/);
  });

  it('rejects a count other than the expected one', () => {
    expectIdxError(() => validateMnistPair(images(2), labels(1, 2), 10000), /Expected 10000 .* found 2/);
  });

  it('rejects a label outside 0..9 and says where it is', () => {
    expectIdxError(() => validateMnistPair(images(3), labels(1, 10, 2)), /index 1 is 10/);
  });
});
