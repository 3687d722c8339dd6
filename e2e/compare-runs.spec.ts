import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { openView, shot, watchErrors } from './helpers';

/** One smoke run of CF alone (w/o DC) with extra URL settings, started by autorun; waits until it is idle. */
async function runSmoke(page: Page, extra: string): Promise<void> {
  await page.goto(`./?preset=smoke&m=CF&arms=without&be=wasm${extra}&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
}

test('two runs: rename, overlay, side-by-side differences, export the comparison and import it back', async ({
  page,
}, info) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  await runSmoke(page, '');
  await openView(page, 'runs');
  await expect(page.getByTestId('run-item')).toHaveCount(1);
  // the same seed with the baseline epochs doubled: a second run, kept across the page load
  await runSmoke(page, '&es=0.04');
  await openView(page, 'runs');
  const items = page.getByTestId('run-item');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0).getByTestId('run-summary')).toContainText('seed 0');
  await expect(items.nth(0).getByTestId('run-summary')).toContainText('CF');
  await items.nth(0).locator('details summary').click();
  const scale = items
    .nth(0)
    .locator('.run-details div')
    .filter({ has: page.locator('dt', { hasText: 'epoch scale' }) });
  await expect(scale.locator('dd')).toHaveText('0.04');

  // rename the newer run, select both, pin the older as the reference
  await items.nth(0).getByTestId('run-name').fill('CF ×2 epochs');
  await items.nth(0).getByTestId('run-name').press('Enter');
  await expect(items.nth(0).getByTestId('run-name')).toHaveValue('CF ×2 epochs');
  const refName = await items.nth(1).getByTestId('run-name').inputValue();
  await items.nth(0).getByTestId('run-select').check();
  await items.nth(1).getByTestId('run-pin').click();
  await expect(items.nth(1).getByTestId('run-select')).toBeChecked();

  const view = page.getByTestId('compare-view');
  const rows = view.getByTestId('compare-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('CF ×2 epochs');
  await expect(rows.nth(1)).toContainText('reference');
  // the renamed run shows a difference per table metric, paired (same experiment, same seed 0), none on the
  // reference row: one short line in the cell, in full on hover
  const diffs = rows.nth(0).getByTestId('compare-diff');
  await expect(diffs).toHaveCount(5); // MIA, MIA (filtered), retain, forget, test
  for (const d of await diffs.all()) {
    expect(await d.getAttribute('title')).toMatch(/^[+-]\d+\.\d+ \(n = 1, no interval\) · paired over seed 0$/);
    expect(await d.locator('[aria-hidden="true"]').innerText()).toMatch(/^[+-]\d+\.\d+$/);
  }
  await expect(rows.nth(0).getByTestId('compare-basis')).toHaveText('paired over seed 0');
  await expect(view.getByTestId('compare-mismatch')).toHaveCount(0);
  await expect(rows.nth(1).getByTestId('compare-diff')).toHaveCount(0);
  for (const c of await rows.nth(1).getByTestId('compare-cell').allInnerTexts()) expect(c).toMatch(/^\d+\.\d+$/);
  // both runs' curves in one chart, distinct line styles, the legend names the run
  const chart = view.getByTestId('compare-chart');
  await expect(chart.locator('.recharts-legend-item')).toHaveCount(2);
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('CF ×2 epochs: CF w/o DC');
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText(`${refName}: CF w/o DC`);
  const dashes = await chart
    .locator('path.recharts-line-curve')
    .evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke-dasharray')));
  expect(dashes).toHaveLength(2);
  expect(new Set(dashes).size).toBe(2);
  const axe = await new AxeBuilder({ page })
    .include('[data-testid="runs-panel"]')
    .include('[data-testid="compare-view"]')
    .analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await shot(page, info, '20-compare-runs');

  // export the comparison
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-comparison').click()]);
  const path = info.outputPath('comparison.json');
  await dl.saveAs(path);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  expect(file.kind).toBe('unlearning-lab.comparison');
  expect(file.runs.map((r: { name: string }) => r.name)).toEqual(['CF ×2 epochs', refName]);
  expect(file.reference).toBe(file.runs[1].id);
  expect(
    file.runs.map(
      (r: { seeds: Array<{ spec: { unlearn: { epochScale: number } } }> }) => r.seeds[0].spec.unlearn.epochScale,
    ),
  ).toEqual([0.04, 0.02]);

  // reset everything, then a broken file is refused with a message and the page stays intact
  await page.getByTestId('btn-remove-runs').click();
  await page.getByTestId('btn-reset').click();
  await expect(page.getByTestId('run-item')).toHaveCount(0);
  await expect(view).toContainText('Select two or more runs');
  const bad = structuredClone(file);
  bad.runs[1].seeds[0].methods[0].metrics = null;
  const badPath = info.outputPath('bad.json');
  writeFileSync(badPath, JSON.stringify(bad));
  await page.getByTestId('import-comparison-input').setInputFiles(badPath);
  await expect(page.getByTestId('runs-error')).toContainText('comparison.runs[1].seeds[0]: result.methods[0].metrics');
  await expect(page.getByTestId('run-item')).toHaveCount(0);
  await expect(page.getByTestId('btn-compare')).toBeEnabled();

  // import it back whole: both runs, their names, selection and reference
  await page.getByTestId('import-comparison-input').setInputFiles(path);
  await expect(page.getByTestId('runs-ok')).toBeVisible();
  await expect(page.getByTestId('run-item')).toHaveCount(2);
  await expect(items.nth(0).getByTestId('run-name')).toHaveValue('CF ×2 epochs');
  await expect(items.nth(1).getByTestId('run-pin')).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId('compare-diff')).toHaveCount(5);
  await expect(chart.locator('.recharts-legend-item')).toHaveCount(2);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
