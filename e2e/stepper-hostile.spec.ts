import { expect, test, type Page } from '@playwright/test';

/** A rows x cols ROWS text of one repeated value. */
const rowsOf = (rows: number, cols: number, value = '0') =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => value).join(',')).join(';');

/** [hash, words the error must contain] */
type Case = [string, string];

const SIZES: Case[] = [
  // 2 million characters: before, the editor drew a million inputs and the page froze for a minute.
  [`#/matmul?a=${rowsOf(1000, 1000)}&b=1`, '1,999,999 characters long; this page reads at most 2000 characters'],
  // 150,000 rows: before, Math.max(...rows) overflowed the stack and crashed the view.
  [`#/matmul?a=${rowsOf(150_000, 1, '1')}&b=1`, '299,999 characters long; this page reads at most 2000'],
  [`#/matmul?a=1&b=${rowsOf(1, 150_000, '1')}`, 'matrix B is 299,999 characters long'],
  [`#/matmul?a=${rowsOf(9, 9)}&b=1`, 'Matrix A has 9 rows; the most this page shows is 8'],
  [`#/conv?x=${rowsOf(13, 13)}`, 'The input has 13 rows; the most this page shows is 12'],
  [`#/conv?k=${rowsOf(6, 6)}`, 'The kernel has 6 rows; the most this page shows is 5'],
  [`#/pool?x=${rowsOf(999, 1, '1')}`, 'The input has 999 rows; the most this page shows is 12'],
  [`#/pool?x=1,2;3,4&mode=backward&g=${rowsOf(150_000, 1, '1')}`, 'upstream gradient is 299,999 characters long'],
];

const SETTINGS: Case[] = [
  ['#/conv?pad=1000000000', 'The padding must be a whole number between 0 and 4'],
  ['#/conv?pad=5', 'The padding can be at most 4 on this page; it is 5'],
  ['#/conv?stride=0', 'The stride must be at least 1; it is 0'],
  ['#/conv?stride=-3', 'The stride must be at least 1; it is -3'],
  ['#/conv?x=1,2;3,4&k=1,2,3;4,5,6;7,8,9&pad=0', 'does not fit in the 2×2 input'],
  ['#/pool?size=13', 'The window size can be at most 12 on this page; it is 13'],
  ['#/pool?stride=1e3', 'The stride must be a whole number between 1 and 12'],
  ['#/pool?op=median', 'must be “max” or “avg”'],
  ['#/matmul?mode=sideways', 'The mode must be “forward” or “backward”'],
];

const VALUES: Case[] = [
  ['#/matmul?a=1e309&b=1', 'is too large: use numbers between -1000000 and 1000000'],
  ['#/matmul?a=1000001&b=1', '1000001 in row 1 of matrix A is too large'],
  [`#/matmul?a=${'9'.repeat(1999)}&b=1`, 'is too large'],
  ['#/matmul?a=NaN&b=1', 'is not a number'],
  ['#/conv?x=0x1F', '“0x1F” in row 1 of the input is not a number'],
  ['#/pool?x=%3Cscript%3E', '“<script>” in row 1 of the input is not a number'],
  ['#/matmul?a=1,2;3&b=1', 'row 1 has 2 but row 2 has 1'],
  ['#/matmul?a=1,2&b=1,2', 'A has 2 columns but B has 1 row'],
];

/** Milliseconds until the next frame: how long the page takes to answer. */
const frameRoundTrip = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        requestAnimationFrame(() => resolve(performance.now() - t));
      }),
  );

/** Follows each link in one page, as clicking links inside the app does, and checks the page's answer. */
async function visitAll(page: Page, cases: Case[]) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./#/matmul');
  await expect(page.getByTestId('step-next')).toBeVisible();
  for (const [hash, words] of cases) {
    const name = hash.length > 80 ? `${hash.slice(0, 60)}… (${hash.length} characters)` : hash;
    // Followed as an in-app link would be. The frame right after it is not timed: with a
    // 2,000,000-character link it is mostly the browser's own navigation (as slow on a page that
    // ignores the query); what the page draws is bounded below instead.
    await page.evaluate((h) => {
      window.location.hash = h;
    }, hash);
    await expect(page.getByTestId('viz-error'), name).toContainText(words);
    expect(await frameRoundTrip(page), `${name}: frame round trip`).toBeLessThan(2000);
    // What is drawn stays within the limits: two 12x12 editors, a padded 20x20 input and its output at most.
    expect(await page.locator('input').count(), `${name}: inputs drawn`).toBeLessThan(400);
    expect(await page.locator('.viz-cell').count(), `${name}: cells drawn`).toBeLessThan(1200);
    await expect(page.getByTestId('step-next'), name).toBeVisible();
  }
  expect(errors).toEqual([]);
}

test.describe('hostile stepper links', () => {
  test('links with huge or oversized matrices name the limit and the page keeps answering', async ({ page }) => {
    await visitAll(page, SIZES);
  });

  test('links with out-of-range padding, stride, window or mode name the allowed range', async ({ page }) => {
    await visitAll(page, SETTINGS);
  });

  test('links with huge, non-numeric or mismatched values say what to change', async ({ page }) => {
    await visitAll(page, VALUES);
  });

  test('a 150,000-row link opened directly shows its editor as text, and the button goes back to the example', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const hash = `#/matmul?a=${rowsOf(150_000, 1, '1')}&b=1`;
    await page.goto(`./${hash}`);
    await expect(page.getByTestId('viz-error')).toContainText('this page reads at most 2000 characters');
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
    // The editors open on a bad link: the matrix is too big to draw as cells, and says so.
    await expect(page.getByTestId('editor-too-big-a')).toContainText('299,999 characters');
    await expect(page.getByTestId('editor-too-big-a')).toContainText('the most is 8×8');
    await page.getByTestId('viz-error-reset').click();
    await expect(page.getByTestId('viz-error')).toHaveCount(0);
    // The link is now the example's, so a reload does not bring the bad link back.
    await expect(page).toHaveURL(/#\/matmul\?a=1,2,3;4,5,6&b=7,8;9,10;11,12$/);
    await page.reload();
    await expect(page.getByTestId('viz-error')).toHaveCount(0);
    await page.getByTestId('step-next').click();
    await expect(page.getByTestId('step-formula')).toHaveText('C[0,0] = 1·7 = 7');
    expect(errors).toEqual([]);
  });

  test('after a bad edit, the button goes back to the last inputs that worked', async ({ page }) => {
    await page.goto('./#/matmul?a=1,2&b=3;4');
    await page.getByTestId('viz-inputs-toggle').click();
    await page.getByTestId('rows-a').fill(rowsOf(9, 1));
    await expect(page.getByTestId('viz-error')).toContainText('Matrix A has 9 rows');
    await expect(page.getByTestId('editor-too-big-a')).toBeVisible();
    await expect(page.getByTestId('viz-error-reset')).toHaveText('Go back to the inputs that worked');
    await page.getByTestId('viz-error-reset').click();
    await expect(page.getByTestId('viz-error')).toHaveCount(0);
    await expect(page.getByTestId('rows-a')).toHaveValue('1,2');
    await expect(page.getByTestId('edit-a-0-1')).toHaveValue('2');
  });
});
