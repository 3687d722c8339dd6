import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SMOKE, openView, shot, watchErrors } from './helpers';

test('Compare runs two methods w/o and w/ DC and shows both rows', async ({ page }, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  // two methods only (keeps the run short), both arms; autorun=1 starts Compare on load
  await page.goto(`./${SMOKE}&m=CF,A-CF&arms=both&autorun=1`);
  await expect(page.getByTestId('btn-compare')).toHaveText('Compare 2 methods');
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const table = page.getByTestId('summary-table');
  await expect(table.locator('th.arm')).toHaveText(['w/o DC', 'w/ DC']);
  for (const m of ['CF', 'A-CF']) {
    const row = page.getByTestId(`summary-row-${m}`);
    await expect(row).toBeVisible();
    const cells = await row.getByTestId('metric-cell').allInnerTexts();
    expect(cells).toHaveLength(10); // MIA, MIA (filtered), retain, forget, test × 2 arms
    for (const c of cells) expect(c).toMatch(/^\d+(\.\d)?/);
  }
  await expect(page.getByTestId('summary-row-Retrain')).toHaveCount(0);
  await shot(page, info, '04-compare');
  await openView(page, 'runs');
  await expect(page.getByTestId('run-item')).toHaveCount(1);

  // export JSON and CSV, then import the JSON back
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-json').click()]);
  const jsonPath = info.outputPath('result.json');
  await json.saveAs(jsonPath);
  const parsed = JSON.parse(readFileSync(jsonPath, 'utf8'));
  expect(parsed.methods.map((m: { name: string; withDC: boolean }) => `${m.name}|${m.withDC}`).sort()).toEqual([
    'A-CF|false',
    'A-CF|true',
    'CF|false',
    'CF|true',
  ]);
  expect(parsed.env.backend).toBe('wasm');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-csv').click()]);
  const csvPath = info.outputPath('result.csv');
  await csv.saveAs(csvPath);
  expect(readFileSync(csvPath, 'utf8').trim().split('\n')).toHaveLength(5);
  await page.getByTestId('btn-reset').click();
  await openView(page, 'run');
  await expect(page.getByTestId('summary')).toBeVisible();
  await expect(page.getByTestId('summary-table')).toHaveCount(0);
  await openView(page, 'runs');
  await page.getByTestId('import-json-input').setInputFiles(jsonPath);
  await expect(page.getByTestId('share-panel')).toContainText('Showing imported JSON');
  await openView(page, 'run');
  await expect(page.getByTestId('summary-row-A-CF')).toBeVisible();
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
