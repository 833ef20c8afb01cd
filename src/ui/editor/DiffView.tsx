import { useEffect, useRef } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { loadMonaco } from './monacoLoader';
import { WGSL_LANGUAGE_ID } from './wgslLanguage';

/** Monaco's diff editor: the built-in source on the left, the edited one on the right (read-only). */
export function DiffView({ original, modified }: { original: string; modified: string }) {
  const host = useRef<HTMLDivElement>(null);
  const diffRef = useRef<Monaco.editor.IStandaloneDiffEditor | null>(null);

  useEffect(() => {
    let disposed = false;
    let diff: Monaco.editor.IStandaloneDiffEditor | null = null;
    void loadMonaco().then(({ monaco }) => {
      if (disposed || !host.current) return;
      diff = monaco.editor.createDiffEditor(host.current, {
        readOnly: true,
        originalEditable: false,
        automaticLayout: true,
        minimap: { enabled: false },
        renderSideBySide: host.current.clientWidth > 700,
        // Fold away the unchanged stretches so the edits are what you see.
        hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 5, revealLineCount: 10 },
        useInlineViewWhenSpaceIsLimited: true,
        scrollBeyondLastLine: false,
        fontSize: 13,
      });
      diff.setModel({
        original: monaco.editor.createModel(original, WGSL_LANGUAGE_ID),
        modified: monaco.editor.createModel(modified, WGSL_LANGUAGE_ID),
      });
      diffRef.current = diff;
    });
    return () => {
      disposed = true;
      const model = diff?.getModel();
      diff?.dispose();
      model?.original.dispose();
      model?.modified.dispose();
      diffRef.current = null;
    };
    // Made once; text updates go through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const model = diffRef.current?.getModel();
    if (model && model.modified.getValue() !== modified) model.modified.setValue(modified);
    if (model && model.original.getValue() !== original) model.original.setValue(original);
  }, [original, modified]);

  return (
    <div ref={host} className="diff-host" data-testid="kernel-diff" aria-label="Changes against the built-in kernel" />
  );
}
