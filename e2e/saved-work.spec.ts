import { expect, test, type Page } from '@playwright/test';
import { CONTROL_IDS, configFromPreset, encodeConfig, type Config } from '../src/config';
import { PRESET_NAMES, PRESETS } from '../src/engine/presets';
import { LAYER_KINDS } from '../src/ui/builder/layerInfo';

const kindsOf = (page: Page) =>
  page
    .locator('[data-testid^="layer-"][data-testid$="-kind"]')
    .evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));

/** Milliseconds until the page paints again: it must answer within 2 s whatever a link held. */
const frameRoundTrip = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const start = performance.now();
        requestAnimationFrame(() => resolve(performance.now() - start));
      }),
  );

/** Collects uncaught page errors; the test asserts the list stays empty. */
function pageErrors(page: Page): Error[] {
  const errors: Error[] = [];
  page.on('pageerror', (e) => errors.push(e));
  return errors;
}

/** What the builder shows about the network, read in one go. */
const builderState = (page: Page) =>
  page.evaluate(() => {
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
    const train = document.querySelector<HTMLElement>('[data-testid="train-link"]');
    return {
      layers: document.querySelectorAll('[data-testid^="layer-"][data-testid$="-kind"]').length,
      status: text('builder-status'),
      trainLink: train instanceof HTMLButtonElement && train.disabled ? 'disabled' : train?.getAttribute('href'),
      reason: text('train-blocked-reason'),
      name: text('network-name'),
    };
  });

async function openBuilder(page: Page, hash = '#/build') {
  await page.goto(`./${hash}`);
  await expect(page.getByTestId('layer-add-dense')).toBeVisible();
}

async function openMyNetworks(page: Page) {
  const panel = page.getByTestId('my-networks');
  if (!(await panel.evaluate((d) => (d as HTMLDetailsElement).open))) await panel.locator('summary').click();
  return panel;
}

/** The student's own network: the MLP preset with a Tanh layer before its Softmax. */
async function buildOwnNetwork(page: Page) {
  await page.getByTestId('preset-select').selectOption('mlp');
  await page.getByTestId('layer-add-tanh').click();
  await expect(page.getByTestId('network-name')).toHaveText('Custom network');
  const kinds = await kindsOf(page);
  expect(kinds).toEqual(['flatten', 'dense', 'relu', 'dense', 'tanh', 'softmax']);
  // Saved in My networks after a quiet moment.
  await expect((await openMyNetworks(page)).getByTestId('my-network-row-0')).toContainText('Custom network');
  return kinds;
}

test.describe('the builder never breaks a working network', () => {
  test('adding each layer kind to every preset stays ready to train where valid, else says why and blocks training', async ({
    page,
  }) => {
    const errors = pageErrors(page);
    await openBuilder(page);
    // What cannot work wherever it goes: a second Softmax, and image layers on the toy set's 2 numbers.
    const invalid = (preset: string, kind: string) =>
      kind === 'softmax'
        ? preset !== 'perceptron'
        : preset === 'perceptron' && ['conv2d', 'maxpool', 'avgpool'].includes(kind);
    for (const preset of PRESET_NAMES) {
      await page.getByTestId('preset-select').selectOption(preset);
      await expect(page.getByTestId('network-name')).toHaveText(PRESETS[preset].title);
      await expect(page.getByTestId('builder-status')).toHaveText('Ready to train.');
      const before = await kindsOf(page);
      for (const kind of LAYER_KINDS) {
        await page.getByTestId(`layer-add-${kind}`).click();
        const bad = invalid(preset, kind);
        // One read of everything the student sees, polled until the page has updated.
        await expect
          .poll(() => builderState(page), { message: `${kind} added to ${preset}` })
          .toEqual({
            layers: before.length + 1,
            status: bad ? expect.stringMatching(/^Not ready: layer \d+ has a problem: /) : 'Ready to train.',
            trainLink: bad ? 'disabled' : expect.stringMatching(/^#\/train\?c=/),
            reason: bad
              ? expect.stringContaining(
                  kind === 'softmax' ? 'Softmax can only be the last layer' : 'needs an image-shaped input',
                )
              : null,
            name: 'Custom network',
          });
        // Ctrl+Z (focus is on the palette button); the next read counts the layers, so it checks the undo too.
        await page.keyboard.press('Control+z');
      }
      await expect.poll(() => kindsOf(page)).toEqual(before);
    }
    // Undo brings back the network from before a preset was picked.
    await page.getByTestId('undo').click();
    await expect(page.getByTestId('network-name')).toHaveText(PRESETS[PRESET_NAMES.at(-2)!].title);
    expect(errors).toEqual([]);
  });

  test('a new layer goes after the selected layer, and a cleared field keeps the network not ready', async ({
    page,
  }) => {
    await openBuilder(page);
    await page.getByTestId('preset-select').selectOption('mlp');
    await page.getByTestId('layer-1-kind').focus();
    await expect(page.getByTestId('layer-1')).toHaveAttribute('data-selected', 'true');
    await expect(page.getByTestId('layer-insert-hint')).toContainText('New layers go after layer 2, the selected one.');
    await page.getByTestId('layer-add-dropout').click();
    await page.getByTestId('layer-add-sigmoid').click();
    expect(await kindsOf(page)).toEqual(['flatten', 'dense', 'dropout', 'sigmoid', 'relu', 'dense', 'softmax']);
    await page.getByTestId('layer-insert-default').click();
    await page.getByTestId('layer-add-tanh').click();
    expect(await kindsOf(page)).toEqual(['flatten', 'dense', 'dropout', 'sigmoid', 'relu', 'dense', 'tanh', 'softmax']);

    await page.getByTestId('layer-1-units').fill('');
    await expect(page.getByTestId('builder-status')).toHaveText("Not ready: layer 2's units is empty.");
    await expect(page.getByTestId('train-link')).toBeDisabled();
    await expect(page.getByTestId('train-blocked-reason')).toHaveText("Not ready to train: layer 2's units is empty");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'e2e-artifacts/builder-not-ready-1280.png' });
    // Leaving a field puts its last good value back; a learning rate too small to move a weight is refused.
    await page.getByTestId('hp-learning-rate').fill('1e-300');
    await expect(page.getByTestId('layer-1-units')).toHaveValue('128');
    await expect(page.getByTestId('train-blocked-reason')).toHaveText(
      'Not ready to train: the learning rate must be a number from 0.000001 to 1',
    );
    await expect(page.getByTestId('hp-learning-rate-error')).toHaveText('Must be a number from 0.000001 to 1.');
    await page.getByTestId('layer-1-units').fill('32');
    await page.getByTestId('hp-learning-rate').fill('0.01');
    await expect(page.getByTestId('builder-status')).toHaveText('Ready to train.');
    await expect(page.getByTestId('train-link')).toBeEnabled();
  });
});

test.describe('a link never loses the student’s work', () => {
  test('opening a link keeps the previous network in My networks, and it restores after a reload', async ({ page }) => {
    const errors = pageErrors(page);
    await openBuilder(page);
    const own = await buildOwnNetwork(page);
    await page.goto(`./#/build?c=${encodeConfig(configFromPreset('pytorch-cnn'))}`);
    await expect(page.getByTestId('link-opened-notice')).toHaveText(
      /Opened from a link; your previous network is in My networks\./,
    );
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
    await expect(page.getByTestId('builder-total-params')).toHaveText('1,625,866');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'e2e-artifacts/builder-link-opened-390.png' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const row = (await openMyNetworks(page)).getByTestId('my-network-row-0');
    await expect(row).toContainText('kept when a link opened');

    await page.reload();
    await expect(page.getByTestId('builder-total-params')).toHaveText('1,625,866');
    const panel = await openMyNetworks(page);
    await expect(panel.getByTestId('my-network-row-0')).toContainText('Custom network');
    await panel.getByTestId('my-network-rename-0').click();
    await panel.getByTestId('my-network-name-input-0').fill('My tanh MLP');
    await panel.getByTestId('my-network-name-input-0').press('Enter');
    await expect(panel.getByTestId('my-network-name-0')).toHaveText('My tanh MLP');
    await panel.getByTestId('my-network-open-0').click();
    expect(await kindsOf(page)).toEqual(own);
    await page.reload();
    await expect((await openMyNetworks(page)).getByTestId('my-network-name-0')).toHaveText('My tanh MLP');
    expect(await kindsOf(page)).toEqual(own);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('my-networks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'e2e-artifacts/my-networks-1280.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('my-networks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'e2e-artifacts/my-networks-390.png' });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    expect(errors).toEqual([]);
  });

  test('a locked classroom link counts its controls, does not lock a later plain visit, and can be left', async ({
    page,
    context,
  }) => {
    const errors = pageErrors(page);
    await openBuilder(page);
    const own = await buildOwnNetwork(page);
    const all = [...CONTROL_IDS];
    const hideAll: Config = { ...configFromPreset('keras-cnn'), classroom: { hide: all, lock: all, lockSeed: true } };
    await page.goto(`./#/build?c=${encodeConfig(hideAll)}`);
    await expect(page.getByTestId('classroom-notice')).toContainText(`${CONTROL_IDS.length} controls are hidden.`);
    expect(CONTROL_IDS.length).toBe(13);

    // Every lockable control really is locked, and the notice counts exactly those.
    const lockAll: Config = { ...configFromPreset('keras-cnn'), classroom: { lock: all, lockSeed: true } };
    await page.goto(`./#/build?c=${encodeConfig(lockAll)}`);
    const locked: Record<string, string> = {
      presets: 'preset-select',
      layers: 'layer-add-dense',
      optimizer: 'hp-optimizer',
      learningRate: 'hp-learning-rate',
      schedule: 'hp-schedule',
      batchSize: 'hp-batch-size',
      epochs: 'hp-epochs',
      seed: 'hp-seed',
      trainSubset: 'hp-subset-on',
      share: 'share-link',
      importExport: 'config-export',
      classroom: 'classroom-fix-seed',
    };
    for (const testId of Object.values(locked)) await expect(page.getByTestId(testId), testId).toBeDisabled();
    await expect(page.getByTestId('classroom-notice')).toContainText(
      `${Object.keys(locked).length} controls are locked.`,
    );
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'e2e-artifacts/builder-locked-link-1280.png' });

    // A later plain visit (a new tab on #/build) is the student's own, unlocked.
    const later = await context.newPage();
    await openBuilder(later);
    await expect(later.getByTestId('classroom-notice')).toHaveCount(0);
    await expect(later.getByTestId('layer-add-dense')).toBeEnabled();
    await expect(later.getByTestId('hp-seed')).toBeEnabled();
    await later.close();

    // The locked view says how to leave it.
    await page.getByTestId('open-own-network').click();
    await expect(page.getByTestId('classroom-notice')).toHaveCount(0);
    expect(await kindsOf(page)).toEqual(own);
    await expect(page.getByTestId('layer-add-dense')).toBeEnabled();
    expect(errors).toEqual([]);
  });

  test('a full storage is reported in a sentence and never drops the saved networks', async ({ page }) => {
    // The browser's storage fills up on demand: IndexedDB writes and localStorage then fail as at quota.
    await page.addInitScript(() => {
      const w = window as unknown as { storageFull: boolean };
      w.storageFull = false;
      const full = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
        if (w.storageFull) throw full();
        return put.apply(this, args);
      };
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key: string, value: string) {
        if (w.storageFull) throw full();
        return setItem.call(this, key, value);
      };
    });
    const errors = pageErrors(page);
    await openBuilder(page);
    const own = await buildOwnNetwork(page);
    await page.evaluate(() => ((window as unknown as { storageFull: boolean }).storageFull = true));

    await page.getByTestId('layer-add-relu').click();
    await expect(page.getByTestId('storage-problem')).toContainText(
      "Your browser's storage for this site is full, so your latest change was not saved.",
    );
    await page.goto(`./#/build?c=${encodeConfig(configFromPreset('pytorch-cnn'))}`);
    await expect(page.getByTestId('storage-problem')).toContainText(
      'the network you had before opening this link was not saved',
    );
    await expect(page.getByTestId('link-opened-notice')).toHaveCount(0);
    const panel = await openMyNetworks(page);
    await expect(panel.locator('[data-testid^="my-network-row-"]')).toHaveCount(1);
    expect(await frameRoundTrip(page)).toBeLessThan(2000);

    // After a reload, with room again, the saved network is still there and opens.
    await page.reload();
    const again = await openMyNetworks(page);
    await expect(again.locator('[data-testid^="my-network-row-"]')).toHaveCount(1);
    await again.getByTestId('my-network-open-0').click();
    expect(await kindsOf(page)).toEqual(own);
    expect(errors).toEqual([]);
  });
});

test('a kernel link that expands into megabytes says it is too large, not damaged', async ({ page }) => {
  const errors = pageErrors(page);
  // Zeros deflate about 1000:1: each of these fits a link and expands far past any kernel.
  const bombs = await page.evaluate(async () => {
    const out: string[] = [];
    for (const size of [300 * 1024, 1024 * 1024, 5 * 1024 * 1024]) {
      const stream = new Blob([new Uint8Array(size)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      out.push(btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    }
    return out;
  });
  for (const bomb of bombs) {
    expect(bomb.length).toBeLessThan(8192);
    await page.goto(`./#/kernels?k=matmul&src=${bomb}`);
    await expect(page.getByTestId('config-error')).toContainText('too large');
    await expect(page.getByTestId('config-error')).not.toContainText('damaged');
    // Once the editor has started (its own start-up is slow on a software GPU), the page answers.
    await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
  }
  expect(errors).toEqual([]);
});
