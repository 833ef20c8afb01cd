import { describe, expect, it } from 'vitest';
import { compileMessagesToMarkers, describePlace, MarkerSeverity, positionAt } from './markers';

const TEXT = 'fn main() {\n  let x = 1;\n  let y = bad_name + 2;\n}\n';

describe('compile messages as editor markers', () => {
  it('places an error with an offset and length exactly over the text it names', () => {
    const offset = TEXT.indexOf('bad_name');
    const [m] = compileMessagesToMarkers(
      [{ line: 3, column: 11, offset, length: 8, type: 'error', message: 'unresolved identifier' }],
      TEXT,
    );
    expect(m).toMatchObject({
      severity: MarkerSeverity.Error,
      startLineNumber: 3,
      startColumn: 11,
      endLineNumber: 3,
      endColumn: 19,
      message: 'unresolved identifier',
    });
    expect(TEXT.split('\n')[2].slice(m.startColumn - 1, m.endColumn - 1)).toBe('bad_name');
  });

  it('underlines the word at the position when the compiler gives no length', () => {
    const [m] = compileMessagesToMarkers([{ line: 2, column: 7, type: 'warning', message: 'unused' }], TEXT);
    expect(m).toMatchObject({ severity: MarkerSeverity.Warning, startLineNumber: 2, startColumn: 7, endColumn: 8 });
  });

  it('puts messages that are not tied to a line on line 1', () => {
    const [m] = compileMessagesToMarkers([{ line: 0, column: 0, type: 'error', message: 'layout mismatch' }], TEXT);
    expect(m).toMatchObject({ startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 12 });
    expect(describePlace({ line: 0, column: 0, type: 'error', message: '' })).toBe('Whole kernel');
    expect(describePlace({ line: 3, column: 11, type: 'error', message: '' })).toBe('Line 3, column 11');
  });

  it('clamps positions past the end of the text instead of producing impossible ranges', () => {
    const [m] = compileMessagesToMarkers(
      [{ line: 99, column: 500, offset: 10_000, length: 3, type: 'info', message: 'note' }],
      TEXT,
    );
    expect(m.severity).toBe(MarkerSeverity.Info);
    expect(m.startLineNumber).toBeLessThanOrEqual(5);
    expect(m.endLineNumber * 1000 + m.endColumn).toBeGreaterThan(m.startLineNumber * 1000 + m.startColumn);
  });

  it('finds line and column of an offset', () => {
    expect(positionAt(TEXT, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(TEXT, TEXT.indexOf('let x'))).toEqual({ line: 2, column: 3 });
  });
});
