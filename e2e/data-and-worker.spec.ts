import { expect, test } from '@playwright/test';

test('loads the MNIST test set through the real loader and shows its counts', async ({ page }) => {
  await page.goto('./#/data');
  await expect(page.getByTestId('data-count')).toHaveText('10,000');
  await expect(page.getByTestId('data-size')).toHaveText('28×28');
  await expect(page.getByTestId('data-labels')).toHaveText('0–9');
  // Every digit class is present and the bars add up to the whole set.
  const values = await page.locator('.bars .bar-value').allTextContents();
  expect(values).toHaveLength(10);
  expect(values.map((v) => Number(v.replace(/,/g, ''))).reduce((a, b) => a + b, 0)).toBe(10000);
  await expect(page.locator('.digit canvas')).toHaveCount(48);
});

test('a missing data file gives a clear message and a retry, not a blank page', async ({ page }) => {
  await page.route('**/data/mnist/test-images.idx3.gz', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('./#/data');
  await expect(page.getByTestId('data-error')).toContainText('not found');
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await page.unroute('**/data/mnist/test-images.idx3.gz');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('data-count')).toHaveText('10,000');
});

test('the training Worker answers a message round trip and has its own WebGPU device', async ({ page }) => {
  await page.goto('./#/gpu-check');
  await expect(page.getByTestId('worker-status')).toContainText('training worker has the GPU');
  await expect(page.getByTestId('worker-gpu')).toContainText('The training worker is using');
  await page.getByTestId('gpu-check-run').click();
  await expect(page.getByTestId('gpu-check-summary')).toBeVisible({ timeout: 110_000 });
  await expect(page.getByTestId('gpu-check-row-matmul').first()).toBeVisible();
  const mismatches = await page.getByText('MISMATCH').count();
  expect(mismatches).toBe(0);
  await expect(page.getByTestId('gpu-check-summary')).toContainText('match the CPU');
});
