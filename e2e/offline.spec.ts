import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SMOKE, shot, waitReady } from './helpers';

/** The build's service worker (dist/sw.js) is installed and controls the page. */
async function waitControlled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  await expect.poll(controlled, { timeout: 30_000 }).toBe(true);
}

test('offline after a first visit: the page boots from the service worker cache and condenses', async ({
  page,
  context,
}, info) => {
  test.setTimeout(300_000);
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  await waitControlled(page);
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const app = names.find((n) => n.startsWith('lab-app-'));
    return app ? (await (await caches.open(app)).keys()).map((r) => new URL(r.url).pathname) : [];
  });
  expect(cached.some((p) => p.endsWith('.wasm'))).toBe(true);
  expect(cached.some((p) => /lab\.worker-.*\.js$/.test(p))).toBe(true);

  await context.setOffline(true);
  // really offline: a file the build does not have cannot be fetched
  expect(
    await page.evaluate(() =>
      fetch('./not-cached.txt').then(
        () => 'fetched',
        () => 'failed',
      ),
    ),
  ).toBe('failed');
  await page.reload();
  await waitReady(page);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('dataset-name')).toHaveText('Synthetic');
  await page.getByTestId('btn-condense').click();
  await expect(page.getByTestId('run-status')).toContainText('running');
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await expect(page.getByTestId('prototype-item').first()).toBeVisible();
  await shot(page, info, '20-offline-condensed');
  await context.setOffline(false);
});

const prepared = existsSync(join(process.cwd(), 'dist', 'datasets', 'cifar10', 'manifest.json'));

test('offline after a first visit: CIFAR-10 comes from the browser cache', async ({ page, context }) => {
  if (process.env.REQUIRE_CIFAR10 === '1') expect(prepared, 'dist/datasets/cifar10 must be built').toBe(true);
  test.skip(!prepared, 'CIFAR-10 is not in the build (npm run datasets, and LAB_DATASETS is not 0)');
  test.setTimeout(300_000);
  await page.goto('./?ds=cifar10&be=wasm&tpc=20&xpc=10');
  await waitReady(page);
  await expect(page.getByTestId('dataset-name')).toHaveText('CIFAR-10');
  await waitControlled(page);
  await context.setOffline(true);
  await page.reload();
  await waitReady(page);
  await expect(page.getByTestId('dataset-name')).toHaveText('CIFAR-10');
  await expect(page.getByTestId('dataset-panel')).toContainText('browser cache');
  await expect(page.getByTestId('dataset-notice')).toHaveCount(0);
  await context.setOffline(false);
});
