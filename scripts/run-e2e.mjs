// Builds the app and runs the Playwright suite against it in a real Chromium with WebGPU.
import { spawnSync } from 'node:child_process';
import { findChromium, HOW_TO_INSTALL } from './find-chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  if (process.env.CHROMIUM_PATH)
    console.error(`CHROMIUM_PATH points to ${process.env.CHROMIUM_PATH}, which does not exist.`);
  console.error(HOW_TO_INSTALL);
  process.exit(1);
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!process.argv.includes('--no-build')) run('npx', ['vite', 'build', '--logLevel', 'warn']);
const extra = process.argv.slice(2).filter((a) => a !== '--no-build');
run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', ...extra], { CHROMIUM_PATH: chromium });
