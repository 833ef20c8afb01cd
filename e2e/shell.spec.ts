import { expect, test, type Page } from '@playwright/test';
import { configFromPreset, encodeConfig, type Config } from '../src/config';

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
      await expect(page.getByTestId('presenter-toggle')).toBeVisible();
    }
    await expect(page.getByTestId('nav-menu')).toBeHidden();
  });

  test('an unknown route says so instead of showing nothing', async ({ page }) => {
    await page.goto('./#/no-such-view?x=1');
    await expect(page.locator('main h1')).toHaveText('Page not found');
  });
});

test.describe('presenter mode', () => {
  const html = (page: Page) => page.locator('html');
  const fontSize = (page: Page) => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));

  test('the header switches it on and off on any page, and a reload keeps the choice', async ({ page }) => {
    await page.goto('./#/matmul');
    const toggle = page.getByTestId('presenter-toggle');
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    const normal = await fontSize(page);
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(html(page)).toHaveClass(/presenter-mode/);
    // Larger type on a view that is not the builder (the shared rule, not one page's).
    expect(await fontSize(page)).toBeGreaterThan(normal * 1.1);

    await page.getByTestId('nav-data').click();
    await expect(page.getByTestId('data-count')).toHaveText('10,000');
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await page.reload();
    await expect(html(page)).toHaveClass(/presenter-mode/);
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');

    await toggle.click();
    await expect(html(page)).not.toHaveClass(/presenter-mode/);
    await page.reload();
    await expect(page.locator('main h1').first()).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    expect(await fontSize(page)).toBe(normal);
  });

  test('a classroom link that asks for it still opens in it, and the header can still turn it off', async ({
    page,
  }) => {
    await page.goto('./#/');
    const toggle = page.getByTestId('presenter-toggle');
    await toggle.click();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');

    const config: Config = { ...configFromPreset('mlp'), classroom: { presenter: true } };
    await page.goto(`./#/build?c=${encodeConfig(config)}`);
    await expect(html(page)).toHaveClass(/presenter-mode/);
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    await expect(html(page)).not.toHaveClass(/presenter-mode/);
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  });
});

test('on a 1024-pixel projector in presenter mode the header stays one row, the links behind Menu', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto('./#/pool');
  await page.getByTestId('presenter-toggle').click();
  await expect(page.locator('html')).toHaveClass(/presenter-mode/);
  await expect(page.getByTestId('nav-pool')).toBeHidden();
  expect((await page.locator('.topbar').boundingBox())!.height).toBeLessThan(70);
  await page.screenshot({ path: 'e2e-artifacts/presenter-1024-pool.png' });
  await page.getByTestId('nav-menu').click();
  await page.getByTestId('nav-matmul').click();
  await expect(page.locator('main h1').first()).toHaveText('Matrix multiplication, step by step');
  await expect(page.getByTestId('nav-matmul')).toBeHidden();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  /** Height of the tappable area: the element, or the label around it when it has one. */
  const tapHeights = (page: Page, selector: string) =>
    page.evaluate(
      (sel) =>
        [...document.querySelectorAll<HTMLElement>(sel)]
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({
            name: el.dataset.testid ?? el.closest('label')?.textContent?.trim().slice(0, 30) ?? el.tagName,
            h: el.getBoundingClientRect().height,
            label: el.closest('label')?.getBoundingClientRect().height ?? 0,
          }))
          .map((t) => ({ name: t.name, h: Math.max(t.h, t.label) })),
      selector,
    );

  test('the links fold behind a Menu button and the header stays one row', async ({ page }) => {
    await page.goto('./#/');
    const menu = page.getByTestId('nav-menu');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('nav-build')).toBeHidden();
    // Brand, presenter toggle and Menu button share one row.
    const rows = await page.evaluate(() =>
      ['.brand', '[data-testid="presenter-toggle"]', '[data-testid="nav-menu"]'].map((s) => {
        const r = document.querySelector(s)!.getBoundingClientRect();
        return Math.round(r.top + r.height / 2);
      }),
    );
    expect(Math.max(...rows) - Math.min(...rows), `row centres ${rows.join(', ')}`).toBeLessThanOrEqual(4);
    expect((await page.locator('.topbar').boundingBox())!.height).toBeLessThan(64);

    await menu.click();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('nav-conv')).toBeVisible();
    for (const t of await tapHeights(page, '.nav-links a, [data-testid="nav-menu"], [data-testid="presenter-toggle"]'))
      expect(t.h, `${t.name} is ${t.h}px tall`).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: 'e2e-artifacts/phone-menu-open.png' });
    await page.keyboard.press('Escape');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');

    await menu.click();
    await page.getByTestId('nav-conv').click();
    await expect(page).toHaveURL(/#\/conv$/);
    await expect(page.locator('main h1').first()).toHaveText('Convolution, step by step');
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByTestId('nav-conv')).toBeHidden();
  });

  test('the WebGPU banner is one line, with its details behind a Details button', async ({ page }) => {
    await page.goto('./#/');
    const banner = page.getByTestId('webgpu-status');
    await expect(banner).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('worker-status')).toBeAttached();
    const oneLine = (await banner.boundingBox())!.height;
    expect(oneLine).toBeLessThanOrEqual(46);
    await expect(page.getByTestId('webgpu-adapter')).toBeVisible();
    await expect(page.getByTestId('worker-status')).toBeHidden();

    const more = page.getByTestId('webgpu-status-more');
    await more.click();
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('worker-status')).toBeVisible();
    expect((await banner.boundingBox())!.height).toBeGreaterThan(oneLine);
    await page.screenshot({ path: 'e2e-artifacts/phone-banner-details.png' });
    await more.click();
    await expect(page.getByTestId('worker-status')).toBeHidden();
  });

  test('without WebGPU the banner is still one line, and Details opens the reason and how to get it', async ({
    page,
  }) => {
    await page.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page.goto('./#/');
    const banner = page.getByTestId('webgpu-status');
    await expect(banner).toHaveAttribute('data-state', 'unavailable');
    await expect(banner).toContainText('WebGPU is not available');
    expect((await banner.boundingBox())!.height).toBeLessThanOrEqual(46);
    await expect(page.getByTestId('cpu-fallback')).toBeHidden();
    await page.getByTestId('webgpu-status-more').click();
    await expect(page.getByTestId('cpu-fallback')).toBeVisible();
    await expect(page.getByTestId('webgpu-howto')).toBeVisible();
    await page.getByTestId('webgpu-howto').locator('summary').click();
    await expect(page.getByTestId('webgpu-howto')).toContainText('chrome://flags');
    await page.screenshot({ path: 'e2e-artifacts/phone-banner-no-webgpu.png' });
  });

  test('checkboxes and the kernel list are at least 44 px tall to tap', async ({ page }) => {
    await page.goto('./#/build');
    await page.getByTestId('classroom-panel').locator('summary').click();
    await expect(page.getByTestId('classroom-presenter')).toBeVisible();
    const boxes = await tapHeights(page, 'main input[type="checkbox"]');
    expect(boxes.length).toBeGreaterThan(4);
    for (const t of boxes) expect(t.h, `checkbox ${t.name} is ${t.h}px tall`).toBeGreaterThanOrEqual(44);
    await page.locator('[data-testid^="classroom-hide-"]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'e2e-artifacts/phone-checkboxes.png' });

    await page.getByTestId('nav-menu').click();
    await page.getByTestId('nav-kernels').click();
    await expect(page.getByTestId('kernel-item-matmul')).toBeVisible();
    const items = await tapHeights(page, '.kernel-item');
    expect(items.length).toBeGreaterThan(4);
    for (const t of items) expect(t.h, `${t.name} is ${t.h}px tall`).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: 'e2e-artifacts/phone-kernel-list.png' });
  });
});
