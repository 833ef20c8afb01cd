import { expect, test, type Page } from '@playwright/test';

// The home page is live: a network trains on the starter slice in its own Worker and a convolution
// loops beside it, with nothing to click. On SwiftShader the run uses the CPU reference (see
// src/ui/home/runPlan.ts), so these checks take seconds.

/** What moves on the first screen: the animation's position and the chart's point count. */
async function moving(page: Page) {
  const conv = await page.getByTestId('home-conv-animation').getAttribute('data-step');
  const points = await page.getByTestId('home-loss-chart').getAttribute('data-points');
  return { conv, points };
}

test('the first screen changes by itself, the loss curve grows, and one click opens the same network to train', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./#/');
  await expect(page.getByTestId('home-live')).toBeVisible();
  const first = await moving(page);
  // Within 10 s of opening, without any click, something on the page has changed.
  await expect.poll(() => moving(page), { timeout: 10_000 }).not.toEqual(first);

  const status = page.getByTestId('home-run-status');
  await expect(status).toHaveAttribute('data-phase', /running|finished/, { timeout: 30_000 });
  await expect(status).toHaveAttribute('data-hardware', 'software-gpu');
  await expect(status).toContainText('software one');
  await expect(status).toContainText('CPU reference');

  const chart = page.getByTestId('home-loss-chart');
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('home-prediction')).toHaveCount(10, { timeout: 30_000 });

  // The run ends on its own with a loss well below chance (ln 10 ≈ 2.3) and a true step count.
  await expect(status).toHaveAttribute('data-phase', 'finished', { timeout: 60_000 });
  await expect(chart).toHaveAttribute('data-points', '62');
  await expect(page.getByTestId('home-run-step')).toHaveAttribute('data-step', '62');
  const loss = Number((await page.getByTestId('home-run-step').textContent())?.match(/loss ([\d.]+)/)?.[1]);
  expect(loss).toBeLessThan(1.5);
  const right = await page.locator('[data-testid="home-prediction"][data-correct="true"]').count();
  expect(right).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('home-full-download')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });

  // The conv animation links to its stepper with the same numbers.
  await expect(page.getByTestId('home-open-conv')).toHaveAttribute(
    'href',
    /^#\/conv\?x=0,0,0,0,0,0,0,0;0,9,9,9,9,9,9,0;/,
  );

  // The home run has its own Worker beside the app's trainer; leaving the page ends it.
  await expect.poll(() => page.workers().length).toBe(2);
  await page.getByTestId('home-open-train').click();
  await expect(page).toHaveURL(/#\/train\?c=/);
  await expect(page.locator('main h1')).toHaveText('Train on MNIST');
  await expect(page.getByTestId('train-preset')).toHaveValue('link');
  const summary = page.getByTestId('train-model-summary');
  await expect(summary).toContainText('Multi-layer perceptron');
  await expect(summary).toContainText('Flatten → Dense 128 → ReLU → Dense 10 → Softmax');
  await expect(summary).toContainText('101,770 weights');
  await expect(summary).toContainText('batch 32');
  await expect.poll(() => page.workers().length).toBe(1);
  await page.screenshot({ path: 'e2e-artifacts/home-to-train.png' });
  expect(errors).toEqual([]);
});

test('with reduced motion nothing starts by itself, and Play starts the animation', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('./#/');
  const conv = page.getByTestId('home-conv-animation');
  await expect(conv).toHaveAttribute('data-playing', 'false');
  await expect(page.getByTestId('home-run-status')).toHaveAttribute('data-phase', 'idle');
  await expect(page.getByTestId('home-run-toggle')).toHaveText('Train it now');
  await page.waitForTimeout(1200);
  await expect(conv).toHaveAttribute('data-step', '0');
  await page.getByTestId('home-conv-toggle').click();
  await expect(conv).toHaveAttribute('data-playing', 'true');
  await expect(conv).not.toHaveAttribute('data-step', '0');
});

test('at 1280×720 the live run and the animation are on the first screen, and stacked at 390×844', async ({ page }) => {
  for (const [width, height, name] of [
    [1280, 720, 'desktop'],
    [390, 844, 'phone'],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto('./#/');
    await expect(page.getByTestId('home-prediction')).toHaveCount(10, { timeout: 30_000 });
    const inView = async (testId: string) => {
      const box = await page.getByTestId(testId).boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= height;
    };
    expect(await inView('home-loss-chart')).toBe(true);
    expect(await inView('home-predictions')).toBe(true);
    if (name === 'desktop') {
      expect(await inView('home-conv-animation')).toBe(true);
      expect(await inView('home-open-train')).toBe(true);
    }
    await page.screenshot({ path: `e2e-artifacts/home-${name}.png` });
  }
});

test('a hidden tab pauses the live run and the animation, and showing it again carries on', async ({ page }) => {
  const setHidden = (hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await page.goto('./#/');
  await expect(page.getByTestId('home-live')).toBeVisible();
  // Hidden from the start, like a tab opened in the background: the run pauses as soon as it starts.
  await setHidden(true);
  const status = page.getByTestId('home-run-status');
  const chart = page.getByTestId('home-loss-chart');
  await expect(status).toHaveAttribute('data-phase', 'paused', { timeout: 30_000 });
  await expect(page.getByTestId('home-conv-animation')).toHaveAttribute('data-playing', 'false');
  await page.waitForTimeout(500); // the steps already under way report in
  const points = await chart.getAttribute('data-points');
  await page.waitForTimeout(1500);
  await expect(chart).toHaveAttribute('data-points', points!);
  expect(Number(points)).toBeLessThan(62);
  await setHidden(false);
  await expect(page.getByTestId('home-conv-animation')).toHaveAttribute('data-playing', 'true');
  await expect(status).toHaveAttribute('data-phase', 'finished', { timeout: 60_000 });
  await expect(chart).toHaveAttribute('data-points', '62');
});
