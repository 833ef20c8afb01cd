import { expect, test, type Page } from '@playwright/test';

// The built page carries a Content-Security-Policy meta tag (scripts, workers, fonts and
// connections from the app's own origin only). Every route, the kernel editor with Monaco and
// its worker, a short training run and the service worker must work under it without one
// violation. The service worker is allowed here so its registration is checked too.
test.use({ serviceWorkers: 'allow' });

declare global {
  interface Window {
    __cspViolations: string[];
  }
}

/** Records every CSP violation the page reports, from before its first script runs. */
async function recordViolations(page: Page): Promise<string[]> {
  const consoleReports: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) consoleReports.push(msg.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`);
    });
  });
  return consoleReports;
}

const ROUTES = ['build', 'matmul', 'conv', 'pool', 'data', 'gpu-check'];

test('every route loads under the Content-Security-Policy and reports no violation', async ({ page }) => {
  const consoleReports = await recordViolations(page);
  const found: string[] = [];
  const collect = async (route: string) => {
    for (const v of await page.evaluate(() => window.__cspViolations.splice(0))) found.push(`#/${route}: ${v}`);
  };

  await page.goto('./#/');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(policy).not.toContain("'unsafe-eval'");
  await expect(page.getByTestId('offline-status')).toContainText('Ready to work offline');

  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  await collect('');

  // One page load, then each view through the navigation (its chunk, styles and data load then).
  for (const route of ROUTES) {
    await page.getByTestId(`nav-${route}`).click();
    await expect(page.locator('main h1').first()).toBeVisible();
    if (route === 'data') await expect(page.getByTestId('data-count')).toHaveText('10,000');
    await collect(route);
  }

  await page.getByTestId('nav-kernels').click();
  await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await collect('kernels');

  await page.getByTestId('nav-train').click();
  await page.getByTestId('train-preset').selectOption('perceptron');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByText('Finished.', { exact: true })).toBeVisible({ timeout: 60_000 });
  await collect('train');

  expect(found, found.join('\n')).toEqual([]);
  expect(consoleReports, consoleReports.join('\n')).toEqual([]);

  // The policy is really enforced: an injected inline script does not run, and is reported.
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return (window as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  expect(await page.evaluate(() => window.__cspViolations.splice(0))).toEqual([
    expect.stringMatching(/^script-src(-elem)? blocked inline/),
  ]);
});
