import { expect, test, type Page } from '@playwright/test';

/** Each stepper with an example that has padding, stride and every kind of highlight. */
const STEPPERS = [
  { name: 'matmul', link: '#/matmul?a=1,2,3;4,5,6&b=7,8;9,10;11,12', out: 'matmul-out' },
  {
    name: 'conv',
    link: '#/conv?x=1,2,0,1,3;0,1,3,2,1;2,1,0,1,0;1,0,2,3,1;0,1,1,0,2&k=1,0,-1;1,0,-1;1,0,-1&pad=1&stride=2',
    out: 'conv-out',
  },
  {
    name: 'pool',
    link: '#/pool?x=1,3,2,1,0;4,6,5,0,1;3,1,1,2,2;0,2,4,8,3;1,1,1,1,1&size=2&stride=2&op=max',
    out: 'pool-out',
  },
] as const;

const SIZES = [
  { width: 1280, height: 720, presenter: false },
  { width: 1280, height: 720, presenter: true },
  { width: 390, height: 844, presenter: false },
] as const;

/** The step counter's total, e.g. 12 from "Step 0 of 12". */
async function totalSteps(page: Page): Promise<number> {
  const text = (await page.getByTestId('step-counter').textContent()) ?? '';
  return Number(/of (\d+)/.exec(text)?.[1] ?? NaN);
}

for (const size of SIZES) {
  const where = `${size.width}x${size.height}${size.presenter ? ' in presenter mode' : ''}`;
  test.describe(`steppers at ${where}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    for (const s of STEPPERS) {
      test(`${s.name}: after Next, the Next button, the narration and the output cell being written are on screen`, async ({
        page,
      }) => {
        if (size.presenter) {
          // Presenter mode (a classroom link option) is a class on the root, styled by the builder's
          // stylesheet: open the builder first so it is loaded, then follow the stepper link.
          await page.goto('./#/build');
          await expect(page.locator('main h1').first()).toBeVisible();
          await page.evaluate((h) => {
            document.documentElement.classList.add('presenter-mode');
            window.location.hash = h;
          }, s.link);
          await expect(page.getByTestId('step-counter')).toBeVisible();
          expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).not.toBe('16px');
        } else {
          await page.goto(`./${s.link}`);
        }
        const total = await totalSteps(page);
        const next = page.getByTestId('step-next');
        const target = page.locator(`[data-testid^="${s.out}-"].is-target`);
        // Next from the start, then from a quarter, half-way, three quarters and the last step but one
        // (reached with the arrow key, which is quicker than clicking), so targets in every row are checked.
        let at = 0;
        const starts = [0, 1, total / 4, total / 2, (3 * total) / 4, total - 1].map(Math.floor);
        for (const from of [...new Set(starts)].sort((x, y) => x - y)) {
          if (from < at) continue;
          for (; at < from; at++) await page.keyboard.press('ArrowRight');
          await next.click();
          at++;
          await expect(page.getByTestId('step-counter')).toHaveText(`Step ${at} of ${total}`);
          await expect(target).toHaveCount(1);
          await expect(next).toBeInViewport({ ratio: 1 });
          await expect(target).toBeInViewport({ ratio: 1 });
          await expect(page.getByTestId('step-narration')).toBeInViewport();
          if (from === starts[3])
            await page.screenshot({
              path: `e2e-artifacts/stepper-layout-${s.name}-${size.width}${size.presenter ? '-presenter' : ''}.png`,
            });
        }
      });
    }
  });
}

test.describe('stepper motion and marks', () => {
  test('the window frame slides to the cells of each step, and stops moving under reduced motion', async ({ page }) => {
    await page.goto(`./${STEPPERS[1].link}`);
    const frame = page.locator('[data-grid="x"] .viz-frame.is-area');
    // The frame glides between windows (a transition), unless the reader asked for less motion.
    expect(await frame.evaluate((el) => getComputedStyle(el).transitionDuration)).toMatch(/0\.28s/);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await frame.evaluate((el) => getComputedStyle(el).transitionDuration)).toMatch(/^0s/);
    // 9 products per window: step 10 is the second window, 2 columns to the right (stride 2).
    for (let i = 0; i < 10; i++) await page.getByTestId('step-next').click();
    await expect(page.getByTestId('step-counter')).toHaveText('Step 10 of 81');
    const box = await frame.boundingBox();
    const first = await page.getByTestId('conv-x-0-2').boundingBox();
    const last = await page.getByTestId('conv-x-2-4').boundingBox();
    expect(box && first && last).toBeTruthy();
    // The frame hugs the 3x3 window from (0,2) to (2,4), with its 3 px border outside the cells.
    expect(Math.abs(box!.x + 3 - first!.x)).toBeLessThan(1.5);
    expect(Math.abs(box!.y + 3 - first!.y)).toBeLessThan(1.5);
    expect(Math.abs(box!.x + box!.width - 3 - (last!.x + last!.width))).toBeLessThan(1.5);
    expect(Math.abs(box!.y + box!.height - 3 - (last!.y + last!.height))).toBeLessThan(1.5);
  });

  test("matmul puts B's column above the C cell and A's row beside it", async ({ page }) => {
    await page.goto(`./${STEPPERS[0].link}`);
    // Step 7 computes C[1,0] from row 1 of A and column 0 of B (3 multiply-adds per cell).
    for (let i = 0; i < 7; i++) await page.getByTestId('step-next').click();
    const c = (await page.getByTestId('matmul-out-1-0').boundingBox())!;
    const aRow = (await page.getByTestId('matmul-a-1-2').boundingBox())!;
    const bCol = (await page.getByTestId('matmul-b-2-0').boundingBox())!;
    expect(Math.abs(aRow.y - c.y)).toBeLessThan(1);
    expect(aRow.x).toBeLessThan(c.x);
    expect(Math.abs(bCol.x - c.x)).toBeLessThan(1);
    expect(bCol.y).toBeLessThan(c.y);
    await expect(page.getByTestId('matmul-a-1-0')).toHaveClass(/is-area/);
    await expect(page.getByTestId('matmul-b-0-0')).toHaveClass(/is-area/);
    await expect(page.getByTestId('matmul-out-1-0')).toHaveClass(/is-target/);
  });

  test('cells a stride leaves unused are marked, with a line in the colour key', async ({ page }) => {
    // 5x5 under 2x2 windows with stride 2: the last row and column are never in a window.
    await page.goto(`./${STEPPERS[2].link}`);
    await expect(page.getByTestId('pool-x-4-0')).toHaveClass(/is-unused/);
    await expect(page.getByTestId('pool-x-0-4')).toHaveClass(/is-unused/);
    await expect(page.getByTestId('pool-x-3-3')).not.toHaveClass(/is-unused/);
    await expect(page.getByTestId('step-legend')).toContainText('the stride steps over it');
    // Windows that tile the input leave nothing out, and the key says nothing about it.
    await page.goto('./#/pool?x=1,2;3,4&size=2&stride=2');
    await expect(page.locator('.viz-cell.is-unused')).toHaveCount(0);
    await expect(page.getByTestId('step-legend')).not.toContainText('stride');
  });

  test('the phase heading keeps its case', async ({ page }) => {
    await page.goto('./#/matmul?a=1,2&b=3;4&mode=backward');
    await page.getByTestId('step-next').click();
    const shown = await page.locator('.viz-phase').evaluate((el) => (el as HTMLElement).innerText);
    expect(shown).toBe('Gradient for A: dA = dC · Bᵀ');
  });

  test('the editors start folded for a valid link, open for a bad one, and fold at the first step', async ({
    page,
  }) => {
    await page.goto(`./${STEPPERS[0].link}`);
    await expect(page.getByTestId('viz-inputs')).not.toHaveAttribute('open');
    await expect(page.getByTestId('viz-inputs-toggle')).toContainText('A 2×3, B 3×2');
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('edit-a-0-0').fill('2');
    await page.getByTestId('step-next').click();
    await expect(page.getByTestId('viz-inputs')).not.toHaveAttribute('open');
    await expect(page.getByTestId('step-formula')).toHaveText('C[0,0] = 2·7 = 14');
    await page.goto('./#/conv?x=1,2;3,oops');
    await expect(page.getByTestId('viz-inputs')).toHaveAttribute('open');
    await expect(page.getByTestId('edit-x-1-1')).toHaveValue('oops');
  });
});

test.describe('touch targets on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('matrix cells, editor cells, the step slider and the step buttons are at least 44 px', async ({ page }) => {
    const heights = async (selector: string) =>
      page.locator(selector).evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    for (const link of [STEPPERS[0].link, STEPPERS[1].link, '#/conv?x=1,2,3,4,5,6,7,8,9,1,2,3&k=1&pad=4']) {
      await page.goto(`./${link}`);
      await page.getByTestId('viz-inputs-toggle').click();
      for (const selector of [
        '.viz-grids .viz-cell',
        '.viz-editor-cell',
        '[data-testid="step-scrubber"]',
        '.viz-controls .button',
      ]) {
        const hs = await heights(selector);
        expect(hs.length, selector).toBeGreaterThan(0);
        expect(Math.min(...hs), `${link} ${selector}`).toBeGreaterThanOrEqual(44);
      }
    }
  });
});
