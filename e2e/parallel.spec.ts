import { expect, test } from '@playwright/test';
import { SMOKE, waitReady, watchErrors } from './helpers';

// Data-parallel training in the page: the lab worker spawns 2 WASM shard workers (URL wk=2) and a whole smoke
// experiment (pretraining, Retrain / CF / A-CF, evaluation) runs through them.
test('smoke experiment on 2 data-parallel page workers', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}&wk=2`);
  await waitReady(page);
  await expect(page.getByTestId('training-workers')).toContainText('2 data-parallel');
  await expect(page.getByTestId('backend-reasons')).toContainText('data-parallel training on 2 WASM workers');
  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await page.getByTestId('btn-unlearn').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  for (const m of ['Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`summary-row-${m}`)).toBeVisible();
  const cells = await page.getByTestId('metric-cell').allInnerTexts();
  expect(cells.length).toBeGreaterThanOrEqual(12);
  for (const c of cells) expect(c).toMatch(/^\d+(\.\d)?/);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
