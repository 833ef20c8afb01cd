import { expect, test, type Page } from '@playwright/test';

// This project launches Chromium without --enable-unsafe-webgpu: navigator.gpu exists but offers
// no adapter, like a browser where WebGPU is blocked. The second case removes navigator.gpu
// entirely, like a browser that has never heard of WebGPU.

async function expectFallback(page: Page, reason: RegExp) {
  const banner = page.getByTestId('webgpu-status');
  await expect(banner).toHaveAttribute('data-state', 'unavailable');
  await expect(banner).toContainText('WebGPU is not available');
  await expect(banner).toContainText(reason);
  await expect(page.getByTestId('cpu-fallback')).toContainText('CPU');
  // The rest of the app still works: the dataset page loads through the real loader.
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('data-count')).toHaveText('10,000');
}

test('when WebGPU offers no adapter the banner explains it and names the CPU fallback', async ({ page }) => {
  await page.goto('./');
  await expectFallback(page, /no GPU adapter/);
});

test('when the browser has no navigator.gpu at all the banner says which browsers have it', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('./');
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
  await expectFallback(page, /does not offer WebGPU/);
});
