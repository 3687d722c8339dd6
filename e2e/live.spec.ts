import { expect, test } from '@playwright/test';
import { SMOKE, openView, waitReady, watchErrors } from './helpers';

/**
 * Issue 22 item 5, live mode: after a first Compare, a forget-fraction change reruns the approximate methods in the
 * worker session that kept the original model (the strip says how long the first number took), the summary shows
 * the new split's rows; a method's own knob reruns only that method; a seed change is not live and says so. The timing target is a bench row
 * (`ux.live_update_s`), never asserted here.
 */
test('live mode reruns the methods on a forget change and says when a change is not live', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}&arms=without&m=Retrain,CF,A-CF&view=setup`);
  await waitReady(page);
  await page.getByTestId('btn-compare').click();
  await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('summary-row-A-CF')).toBeVisible();
  const before = await page.getByTestId('summary').innerText();
  expect(before).toMatch(/10 ?%/);

  await openView(page, 'setup');
  await page.getByTestId('live-toggle').check();
  await expect(page).toHaveURL(/live=1/);
  await expect(page.getByTestId('live-status')).toHaveCount(0); // turning live on after a run starts nothing

  await page.getByTestId('param-ff').fill('0.3');
  await page.getByTestId('param-ff').press('Enter');
  const first = page.locator('[data-testid="live-status"][data-n="1"]');
  await expect(first).toHaveAttribute('data-fast', '1', { timeout: 30_000 });
  await expect(first).not.toHaveAttribute('data-seconds', '', { timeout: 120_000 });
  await expect(first).toContainText(/Forget fraction: first number in [\d.]+ s/);
  // live reruns stay in the view the knob is in
  await expect(page.getByTestId('nav-setup')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await openView(page, 'run');
  const after = await page.getByTestId('summary').innerText();
  expect(after).toMatch(/30 ?%/);
  for (const m of ['Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`summary-row-${m}`)).toBeVisible();

  // a method's own knob reruns only that method; the other rows stay on the page throughout
  await openView(page, 'setup');
  await page.getByTestId('param-acf_lam').fill('12');
  await page.getByTestId('param-acf_lam').press('Enter');
  const own = page.locator('[data-testid="live-status"][data-n="2"]');
  await expect(own).toHaveAttribute('data-methods', 'A-CF', { timeout: 30_000 });
  await expect(own).toHaveAttribute('data-fast', '1');
  await expect(own).toContainText(/first number in [\d.]+ s \(reran A-CF\)/, { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await openView(page, 'run');
  for (const m of ['Retrain', 'CF', 'A-CF']) await expect(page.getByTestId(`summary-row-${m}`)).toBeVisible();

  // a seed change needs a new original model: not live, a normal job
  await openView(page, 'setup');
  await page.getByTestId('param-seed').fill('3');
  await page.getByTestId('param-seed').press('Enter');
  const second = page.locator('[data-testid="live-status"][data-n="3"]');
  await expect(second).toHaveAttribute('data-fast', '0', { timeout: 30_000 });
  await expect(second).toContainText('not live');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
