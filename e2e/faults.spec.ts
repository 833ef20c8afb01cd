import { expect, test, type Page } from '@playwright/test';

// Faults during training: a lost GPU device (simulated through a test-only hook that the page
// installs when its URL has `test-hooks`) and a learning rate that makes the loss explode.

interface Hooks {
  loseTrainerDevice(): Promise<void>;
  trainMlp(o: { epochs: number; trainSubset: number; testSubset: number; sgdLearningRate?: number }): Promise<void>;
}
const hooks = (page: Page) =>
  page.waitForFunction(() => Boolean((window as { __gpuLearnTestHooks?: Hooks }).__gpuLearnTestHooks));

test('after the GPU device is lost mid-training the page says so, keeps the chart and resumes from the last epoch', async ({
  page,
}) => {
  await page.goto('./?test-hooks#/train');
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  await hooks(page);
  // The MLP through the page's own controller, evaluated on 500 test images (SwiftShader is slow).
  await page.evaluate(() =>
    (window as unknown as { __gpuLearnTestHooks: Hooks }).__gpuLearnTestHooks.trainMlp({
      epochs: 3,
      trainSubset: 1000,
      testSubset: 500,
    }),
  );
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '1', { timeout: 60_000 });
  await page.evaluate(() =>
    (window as unknown as { __gpuLearnTestHooks: Hooks }).__gpuLearnTestHooks.loseTrainerDevice(),
  );

  const notice = page.getByTestId('device-lost');
  await expect(notice).toContainText('The GPU stopped working during training');
  await expect(notice).toContainText('Your settings and charts are kept');
  const resume = page.getByTestId('train-resume-checkpoint');
  await expect(resume).toHaveText(/Resume from step \d+/);
  const step = Number((await resume.textContent())!.match(/\d+/)![0]);
  expect(step).toBeGreaterThan(0);
  // The chart and the settings are still there.
  const kept = Number(await page.getByTestId('chart-accuracy').getAttribute('data-points'));
  expect(kept).toBeGreaterThanOrEqual(1);
  expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBeGreaterThan(0);
  await expect(page.getByTestId('metric-epoch').locator('..')).toContainText('of 3');
  await expect(page.getByTestId('train-model-summary')).toContainText('Multi-layer perceptron');
  await page.screenshot({ path: 'e2e-artifacts/device-lost.png', fullPage: true });

  await resume.click();
  await expect(notice).toHaveCount(0);
  await expect(page.getByText('Finished.', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '3');
  await expect(page.getByTestId('metric-epoch')).toHaveText('3');
  await page.screenshot({ path: 'e2e-artifacts/device-lost-resumed.png', fullPage: true });
  expect(Number(await page.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(50);
});

test('a learning rate of a million stops training with an explanation within one read-back', async ({ page }) => {
  await page.goto('./?test-hooks#/train');
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
  await hooks(page);
  await page.evaluate(() =>
    (window as unknown as { __gpuLearnTestHooks: Hooks }).__gpuLearnTestHooks.trainMlp({
      epochs: 1,
      trainSubset: 6000,
      testSubset: 500,
      sgdLearningRate: 1e6,
    }),
  );
  const message = page.getByTestId('train-message');
  await expect(message).toContainText('the learning rate is too high', { timeout: 60_000 });
  await expect(message).toContainText('1000000');
  const stoppedAt = Number((await message.textContent())!.match(/stopped at step (\d+)/)![1]);
  expect(stoppedAt).toBeLessThanOrEqual(20);
  // Stopped at the read-back that saw the bad loss: at most the chunk being read and the one queued
  // behind it had been submitted, far from the run's 46 steps.
  const progress = Number(await page.getByTestId('train-progress').getAttribute('value'));
  const perSubmit = Number(await page.getByTestId('metric-steps-per-submit').textContent());
  expect(progress - stoppedAt).toBeLessThanOrEqual(2 * Math.max(perSubmit, 1));
  expect(progress).toBeLessThan(46);
  await expect(page.getByTestId('train-start')).toBeVisible();
});
