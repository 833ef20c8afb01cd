import { expect, test } from '@playwright/test';

test.describe('training in the browser', () => {
  test('trains the MLP on 3,000 MNIST images with WebGPU and beats 80% test accuracy', async ({ page }) => {
    await page.goto('./#/train');
    await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready');
    await page.getByTestId('train-preset').selectOption('mlp');
    await page.getByTestId('train-subset').fill('3000');
    await page.getByTestId('train-epochs').fill('2');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-progress')).toHaveAttribute('max', /\d+/);
    await expect(page.getByTestId('train-reset')).toBeEnabled();
    // The Worker batches several training steps into one GPU submit, as the Node benchmark does.
    await expect
      .poll(async () => Number(await page.getByTestId('metric-steps-per-submit').textContent()), { timeout: 60_000 })
      .toBeGreaterThan(1);
    // Wait for the end of the run: the accuracy chart has one point per epoch.
    await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '2', { timeout: 100_000 });
    await expect(page.getByTestId('train-state')).toHaveText('Finished.');
    const accuracy = Number(await page.getByTestId('metric-test-accuracy').textContent());
    expect(accuracy).toBeGreaterThan(80);
    const loss = Number(await page.getByTestId('metric-train-loss').textContent());
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeLessThan(1.5);
    expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBeGreaterThan(20);
    await expect(page.getByTestId('metric-epoch')).toHaveText('2');
    await page.screenshot({ path: 'e2e-artifacts/train-finished.png', fullPage: true });
  });

  test('trains the perceptron on the AND table until its loss is small', async ({ page }) => {
    await page.goto('./#/train');
    await page.getByTestId('train-preset').selectOption('perceptron');
    await page.getByTestId('train-epochs').fill('100');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-state')).toHaveText('Finished.', { timeout: 60_000 });
    expect(Number(await page.getByTestId('metric-train-loss').textContent())).toBeLessThan(0.25);
  });
});
