import { expect, test } from '@playwright/test';

// Screenshots of every main view at a projector size and a phone size, kept in e2e-artifacts/
// so a person can look at what the tests saw.
const VIEWS = ['', 'data', 'gpu-check', 'build', 'train', 'matmul', 'conv', 'pool', 'kernels'];
const SIZES = [
  { name: 'desktop', width: 1280, height: 720 },
  { name: 'phone', width: 390, height: 844 },
];

for (const size of SIZES) {
  test(`every view renders without horizontal scrolling at ${size.width}px`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const view of VIEWS) {
      await page.goto(`./#/${view}`);
      await expect(page.locator('main h1').first()).toBeVisible();
      await expect(page.getByTestId('webgpu-status')).not.toHaveAttribute('data-state', 'checking');
      if (view === 'data') await expect(page.getByTestId('data-count')).toHaveText('10,000');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow on #/${view}`).toBeLessThanOrEqual(1);
      await page.screenshot({ path: `e2e-artifacts/${size.name}-${view || 'home'}.png`, fullPage: true });
    }
  });
}
