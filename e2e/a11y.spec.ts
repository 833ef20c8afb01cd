import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// An automated accessibility audit (axe-core, WCAG 2.1 A and AA rules) of every route, and
// keyboard checks of the main controls with a visible focus ring.
const ROUTES = ['', 'build', 'train', 'matmul', 'conv', 'pool', 'kernels', 'data', 'gpu-check'];

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1] ?? ''}`)
          .join('\n  ')}`,
    );
}

test('no serious or critical accessibility violations on any route', async ({ page }) => {
  const found: string[] = [];
  for (const route of ROUTES) {
    await page.goto(`./#/${route}`);
    await expect(page.locator('main h1').first()).toBeVisible();
    await expect(page.getByTestId('webgpu-status')).not.toHaveAttribute('data-state', 'checking');
    if (route === 'data') await expect(page.getByTestId('data-count')).toHaveText('10,000');
    if (route === 'kernels')
      await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    for (const v of await seriousViolations(page)) found.push(`#/${route}: ${v}`);
  }
  expect(found, found.join('\n')).toEqual([]);
});

/** Presses Tab until `target` has focus (at most `limit` times); returns whether it did. */
async function tabTo(page: Page, testId: string, limit = 80): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return true;
  }
  return false;
}

/** The focused element shows a ring: an outline or a box-shadow that is not "none". */
async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return false;
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return outline || (s.boxShadow !== 'none' && s.boxShadow !== '');
  });
}

test('the add-layer palette and the stepper controls work from the keyboard with a visible focus ring', async ({
  page,
}) => {
  await page.goto('./#/build');
  await expect(page.locator('li.bf-layer').first()).toBeVisible();
  const before = await page.locator('li.bf-layer').count();
  expect(await tabTo(page, 'layer-add-dense')).toBe(true);
  expect(await focusIsVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('li.bf-layer')).toHaveCount(before + 1);

  await page.goto('./#/matmul?a=1,2;3,4&b=5,6;7,8');
  await expect(page.locator('main h1').first()).toBeVisible();
  expect(await tabTo(page, 'step-next')).toBe(true);
  expect(await focusIsVisible(page)).toBe(true);
  await page.screenshot({ path: 'e2e-artifacts/keyboard-focus-stepper.png' });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('matmul-out-0-0')).toHaveText('19');
  expect(await tabTo(page, 'step-end', 10)).toBe(true);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('matmul-out-1-1')).toHaveText('50');
});

test('the phone menu, the banner details and presenter mode add no serious accessibility violations', async ({
  page,
}) => {
  const found: string[] = [];
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('./#/build');
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('li.bf-layer').first()).toBeVisible();
  await page.getByTestId('nav-menu').click();
  await page.getByTestId('webgpu-status-more').click();
  for (const v of await seriousViolations(page)) found.push(`phone #/build: ${v}`);

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./#/matmul');
  await page.getByTestId('presenter-toggle').click();
  await expect(page.locator('html')).toHaveClass(/presenter-mode/);
  await page.getByTestId('step-end').click();
  for (const v of await seriousViolations(page)) found.push(`presenter #/matmul: ${v}`);
  expect(found, found.join('\n')).toEqual([]);
});
