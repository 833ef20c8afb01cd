#!/usr/bin/env node
/**
 * Builds and runs a benchmark. `node scripts/bench.mjs train [options]` (npm run bench:train -- ...)
 * bundles bench/train.ts with esbuild into ONE self-contained ES module (dist-bench/train.mjs: the
 * engine, its WGSL kernels inlined from the `?raw` imports, TF.js for --vs tfjs), then runs it
 * with the same Node. The bundle needs no node_modules: it loads dawn.node from $DAWN_NODE when
 * set (the device machine), else from the npm package `webgpu`.
 *
 *   node scripts/bench.mjs train --preset mlp --subset 512 --epochs 1
 *   node scripts/bench.mjs build [--outfile PATH]   # bundle only (for the device machine)
 *   BENCH_NO_BUILD=1 node scripts/bench.mjs train ... # reuse the last bundle
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = { train: 'bench/train.ts', kernels: 'bench/kernels.ts' };

/** `import text from './x.wgsl?raw'` → the file's text, as Vite does. */
const rawPlugin = {
  name: 'raw',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.replace(/\?raw$/, '')),
      namespace: 'raw',
    }));
    build.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

export async function bundle(name, outfile) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, BENCHES[name])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [rawPlugin],
    // CommonJS inside the bundle (TF.js's dependencies) may call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'build') {
    const i = rest.indexOf('--outfile');
    const name = rest.includes('--bench') ? rest[rest.indexOf('--bench') + 1] : 'train';
    const outfile = i >= 0 ? path.resolve(rest[i + 1]) : path.join(root, 'dist-bench', `${name}.mjs`);
    await bundle(name, outfile);
    console.error(`[bench] wrote ${path.relative(process.cwd(), outfile)}`);
    return 0;
  }
  if (!BENCHES[cmd]) {
    console.error(`usage: node scripts/bench.mjs <${Object.keys(BENCHES).join('|')}|build> [options]`);
    return 2;
  }
  const outfile = path.join(root, 'dist-bench', `${cmd}.mjs`);
  if (!process.env.BENCH_NO_BUILD || !existsSync(outfile)) await bundle(cmd, outfile);
  const child = spawn(process.execPath, [outfile, ...rest], { stdio: 'inherit', cwd: process.cwd() });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
