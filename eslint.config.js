import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The engine must run in a Worker and in Node: no DOM, React or Worker globals may leak into it.
const engineRestrictedGlobals = [
  'window',
  'document',
  'navigator',
  'self',
  'postMessage',
  'importScripts',
  'localStorage',
  'sessionStorage',
  'location',
  'HTMLElement',
  'HTMLCanvasElement',
  'requestAnimationFrame',
  'onmessage',
  'Worker',
].map((name) => ({ name, message: 'src/engine is pure: pass this in from the caller instead.' }));

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-bench',
      'node_modules',
      'public',
      'test-results',
      'playwright-report',
      'e2e-artifacts',
      '.carry',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/ui/**/*.ts', 'src/state/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      'no-restricted-globals': ['error', ...engineRestrictedGlobals],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'react',
                'react-dom',
                'react-dom/*',
                'react/*',
                'zustand',
                'zustand/*',
                'recharts',
                'monaco-editor',
                'monaco-editor/*',
              ],
              message: 'src/engine must not depend on UI libraries.',
            },
            {
              group: ['**/ui/**', '**/state/**', '**/worker/**'],
              message: 'src/engine must not import UI, state or Worker code.',
            },
            {
              group: ['node:*', 'fs', 'path', 'webgpu'],
              message: 'src/engine must run in a browser Worker: no Node modules.',
            },
          ],
        },
      ],
    },
  },
);
