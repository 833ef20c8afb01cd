import { expect, test } from '@playwright/test';

// Screenshots of every main view at a projector size, the same in presenter mode (switched on
// from the header, then remembered across page loads) and at a phone size, kept in
// e2e-artifacts/ so a person can look at what the tests saw.
const VIEWS = ['', 'data', 'gpu-check', 'build', 'train', 'matmul', 'conv', 'pool', 'kernels'];
const SIZES = [
  { name: 'desktop', width: 1280, height: 720, presenter: false },
  { name: 'presenter', width: 1280, height: 720, presenter: true },
  { name: 'phone', width: 390, height: 844, presenter: false },
];

for (const size of SIZES) {
  const mode = size.presenter ? ' in presenter mode' : '';
  test(`every view renders without horizontal scrolling at ${size.width}px${mode}`, async ({ page }) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    if (size.presenter) {
      await page.goto('./#/');
      await page.getByTestId('presenter-toggle').click();
      await expect(page.getByTestId('presenter-toggle')).toHaveAttribute('aria-pressed', 'true');
    }
    for (const view of VIEWS) {
      await page.goto(`./#/${view}`);
      await expect(page.locator('main h1').first()).toBeVisible();
      await expect(page.getByTestId('webgpu-status')).not.toHaveAttribute('data-state', 'checking');
      await expect(page.locator('html')).toHaveClass(size.presenter ? /presenter-mode/ : /^(?!.*presenter-mode)/);
      if (view === 'data') await expect(page.getByTestId('data-count')).toHaveText('10,000');
      if (view === 'kernels')
        await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `horizontal overflow on #/${view}`).toBeLessThanOrEqual(1);
      // What the screen shows without scrolling (the point of presenter mode), and the whole page.
      await page.screenshot({ path: `e2e-artifacts/${size.name}-${view || 'home'}.png` });
      await page.screenshot({ path: `e2e-artifacts/${size.name}-${view || 'home'}-full.png`, fullPage: true });
    }
  });
}

// Views after they have real content (data loaded, a stepper run to the end, a trained chart,
// the editor open), on a phone: no sideways scrolling, and the main buttons big enough to tap.
const FILLED: { view: string; fill: (page: import('@playwright/test').Page) => Promise<void> }[] = [
  {
    view: 'data',
    fill: async (page) => {
      await expect(page.getByTestId('data-count')).toHaveText('10,000');
    },
  },
  {
    view: 'build',
    fill: async (page) => {
      await page.getByTestId('layer-add-dense').click();
    },
  },
  {
    view: 'matmul',
    fill: async (page) => {
      await page.getByTestId('step-end').click();
    },
  },
  {
    view: 'conv',
    fill: async (page) => {
      await page.getByTestId('step-end').click();
    },
  },
  {
    view: 'pool',
    fill: async (page) => {
      await page.getByTestId('step-end').click();
    },
  },
  {
    view: 'train',
    fill: async (page) => {
      await page.getByTestId('train-preset').selectOption('perceptron');
      await page.getByTestId('train-epochs').fill('40');
      await page.getByTestId('train-start').click();
      await expect(page.getByText('Finished.', { exact: true })).toBeVisible({ timeout: 60_000 });
    },
  },
  {
    view: 'kernels',
    fill: async (page) => {
      await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    },
  },
];

test('at 390px every view with real content has no sideways scrolling and tappable main buttons', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const small: string[] = [];
  for (const { view, fill } of FILLED) {
    await page.goto(`./#/${view}`);
    await expect(page.getByTestId('webgpu-status')).not.toHaveAttribute('data-state', 'checking');
    await fill(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `horizontal overflow on #/${view} with content`).toBeLessThanOrEqual(1);
    // Main controls: buttons, navigation links, selects and the stepper controls.
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.button, .nav-links a, button[data-testid^="step-"], main select')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({
          name: el.dataset.testid ?? el.textContent?.trim().slice(0, 30) ?? el.tagName,
          h: el.getBoundingClientRect().height,
        })),
    );
    for (const s of sizes) if (s.h < 39.5) small.push(`#/${view} "${s.name}": ${Math.round(s.h)}px tall`);
    await page.screenshot({ path: `e2e-artifacts/phone-${view}-filled.png`, fullPage: true });
  }
  expect(small, small.join('\n')).toEqual([]);
});
