import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady, watchErrors } from './helpers';

test('Compare runs two methods w/o and w/ DC and shows both rows', async ({ page }, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  // two methods only (keeps the run short); both arms
  await page.goto(`./${SMOKE}&m=CF,A-CF&arms=both`);
  await waitReady(page);
  await expect(page.getByTestId('btn-compare')).toHaveText('Compare 2 methods');
  await page.getByTestId('btn-compare').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const table = page.getByTestId('summary-table');
  await expect(table.locator('th.arm')).toHaveText(['w/o DC', 'w/ DC']);
  for (const m of ['CF', 'A-CF']) {
    const row = page.getByTestId(`summary-row-${m}`);
    await expect(row).toBeVisible();
    const cells = await row.getByTestId('metric-cell').allInnerTexts();
    expect(cells).toHaveLength(8);
    for (const c of cells) expect(c).toMatch(/^\d+(\.\d)?/);
  }
  await expect(page.getByTestId('summary-row-Retrain')).toHaveCount(0);
  await expect(page.getByTestId('recent-runs').locator('li')).toHaveCount(1);
  await shot(page, info, '04-compare');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
