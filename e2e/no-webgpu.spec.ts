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

/** The GPU check page says what the banner says, offers no check it cannot run, and never says "on your GPU". */
async function expectGpuCheckAgrees(page: Page) {
  await page.goto('./#/gpu-check');
  const banner = page.getByTestId('webgpu-status');
  await expect(banner).toHaveAttribute('data-state', 'unavailable');
  const message = page.getByTestId('gpu-check-unavailable');
  await expect(message).toContainText('WebGPU is not available.');
  const first = (await message.locator('p').first().textContent())!;
  const reason = first.replace('WebGPU is not available.', '').trim();
  expect(reason.length).toBeGreaterThan(10);
  await expect(banner).toContainText(reason);
  await expect(page.getByTestId('gpu-check-run')).toBeDisabled();
  await expect(page.getByTestId('worker-gpu')).not.toContainText('is using');
  await expect(page.locator('body')).not.toContainText(/on your GPU/i);
  await page.screenshot({ path: 'e2e-artifacts/no-webgpu-gpu-check.png' });
}

test('when WebGPU offers no adapter the banner explains it and names the CPU fallback', async ({ page }) => {
  await page.goto('./');
  // The home page's live run, its cards and the footer name the CPU, never "your GPU".
  await expect(page.getByTestId('home-run-status')).toContainText('CPU');
  await expect(page.locator('body')).not.toContainText(/on your GPU/i);
  await expectFallback(page, /no GPU adapter/);
  await expectGpuCheckAgrees(page);
});

test('when the browser has no navigator.gpu at all the banner says which browsers have it', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('./');
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
  await expectFallback(page, /does not offer WebGPU/);
  await expectGpuCheckAgrees(page);
});

// The builder, a stepper and a small training run on the CPU reference still work without WebGPU.
test('without WebGPU the banner says how to get it, and the steppers, the builder and CPU training work', async ({
  page,
}) => {
  await page.goto('./#/build');
  const banner = page.getByTestId('webgpu-status');
  await expect(banner).toHaveAttribute('data-state', 'unavailable');
  await expect(page.getByTestId('webgpu-howto')).toContainText('Chrome');
  await expect(page.getByTestId('webgpu-howto')).toContainText('Safari');
  await expect(page.getByTestId('webgpu-howto')).toContainText('chrome://flags');

  await expect(page.locator('li.bf-layer').first()).toBeVisible();
  const before = await page.locator('li.bf-layer').count();
  await page.getByTestId('layer-add-dense').click();
  await expect(page.locator('li.bf-layer')).toHaveCount(before + 1);

  await page.goto('./#/conv?x=1,2,3;4,5,6;7,8,9&k=1,0;0,1&pad=0&stride=1');
  await page.getByTestId('step-end').click();
  await expect(page.getByTestId('conv-out-0-0')).toHaveText('6');

  await page.goto('./#/train');
  // Nothing on the training page, its header or its footer claims a GPU this browser does not have.
  const main = page.locator('body');
  await expect(page.getByTestId('train-lede')).toContainText('CPU reference');
  await expect(main).not.toContainText(/on your GPU/i);
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-subset').fill('300');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-eval-every').fill('0');
  await page.getByTestId('train-start').click();
  await expect(page.getByText('Finished.', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText(/on the CPU\)/)).toBeVisible();
  const accuracy = Number(await page.getByTestId('metric-test-accuracy').textContent());
  expect(accuracy).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('metric-train-loss').textContent())).toBeLessThan(2.5);
  await expect(main).not.toContainText(/on your GPU/i);
  // The GPU-only panels say what to do instead of "available once…", which never comes here.
  await expect(page.getByTestId('needs-webgpu')).toHaveCount(2);
  await expect(page.getByTestId('needs-webgpu').first()).toContainText('does not offer');
  await expect(main).not.toContainText('Available once a run on the GPU');
  await expect(page.getByTestId('compare-run')).toBeDisabled();
  await expect(page.getByTestId('layer-costs-run')).toBeDisabled();
  await page.screenshot({ path: 'e2e-artifacts/no-webgpu-train.png', fullPage: true });
});
