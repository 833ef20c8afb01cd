import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { offlinePlugin } from './scripts/offline-plugin.ts';
import { cspPlugin } from './scripts/csp-plugin.ts';

// Relative base so the built site works from any static host or sub-folder.
export default defineConfig({
  base: './',
  // offlinePlugin: writes dist/sw.js (offline use after the first visit; production builds only).
  // cspPlugin: the Content-Security-Policy meta tag (production builds only).
  plugins: [react(), offlinePlugin(), cspPlugin()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Each GPU test file runs in its own process: dawn.node dislikes very many waits in one process.
    isolate: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
