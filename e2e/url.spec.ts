import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady } from './helpers';

test('Copy link restores the same settings in a new page', async ({ page, context }, info) => {
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  // change a few settings through the controls
  await page.getByTestId('param-seed').fill('17');
  await page.getByTestId('param-seed').press('Enter');
  await page.getByTestId('param-fm').getByLabel('One class').check();
  await page.getByTestId('param-fc').selectOption('3');
  await page.getByTestId('param-ipc').fill('3');
  await page.getByTestId('param-ipc').press('Enter');
  await page.getByTestId('param-m').getByLabel('SCRUB', { exact: true }).check();
  await page.getByTestId('param-acf_lam').fill('12');
  await page.getByTestId('param-acf_lam').press('Enter');
  await page.getByTestId('btn-copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('seed=17');
  expect(link).toContain('fm=class');
  expect(link).toContain('acf_lam=12');

  const page2 = await context.newPage();
  await page2.goto(link);
  await waitReady(page2);
  await expect(page2.getByTestId('url-notice')).toHaveCount(0);
  await expect(page2.getByTestId('param-seed')).toHaveValue('17');
  await expect(page2.getByTestId('param-fm').getByLabel('One class')).toBeChecked();
  await expect(page2.getByTestId('param-fc')).toHaveValue('3');
  await expect(page2.getByTestId('param-ipc')).toHaveValue('3');
  await expect(page2.getByTestId('param-m').getByLabel('SCRUB', { exact: true })).toBeChecked();
  await expect(page2.getByTestId('param-acf_lam')).toHaveValue('12');
  await expect(page2.getByTestId('param-be')).toHaveValue('wasm');
  await expect(page2.getByTestId('dataset-name')).toHaveText('Synthetic');
  // the page's own URL is the same link
  expect(new URL(page2.url()).search).toBe(new URL(link).search);
  await shot(page2, info, '05-link-restored');
});

test('a malformed URL shows a notice, uses defaults and still works', async ({ page }, info) => {
  const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  await page.goto(`./${SMOKE}&w=-5&ds=${evil}&bogus=1&m=CF,Nope&seed=abc&${evil}=2`);
  await waitReady(page);
  const notice = page.getByTestId('url-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('w=-5');
  await expect(notice).toContainText('bogus (unknown parameter)');
  await expect(notice).toContainText('seed=abc');
  await expect(notice.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // fell back to the preset's values
  await expect(page.getByTestId('param-w')).toHaveValue('8');
  await expect(page.getByTestId('param-seed')).toHaveValue('0');
  await shot(page, info, '06-malformed-url');
  // and still runs
  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('prototype-item').first()).toBeVisible();
});
