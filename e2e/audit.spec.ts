import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { shot, waitReady, watchErrors } from './helpers';

/**
 * The Audit view (issue 21 item 4, docs/audit.md "On the page"): a tiny audit on synthetic data runs as a background
 * job in its own worker with progress and ETA, survives a reload mid-run (it resumes from the records stored in the
 * browser), shows the table, the scatter, the ROC on log axes and the gallery; Stop frees every tensor; the result
 * exported as audit.json loads back.
 */
test('Audit view: background job, reload mid-run resumes, the three panels, Stop, audit.json round trip', async ({
  page,
}, info) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.goto('./?preset=smoke&be=wasm&view=audit');
  await waitReady(page);
  await expect(page.getByTestId('nav-audit')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('audit-empty')).toBeVisible();

  // audit-smoke (synthetic, ConvNet-3 w8) with 10 shadows instead of 6, so a reload lands mid-run
  await page.getByTestId('audit-preset').selectOption('audit-smoke');
  await page.getByTestId('audit-shadows').fill('10');
  const t0 = Date.now();
  await page.getByTestId('audit-start').click();
  const progress = page.getByTestId('audit-progress');
  await expect(progress).toBeVisible({ timeout: 60_000 });
  const total = Number(await progress.getAttribute('data-total'));
  expect(total).toBe((10 + 2) * 4); // (shadows + targets) × methods
  // the lab's own worker is not busy with it: the status strip stays idle; the navigation shows the job from any view
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  await page.getByTestId('nav-setup').click();
  await expect(page.getByTestId('audit-nav-badge')).toHaveText(/\d+ %/);
  await page.getByTestId('nav-audit').click();
  await expect
    .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 60_000, intervals: [100] })
    .toBeGreaterThanOrEqual(8);
  await expect(page.getByTestId('audit-eta')).toContainText(/ETA \d/);
  const doneBefore = Number(await progress.getAttribute('data-done'));
  expect(doneBefore).toBeLessThan(total);
  await shot(page, info, 'audit-01-running');

  await page.reload();
  const resumed = page.getByTestId('audit-resumed');
  await expect(resumed).toBeVisible({ timeout: 60_000 });
  await expect(resumed).toContainText('after the page was reloaded');
  const reused = Number(await resumed.getAttribute('data-reused'));
  expect(reused).toBeGreaterThanOrEqual(doneBefore);
  expect(reused).toBeLessThan(total);
  await expect(page.getByTestId('audit-status')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const seconds = (Date.now() - t0) / 1000;
  info.annotations.push({ type: 'audit-smoke seconds (10 shadows, with the reload)', description: seconds.toFixed(1) });
  expect(seconds).toBeLessThan(60);

  // the table, the three panels
  for (const m of ['Original', 'Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`audit-row-${m}`)).toBeVisible();
  await expect(page.getByTestId('audit-resolution')).toContainText(/smallest FPR it can show is 1\/\d+/);
  await expect(page.getByTestId('audit-scatter')).toBeVisible();
  expect(await page.getByTestId('audit-scatter').locator('.recharts-scatter-symbol').count()).toBeGreaterThan(20);
  const quadrants = await Promise.all(
    ['both', 'perexample', 'population', 'neither'].map(async (q) =>
      Number(await page.getByTestId(`audit-q-${q}`).textContent()),
    ),
  );
  expect(quadrants.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  await expect(page.getByTestId('audit-roc')).toBeVisible();
  expect(await page.getByTestId('audit-roc').locator('.recharts-line').count()).toBeGreaterThanOrEqual(1 + 2 * 4);
  await expect(page.getByTestId('audit-gallery')).toBeVisible();
  await expect(page.getByTestId('audit-gallery-Retrain')).toBeVisible();
  await expect(page.getByTestId('audit-gallery-CF').getByTestId('audit-image').first()).toBeVisible();
  await shot(page, info, 'audit-02-done');
  // accessible as the rest of the page (e2e/a11y.spec.ts's rule: no serious or critical axe violation)
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`),
  ).toEqual([]);

  // the layout rules of e2e/layout.spec.ts: the table fits its card at 1280×720; at 390×844 nothing scrolls sideways
  await page.setViewportSize({ width: 1280, height: 720 });
  const sticksOut = await page.getByTestId('audit-table').evaluate((t) => {
    for (let el: Element | null = t; el && !el.classList.contains('panel'); el = el.parentElement)
      if (el.scrollWidth > el.clientWidth + 1) return el.className || el.tagName;
    return '';
  });
  expect(sticksOut).toBe('');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth))
    .toBeLessThanOrEqual(1);
  await page.setViewportSize({ width: 1600, height: 1100 });

  // a finished audit survives a reload as it is
  await page.reload();
  await expect(page.getByTestId('audit-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('audit-roc')).toBeVisible();

  // export → load back: the same table, from the file
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
  const path = await download.path();
  const exported = JSON.parse(readFileSync(path, 'utf8'));
  expect(exported.reports).toHaveLength(4);
  await page.getByTestId('audit-file').setInputFiles({
    name: 'exported-audit.json',
    mimeType: 'application/json',
    buffer: readFileSync(path),
  });
  await expect(page.getByTestId('audit-source')).toContainText('the file exported-audit.json');
  await expect(page.getByTestId('audit-row-A-CF')).toBeVisible();
  await expect(page.getByTestId('audit-gallery-CF').getByTestId('audit-image').first()).toBeVisible({
    timeout: 60_000,
  });
  // a broken file says where
  await page.getByTestId('audit-file').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...exported, reports: [{ seed: 0, report: { method: 'CF', auc: 2 } }] })),
  });
  await expect(page.getByTestId('audit-load-error')).toContainText('bad.json.reports[0].report.auc');

  // Stop: the worker gives back every tensor, the finished records stay, Resume is offered
  await page.getByTestId('audit-seed').fill('1');
  await page.getByTestId('audit-start').click();
  await expect
    .poll(async () => Number((await page.getByTestId('audit-progress').getAttribute('data-done')) ?? 0), {
      timeout: 60_000,
      intervals: [100],
    })
    .toBeGreaterThan(10); // the 10 shadows' Original records are shared with seed 0
  await page.getByTestId('audit-stop').click();
  await expect(page.getByTestId('audit-status')).toHaveAttribute('data-status', 'stopped', { timeout: 30_000 });
  await expect(page.getByTestId('audit-message')).toContainText('Resume continues');
  const tensors = page.getByTestId('audit-tensors');
  await expect
    .poll(async () => [await tensors.getAttribute('data-now'), await tensors.getAttribute('data-before')])
    .toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
  expect(await tensors.getAttribute('data-now')).toBe(await tensors.getAttribute('data-before'));
  await expect(page.getByTestId('audit-resume')).toBeEnabled();
  await shot(page, info, 'audit-03-stopped');

  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
