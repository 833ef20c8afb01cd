import { expect, test, type Page } from '@playwright/test';
import { configFromPreset, encodeConfig, type Config } from '../src/config';

/** One look at the page, in one task: whether it trains (Pause shown, first losses drawn), and where things are. */
function lookWhileTraining(page: Page) {
  return page.evaluate(() => {
    const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
    const box = (id: string) => {
      const r = q(id)?.getBoundingClientRect();
      return r ? { top: r.top, left: r.left, bottom: r.bottom, right: r.right } : null;
    };
    return {
      running: q('train-pause') !== null && Number(q('chart-loss')?.getAttribute('data-points')) > 0,
      scrollY: window.scrollY,
      view: { width: window.innerWidth, height: window.innerHeight },
      boxes: {
        'the loss chart': box('chart-loss'),
        'the accuracy chart': box('chart-accuracy'),
        'the test accuracy': box('metric-test-accuracy'),
        'the training loss': box('metric-train-loss'),
        'the epoch': box('metric-epoch'),
        'the Pause button': box('train-pause'),
      },
    };
  });
}

/** Every measured box lies inside the viewport, with the page not scrolled. */
function expectAllOnScreen(look: Awaited<ReturnType<typeof lookWhileTraining>>) {
  expect(look.running, 'still training when measured').toBe(true);
  expect(look.scrollY).toBe(0);
  for (const [name, b] of Object.entries(look.boxes)) {
    expect(b, `${name} is on the page`).not.toBeNull();
    expect(b!.top, `${name} top`).toBeGreaterThanOrEqual(0);
    expect(b!.left, `${name} left`).toBeGreaterThanOrEqual(0);
    expect(b!.bottom, `${name} bottom`).toBeLessThanOrEqual(look.view.height);
    expect(b!.right, `${name} right`).toBeLessThanOrEqual(look.view.width);
  }
}

test('at 1280x720 the loss chart, the accuracy chart and the test accuracy stay on screen while training, and a short run gets accuracy points', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./#/train');
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  // Before training each chart says why it is empty.
  await expect(page.getByTestId('chart-loss-empty')).toContainText('Press Start');
  await expect(page.getByTestId('chart-accuracy-empty')).toContainText('tested on images it never trained on');
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-subset').fill('600');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-test-subset').fill('200');
  // Left empty, the test interval is chosen from the run's length: 4 steps of 128 here, so every step.
  await expect(page.getByTestId('train-eval-every')).toHaveValue('');
  await expect(page.getByTestId('train-eval-every')).toHaveAttribute('placeholder', 'auto: 1');
  await page.getByTestId('train-start').click();

  // One look at the page, in one task, while it trains: Pause shown and the first losses drawn.
  const seen = () => lookWhileTraining(page);
  await expect.poll(async () => (await seen()).running, { timeout: 60_000, intervals: [100] }).toBe(true);
  expectAllOnScreen(await seen());
  await page.screenshot({ path: 'e2e-artifacts/train-layout-training-1280.png' });

  await expect(page.getByTestId('train-state')).toHaveText('Finished.', { timeout: 90_000 });
  const accuracy = page.getByTestId('chart-accuracy');
  expect(Number(await accuracy.getAttribute('data-checkpoints'))).toBeGreaterThanOrEqual(2);
  await expect(accuracy).toHaveAttribute('data-points', '1');
  // The legend names the real number of test images: all 200 after the epoch, and during it the
  // 100 a run this short affords (testInterval.ts).
  await expect(accuracy).toContainText('all 200 test images (each epoch)');
  await expect(accuracy).toContainText('100 test images (during the epoch)');
  await expect(page.getByTestId('chart-accuracy-empty')).toHaveCount(0);
  // The accuracy axis (its ticks are the ones in %) ends at 100%, never above it.
  const ticks = await accuracy.locator('.recharts-cartesian-axis-tick-value').allTextContents();
  const percents = ticks.filter((t) => t.endsWith('%')).map((t) => Number(t.slice(0, -1)));
  expect(percents.length).toBeGreaterThan(1);
  expect(Math.max(...percents)).toBe(100);
  // The images-per-second read-out shows a rate (its arithmetic is unit-tested in throughput.test.ts).
  expect(Number((await page.getByTestId('metric-images-per-second').textContent())!.replace(/,/g, ''))).toBeGreaterThan(
    0,
  );

  // The smoothing slider redraws the loss curve with a second, smoothed line.
  const lines = page.getByTestId('chart-loss').locator('.recharts-line');
  await expect(lines).toHaveCount(2);
  await page.getByTestId('loss-smoothing').fill('0');
  await expect(lines).toHaveCount(1);
  await page.getByTestId('loss-smoothing').fill('0.9');
  await expect(lines).toHaveCount(2);
  await page.screenshot({ path: 'e2e-artifacts/train-layout-finished-1280.png', fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  // (Polled: the charts follow the new width once their resize observer has run.)
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), {
      message: 'horizontal overflow at 390 px',
    })
    .toBeLessThanOrEqual(1);
  await page.screenshot({ path: 'e2e-artifacts/train-layout-390-top.png' });
  await page.getByTestId('chart-loss').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e-artifacts/train-layout-390-charts.png' });
  // Presenter mode (larger type for a projector), as a classroom link turns it on.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.evaluate(() => {
    document.documentElement.classList.add('presenter-mode');
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: 'e2e-artifacts/train-layout-presenter-1280.png' });
});

test('a link to a network whose layers do not fit leaves Start disabled and says why, with a way to fix it', async ({
  page,
}) => {
  const base = configFromPreset('mlp');
  const broken: Config = {
    ...base,
    preset: undefined,
    // Dense before Flatten: a 1×28×28 image is not a flat list.
    model: { ...base.model, layers: [{ kind: 'dense', units: 32 }, { kind: 'flatten' }, { kind: 'dense', units: 10 }] },
  };
  const encoded = encodeConfig(broken);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`./#/train?c=${encoded}`);
  const start = page.getByTestId('train-start');
  await expect(start).toBeDisabled();
  const reason = page.getByTestId('train-start-reason');
  await expect(reason).toBeVisible();
  await expect(reason).toContainText('This network cannot be trained yet.');
  await expect(reason).toContainText('Layer 1 (Dense 32) does not fit');
  await expect(reason).toContainText('Add a Flatten layer before it');
  await expect(start).toHaveAttribute('aria-describedby', 'train-start-reason');
  await expect(page.getByTestId('train-fix-link')).toHaveAttribute('href', `#/build?c=${encoded}`);
  await page.screenshot({ path: 'e2e-artifacts/train-layout-invalid.png' });
  // Choosing a preset instead makes Start available again.
  await page.getByTestId('train-preset').selectOption('mlp');
  await expect(start).toBeEnabled();
  await expect(reason).toHaveCount(0);
});

test("a builder link opens on its network with the link's training subset and epochs", async ({ page }) => {
  const base = configFromPreset('mlp');
  const linked: Config = { ...base, training: { ...base.training, trainSubset: 1200, epochs: 2 } };
  await page.goto(`./#/train?c=${encodeConfig(linked)}`);
  await expect(page.getByTestId('train-preset')).toHaveValue('link');
  await expect(page.getByTestId('train-subset')).toHaveValue('1200');
  await expect(page.getByTestId('train-epochs')).toHaveValue('2');
  await expect(page.getByTestId('train-start')).toBeEnabled();
});

test('in presenter mode at 1280x720 Start, both charts and the test accuracy stay on screen while training', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./#/train');
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('presenter-toggle').click();
  await expect(page.locator('html')).toHaveClass(/presenter-mode/);
  await page.getByTestId('train-subset').fill('600');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-test-subset').fill('100');
  // Start sits where Pause appears, so it is measured before the run.
  const start = await page.getByTestId('train-start').boundingBox();
  expect(start!.y + start!.height, 'Start bottom').toBeLessThanOrEqual(720);
  await page.getByTestId('train-start').click();
  await expect
    .poll(async () => (await lookWhileTraining(page)).running, { timeout: 60_000, intervals: [100] })
    .toBe(true);
  expectAllOnScreen(await lookWhileTraining(page));
  await page.screenshot({ path: 'e2e-artifacts/train-layout-presenter-training-1280.png' });
  await page.getByTestId('train-reset').click();
});
