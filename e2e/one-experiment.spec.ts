import { expect, test } from '@playwright/test';
import { SMOKE, openView, shot, watchErrors } from './helpers';

/**
 * Issue 19 item 2, "one table, one experiment": Compare in class mode, switch to "Uniform %", Compare again. While
 * the second run is in progress, the summary, its header, the progress bars and the views must show only that run's
 * rows — never the class run's rows next to (or under the gaps of) the uniform run's. The class run stays available
 * as a separate, labelled run in the Runs panel.
 *
 * Every state the page passes through is recorded by a MutationObserver (so a fast smoke run cannot slip between two
 * polls), and each recorded state is checked afterwards.
 */
interface Snapshot {
  status: string;
  header: string;
  rows: string[];
  /** progress bars that say "done" */
  doneStages: number;
  /** the keys of the curves chart's legend / the attack table's models, as shown */
  attackModels: string[];
}

test('class → uniform Compare: the uniform run never shows the class run’s rows, header or bars', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}&fm=class&m=Retrain,CF&arms=without&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const summary = page.getByTestId('summary');
  await expect(summary).toContainText('forgetting class');
  await expect(page.getByTestId('summary-row-CF')).toBeVisible();
  await openView(page, 'runs');
  await expect(page.getByTestId('run-item')).toHaveCount(1);
  const classRun = await page.getByTestId('run-name').first().inputValue();
  expect(classRun).toMatch(/class \d \(drawn\)/);
  await openView(page, 'run');

  // record every state from here on
  await page.evaluate(() => {
    const w = window as unknown as { __states: Snapshot[] };
    w.__states = [];
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
    const take = () => {
      const head = document.querySelector('[data-testid="summary"] .panel-head')?.textContent ?? '';
      w.__states.push({
        status: text('run-status'),
        header: head,
        rows: [...document.querySelectorAll('[data-testid^="summary-row-"]')].map((r) => r.textContent ?? ''),
        doneStages: document.querySelectorAll('[data-testid="progress"] .stage-done').length,
        attackModels: [...document.querySelectorAll('[data-testid="attack-table"] tbody th')].map(
          (r) => r.textContent ?? '',
        ),
      });
    };
    new MutationObserver(take).observe(document.body, { subtree: true, childList: true, characterData: true });
    take();
  });

  // the settings are in the Setup view; Compare started there switches to the Run view
  await openView(page, 'setup');
  await page.getByRole('radio', { name: 'Uniform %' }).check();
  await page.getByTestId('btn-compare').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);

  const states = await page.evaluate(() => (window as unknown as { __states: Snapshot[] }).__states);
  const running = states.filter((s) => s.status.startsWith('running'));
  expect(running.length).toBeGreaterThan(0);
  // from the first state of the uniform run on: nothing of the class run (every violation listed, not only the first)
  const problems: string[] = [];
  const stale = running.filter((s) => s.header.includes('forgetting class'));
  if (stale.length) problems.push(`${stale.length} of ${running.length} running states: header "${stale[0].header}"`);
  const unnamed = running.filter((s) => !s.header.includes('forgetting class') && !/uniform/.test(s.header));
  if (unnamed.length)
    problems.push(`${unnamed.length} running states do not name the uniform run: "${unnamed[0].header}"`);
  // the uniform run starts from an empty table, empty progress and an empty attack view
  const first = running[0];
  if (first.rows.length) problems.push(`first running state: the class run's rows ${JSON.stringify(first.rows)}`);
  if (first.doneStages) problems.push(`first running state: ${first.doneStages} finished bars of the class run`);
  if (first.attackModels.length) problems.push(`first running state: attack view ${first.attackModels.join(', ')}`);
  expect(problems).toEqual([]);

  // the end state: the uniform run only; its gaps are within that run (CF − Retrain of the same table)
  await expect(summary).not.toContainText('forgetting class');
  await expect(summary).toContainText('uniform');
  const cells = async (m: string) =>
    (await page.getByTestId(`summary-row-${m}`).getByTestId('metric-cell').allInnerTexts()).map((t) =>
      t.split('\n').map((x) => x.trim().replace('−', '-')),
    );
  const header = await page.getByTestId('summary-table').locator('thead tr').nth(1).locator('th').allInnerTexts();
  const forgetCol = header.indexOf('Forget');
  const cf = (await cells('CF'))[forgetCol];
  const rt = (await cells('Retrain'))[forgetCol];
  const gap = Number(cf[1]);
  expect(gap).toBeCloseTo(Number(cf[0]) - Number(rt[0]), 0);
  // the class run is kept, as its own labelled run
  await openView(page, 'runs');
  await expect(page.getByTestId('run-item')).toHaveCount(2);
  await expect(page.getByTestId('run-name').nth(1)).toHaveValue(classRun);
  // the two runs differ in their forget setting: their default names differ
  await expect(page.getByTestId('run-name').nth(0)).toHaveValue(/uniform 10%/);
  await shot(page, info, 'one-experiment');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
