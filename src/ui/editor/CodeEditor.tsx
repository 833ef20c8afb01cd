import { useEffect, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { loadMonaco } from './monacoLoader';
import { WGSL_LANGUAGE_ID } from './wgslLanguage';
import type { MarkerData } from './markers';

interface CodeEditorProps {
  /** The text to show; a change from outside (reset, a challenge, a link) replaces the editor's text. */
  value: string;
  onChange: (text: string) => void;
  markers: MarkerData[];
  label: string;
}

/**
 * Monaco with WGSL highlighting and the compiler's markers. Monaco loads on first mount; until
 * then (or if it cannot load) a plain text area edits the same text, so the page always works.
 */
export function CodeEditor({ value, onChange, markers, label }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<typeof Monaco | null>(null);
  const onChangeRef = useRef(onChange);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');

  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    let disposed = false;
    let editor: Monaco.editor.IStandaloneCodeEditor | null = null;
    loadMonaco().then(
      ({ monaco }) => {
        if (disposed || !host.current) return;
        monacoRef.current = monaco;
        const model = monaco.editor.createModel(value, WGSL_LANGUAGE_ID);
        editor = monaco.editor.create(host.current, {
          model,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          fixedOverflowWidgets: true,
          tabSize: 2,
          ariaLabel: label,
          renderValidationDecorations: 'on',
        });
        editor.onDidChangeModelContent(() => onChangeRef.current(model.getValue()));
        editorRef.current = editor;
        setState('ready');
      },
      () => !disposed && setState('failed'),
    );
    return () => {
      disposed = true;
      editor?.getModel()?.dispose();
      editor?.dispose();
      editorRef.current = null;
    };
    // The editor is made once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && model.getValue() !== value) model.setValue(value);
  }, [value, state]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && monacoRef.current) monacoRef.current.editor.setModelMarkers(model, 'wgsl', markers);
  }, [markers, state]);

  return (
    <div className="code-editor" data-testid="kernel-editor" data-state={state}>
      {state !== 'ready' && (
        <textarea
          className="code-fallback"
          aria-label={label}
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={state === 'loading' ? 'Loading the editor…' : ''}
        />
      )}
      <div ref={host} className="code-host" hidden={state !== 'ready'} />
    </div>
  );
}
