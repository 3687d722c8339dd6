import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SMOKE, shot, waitReady } from './helpers';

/**
 * Dropping the official archive into the page (parsed in the worker, cached in IndexedDB). Opt-in because it
 * reads 170 MB: E2E_ARCHIVE=../shared/datasets/cifar-10-binary.tar.gz npx playwright test e2e/import.spec.ts
 */
const archive = process.env.E2E_ARCHIVE ? resolve(process.env.E2E_ARCHIVE) : '';

test('importing cifar-10-binary.tar.gz in the page', async ({ page }, info) => {
  test.skip(!archive || !existsSync(archive), 'set E2E_ARCHIVE to the CIFAR-10 archive to run this test');
  test.setTimeout(300_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await page.getByTestId('archive-input').setInputFiles(archive);
  await expect(page.getByTestId('import-ok')).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('dataset-name')).toHaveText('CIFAR-10');
  await expect(page.getByTestId('dataset-panel')).toContainText('imported archive');
  await expect(page.getByTestId('dataset-panel')).toContainText('50,000 train');
  await expect(page.getByTestId('param-ds')).toHaveValue('cifar10');
  await shot(page, info, '11-imported-archive');
});
