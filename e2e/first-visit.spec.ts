import { expect, test } from '@playwright/test';
import { waitReady, watchErrors } from './helpers';

/**
 * A first visit with the default settings (issue 14 item 3): the page starts from the `first-look` preset, loads
 * the original model shipped with the site (hash checked) instead of pretraining, and runs the cheapest method
 * first. How long it takes is the bench row `ux.default_first_row_s` (`npm run bench -- --only ux.`), not a test.
 */
test('first visit: default settings, shipped original model, cheapest method first', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  await page.goto('./?be=wasm');
  await waitReady(page);
  await expect(page.getByTestId('preset-select')).toHaveValue('first-look');

  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 300_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);

  await page.getByTestId('btn-unlearn').click();
  const first = page.locator('[data-testid^="summary-row-"]').first();
  await expect(first).toBeVisible({ timeout: 300_000 });
  // cheapest first (core/methods/order.ts): Pruning's 2 fine-tuning epochs at the default ×0.1 budgets
  await expect(first).toHaveAttribute('data-testid', 'summary-row-Pruning');
  await expect(page.getByTestId('original-shipped')).toBeVisible();
  await expect(page.getByTestId('original-shipped')).toHaveAttribute(
    'title',
    /first-look-seed0\.ulc · SHA-256 [0-9a-f]{64}/,
  );
  // the page says what it did: the original model's stage names where the model came from
  await expect(page.getByTestId('stage-pretrain')).toContainText('Original model · shipped with the site');
  await page.getByTestId('btn-stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
