import { expect, test, type Locator, type Page } from '@playwright/test';
import { SMOKE, openView, shot, watchErrors, type InspectView, type TopView } from './helpers';

/**
 * Every table fits (issue 22 item 2): at 1280×720 and 1440×900 every column header of the summary, seeds, diff
 * and claims tables lies inside its card at a font of at least 12 px, with nothing scrolling inside the card;
 * at 390×844 the page never scrolls sideways, in any view (a table may scroll inside its card there).
 */
async function misfits(table: Locator): Promise<string[]> {
  await expect(table).toBeVisible();
  return table.evaluate((t) => {
    const card = t.closest('.panel');
    if (!card) return ['no card around the table'];
    const c = card.getBoundingClientRect();
    const out: string[] = [];
    const heads = [...t.querySelectorAll('thead th')];
    if (heads.length === 0) out.push('no column headers');
    for (const th of heads) {
      const r = th.getBoundingClientRect();
      const font = parseFloat(getComputedStyle(th).fontSize);
      const name = (th.textContent ?? '').trim() || '(empty)';
      if (r.width < 1 || r.height < 1) out.push(`${name}: not rendered`);
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5) out.push(`${name}: outside its card`);
      if (font < 12) out.push(`${name}: font ${font}px`);
    }
    for (let el: Element | null = t; el && el !== card.parentElement; el = el.parentElement) {
      if (el.scrollWidth > el.clientWidth + 1) {
        // name what sticks out, so a failure says where to look
        const right = el.getBoundingClientRect().right;
        const culprits = [...el.querySelectorAll('*')]
          .filter((d) => d.getBoundingClientRect().right > right + 1)
          .slice(0, 4)
          .map((d) => `${d.tagName.toLowerCase()}.${String(d.getAttribute('class') ?? '')}`);
        out.push(`${el.tagName.toLowerCase()}.${el.className}: scrolls sideways (${culprits.join(', ')})`);
      }
    }
    return out;
  });
}

const pageScrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

const ALL_VIEWS: Array<[TopView, InspectView?]> = [
  ['setup'],
  ['run'],
  ['inspect', 'perclass'],
  ['inspect', 'attack'],
  ['inspect', 'losses'],
  ['inspect', 'gallery'],
  ['runs'],
  ['paper'],
];

test('every table fits its card at 1280×720 and 1440×900; at 390×844 the page never scrolls sideways', async ({
  page,
}, info) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  // two seeds, both arms: the summary (last seed) and the seeds table with every column, and two runs to diff
  await page.goto(`./${SMOKE}&m=Retrain,CF,A-CF&arms=both&seeds=2&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running: compare', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 360_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await expect(page.getByTestId('nav-run')).toHaveAttribute('aria-current', 'page');
  // the two seeds are ONE run; split it into one run per seed to have two runs to diff
  await openView(page, 'runs');
  await expect(page.getByTestId('run-item')).toHaveCount(1);
  await page.getByTestId('run-item').locator('details summary').click();
  await page.getByTestId('run-split').click();
  await expect(page.getByTestId('run-item')).toHaveCount(2);

  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    await openView(page, 'run');
    await expect(page.getByTestId('summary-table').locator('th.arm')).toHaveText(['w/o DC', 'w/ DC']);
    expect(await misfits(page.getByTestId('summary-table')), `summary at ${size.width}`).toEqual([]);
    expect(await misfits(page.getByTestId('seeds-table')), `seeds at ${size.width}`).toEqual([]);
    await shot(page, info, `layout-run-${size.width}`);

    await openView(page, 'runs');
    const items = page.getByTestId('run-item');
    await expect(items).toHaveCount(2); // one run per seed (split above)
    for (const i of [0, 1]) await items.nth(i).getByTestId('run-select').check();
    await expect(page.getByTestId('compare-row')).toHaveCount(12); // 2 runs × 3 methods × 2 arms
    expect(await misfits(page.getByTestId('compare-table')), `diff at ${size.width}`).toEqual([]);
    for (const i of [0, 1]) await items.nth(i).getByTestId('run-select').uncheck();

    await openView(page, 'paper');
    for (const report of ['quick', 'reference']) {
      await page.getByTestId(`paper-report-${report}`).click();
      const claims = page.getByTestId('paper-claims-table');
      await expect(claims.locator('tbody tr').first()).toBeVisible();
      expect(await misfits(claims), `${report} claims at ${size.width}`).toEqual([]);
    }
    await shot(page, info, `layout-paper-${size.width}`);
  }

  await page.setViewportSize({ width: 390, height: 844 });
  for (const [top, sub] of ALL_VIEWS) {
    await openView(page, top, sub);
    expect(await pageScrollsSideways(page), `${top}${sub ? `/${sub}` : ''} at 390 px`).toBeLessThanOrEqual(0);
  }
  await openView(page, 'run');
  await shot(page, info, 'layout-run-390');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
