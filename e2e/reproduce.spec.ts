import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady } from './helpers';

test('Reproduce panel: runs cells, resumes after a reload, shows the claims table', async ({ page }, info) => {
  test.setTimeout(300_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await page.getByTestId('reproduce-panel').locator('summary').click();
  await page.getByTestId('repro-preset').selectOption('smoke');
  await page.getByTestId('reproduce-panel').getByLabel('multi-round cell').uncheck();
  await page.getByTestId('btn-reproduce').click();
  const cells = page.getByTestId('repro-cells').locator('li');
  await expect(cells).toHaveCount(2);
  await expect(cells.nth(0)).toHaveClass(/cell-done/, { timeout: 200_000 });
  // stop during the second cell; the claims table is built from what finished
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  await expect(page.getByTestId('claims-table')).toBeVisible();
  await shot(page, info, '10-reproduce-partial');

  // reload: the finished cell is resumed, not run again
  await page.reload();
  await waitReady(page);
  await page.getByTestId('reproduce-panel').locator('summary').click();
  await page.getByTestId('repro-preset').selectOption('smoke');
  await page.getByTestId('reproduce-panel').getByLabel('multi-round cell').uncheck();
  await page.getByTestId('btn-reproduce').click();
  await expect(cells.nth(0)).toHaveClass(/cell-resumed/);
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  await expect(page.getByTestId('claims-table').locator('tbody tr').first()).toBeVisible();
});
