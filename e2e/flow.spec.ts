import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { ARTIFACTS, SMOKE, openView, scaledShot, shot, waitReady, watchErrors } from './helpers';

test('Condense then Unlearn: prototypes, charts and a summary table with numbers', async ({ page }, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);

  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('stage-condense')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const protos = page.getByTestId('prototype-item');
  await expect(protos.first()).toBeVisible();
  expect(await protos.count()).toBeGreaterThan(0);
  await expect(page.getByTestId('reduced-retain')).toBeVisible();
  // the run is watched in the Run view (the page switched there from Setup)
  await expect(page.getByTestId('nav-run')).toHaveAttribute('aria-current', 'page');
  await shot(page, info, '02-condensed');
  await openView(page, 'inspect', 'gallery');
  await expect(page.getByTestId('forget-gallery')).toBeVisible();
  await expect(page.getByTestId('forget-item')).toHaveCount(0); // condensing needs no original model yet
  await openView(page, 'setup');

  await page.getByTestId('btn-unlearn').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('nav-run')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  const table = page.getByTestId('summary-table');
  await expect(table).toBeVisible();
  for (const m of ['Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`summary-row-${m}`)).toBeVisible();
  const cells = await page.getByTestId('metric-cell').allInnerTexts();
  expect(cells.length).toBeGreaterThanOrEqual(12);
  for (const c of cells) expect(c).toMatch(/^\d+(\.\d)?/);
  await expect(page.getByTestId('chart-timing').locator('.recharts-bar-rectangle').first()).toBeVisible();
  // smoke curves have 1–2 epochs (a single point or a flat segment has an empty bounding box, so not "visible"):
  // check the lines are drawn and labelled instead
  const curves = page.getByTestId('chart-curves');
  await expect(curves.locator('.recharts-line').first()).toBeAttached();
  await expect(curves.locator('.recharts-legend-wrapper')).toContainText('A-CF');
  await shot(page, info, '03-unlearned');
  // the README's picture (public/screenshot.png is a copy): the 1600×1100 viewport scaled to 1200 px, < 400 KB
  await scaledShot(page, 'readme-screenshot', 0.75);
  await openView(page, 'setup');
  await expect(page.getByTestId('memory')).toContainText('tensors');

  // forget gallery: images with the original model's confidence vs the method's and Retrain's
  await openView(page, 'inspect', 'gallery');
  const gallery = page.getByTestId('forget-gallery');
  await gallery.scrollIntoViewIfNeeded();
  const items = gallery.getByTestId('forget-item');
  expect(await items.count()).toBeGreaterThan(0);
  await expect(items.first().getByTestId('forget-image')).toBeVisible();
  await expect(gallery.getByTestId('forget-class').first()).not.toHaveText('');
  for (const id of ['forget-conf-original', 'forget-conf-method', 'forget-conf-retrain']) {
    for (const t of await gallery.getByTestId(id).allInnerTexts()) expect(t).toMatch(/^\d+(\.\d)?%$/);
  }
  await expect(gallery.getByTestId('forget-method')).toHaveValue(/^A-CF\|/);
  const drops = async () =>
    (await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-drop') ?? '')))
      .filter((d) => d !== '')
      .map(Number);
  const hardest = await drops();
  expect(hardest.length).toBeGreaterThan(0);
  for (let i = 1; i < hardest.length; i++) expect(hardest[i]).toBeGreaterThanOrEqual(hardest[i - 1]);
  await gallery.getByTestId('forget-sort').selectOption('easiest');
  await expect
    .poll(
      async () =>
        (await drops()).every((d, i, a) => i === 0 || d <= a[i - 1]) && (await drops()).length === hardest.length,
    )
    .toBe(true);
  await gallery.screenshot({ path: join(ARTIFACTS, '03b-forget-gallery.png') });
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
