import { expect, test, type Page } from '@playwright/test';

/** Expects every output cell `${prefix}-R-C` to show the hand-computed value. */
async function expectGrid(page: Page, prefix: string, rows: (number | string)[][]) {
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < rows[r].length; c++) {
      await expect(page.getByTestId(`${prefix}-${r}-${c}`)).toHaveText(String(rows[r][c]));
    }
  }
}

test.describe('matmul stepper', () => {
  const link = './#/matmul?a=1,2,3;4,5,6&b=7,8;9,10;11,12';

  test('a deep link opens the given matrices with every output cell empty', async ({ page }) => {
    await page.goto(link);
    await expect(page.locator('main h1')).toHaveText('Matrix multiplication, step by step');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 12');
    await expect(page.getByTestId('matmul-a-1-2')).toHaveText('6');
    await expect(page.getByTestId('matmul-b-2-1')).toHaveText('12');
    await expect(page.getByTestId('matmul-out-0-0')).toHaveText('');
  });

  test('Right steps one multiply-add, Home resets, End shows the whole product', async ({ page }) => {
    await page.goto(link);
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 12');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 12');
    await expect(page.getByTestId('step-formula')).toHaveText('C[0,0] = 1·7 = 7');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('step-formula')).toHaveText('C[0,0] = 1·7 + 2·9 + 3·11 = 58');
    await expect(page.getByTestId('matmul-out-0-0')).toHaveText('58');
    await expect(page.getByTestId('step-narration')).toContainText('C[0,0] = 58 is done');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('matmul-out-0-0')).toHaveText('');
    await page.keyboard.press('Home');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 12');
    await page.getByTestId('step-end').click();
    await expectGrid(page, 'matmul-out', [
      [58, 64],
      [139, 154],
    ]);
    await page.getByTestId('step-reset').click();
    await page.getByTestId('step-next').click();
    await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 12');
    await page.getByTestId('step-prev').click();
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 12');
  });

  test('an edit updates the link, and the link brings the edit back after a reload', async ({ page }) => {
    await page.goto(link);
    // Valid inputs from a link start folded away; the summary opens them.
    await expect(page.getByTestId('edit-a-0-0')).toBeHidden();
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('edit-a-0-0').fill('10');
    await expect(page).toHaveURL(/#\/matmul\?a=10,2,3;4,5,6&b=7,8;9,10;11,12$/);
    await page.reload();
    await expect(page.getByTestId('edit-a-0-0')).toHaveValue('10');
    await page.getByTestId('step-end').click();
    await expect(page.getByTestId('matmul-out-0-0')).toHaveText('121');
    // A bad edit shows the sentence and keeps the last good product on screen.
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('edit-b-0-0').fill('seven');
    await expect(page.getByTestId('viz-error')).toContainText('not a number');
    await expect(page.getByTestId('matmul-out-0-0')).toHaveText('121');
    await expect(page).toHaveURL(/a=10,2,3/);
  });

  test('arrow keys typed in a text box edit the text instead of stepping', async ({ page }) => {
    await page.goto(link);
    await expect(page.getByTestId('step-narration')).toHaveAttribute('aria-live', 'polite');
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('rows-a').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 12');
  });

  test('Play runs to the end at the chosen speed, and the mode toggle goes into the link', async ({ page }) => {
    await page.goto(link);
    await page.getByTestId('step-speed').selectOption({ label: 'Very fast' });
    await page.getByTestId('step-play').click();
    await expect(page.getByTestId('step-counter')).toHaveText('Step 12 of 12');
    await expect(page.getByTestId('step-play')).toHaveText('▶ Play');
    await expect(page.getByTestId('matmul-out-1-1')).toHaveText('154');
    await page.getByTestId('mode-backward').click();
    await expect(page).toHaveURL(/&mode=backward$/);
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 24');
  });

  test('backward mode ends with the hand-computed gradients', async ({ page }) => {
    // C = A·B with A = [1 2], B = [3; 4], dC = [2]: dA = dC·Bᵀ = [6 8], dB = Aᵀ·dC = [2; 4].
    await page.goto('./#/matmul?a=1,2&b=3;4&mode=backward&g=2');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 4');
    await page.keyboard.press('End');
    await expectGrid(page, 'matmul-dA', [[6, 8]]);
    await expectGrid(page, 'matmul-dB', [[2], [4]]);
  });

  test('the GPU view names the thread of a cell and the real kernel matches the CPU', async ({ page }) => {
    await page.goto(link);
    await page.getByTestId('matmul-out-1-1').click();
    await expect(page.getByTestId('gpu-thread')).toContainText('C[1,1]');
    await expect(page.getByTestId('gpu-thread')).toContainText('workgroup (0, 0)');
    await expect(page.getByTestId('gpu-thread')).toContainText('local_invocation_id = (1, 1)');
    await page.getByTestId('gpu-run').click();
    await expect(page.getByTestId('gpu-check-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    await expect(page.getByTestId('gpu-out-1-1')).toHaveText('154');
  });
});

test.describe('conv stepper', () => {
  test('End shows the hand-computed output of a 2x2 kernel over a 3x3 input', async ({ page }) => {
    await page.goto('./#/conv?x=1,2,3;4,5,6;7,8,9&k=1,2;3,4&pad=0&stride=1');
    await expect(page.getByTestId('conv-convention')).toContainText('cross-correlation');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 16');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('step-formula')).toHaveText('out[0,0] = 1·1 = 1');
    await page.keyboard.press('Home');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 16');
    await page.getByTestId('step-end').click();
    await expectGrid(page, 'conv-out', [
      [37, 47],
      [67, 77],
    ]);
  });

  test('zero padding lets a 3x3 kernel cover a 2x2 input, with the size formula shown', async ({ page }) => {
    await page.goto('./#/conv?x=1,2;3,4&k=1,2,3;4,5,6;7,8,9&pad=1&stride=1');
    await expect(page.getByText('out = floor((2 + 2·1 − 3) / 1) + 1 = 2')).toBeVisible();
    await expect(page.getByTestId('conv-x-0-0')).toHaveClass(/is-pad/);
    await page.getByTestId('step-end').click();
    await expectGrid(page, 'conv-out', [
      [77, 67],
      [47, 37],
    ]);
  });

  test('backward mode ends with the hand-computed input and kernel gradients', async ({ page }) => {
    await page.goto('./#/conv?x=1,2,3;4,5,6;7,8,9&k=1,2;3,4&pad=0&stride=1&mode=backward');
    // 4 windows x 4 kernel cells, once for dx and once for dk.
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 32');
    await page.keyboard.press('End');
    await expectGrid(page, 'conv-dx', [
      [1, 3, 2],
      [4, 10, 6],
      [3, 7, 4],
    ]);
    await expectGrid(page, 'conv-dk', [
      [12, 16],
      [24, 28],
    ]);
  });
});

test.describe('GPU view of the conv stepper', () => {
  const link = './#/conv?x=1,2,3;4,5,6;7,8,9&k=1,2;3,4&pad=0&stride=1';

  test('names the workgroup, thread and register of a clicked output, and the real kernel matches the CPU', async ({
    page,
  }) => {
    await page.goto(link);
    // Before any click it follows the pixel being computed: out[0,0] at first.
    await expect(page.getByTestId('gpu-thread')).toContainText('out[0,0]');
    await page.getByTestId('conv-out-1-1').click();
    await expect(page.getByTestId('conv-out-1-1')).toHaveClass(/is-picked/);
    const thread = page.getByTestId('gpu-thread');
    await expect(thread).toContainText('out[1,1]');
    await expect(thread).toContainText('workgroup (0, 0)');
    await expect(thread).toContainText('local_invocation_id = (3, 0)');
    await expect(thread).toContainText('acc[0]');
    await expect(page.getByTestId('gpu-thread-why')).toContainText(
      '(0·2 + 1)·2 + 1 = 3 is row 3 of the implicit matrix',
    );
    await page.getByTestId('gpu-run').click();
    await expect(page.getByTestId('gpu-check-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    await expectGrid(page, 'gpu-out', [
      [37, 47],
      [67, 77],
    ]);
    // A new input clears the old verdict.
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('edit-x-0-0').fill('2');
    await expect(page.getByTestId('gpu-check-result')).toHaveCount(0);
  });

  test('the real kernel also matches with padding and stride', async ({ page }) => {
    // 5x5 input, pad 1, stride 2: a 3x3 output whose corners read the padding.
    await page.goto(
      './#/conv?x=1,2,0,1,3;0,1,3,2,1;2,1,0,1,0;1,0,2,3,1;0,1,1,0,2&k=1,0,-1;1,0,-1;1,0,-1&pad=1&stride=2',
    );
    await page.getByTestId('step-end').click();
    await page.getByTestId('gpu-run').click();
    await expect(page.getByTestId('gpu-check-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        await expect(page.getByTestId(`gpu-out-${r}-${c}`)).toHaveText(
          (await page.getByTestId(`conv-out-${r}-${c}`).textContent()) ?? 'missing',
        );
      }
    }
  });

  test('the staging view steps through the patch matrix in tile steps', async ({ page }) => {
    await page.goto(link);
    await page.getByTestId('conv-out-1-1').click();
    // 4 positions x K = 4 terms with 2x2 tiles, 2 deep: position 3 is in workgroup (0, 1), 2 steps.
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 0 of 2');
    await page.getByTestId('stage-next').click();
    await expect(page.getByTestId('stage-formula')).toHaveText('out[1,1] = 5·1 + 6·2 = 17');
    await page.getByTestId('stage-next').click();
    await expect(page.getByTestId('stage-formula')).toHaveText('out[1,1] = 17 + 8·3 + 9·4 = 77');
    // The partial sums are drawn in the output's 2x2 shape; the workgroup owns its second row.
    await expect(page.getByTestId('stage-c-1-1')).toHaveText('77');
    await expect(page.getByTestId('stage-c-1-0')).toHaveText('67');
    await expect(page.getByTestId('stage-c-0-0')).toHaveText('');
    await expect(page.getByTestId('stage-next')).toBeDisabled();
  });
});

test.describe('workgroup-memory staging of the matmul stepper', () => {
  test('steps through the k-tiles of the owning workgroup with its partial sums', async ({ page }) => {
    await page.goto('./#/matmul?a=1,2,3;4,5,6&b=7,8;9,10;11,12');
    await page.getByTestId('matmul-out-1-1').click();
    await expect(page.getByTestId('stage-tile-note')).toContainText('Scaled-down tiles');
    await expect(page.getByTestId('stage-tile-note')).toContainText(/uses \d+×\d+ tiles with \d+-deep steps/);
    // K = 3 in 2-deep steps: 2 tile steps.
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 0 of 2');
    await expect(page.getByTestId('stage-c-1-1')).toHaveText('0');
    await page.getByTestId('stage-next').click();
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 1 of 2');
    // Workgroup memory holds A[0–1, 0–1] and B[0–1, 0–1].
    await expectGrid(page, 'stage-as', [
      [1, 2],
      [4, 5],
    ]);
    await expectGrid(page, 'stage-bs', [
      [7, 8],
      [9, 10],
    ]);
    await expect(page.getByTestId('stage-a-0-0')).toHaveClass(/is-focus/);
    await expect(page.getByTestId('stage-a-0-2')).not.toHaveClass(/is-focus/);
    // C[1,1] uses row 1 of the staged A slice and column 1 of the staged B slice.
    await expect(page.getByTestId('stage-a-1-1')).toHaveClass(/is-chosen/);
    await expect(page.getByTestId('stage-b-1-1')).toHaveClass(/is-chosen/);
    await expect(page.getByTestId('stage-b-1-0')).not.toHaveClass(/is-chosen/);
    await expect(page.getByTestId('stage-formula')).toHaveText('C[1,1] = 4·8 + 5·10 = 82');
    await expectGrid(page, 'stage-c', [
      [25, 28],
      [73, 82],
    ]);
    await page.getByTestId('stage-next').click();
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 2 of 2');
    await expectGrid(page, 'stage-as', [[3], [6]]);
    await expect(page.getByTestId('stage-formula')).toHaveText('C[1,1] = 82 + 6·12 = 154');
    await expect(page.getByTestId('stage-narration')).toContainText('last step');
    // The final partial sums are C.
    await expectGrid(page, 'stage-c', [
      [58, 64],
      [139, 154],
    ]);
    await page.getByTestId('stage-prev').click();
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 1 of 2');
    // The real tile covers the whole product in one step.
    await page.getByTestId('stage-tile').selectOption({ index: 2 });
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 0 of 1');
    await page.getByTestId('stage-next').click();
    await expectGrid(page, 'stage-c', [
      [58, 64],
      [139, 154],
    ]);
  });

  test('a cell in another tile is followed by its own workgroup', async ({ page }) => {
    await page.goto('./#/matmul?a=1,0,0;0,1,0;0,0,1&b=1,2,3;4,5,6;7,8,9');
    await page.getByTestId('matmul-out-2-2').click();
    await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 0 of 2');
    await expect(page.getByText('Workgroup (1, 1) of 2×2')).toBeVisible();
    await page.getByTestId('stage-next').click();
    await page.getByTestId('stage-next').click();
    await expect(page.getByTestId('stage-c-2-2')).toHaveText('9');
    // Cells other workgroups own stay empty here.
    await expect(page.getByTestId('stage-c-0-0')).toHaveText('');
  });
});

test.describe('GPU view screenshots', () => {
  for (const [width, height] of [
    [1280, 720],
    [390, 844],
  ]) {
    test(`matmul staging and conv GPU check at ${width}px wide`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.goto('./#/matmul?a=1,2,3;4,5,6;7,8,9&b=1,2,3;4,5,6;7,8,9');
      await page.getByTestId('matmul-out-1-1').click();
      await page.getByTestId('stage-next').click();
      await expect(page.getByTestId('stage-counter')).toHaveText('Tile step 1 of 2');
      await page.locator('.viz-staging').screenshot({ path: `e2e-artifacts/stepper-matmul-staging-${width}.png` });
      await page.goto(
        './#/conv?x=1,2,0,1,3;0,1,3,2,1;2,1,0,1,0;1,0,2,3,1;0,1,1,0,2&k=1,0,-1;1,0,-1;1,0,-1&pad=1&stride=2',
      );
      await page.getByTestId('conv-out-2-1').click();
      await page.getByTestId('gpu-run').click();
      await expect(page.getByTestId('gpu-check-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
      await page.getByTestId('stage-next').click();
      await page.locator('.viz-gpu').screenshot({ path: `e2e-artifacts/stepper-conv-gpu-${width}.png` });
      await page.locator('.viz-staging').screenshot({ path: `e2e-artifacts/stepper-conv-staging-${width}.png` });
      await page.screenshot({ path: `e2e-artifacts/stepper-conv-gpu-page-${width}.png`, fullPage: true });
    });
  }
});

test.describe('pool stepper', () => {
  const x = '1,3,2,1;4,6,5,0;3,1,1,2;0,2,4,8';

  test('max pooling picks the largest value of each window', async ({ page }) => {
    await page.goto(`./#/pool?x=${x}&size=2&stride=2&op=max`);
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 4');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('step-formula')).toHaveText('out[0,0] = max(1, 3, 4, 6) = 6');
    await page.keyboard.press('End');
    await expectGrid(page, 'pool-out', [
      [6, 5],
      [3, 8],
    ]);
  });

  test('average pooling shows the mean of each window', async ({ page }) => {
    await page.goto(`./#/pool?x=${x}&size=2&stride=2&op=avg`);
    await page.getByTestId('step-end').click();
    await expectGrid(page, 'pool-out', [
      [3.5, 2],
      [1.5, 3.75],
    ]);
  });

  test('backward routes the gradient to the max and splits it for the average', async ({ page }) => {
    await page.goto('./#/pool?x=1,3;4,2&size=2&stride=2&op=max&mode=backward&g=5');
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 1');
    await page.keyboard.press('End');
    await expectGrid(page, 'pool-dx', [
      [0, 0],
      [5, 0],
    ]);
    await page.getByTestId('op-avg').click();
    await expect(page.getByTestId('step-counter')).toHaveText('Step 0 of 1');
    await page.keyboard.press('End');
    await expectGrid(page, 'pool-dx', [
      [1.25, 1.25],
      [1.25, 1.25],
    ]);
  });
});

test.describe('invalid stepper links', () => {
  for (const [link, words] of [
    ['#/matmul?a=1,2;3&b=1', 'row 2 has 1'],
    ['#/conv?x=1,2;3,4&k=1,2,3;4,5,6;7,8,9&pad=0&stride=1', 'does not fit'],
    ['#/pool?x=abc', 'not a number'],
  ]) {
    test(`${link} explains the problem and the page is not blank`, async ({ page }) => {
      await page.goto(`./${link}`);
      await expect(page.getByTestId('viz-error')).toBeVisible();
      await expect(page.getByTestId('viz-error')).toContainText(words);
      await expect(page.locator('main h1')).toBeVisible();
      await expect(page.getByTestId('step-next')).toBeVisible();
      await page.screenshot({ path: `e2e-artifacts/stepper-invalid-${link.slice(2, link.indexOf('?'))}.png` });
    });
  }
});

test.describe('stepper screenshots', () => {
  const views = [
    ['matmul', '#/matmul?a=1,2,3;4,5,6&b=7,8;9,10;11,12', 5],
    ['conv', '#/conv?x=1,2,0,1,3;0,1,3,2,1;2,1,0,1,0;1,0,2,3,1;0,1,1,0,2&k=1,0,-1;1,0,-1;1,0,-1&pad=1&stride=2', 13],
    ['pool', '#/pool?x=1,3,2,1;4,6,5,0;3,1,1,2;0,2,4,8&size=2&stride=2&op=max', 2],
    ['conv-backward', '#/conv?x=1,2,3;4,5,6;7,8,9&k=1,2;3,4&pad=0&stride=1&mode=backward', 6],
  ] as const;
  for (const [name, link, steps] of views) {
    for (const [width, height] of [
      [1280, 720],
      [390, 844],
    ]) {
      test(`${name} at ${width}px wide`, async ({ page }) => {
        await page.setViewportSize({ width, height });
        await page.goto(`./${link}`);
        for (let i = 0; i < steps; i++) await page.getByTestId('step-next').click();
        await expect(page.getByTestId('step-counter')).toContainText(`Step ${steps} of`);
        await page.screenshot({ path: `e2e-artifacts/stepper-${name}-${width}.png`, fullPage: true });
        await page.locator('.viz-stepper').screenshot({ path: `e2e-artifacts/stepper-${name}-${width}-steps.png` });
      });
    }
  }
});
