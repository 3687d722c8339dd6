import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { SMOKE, openView, shot, waitReady } from './helpers';

test('Reproduce panel: runs cells, resumes after a reload, shows the claims table', async ({ page }, info) => {
  test.setTimeout(300_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await openView(page, 'paper');
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
  // smoke runs on the synthetic dataset: the table says so, next to every verdict
  await expect(page.getByTestId('claims-synthetic')).toContainText('synthetic');
  const verdicts = page.getByTestId('claims-table').locator('tbody td.verdict');
  for (const v of await verdicts.allInnerTexts()) expect(v).toContain('(synthetic data)');
  await shot(page, info, '10-reproduce-partial');

  // reload: the finished cell is resumed, not run again (the address bar kept the Paper view)
  await page.reload();
  await waitReady(page);
  await expect(page.getByTestId('nav-paper')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('reproduce-panel').locator('summary').click();
  await page.getByTestId('repro-preset').selectOption('smoke');
  await page.getByTestId('reproduce-panel').getByLabel('multi-round cell').uncheck();
  await page.getByTestId('btn-reproduce').click();
  await expect(cells.nth(0)).toHaveClass(/cell-resumed/);
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  await expect(page.getByTestId('claims-table').locator('tbody tr').first()).toBeVisible();
});

test('Paper view: the committed claims reports with their provenance, from the build; absent ones say not yet run', async ({
  page,
}) => {
  await page.goto(`./${SMOKE}&view=paper`);
  await waitReady(page);
  const reports = page.getByTestId('paper-reports');
  await expect(reports).toBeVisible();
  for (const id of ['quick', 'reference']) {
    await page.getByTestId(`paper-report-${id}`).click();
    const table = reports.getByTestId('paper-claims-table');
    // one row per claim of the committed claims.json the build bundles
    const dir = id === 'quick' ? 'reproduce' : 'reference';
    const rows = (JSON.parse(readFileSync(`results/${dir}/claims.json`, 'utf8')) as unknown[]).length;
    await expect(table.locator('tbody tr')).toHaveCount(rows);
    const prov = reports.getByTestId('paper-provenance');
    await expect(prov).toContainText(`npm run reproduce -- --preset ${id}`);
    await expect(prov).toContainText(/Generated\s*\d{4}-\d\d-\d\dT/);
    await expect(prov).toContainText('cpus');
    await expect(reports.getByTestId('claims-synthetic')).toHaveCount(0); // CIFAR-10: no synthetic note
  }
  await page.getByTestId('paper-report-tradeoff').click();
  await expect(reports.getByTestId('tradeoff-chart')).toBeVisible();
  await expect(reports.getByTestId('paper-provenance')).toContainText('preset bench');
  await page.getByTestId('paper-report-scaling').click();
  await expect(reports.getByTestId('scaling-table').locator('tbody tr').first()).toBeVisible();
  await expect(reports.getByTestId('paper-provenance')).toContainText('npm run scaling');
  await page.getByTestId('paper-report-audit').click();
  if (!existsSync('results/audit/audit.json'))
    await expect(reports.getByTestId('paper-not-run')).toContainText('Not yet run');
  else await expect(reports.getByTestId('paper-provenance')).toBeVisible();
});
