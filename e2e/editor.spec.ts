import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// The kernel editor against the built app in Chromium with WebGPU (SwiftShader): markers while
// typing, a wrong kernel refused, a correct one used in training, a share link, and revert.
const MATMUL = readFileSync(new URL('../kernels/matmul.wgsl', import.meta.url), 'utf8');
const FMA = 'fma(a_reg[r], b_reg[c], acc[r * TN + c])';
// Wrong: the products are never added up, so C is only bias / the old C.
const WRONG = MATMUL.replace(FMA, 'acc[r * TN + c]');
// Right but slower: a loop that adds zero to one accumulator many times.
const SLOWER = MATMUL.replace(
  '  let use_bias =',
  '  // slower on purpose\n  for (var spin = 0u; spin < 64u; spin++) { acc[0] = acc[0] + 0.0; }\n  let use_bias =',
);

// An endless loop at the top of the ReLU kernel (an odd number never becomes 0, and the compiler
// cannot tell): the guarded test must stop it.
const ACTIVATION = readFileSync(new URL('../kernels/activation_forward.wgsl', import.meta.url), 'utf8');
const ENDLESS = ACTIVATION.replace(
  /fn main\([^)]*\)[^{]*\{/,
  (m) => `${m}\n  var spin = 1u;\n  while (spin != 0u) { spin = spin + 2u; }`,
);
const ENDLESS_LINE = ENDLESS.split('\n').findIndex((l) => l.includes('while (spin')) + 1;

/** Milliseconds from now to the second animation frame: how long the page takes to paint again. */
function frameRoundTrip(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
      }),
  );
}

async function openEditor(page: Page, hash = '#/kernels?k=matmul') {
  await page.goto(`./${hash}`);
  await expect(page.getByTestId('webgpu-status')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

/** Replaces the whole text in Monaco by selecting all and pasting (typing would auto-indent). */
async function replaceText(page: Page, text: string) {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

test.describe('the kernel editor', () => {
  test.setTimeout(300_000);
  // The light test first: after the long one, SwiftShader can take minutes to hand a new page an adapter.

  test('says so when a link carries a damaged kernel, and starts a challenge', async ({ page }) => {
    await openEditor(page, '#/kernels?k=matmul&src=!!not-base64!!');
    await expect(page.getByTestId('config-error')).toContainText('damaged');
    await page.getByTestId('challenge-relu-bug').click();
    await expect(page.getByTestId('challenge-card')).toContainText('Fix the ReLU');
    await expect(page.getByTestId('kernel-item-activation_forward')).toHaveAttribute('aria-current', 'true');
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'false', { timeout: 60_000 });
  });

  test('in presenter mode at 1280x720 the code, the Test button and its result share the screen', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openEditor(page, '#/kernels?k=activation_forward');
    await page.getByTestId('presenter-toggle').click();
    await expect(page.locator('html')).toHaveClass(/presenter-mode/);
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    // Let the smooth scroll to the result settle before measuring.
    await page.waitForTimeout(600);
    const boxes = await page.evaluate(() =>
      ['kernel-editor', 'kernel-test', 'kernel-test-result'].map((id) => {
        const r = document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
        return { id, top: r.top, bottom: r.bottom, visibleTop: Math.max(r.top, 0), height: innerHeight };
      }),
    );
    for (const b of boxes) {
      // The result's heading and the button are wholly on screen; of the editor at least a good part.
      if (b.id === 'kernel-editor') expect(Math.min(b.bottom, b.height) - b.visibleTop, b.id).toBeGreaterThan(120);
      else {
        expect(b.top, b.id).toBeGreaterThanOrEqual(0);
        expect(b.top + 24, b.id).toBeLessThanOrEqual(b.height);
      }
    }
    await page.screenshot({ path: 'e2e-artifacts/editor-presenter-1280.png' });
  });

  test('stops an endless loop in an edited kernel with a sentence, and the page keeps painting', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1280, height: 720 });
    await openEditor(page, '#/kernels?k=activation_forward');
    await replaceText(page, ENDLESS);
    await expect(page.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'false', { timeout: 60_000 });
    await expect(page.getByTestId('kernel-test-summary')).toHaveText(
      'Test failed: a loop in your kernel did not finish',
    );
    await expect(page.getByTestId('kernel-test-error')).toContainText(
      `A loop in your kernel did not finish (the while at line ${ENDLESS_LINE})`,
    );
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
    await expect(page.getByTestId('kernel-use')).toBeDisabled();
    await page.screenshot({ path: 'e2e-artifacts/editor-endless-loop.png', fullPage: true });
    await page.getByTestId('kernel-bench').click();
    await expect(page.getByTestId('kernel-bench-error')).toContainText('A loop in your kernel did not finish', {
      timeout: 60_000,
    });
    expect(await frameRoundTrip(page)).toBeLessThan(2000);
    // The editor's device still works: the shipped kernel passes right after.
    await page.getByTestId('kernel-reset').click();
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    expect(errors).toEqual([]);
  });

  test('marks a syntax error, refuses a wrong kernel, trains with a correct one, shares it and reverts', async ({
    page,
    context,
  }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openEditor(page);
    await expect(page.getByTestId('kernel-info')).toContainText(
      'checked against the CPU function matmul (src/engine/ops/matmul/cpu.ts)',
    );
    await expect(page.getByTestId('kernel-stepper-link')).toHaveAttribute('href', '#/matmul');
    await expect(page.getByTestId('kernel-bindings')).toContainText('read and write');
    await expect(page.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });

    // A syntax error on line 1: the marker appears in the editor and in the list, with its line.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.type('oops ');
    await expect(page.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'errors');
    await expect(page.getByTestId('kernel-compile-error').first()).toHaveAttribute('data-line', '1');
    await expect(page.getByTestId('kernel-compile-error').first()).toContainText('Line 1, column');
    await expect(page.locator('.monaco-editor .squiggly-error').first()).toBeAttached();
    await page.screenshot({ path: 'e2e-artifacts/editor-syntax-error.png' });

    // Fixed again: no errors.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
    await expect(page.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'ok');
    await expect(page.getByTestId('kernel-draft-summary')).toContainText('This is the built-in kernel');

    // A wrong kernel compiles but fails its test, and cannot be used in training.
    await replaceText(page, WRONG);
    await expect(page.getByTestId('kernel-draft-summary')).toContainText('1 line(s) added or changed, 1 removed');
    await expect(page.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'ok');
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'false', { timeout: 60_000 });
    await expect(page.getByTestId('kernel-test-summary')).toContainText('disagree with the CPU');
    await expect(page.getByTestId('kernel-use')).toBeDisabled();
    await page.screenshot({ path: 'e2e-artifacts/editor-test-failed.png', fullPage: true });

    // A correct (slower) kernel passes, is timed against the built-in one, and goes into training.
    await replaceText(page, SLOWER);
    await expect(page.getByTestId('kernel-draft-summary')).toContainText('2 line(s) added or changed, 0 removed');
    await page.getByTestId('kernel-test').click();
    await expect(page.getByTestId('kernel-test-result')).toHaveAttribute('data-pass', 'true', { timeout: 60_000 });
    await page.getByTestId('kernel-bench').click();
    await expect(page.getByTestId('kernel-bench-edited')).toContainText('per call', { timeout: 90_000 });
    await expect(page.getByTestId('kernel-bench-builtin')).toContainText('per call');
    await page.getByTestId('kernel-use').click();
    await expect(page.getByTestId('kernel-notice')).toContainText('Training now uses your matmul kernel');
    await expect(page.getByTestId('kernel-in-use')).toContainText('Training runs your edited matmul');
    await expect(page.getByTestId('kernel-item-matmul')).toContainText('in training');
    await page.screenshot({ path: 'e2e-artifacts/editor-in-training.png', fullPage: true });

    // The diff view shows the change against the built-in source.
    await page.getByTestId('kernel-diff-toggle').click();
    await expect(page.locator('.monaco-diff-editor').first()).toBeVisible();
    await page.screenshot({ path: 'e2e-artifacts/editor-diff.png' });
    await page.getByTestId('kernel-diff-toggle').click();

    // Train briefly with it.
    await page.getByTestId('nav-train').click();
    await page.getByTestId('train-preset').selectOption('mlp');
    await page.getByTestId('train-subset').fill('1000');
    await page.getByTestId('train-epochs').fill('1');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-state')).toHaveText('Finished.', { timeout: 150_000 });
    expect(Number(await page.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(30);

    // Back in the editor the draft and the swap are still there; share it.
    await page.getByTestId('nav-kernels').click();
    await expect(page.getByTestId('kernel-in-use')).toContainText('Training runs your edited matmul');
    await expect(page.getByTestId('kernel-draft-summary')).toContainText('2 line(s) added or changed');
    await page.getByTestId('share-link').click();
    const url = await page.getByTestId('kernel-share-url').inputValue();
    expect(url).toMatch(/#\/kernels\?k=matmul&src=[A-Za-z0-9_-]+$/);

    // A fresh page opened from the link shows the kernel, but runs nothing until asked.
    const fresh = await context.newPage();
    await fresh.setViewportSize({ width: 390, height: 844 });
    await fresh.goto(url);
    await expect(fresh.getByTestId('kernel-link-banner')).toContainText('edited matmul kernel');
    await expect(fresh.getByTestId('kernel-in-use')).toContainText('Training runs the built-in matmul');
    await fresh.screenshot({ path: 'e2e-artifacts/editor-link-phone.png', fullPage: true });
    await fresh.getByTestId('kernel-link-view').click();
    await expect(fresh.getByTestId('kernel-draft-summary')).toContainText('2 line(s) added or changed, 0 removed');
    await expect(fresh.getByTestId('kernel-editor')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(fresh.getByTestId('kernel-compile-status')).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    expect(
      await fresh.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(1);
    await fresh.screenshot({ path: 'e2e-artifacts/editor-phone.png', fullPage: true });
    await fresh.getByTestId('kernel-info').screenshot({ path: 'e2e-artifacts/editor-phone-info.png' });
    await fresh.locator('.editor-card').screenshot({ path: 'e2e-artifacts/editor-phone-editor.png' });
    await fresh.close();

    // Revert: training goes back to the built-in kernel.
    await page.getByTestId('kernel-revert').click();
    await expect(page.getByTestId('kernel-in-use')).toContainText('Training runs the built-in matmul');
    await expect(page.getByTestId('kernel-item-matmul')).not.toContainText('in training');
    await page.screenshot({ path: 'e2e-artifacts/editor-desktop.png', fullPage: true });
  });
});
