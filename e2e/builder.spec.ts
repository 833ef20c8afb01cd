import { expect, test, type Page } from '@playwright/test';
import { configFromPreset, encodeConfig, type Config } from '../src/config';
import { encodeRawJson, hostileLinks } from '../src/config/hostileLinks';

const layerKinds = (page: Page) => page.locator('[data-testid^="layer-"][data-testid$="-kind"]');

/** Removes every layer by clicking "remove" on the first one until the list is empty. */
async function clearLayers(page: Page) {
  // The builder is loaded on demand: wait for it before counting its layers.
  await expect(page.getByTestId('layer-add-dense')).toBeVisible();
  while ((await layerKinds(page).count()) > 0) await page.getByTestId('layer-0-remove').click();
}

async function kindsOf(page: Page): Promise<string[]> {
  return layerKinds(page).evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
}

async function shapesOf(page: Page): Promise<string[]> {
  return page.locator('[data-testid^="layer-"][data-testid$="-shape"]').allTextContents();
}

test.describe('layer builder', () => {
  test('builds a model by clicking and typing, with live shapes, and a copied link reopens the same model', async ({
    page,
    context,
    browser,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('./#/build');
    await expect(page.locator('main h1')).toHaveText('Build a network');
    await clearLayers(page);
    await expect(page.getByTestId('builder-total-params')).toHaveText('0');

    await page.getByTestId('layer-add-conv2d').click();
    await expect(page.getByTestId('layer-0-shape')).toHaveText('16×26×26');
    await page.getByTestId('layer-0-filters').fill('8');
    await page.getByTestId('layer-0-kernel').fill('5');
    await expect(page.getByTestId('layer-0-shape')).toHaveText('8×24×24');
    await expect(page.getByTestId('layer-0-params')).toHaveText('208');
    await page.getByTestId('layer-add-relu').click();
    await page.getByTestId('layer-add-maxpool').click();
    await expect(page.getByTestId('layer-2-shape')).toHaveText('8×12×12');
    // Dense straight after an image is a mistake the builder explains in place.
    await page.getByTestId('layer-add-dense').click();
    await expect(page.getByTestId('layer-3-error')).toContainText('Add a Flatten layer before it');
    await expect(page.getByTestId('builder-status')).toContainText('layer 4 has a problem');
    await page.getByTestId('layer-3-kind').selectOption('flatten');
    await expect(page.getByTestId('layer-3-shape')).toHaveText('1152');
    await page.getByTestId('layer-add-dense').click();
    await page.getByTestId('layer-4-units').fill('10');
    await page.getByTestId('layer-add-softmax').click();
    await expect(page.getByTestId('builder-status')).toHaveText('Ready to train.');
    expect(await shapesOf(page)).toEqual(['8×24×24', '8×24×24', '8×12×12', '1152', '10', '10']);
    await expect(page.getByTestId('builder-total-params')).toHaveText('11,738');
    await expect(page.getByTestId('diagram-shape-6')).toHaveText('10');

    await page.getByTestId('hp-batch-size').fill('32');
    await page.getByTestId('hp-seed').fill('4242');
    await page.getByTestId('share-link').click();
    await expect(page.getByTestId('share-status')).toHaveText('Link copied');
    const url = await page.getByTestId('share-url').inputValue();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(url).toMatch(/#\/build\?c=[A-Za-z0-9_-]+$/);
    await expect(page.getByTestId('train-link')).toHaveAttribute('href', `#/train?c=${url.split('c=')[1]}`);

    const fresh = await (await browser.newContext()).newPage();
    await fresh.goto(url);
    await expect(fresh.getByTestId('builder-total-params')).toHaveText('11,738');
    expect(await kindsOf(fresh)).toEqual(['conv2d', 'relu', 'maxpool', 'flatten', 'dense', 'softmax']);
    expect(await shapesOf(fresh)).toEqual(['8×24×24', '8×24×24', '8×12×12', '1152', '10', '10']);
    await expect(fresh.getByTestId('hp-batch-size')).toHaveValue('32');
    await expect(fresh.getByTestId('hp-seed')).toHaveValue('4242');
    await expect(fresh.getByTestId('config-error')).toHaveCount(0);
    await fresh.context().close();
  });

  test('falls back to selecting the link when the clipboard is not allowed', async ({ page }) => {
    await page.goto('./#/build');
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    await page.getByTestId('share-link').click();
    await expect(page.getByTestId('share-status')).toContainText('Ctrl+C');
    await expect(page.getByTestId('share-url')).toBeFocused();
    expect(await page.getByTestId('share-url').inputValue()).toContain('#/build?c=');
  });

  test('hostile links show config-error, keep the current network, and leave the app working', async ({ page }) => {
    const pageErrors: Error[] = [];
    page.on('pageerror', (e) => pageErrors.push(e));
    await page.goto('./#/build');
    await page.getByTestId('preset-select').selectOption('mlp');
    await expect(page.getByTestId('builder-total-params')).toHaveText('101,770');
    for (const hostile of hostileLinks()) {
      await page.goto(`./#/build?c=${hostile.text}`);
      const error = page.getByTestId('config-error');
      await expect(error, hostile.name).toBeVisible();
      await expect(error).toContainText(hostile.says);
      await expect(page.getByTestId('builder-total-params'), hostile.name).toHaveText('101,770');
      await expect(page.locator('main h1')).toHaveText('Build a network');
      // The page still answers: the next frame comes within 2 s.
      const frame = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            requestAnimationFrame(() => resolve(performance.now() - start));
          }),
      );
      expect(frame, hostile.name).toBeLessThan(2000);
    }
    expect(pageErrors).toEqual([]);
    await page.getByTestId('nav-data').click();
    await expect(page.locator('main h1')).toHaveText('The MNIST dataset');
    await page.getByTestId('nav-build').click();
    await expect(page.getByTestId('config-error')).toHaveCount(0);
    await expect(page.getByTestId('builder-total-params')).toHaveText('101,770');
  });

  test('a link with a bad layer keeps its training settings when the reader asks for them', async ({ page }) => {
    const raw = JSON.parse(JSON.stringify(configFromPreset('mlp')));
    raw.model.layers[1].units = 1_000_000;
    raw.training.batchSize = 77;
    await page.goto(`./#/build?c=${encodeRawJson(JSON.stringify(raw))}`);
    await expect(page.getByTestId('config-error')).toContainText(
      'Layer 2 (Dense): the number of units must be a whole number from 1 to 4,096',
    );
    await expect(page.getByTestId('config-error')).toContainText('Kept from the link');
    await page.screenshot({ path: 'e2e-artifacts/builder-config-error.png' });
    await page.getByTestId('config-error-apply').click();
    await expect(page.getByTestId('config-error')).toHaveCount(0);
    await expect(page.getByTestId('hp-batch-size')).toHaveValue('77');
    await expect(page.getByTestId('builder-total-params')).toHaveText('101,770');
  });

  test('undo and redo work with buttons, Ctrl+Z / Ctrl+Shift+Z, and Back steps through edits', async ({ page }) => {
    await page.goto('./#/build');
    // The builder is loaded on demand: wait for its layer list before reading it.
    await expect(layerKinds(page).first()).toBeVisible();
    const start = await kindsOf(page);
    expect(start.at(-1)).toBe('softmax');
    // New layers go before the final Softmax.
    const withAdded = (...kinds: string[]) => [...start.slice(0, -1), ...kinds, 'softmax'];
    await page.getByTestId('layer-add-tanh').click();
    await page.getByTestId('layer-add-sigmoid').click();
    expect(await kindsOf(page)).toEqual(withAdded('tanh', 'sigmoid'));
    await page.getByTestId('undo').click();
    expect(await kindsOf(page)).toEqual(withAdded('tanh'));
    await page.getByTestId('redo').click();
    expect(await kindsOf(page)).toEqual(withAdded('tanh', 'sigmoid'));
    await page.locator('main h1').click();
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    expect(await kindsOf(page)).toEqual(start);
    await page.keyboard.press('Control+Shift+z');
    expect(await kindsOf(page)).toEqual(withAdded('tanh'));

    await page.getByTestId('layer-add-relu').click();
    await page.getByTestId('layer-add-dropout').click();
    await page.goBack();
    await expect(page.getByTestId(`layer-${start.length}-kind`)).toHaveValue('relu');
    await expect(layerKinds(page)).toHaveCount(start.length + 2);
    await page.goForward();
    await expect(layerKinds(page)).toHaveCount(start.length + 3);
  });

  test('layers move with Alt+arrow keys, the arrow buttons and by dragging', async ({ page }) => {
    await page.goto('./#/build');
    await clearLayers(page);
    for (const kind of ['relu', 'tanh', 'sigmoid'] as const) await page.getByTestId(`layer-add-${kind}`).click();
    await page.getByTestId('layer-0-kind').focus();
    await page.keyboard.press('Alt+ArrowDown');
    expect(await kindsOf(page)).toEqual(['tanh', 'relu', 'sigmoid']);
    await expect(page.getByTestId('layer-1-kind')).toBeFocused();
    await page.getByTestId('layer-2-up').click();
    expect(await kindsOf(page)).toEqual(['tanh', 'sigmoid', 'relu']);
    await page.getByTestId('layer-2-handle').dragTo(page.getByTestId('layer-0'));
    expect(await kindsOf(page)).toEqual(['relu', 'tanh', 'sigmoid']);
    await page.getByTestId('layer-1-duplicate').click();
    expect(await kindsOf(page)).toEqual(['relu', 'tanh', 'tanh', 'sigmoid']);
  });

  test('an out-of-range number is explained next to the field and never enters the link', async ({ page }) => {
    await page.goto('./#/build');
    await page.getByTestId('hp-learning-rate').fill('10');
    await expect(page.getByTestId('hp-learning-rate-error')).toHaveText('Must be a number from 0.000001 to 1.');
    await page.getByTestId('hp-learning-rate').fill('0.005');
    await expect(page.getByTestId('hp-learning-rate-error')).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('hp-learning-rate')).toHaveValue('0.005');
  });

  test('a classroom link fixes the seed, hides and locks controls, and opens in presenter mode', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    const config: Config = {
      ...configFromPreset('keras-cnn'),
      classroom: { lockSeed: true, hide: ['classroom', 'importExport'], lock: ['layers'], presenter: true },
    };
    await page.goto(`./#/build?c=${encodeConfig(config)}`);
    await expect(page.locator('html')).toHaveClass(/presenter-mode/);
    await expect(page.getByTestId('hp-seed')).toBeDisabled();
    await expect(page.getByTestId('layer-0-remove')).toBeDisabled();
    await expect(page.getByTestId('layer-add-dense')).toBeDisabled();
    await expect(page.getByTestId('classroom-panel')).toHaveCount(0);
    await expect(page.getByTestId('config-export')).toHaveCount(0);
    await expect(page.getByTestId('classroom-notice')).toContainText('2 controls are hidden and 2 controls are locked');
    await expect(page.getByTestId('builder-total-params')).toHaveText('34,826');
    await expect(page.getByTestId('hp-learning-rate')).toBeEnabled();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: 'e2e-artifacts/builder-presenter-1280.png' });
  });

  test('in presenter mode at 1280x720 the first layer and the diagram share the first screen, and the Input box is drawn whole', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./#/build');
    await expect(page.getByTestId('layer-0')).toBeVisible();
    await page.getByTestId('presenter-toggle').click();
    await expect(page.locator('html')).toHaveClass(/presenter-mode/);
    // Measured in one task, once the diagram has followed its new width.
    const measure = () =>
      page.evaluate(() => {
        const rect = (el: Element | null) => {
          const r = el!.getBoundingClientRect();
          return { top: r.top, left: r.left, bottom: r.bottom, right: r.right };
        };
        const inputBox = document.querySelector('[data-testid="diagram-box-0"] rect')!;
        const diagram = document.querySelector('[data-testid="network-diagram"]')!;
        return {
          scrollY: window.scrollY,
          height: window.innerHeight,
          layer: rect(document.querySelector('[data-testid="layer-0"]')),
          diagram: rect(diagram),
          diagramOverflow: diagram.scrollWidth - diagram.clientWidth,
          // A rect's box leaves out its outline, half of which lies outside it.
          inputOutlineLeft: rect(inputBox).left - parseFloat(getComputedStyle(inputBox).strokeWidth) / 2,
        };
      });
    await expect.poll(async () => (await measure()).diagramOverflow).toBeLessThanOrEqual(0);
    const m = await measure();
    expect(m.scrollY).toBe(0);
    for (const [name, b] of [
      ['the first layer', m.layer],
      ['the diagram', m.diagram],
    ] as const) {
      expect(b.top, `${name} starts on the first screen`).toBeLessThan(m.height - 40);
      expect(b.bottom, `${name} is not above the screen`).toBeGreaterThan(0);
    }
    expect(m.inputOutlineLeft, "the Input box's outline is inside the diagram").toBeGreaterThanOrEqual(m.diagram.left);
    await page.screenshot({ path: 'e2e-artifacts/builder-presenter-first-screen-1280.png' });
  });

  test('a teacher sets classroom options and the share link carries them, opening on the chosen view', async ({
    page,
    browser,
  }) => {
    await page.goto('./#/build');
    await page.getByTestId('classroom-panel').locator('summary').click();
    await page.getByTestId('classroom-presenter').check();
    await expect(page.locator('html')).toHaveClass(/presenter-mode/);
    await page.getByTestId('classroom-fix-seed').check();
    await page.getByTestId('classroom-hide-diagram').check();
    await expect(page.getByTestId('network-diagram')).toHaveCount(0);
    await page.getByTestId('classroom-start-view').selectOption('train');
    await page.getByTestId('share-link').click();
    const url = await page.getByTestId('share-url').inputValue();
    expect(url).toMatch(/#\/train\?c=/);

    const student = await (await browser.newContext()).newPage();
    await student.goto(url.replace('#/train', '#/build'));
    await expect(student.locator('html')).toHaveClass(/presenter-mode/);
    await expect(student.getByTestId('hp-seed')).toBeDisabled();
    await expect(student.getByTestId('network-diagram')).toHaveCount(0);
    await student.context().close();
  });

  for (const size of [
    { width: 1280, height: 720 },
    { width: 390, height: 844 },
  ]) {
    test(`the builder fits ${size.width}px without horizontal scrolling`, async ({ page }) => {
      await page.setViewportSize(size);
      await page.goto(`./#/build?c=${encodeConfig(configFromPreset('pytorch-cnn'))}`);
      await expect(page.getByTestId('builder-total-params')).toHaveText('1,625,866');
      await page.getByTestId('classroom-panel').locator('summary').click();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(1);
      await page.screenshot({ path: `e2e-artifacts/builder-${size.width}.png`, fullPage: true });
      // Viewport-sized pieces of the long page, small enough to look at one by one.
      for (let part = 0; part < 4; part++) {
        await page.evaluate((y) => window.scrollTo(0, y), part * size.height);
        await page.screenshot({ path: `e2e-artifacts/builder-${size.width}-part${part}.png` });
      }
    });
  }
});
