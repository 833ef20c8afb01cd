import { describe, expect, it } from 'vitest';
import { formatBytes, formatCompact, formatInt, shapeText } from './format';

describe('builder formatting', () => {
  it('writes whole numbers with thousands separators', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
  });

  it('writes large counts with three significant digits and a unit', () => {
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(1_625_866)).toBe('1.63 M');
    expect(formatCompact(25_000_000_000)).toBe('25.0 G');
  });

  it('writes bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
  });

  it('writes shapes with × and a dash for unknown shapes', () => {
    expect(shapeText([32, 26, 26])).toBe('32×26×26');
    expect(shapeText(null)).toBe('—');
  });
});
