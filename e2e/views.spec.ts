import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { SMOKE, openView, shot, watchErrors } from './helpers';

test('Per-class and attack views: confusion matrices and ROC for a method and Retrain; old imports say so', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  // class forgetting, Retrain + CF, one arm; autorun=1 starts Compare on load
  await page.goto(`./${SMOKE}&fm=class&m=Retrain,CF&arms=without&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);

  // ---- per class: accuracies of Original, CF, Retrain; the forgotten class is marked; three confusion tables
  await openView(page, 'inspect', 'perclass');
  expect(new URL(page.url()).searchParams.get('view')).toBe('perclass');
  const perClass = page.getByTestId('view-perclass');
  await expect(perClass.getByTestId('perclass-method')).toHaveValue('CF|without|0');
  const table = perClass.getByRole('table', { name: /Per-class accuracy/ });
  await expect(table.locator('tbody tr')).toHaveCount(10);
  await expect(table.locator('tr.forgotten')).toHaveCount(1);
  await expect(table.locator('thead tr').nth(1).locator('th')).toHaveText([
    'Original',
    'CF w/o DC',
    'Retrain w/o DC',
    'Original',
    'CF w/o DC',
    'Retrain w/o DC',
  ]);
  for (const who of ['Original', 'CF w/o DC', 'Retrain w/o DC']) {
    const name = `Confusion matrix, ${who} (test set; rows = true class, columns = predicted class)`;
    const cm = perClass.getByRole('table', { name });
    await expect(cm).toBeVisible();
    await expect(cm.locator('tbody tr')).toHaveCount(10);
    await expect(cm.locator('tbody td')).toHaveCount(100);
    // every cell says what it is; the counts of a row add up to that class's test images
    const labels = await cm
      .locator('tbody tr')
      .first()
      .locator('td')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('aria-label') ?? ''));
    const counts = labels.map((l) => Number(/: (\d+) of (\d+)$/.exec(l)![1]));
    const total = Number(/ of (\d+)$/.exec(labels[0])![1]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(total).toBeGreaterThan(0);
  }

  await shot(page, info, 'views-perclass');
  const axeOf = async (testId: string) => {
    const { violations } = await new AxeBuilder({ page }).include(`[data-testid="${testId}"]`).analyze();
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(' | ')}`,
      );
  };
  // accessible: axe (default rules) finds nothing serious or critical in either view
  expect(await axeOf('view-perclass')).toEqual([]);

  // ---- attack: AUC table, histograms and ROC lines for CF and Retrain (and the original)
  await openView(page, 'inspect', 'attack');
  const attack = page.getByTestId('view-attack');
  await expect(attack.getByTestId('attack-table').locator('tbody tr')).toHaveCount(3);
  await expect(attack.getByTestId('attack-table')).toContainText(/CF w\/o DC\s*\d+\.\d\d ± \d+\.\d\d/);
  await expect(attack.getByTestId('attack-hist-method')).toBeVisible();
  await expect(attack.getByTestId('attack-hist-retrain')).toBeVisible();
  const roc = attack.getByTestId('roc-chart');
  const rocName = /ROC curves of the membership attack: Original AUC .*CF w\/o DC AUC .*Retrain w\/o DC AUC/;
  await expect(roc.getByRole('img', { name: rocName })).toBeVisible();
  for (const role of ['method', 'retrain', 'original']) {
    await expect(roc.locator(`.roc-${role} path.recharts-curve`).first()).toBeAttached();
  }
  await shot(page, info, 'views-perclass-attack');
  expect(await axeOf('view-attack')).toEqual([]);

  // one selection drives every per-method view and the URL: pick Retrain in the per-class view, the attack view
  // (and the Inspect bar's picker) follow
  await openView(page, 'inspect', 'perclass');
  await perClass.getByTestId('perclass-method').selectOption('Retrain|without|0');
  await expect(page.getByTestId('inspect-method')).toHaveValue('Retrain|without|0');
  expect(new URL(page.url()).searchParams.get('method')).toBe('Retrain~without');
  await openView(page, 'inspect', 'attack');
  await expect(attack.getByTestId('attack-method')).toHaveValue('Retrain|without|0');
  await expect(attack.getByTestId('attack-table').locator('tbody tr')).toHaveCount(2);
  await openView(page, 'inspect', 'losses');
  await expect(page.getByTestId('hist-method')).toHaveValue('Retrain|without|0');

  // a result written before these fields existed still imports; the views say what is missing
  await openView(page, 'runs');
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-json').click()]);
  const jsonPath = info.outputPath('result.json');
  await json.saveAs(jsonPath);
  const parsed = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const root = parsed.result && !parsed.methods ? parsed.result : parsed;
  expect(root.methods[0].confusion).toHaveLength(10);
  for (const rec of [...root.methods, root.pretrain]) {
    delete rec.perClass;
    delete rec.confusion;
    delete rec.attack;
  }
  const oldPath = info.outputPath('old-result.json');
  writeFileSync(oldPath, JSON.stringify(parsed));
  await page.getByTestId('import-json-input').setInputFiles(oldPath);
  await expect(page.getByTestId('share-panel')).toContainText('Showing imported JSON');
  await openView(page, 'inspect', 'perclass');
  await expect(perClass.getByTestId('perclass-missing')).toBeVisible();
  await openView(page, 'inspect', 'attack');
  await expect(attack.getByTestId('attack-missing')).toBeVisible();
  await expect(attack.getByTestId('attack-table')).toContainText('CF w/o DC');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
