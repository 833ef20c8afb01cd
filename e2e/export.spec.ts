import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';

test('"Export as PyTorch" downloads train.py with the builder\'s layers and parameter count', async ({ page }) => {
  await page.goto('./#/build');
  const total = (await page.getByTestId('builder-total-params').textContent())!.replace(/,/g, '');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pytorch').click()]);
  expect(download.suggestedFilename()).toBe('train.py');
  const script = await readFile((await download.path())!, 'utf8');
  expect(script).toContain('nn.Linear(');
  expect(script).toContain('torch.optim.');
  expect(script).toContain(`EXPECTED_PARAMETERS = ${total}`);
  expect(script).toMatch(/^BATCH_SIZE = \d+$/m);
  expect(script).toMatch(/^SEED = \d+$/m);

  // The train view exports what it is about to train: the epochs and subset chosen there.
  await page.goto('./#/train');
  await page.getByTestId('train-preset').selectOption('mlp');
  await page.getByTestId('train-subset').fill('1200');
  await page.getByTestId('train-epochs').fill('2');
  const [fromTrain] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('train-export-pytorch').click(),
  ]);
  const trainScript = await readFile((await fromTrain.path())!, 'utf8');
  expect(trainScript).toContain('EPOCHS = 2');
  expect(trainScript).toContain('TRAIN_SUBSET = 1200');
});
