import { expect, test } from '@playwright/test';
import { SMOKE, openView, waitReady } from './helpers';

/** Sharing (issue 22 item 4): notices hold autorun back, bad combinations drop one key, the address bar is honest. */
test('a link with any notice never autoruns; its notice starts Compare on a click', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`./${SMOKE}&m=CF&arms=without&bogus=1&autorun=1`);
  await waitReady(page);
  await expect(page.getByTestId('url-notice')).toContainText('bogus (unknown parameter)');
  const held = page.getByTestId('autorun-held');
  await expect(held).toBeVisible();
  // the worker is ready and idle, and stays so: nothing started on its own
  await page.waitForTimeout(3000);
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  await expect(page.locator('[data-testid^="stage-"]')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has('autorun')).toBe(false);
  // one click starts it
  await page.getByTestId('btn-autorun-held').click();
  await expect(page.getByTestId('run-status')).toContainText('running: compare');
  await expect(held).toHaveCount(0);
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
});

test('an invalid combination drops only the offending key; the address bar shows what was applied', async ({
  page,
}) => {
  await page.goto(`./${SMOKE}&ipc=200&tpc=150&seed=9&zzz=1&w=-5`);
  await waitReady(page);
  const notice = page.getByTestId('url-notice');
  await expect(notice).toContainText('ipc=200 (settings combination rejected');
  await expect(notice).toContainText('zzz (unknown parameter)');
  await expect(notice).not.toContainText('tpc=150');
  // the valid keys are kept, the offending one falls back to the preset's value
  await expect(page.getByTestId('param-tpc')).toHaveValue('150');
  await expect(page.getByTestId('param-seed')).toHaveValue('9');
  const ipc = await page.getByTestId('param-ipc').inputValue();
  expect(Number(ipc)).toBeLessThan(150);
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  // the address bar: applied values only, no junk, the preset kept
  const q = new URL(page.url()).searchParams;
  expect(q.get('preset')).toBe('smoke');
  expect(q.get('tpc')).toBe('150');
  expect(q.get('ipc')).toBe(ipc);
  expect(q.get('seed')).toBe('9');
  expect(q.get('w')).toBe('8');
  expect(q.has('zzz')).toBe(false);
});

test('autorun leaves the address bar once Compare has started; a reload does not rerun', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`./${SMOKE}&m=CF&arms=without&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  expect(new URL(page.url()).searchParams.has('autorun')).toBe(false);
  await expect(page.getByTestId('nav-run')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  await page.reload();
  await waitReady(page);
  await page.waitForTimeout(2000);
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  await expect(page.locator('[data-testid^="stage-unlearn"]')).toHaveCount(0);
});

test('the copied link keeps the preset, the view and the selected method', async ({ page, context }) => {
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await page.getByTestId('param-seed').fill('17');
  await page.getByTestId('param-seed').press('Enter');
  await expect(page.getByTestId('preset-select')).toHaveValue(''); // custom now…
  await openView(page, 'paper');
  await page.getByTestId('btn-copy-link').click();
  const link = new URL(await page.getByTestId('share-link').inputValue());
  expect(link.searchParams.get('preset')).toBe('smoke'); // …but the link still starts from smoke
  expect(link.searchParams.get('seed')).toBe('17');
  expect(link.searchParams.get('view')).toBe('paper');
  expect(link.search).toBe(new URL(page.url()).search);

  const page2 = await context.newPage();
  await page2.goto(`${link.toString()}&method=${encodeURIComponent('CF~with')}`);
  await waitReady(page2);
  await expect(page2.getByTestId('url-notice')).toHaveCount(0);
  await expect(page2.getByTestId('nav-paper')).toHaveAttribute('aria-current', 'page');
  await expect(page2.getByTestId('paper-reports')).toBeVisible();
  expect(new URL(page2.url()).searchParams.get('method')).toBe('CF~with');
  await openView(page2, 'setup');
  await expect(page2.getByTestId('param-seed')).toHaveValue('17');
  expect(new URL(page2.url()).searchParams.get('view')).toBe('setup');
});
