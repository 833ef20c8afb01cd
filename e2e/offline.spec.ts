import { expect, test } from '@playwright/test';
import { serveDistFrom, type SubfolderServer } from './support/subfolderServer';

// The service worker runs only in this file (the config blocks it elsewhere). The app is served
// from a sub-folder, as on a school's web space, to check that relative paths keep working.
test.use({ serviceWorkers: 'allow' });

let server: SubfolderServer;
test.beforeAll(async () => {
  server = await serveDistFrom('/classroom/gpu-learn/');
});
test.afterAll(async () => {
  await server.close();
});

test('after one visit the app opens and trains with the network cut', async ({ context, page }) => {
  await page.goto(`${server.url}#/`);
  const status = page.getByTestId('offline-status');
  await expect(status).toContainText('Ready to work offline');
  await expect(status).toHaveAttribute('data-data-saved', 'false');
  await page.getByTestId('offline-save-data').click();
  await expect(status).toHaveAttribute('data-data-saved', 'true', { timeout: 60_000 });
  await expect(status).toContainText('training works without a network');

  await context.setOffline(true);
  const offline = await context.newPage();
  await offline.goto(`${server.url}#/train`);
  await expect(offline.locator('main h1')).toHaveText('Train on MNIST');
  await expect(offline.getByTestId('offline-status')).toHaveAttribute('data-data-saved', 'true');
  await offline.getByTestId('train-preset').selectOption('mlp');
  await offline.getByTestId('train-subset').fill('500');
  await offline.getByTestId('train-epochs').fill('1');
  await offline.getByTestId('train-eval-every').fill('0');
  await offline.getByTestId('train-start').click();
  await expect(offline.getByText('Finished.', { exact: true })).toBeVisible({ timeout: 90_000 });
  expect(Number(await offline.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(20);
  // Another view, straight from the cache.
  await offline.goto(`${server.url}#/matmul?a=1,2;3,4&b=5,6;7,8`);
  await offline.getByTestId('step-end').click();
  await expect(offline.getByTestId('matmul-out-1-1')).toHaveText('50');
  await offline.screenshot({ path: 'e2e-artifacts/offline-matmul.png' });
});
