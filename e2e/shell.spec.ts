import { expect, test } from '@playwright/test';

test.describe('the app shell', () => {
  test('shows the WebGPU adapter in the status banner', async ({ page }) => {
    await page.goto('./');
    const banner = page.getByTestId('webgpu-status');
    await expect(banner).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('webgpu-adapter')).not.toBeEmpty();
    await expect(banner).toContainText(/swiftshader|nvidia|amd|intel|apple|google/i);
  });

  test('navigates between every view through the hash without a blank page', async ({ page }) => {
    await page.goto('./');
    for (const name of ['build', 'train', 'matmul', 'conv', 'pool', 'kernels', 'data', 'gpu-check']) {
      await page.getByTestId(`nav-${name}`).click();
      await expect(page).toHaveURL(new RegExp(`#/${name}$`));
      await expect(page.getByTestId(`nav-${name}`)).toHaveAttribute('aria-current', 'page');
      await expect(page.locator('main h1').first()).toBeVisible();
    }
  });

  test('an unknown route says so instead of showing nothing', async ({ page }) => {
    await page.goto('./#/no-such-view?x=1');
    await expect(page.locator('main h1')).toHaveText('Page not found');
  });
});
