import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady } from './helpers';

test('a crashed worker is restarted and the page says what happened', async ({ page }, info) => {
  test.setTimeout(240_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  const worker = page.workers().find((w) => w.url().includes('lab.worker'));
  expect(worker, 'the lab worker').toBeTruthy();
  // an uncaught error inside the worker
  await worker!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 0);
  });
  const notice = page.getByTestId('worker-crash');
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice).toContainText('simulated crash');
  await expect(page.getByTestId('worker-state')).toContainText('restarted 1×');
  await waitReady(page);
  await shot(page, info, '12-worker-restarted');
  // the fresh worker runs
  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('prototype-item').first()).toBeVisible();
});
