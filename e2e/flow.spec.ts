import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady, watchErrors } from './helpers';

test('Condense then Unlearn: prototypes, charts and a summary table with numbers', async ({ page }, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);

  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('stage-condense')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const protos = page.getByTestId('prototype-item');
  await expect(protos.first()).toBeVisible();
  expect(await protos.count()).toBeGreaterThan(0);
  await expect(page.getByTestId('reduced-retain')).toBeVisible();
  await shot(page, info, '02-condensed');

  await page.getByTestId('btn-unlearn').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const table = page.getByTestId('summary-table');
  await expect(table).toBeVisible();
  for (const m of ['Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`summary-row-${m}`)).toBeVisible();
  const cells = await page.getByTestId('metric-cell').allInnerTexts();
  expect(cells.length).toBeGreaterThanOrEqual(12);
  for (const c of cells) expect(c).toMatch(/^\d+(\.\d)?/);
  await expect(page.getByTestId('chart-timing').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('chart-curves').locator('.recharts-line').first()).toBeVisible();
  await expect(page.getByTestId('memory')).toContainText('tensors');
  await shot(page, info, '03-unlearned');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
