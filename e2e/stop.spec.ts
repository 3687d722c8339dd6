import { expect, test } from '@playwright/test';
import { SMOKE, openView, shot, waitReady, watchErrors } from './helpers';

test('Stop during a run leaves the page usable', async ({ page }, info) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  // longer pretraining so there is something to stop
  await page.goto(`./${SMOKE}&pe=30&m=CF`);
  await waitReady(page);
  // the original model is trained on first need: Unlearn starts with the pretraining stage
  await page.getByTestId('btn-unlearn').click();
  await expect(page.getByTestId('stage-pretrain')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('btn-stop')).toBeEnabled();
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 30_000 });
  await expect(page.getByTestId('stopped')).toBeVisible();
  await expect(page.getByTestId('stage-pretrain')).toHaveClass(/stage-stopped/);
  await openView(page, 'setup'); // the device panel and the settings
  await expect(page.getByTestId('worker-state')).not.toContainText('restarted');
  await shot(page, info, '07-stopped');

  // the page still works: a short run completes afterwards
  await page.getByTestId('param-pe').fill('1');
  await page.getByTestId('param-pe').press('Enter');
  await page.getByTestId('btn-unlearn').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('summary-row-CF')).toBeVisible();
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await shot(page, info, '08-after-stop');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
