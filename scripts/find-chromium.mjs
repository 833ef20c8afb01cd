// Finds a Chromium-family browser for the e2e tests: $CHROMIUM_PATH, then Debian's chromium,
// then an installed Google Chrome. Playwright cannot download its own browser on every machine.
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** The path of a usable Chromium, or null. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export const HOW_TO_INSTALL =
  'No Chromium or Chrome was found for the browser tests: install one (on Debian/Ubuntu: sudo apt-get install chromium libvulkan1) or set CHROMIUM_PATH to the browser executable.';

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findChromium();
  if (!found) {
    console.error(HOW_TO_INSTALL);
    process.exit(1);
  }
  console.log(found);
}
