import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { shot, waitReady, watchErrors } from './helpers';

const prepared = existsSync(join(process.cwd(), 'public', 'datasets', 'cifar10', 'manifest.json'));

test('real CIFAR-10 sample grid from the prepared shards, with the backend name', async ({ page }, info) => {
  // CI prepares CIFAR-10 first (.ci/run sets REQUIRE_CIFAR10=1): there this test must run, not skip
  if (process.env.REQUIRE_CIFAR10 === '1') expect(prepared, 'public/datasets/cifar10 must be prepared').toBe(true);
  test.skip(!prepared, 'CIFAR-10 is not prepared (npm run datasets -- --archive …)');
  const errors = watchErrors(page);
  await page.goto('./?ds=cifar10&be=wasm');
  await waitReady(page);
  await expect(page.getByTestId('dataset-name')).toHaveText('CIFAR-10');
  await expect(page.getByTestId('dataset-panel')).toContainText('50,000 train');
  await expect(page.getByTestId('dataset-panel')).toContainText('airplane');
  await expect(page.getByTestId('dataset-panel')).toContainText(/SHA-256 verified|browser cache/);
  await expect(page.getByTestId('dataset-notice')).toHaveCount(0);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  // the grid holds real photos: many distinct colours, unlike an empty canvas
  const distinct = await page.getByTestId('sample-grid').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  expect(distinct).toBeGreaterThan(2000);
  await shot(page, info, '00-cifar10-grid');
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('an unprepared dataset falls back to synthetic with a visible notice', async ({ page }, info) => {
  // SVHN is never prepared in CI (no offline copy); when it is, this test has nothing to check
  test.skip(existsSync(join(process.cwd(), 'public', 'datasets', 'svhn', 'manifest.json')), 'SVHN is prepared here');
  await page.goto('./?ds=svhn&be=wasm&tpc=20&xpc=10&ipc=4');
  await waitReady(page);
  await expect(page.getByTestId('dataset-notice')).toContainText('SVHN is unavailable');
  await expect(page.getByTestId('dataset-name')).toHaveText('Synthetic');
  await shot(page, info, '09-svhn-fallback');
});
