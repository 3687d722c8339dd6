import { expect, test } from '@playwright/test';
import { SMOKE, shot, waitReady, watchErrors } from './helpers';

test('page opens: sample grid and backend name', async ({ page }, info) => {
  const errors = watchErrors(page);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('dataset-name')).toHaveText('Synthetic');
  await expect(page.getByTestId('self-check')).toContainText('✓');
  const box = await page.getByTestId('sample-grid').boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(100);
  await shot(page, info, '01-open');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
