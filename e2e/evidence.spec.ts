import { expect, test } from '@playwright/test';
import { SMOKE, shot, watchErrors } from './helpers';

test('Compare over 2 seeds: intervals, paired gaps, per-seed strips and the MIA SE', async ({ page }, info) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}&m=Retrain,A-CF&arms=without&seeds=2&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  await expect(page.getByTestId('seeds-summary')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 360_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await expect(page.getByTestId('seeds-status')).toContainText('2 of 2 seeds finished');
  const row = page.getByTestId('seeds-row-A-CF');
  await expect(row).toBeVisible();
  const cells = await row.getByTestId('seeds-cell').allInnerTexts();
  for (const c of cells) expect(c).toMatch(/^\d+\.\d ± \d+\.\d \(n = 2\)/);
  // every A-CF cell but the paper's MIA has its paired gap to Retrain (gaps use MIA (filtered), docs/mia.md); a gap
  // interval covering 0 says so in words
  const gaps = await row.getByTestId('seeds-gap').allInnerTexts();
  expect(gaps.length).toBe(cells.length - 1);
  await expect(row.getByTestId('seeds-cell').first().getByTestId('seeds-gap')).toHaveCount(0);
  await expect(row.getByTestId('seeds-cell').first()).toContainText('SE');
  for (const g of gaps) expect(g).toMatch(/^[+-]\d+\.\d ± \d+\.\d \(n = 2\)(, within noise)?$/);
  await expect(row.getByTestId('seed-strip').first()).toBeAttached();
  // the untouched original model over seeds, with its paired gap to Retrain (issue 20 item 2)
  const original = page.getByTestId('seeds-original');
  await expect(original).toContainText('Original (no unlearning)');
  await expect(original.getByTestId('seeds-gap').first()).toContainText('(n = 2)');
  await expect(page.getByTestId('mia-se').first()).toContainText('SE');
  await shot(page, info, '10-seeds');
  expect(errors).toEqual([]);
});

test('Trade-off Sweep (cap 1 epoch) draws the three panels with the Retrain band', async ({ page }, info) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}&view=paper`);
  await expect(page.getByTestId('tradeoff-sweep')).toBeEnabled({ timeout: 90_000 });
  await page.getByTestId('tradeoff-panel').locator('summary').click();
  await page.getByTestId('tradeoff-cap').fill('1');
  await page.getByTestId('tradeoff-sweep').click();
  await expect(page.getByTestId('tradeoff-status')).toContainText('done', { timeout: 360_000 });
  for (const m of ['forgetAcc', 'mia', 'testAcc']) {
    const panel = page.getByTestId(`tradeoff-${m}`);
    await expect(panel.locator('.recharts-reference-area')).toHaveCount(1);
    await expect(panel.locator('.recharts-legend-wrapper')).toContainText('A-CF');
    await expect(panel.locator('.recharts-legend-wrapper')).toContainText('CF');
  }
  await shot(page, info, '11-tradeoff');
  expect(errors).toEqual([]);
});
