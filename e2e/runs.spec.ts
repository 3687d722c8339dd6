import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SMOKE, openView, shot, waitReady, watchErrors } from './helpers';

/**
 * Runs you can rely on (issue 22 item 3): a multi-seed Compare is ONE grouped run; runs stay across reloads
 * (IndexedDB); removing one run or all of them can be undone; runs of different experiments get different default
 * names and a visible warning (never "paired") when compared; diff cells are one line; the list filters by a
 * setting; the runs localStorage kept before move over once; the size of 500 runs and their load time.
 */

/** A smoke Compare of CF alone (w/o DC) with extra URL settings, started by autorun; waits until it is idle. */
async function compare(page: Page, extra: string): Promise<void> {
  await page.goto(`./${SMOKE}&m=CF&arms=without${extra}&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 300_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
}

/** The names in the runs list, in its order. */
const runNames = (page: Page) =>
  page.getByTestId('run-name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

/**
 * How many text lines each comparison cell takes: the height its text boxes span over the tallest box (1 = one
 * line; a value and its smaller difference sit on one line at slightly different tops). The screen-reader text is
 * left out (1 px box).
 */
async function cellLines(page: Page): Promise<number[]> {
  return page.getByTestId('compare-cell').evaluateAll((tds) =>
    tds.map((td) => {
      const r = document.createRange();
      r.selectNodeContents(td);
      const boxes = [...r.getClientRects()].filter((b) => b.width > 1 && b.height > 1);
      if (!boxes.length) return 0;
      const tall = Math.max(...boxes.map((b) => b.height));
      const span = Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top));
      return span < 1.5 * tall ? 1 : Math.round(span / tall);
    }),
  );
}

test('a seeds = 2 Compare is one run; runs survive reloads; remove and undo; different experiments are flagged', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  const errors = watchErrors(page);
  const items = page.getByTestId('run-item');

  // one Compare over two seeds: ONE run in the list, its seeds grouped
  await compare(page, '&seeds=2');
  await openView(page, 'runs');
  await expect(items).toHaveCount(1);
  await expect(items.first().getByTestId('run-summary')).toContainText('2 seeds grouped');
  await expect(items.first().getByTestId('run-name')).toHaveValue(/^smoke · uniform 10% · .*seeds 0,1$/);
  await expect(page.getByTestId('runs-storage')).toContainText(
    /1 run · ≈ [\d.]+ (B|KiB|MiB) in this browser \(IndexedDB\)/,
  );

  // a second Compare forgetting class 3 (a page load: the first run comes back from IndexedDB)
  await compare(page, '&fm=class&fc=3');
  await openView(page, 'runs');
  await expect(items).toHaveCount(2);
  const names = await runNames(page);
  expect(names[0]).toMatch(/^smoke · class 3 · .*seed 0$/);
  expect(names[0]).not.toBe(names[1]);

  // compare them: a visible warning naming the forget setting, nothing "paired", one-line cells
  await items.nth(1).getByTestId('run-pin').click();
  await items.nth(0).getByTestId('run-select').check();
  const view = page.getByTestId('compare-view');
  const warning = view.getByTestId('compare-mismatch');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('Not the same experiment as the reference');
  await expect(warning).toContainText('forget setting: class 3 here, uniform 10% in the reference');
  await expect(view.getByTestId('compare-basis')).toHaveText('different experiment: not matched by seed');
  expect(await view.innerText()).not.toMatch(/paired/i);
  for (const d of await view.getByTestId('compare-diff').all())
    await expect(d).toHaveAttribute('data-kind', 'mismatch');
  const lines = await cellLines(page);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((n) => n !== 1)).toEqual([]);
  await shot(page, info, 'runs-mismatch');

  // filter by a setting
  await page.getByTestId('runs-filter-facet').selectOption('forget');
  await page.getByTestId('runs-filter-value').selectOption({ label: 'class 3 (1)' });
  await expect(items).toHaveCount(1);
  await expect(page.getByTestId('runs-shown')).toHaveText('1 of 2 shown');
  await page.getByTestId('runs-filter-facet').selectOption('');
  await expect(items).toHaveCount(2);

  // remove one run, undo; remove all, undo; the undone state is what a reload shows
  await items.nth(0).getByTestId('run-remove').click();
  await expect(items).toHaveCount(1);
  await expect(page.getByTestId('runs-undo')).toContainText(`Removed “${names[0]}”`);
  await page.getByTestId('btn-undo-runs').click();
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId('runs-undo')).toHaveCount(0);
  await page.getByTestId('btn-remove-runs').click();
  await expect(items).toHaveCount(0);
  await expect(page.getByTestId('runs-undo')).toContainText('Removed 2 runs');
  await page.getByTestId('btn-undo-runs').click();
  await expect(items).toHaveCount(2);
  expect(await runNames(page)).toEqual(names);
  // the comparison (selection, reference) came back too
  await expect(warning).toBeVisible();
  await page.reload();
  await openView(page, 'runs');
  await expect(items).toHaveCount(2);
  expect(await runNames(page)).toEqual(names);
  await expect(items.nth(1).getByTestId('run-pin')).toHaveAttribute('aria-pressed', 'true');

  // a removal not undone stays removed after its time (10 s)
  await items.nth(0).getByTestId('run-remove').click();
  await expect(page.getByTestId('runs-undo')).toHaveCount(0, { timeout: 15_000 });
  await page.reload();
  await openView(page, 'runs');
  await expect(items).toHaveCount(1);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('runs localStorage kept move to IndexedDB once; 500 runs load with their size shown', async ({ page }, info) => {
  test.setTimeout(600_000);
  const errors = watchErrors(page);
  const items = page.getByTestId('run-item');
  await compare(page, '');
  await openView(page, 'runs');
  await expect(items).toHaveCount(1);
  await items.first().getByTestId('run-select').check();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-comparison').click()]);
  const path = info.outputPath('one.json');
  await dl.saveAs(path);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const one = file.runs[0];

  // the list of an earlier version in localStorage (its old default name): moved over on the next load, then gone
  await page.evaluate((r) => {
    const old = { ...r, id: 'legacy-1', name: 'smoke · uniform · ×0.02 · seed 0', named: undefined };
    localStorage.setItem('unlearning-lab.runs.v1', JSON.stringify({ runs: [old], selected: [], reference: null }));
  }, one);
  await page.reload();
  await expect(page.getByTestId('runs-migrated')).toContainText('Moved 1 run from localStorage to IndexedDB');
  await openView(page, 'runs');
  await expect(items).toHaveCount(2);
  // the old default name is written anew (it did not tell settings apart)
  await expect(items.nth(1).getByTestId('run-name')).toHaveValue(
    await items.nth(0).getByTestId('run-name').inputValue(),
  );
  expect(await page.evaluate(() => localStorage.getItem('unlearning-lab.runs.v1'))).toBeNull();
  await page.reload();
  await openView(page, 'runs');
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId('runs-migrated')).toHaveCount(0);

  // 520 runs stored (as the page stores them: src/app/store/runs-db.ts): the list keeps 500, the default cap
  await page.evaluate(async (r) => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const q = indexedDB.open('unlearning-lab-runs');
      q.onsuccess = () => res(q.result);
      q.onerror = () => rej(q.error);
    });
    const runs = Array.from({ length: 520 }, (_, i) => ({
      ...r,
      id: `bulk-${i}`,
      name: `bulk run ${i}`,
      named: true,
      at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }));
    await new Promise<void>((res, rej) => {
      const tx = db.transaction(['runs', 'meta'], 'readwrite');
      for (const x of runs) tx.objectStore('runs').put(x);
      const order = runs.map((x) => x.id).reverse();
      tx.objectStore('meta').put({ order, selected: [], reference: null, cap: 500 }, 'state');
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
  }, one);
  await page.reload();
  await openView(page, 'runs');
  await expect(page.getByTestId('runs-count')).toHaveText('500 runs');
  await expect(page.getByTestId('runs-more')).toBeVisible(); // 100 rendered at first
  const size = await page.getByTestId('runs-size').innerText();
  expect(size).toMatch(/^≈ [\d.]+ MiB in this browser \(IndexedDB\)$/);

  // reload: the time from navigation to the 500 runs listed
  const t0 = Date.now();
  await page.goto(`./${SMOKE}&view=runs`);
  await expect(page.getByTestId('runs-count')).toHaveText('500 runs', { timeout: 60_000 });
  const shownAfter = Date.now() - t0;
  await waitReady(page);
  const loadMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return nav ? Math.round(performance.now() - nav.startTime) : null;
  });
  await expect(page.getByTestId('runs-size')).toHaveText(size);
  console.log(`500 runs: ${size}; listed ${shownAfter} ms after navigation (page alive ${loadMs} ms at idle)`);
  await info.attach('runs-500', { body: `500 runs: ${size}; listed ${shownAfter} ms after navigation\n` });
  // the cap is the user's: 20 keeps the 20 newest, and says so (undoable)
  await page.getByTestId('runs-cap').fill('20');
  await page.getByTestId('runs-cap').press('Enter');
  await expect(page.getByTestId('runs-count')).toHaveText('20 runs');
  await expect(page.getByTestId('runs-undo')).toContainText('Dropped the 480 oldest runs to keep at most 20');
  await page.getByTestId('btn-undo-runs').click();
  await expect(page.getByTestId('runs-count')).toHaveText('500 runs');
  await expect(page.getByTestId('runs-cap')).toHaveValue('500');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('without IndexedDB the runs are kept in memory only, and the page says so', async ({ page }) => {
  test.setTimeout(180_000);
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await expect(page.getByTestId('runs-memory-only')).toContainText('Runs are kept in memory only');
  await expect(page.getByTestId('runs-memory-only')).toContainText('gone when it closes');
  await openView(page, 'runs');
  await expect(page.getByTestId('runs-storage')).toContainText('in memory only');
});
