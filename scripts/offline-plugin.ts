/**
 * Vite plugin: after a production build, writes `sw.js` (src/offline/sw.ts bundled by esbuild)
 * into the output folder with the list of files to precache. Main chunks and CSS are precached;
 * Monaco's chunks, its worker and font are left to be cached on first use (3.7 MB that most
 * visits never load); the MNIST files are cached on first use or when the user saves them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'vite';
import type { OfflineManifest } from '../src/offline/swRoutes';

/** Built files that load only when needed (the kernel editor), by name. */
const LAZY = /(^|\/)(monaco|editor\.worker|codicon)[-.]/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'));
}

/** The manifest for a built folder: everything except lazy chunks, data files and source maps. */
export function offlineManifest(outDir: string): OfflineManifest {
  const files = filesUnder(outDir)
    .filter((f) => f !== 'sw.js' && !f.endsWith('.map'))
    .sort();
  const data = files.filter((f) => f.startsWith('data/') && f.endsWith('.gz'));
  const precache = files.filter((f) => !data.includes(f) && !LAZY.test(f));
  const hash = createHash('sha256');
  for (const f of precache) hash.update(f).update(readFileSync(join(outDir, f)));
  return { version: hash.digest('hex').slice(0, 12), precache, data };
}

export function offlinePlugin(): Plugin {
  let outDir = 'dist';
  let root = '.';
  return {
    name: 'gpu-learn-offline',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const manifest = offlineManifest(outDir);
      const result = await build({
        entryPoints: [resolve(root, 'src/offline/sw.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
      });
      const code = `self.__OFFLINE_MANIFEST__=${JSON.stringify(manifest)};\n${result.outputFiles[0].text}`;
      writeFileSync(join(outDir, 'sw.js'), code);
    },
  };
}
