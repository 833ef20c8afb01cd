/**
 * Turns the compiler's messages (KernelRunner's CompileMessage: 1-based line and column, and an
 * offset/length in UTF-16 code units where the compiler gives them) into editor markers, without
 * importing Monaco, so the mapping is unit-tested in Node. Severities are Monaco's numbers.
 */
import type { CompileMessage } from '../../engine/kernel/runner';

/** monaco.MarkerSeverity values. */
export const MarkerSeverity = { Info: 2, Warning: 4, Error: 8 } as const;

/** The fields of monaco.editor.IMarkerData we fill in. */
export interface MarkerData {
  severity: number;
  message: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  source: string;
}

/** Line/column (1-based) of a UTF-16 offset in `text`, clamped to the text. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const at = Math.max(0, Math.min(text.length, Math.floor(offset)));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

/** Maps compiler messages to markers on `text`; messages without a line go on line 1. */
export function compileMessagesToMarkers(messages: readonly CompileMessage[], text: string): MarkerData[] {
  const lines = text.split('\n');
  const lineLength = (line: number) => (lines[line - 1] ?? '').replace(/\r$/, '').length;
  const clampLine = (line: number) => Math.max(1, Math.min(lines.length, line));
  return messages.map((m) => {
    const severity =
      m.type === 'error' ? MarkerSeverity.Error : m.type === 'warning' ? MarkerSeverity.Warning : MarkerSeverity.Info;
    if (!(m.line > 0)) {
      // Not tied to a place (e.g. a binding that does not match the kernel table): mark line 1.
      return {
        severity,
        message: m.message,
        startLineNumber: 1,
        startColumn: 1,
        endLineNumber: 1,
        endColumn: lineLength(1) + 1,
        source: 'WGSL',
      };
    }
    const startLine = clampLine(m.line);
    const startColumn = Math.max(1, Math.min(lineLength(startLine) + 1, m.column || 1));
    let end = { line: startLine, column: startColumn + 1 };
    if (m.offset !== undefined && m.length !== undefined && m.length > 0) {
      end = positionAt(text, m.offset + m.length);
    } else {
      // No length: underline the word that starts here, or one character.
      const rest = (lines[startLine - 1] ?? '').slice(startColumn - 1);
      const word = /^[A-Za-z0-9_]+/.exec(rest);
      end = { line: startLine, column: startColumn + Math.max(1, word ? word[0].length : 1) };
    }
    if (end.line < startLine || (end.line === startLine && end.column <= startColumn))
      end = { line: startLine, column: startColumn + 1 };
    return {
      severity,
      message: m.message,
      startLineNumber: startLine,
      startColumn,
      endLineNumber: end.line,
      endColumn: end.column,
      source: 'WGSL',
    };
  });
}

/** "Line 12, column 5" or "Whole kernel" for a message, as the error list shows it. */
export function describePlace(m: CompileMessage): string {
  return m.line > 0 ? `Line ${m.line}, column ${m.column}` : 'Whole kernel';
}
