/**
 * Monaco, loaded on first use. This module is only ever imported dynamically (see loadMonaco in
 * monacoLoader.ts), so Vite puts Monaco in its own chunk and the main bundle stays small. It
 * takes the editor core plus the few features the kernel editor needs (hover for error
 * messages, find, bracket matching, comments, the diff editor), not every language.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/diffEditor/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/linesOperations/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { WGSL_LANGUAGE_ID, wgslLanguageConfiguration, wgslMonarch } from './wgslLanguage';

// Monaco asks for a worker (text diffing, word ranges); the one bundled by Vite, never a CDN.
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

if (!monaco.languages.getLanguages().some((l) => l.id === WGSL_LANGUAGE_ID)) {
  monaco.languages.register({ id: WGSL_LANGUAGE_ID, extensions: ['.wgsl'], aliases: ['WGSL'] });
  monaco.languages.setMonarchTokensProvider(WGSL_LANGUAGE_ID, wgslMonarch as monaco.languages.IMonarchLanguage);
  monaco.languages.setLanguageConfiguration(WGSL_LANGUAGE_ID, wgslLanguageConfiguration);
}

export { monaco };
