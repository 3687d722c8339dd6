import { expect, test, type BrowserContext, type Page, type Route } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openView, waitReady, watchErrors } from './helpers';

/**
 * What a first visit downloads (issue 22 item 6): with the image index of the manifest the page fetches only the
 * CIFAR-10 images its experiment reads (HTTP Range requests on the shards, src/worker/partial-load.ts) instead of
 * every shard. "Before" is the same build with the manifest's `index` field removed on the way (the page then
 * takes the whole-shard path it always had), in the same run.
 */
const MANIFEST = join(process.cwd(), 'dist', 'datasets', 'cifar10', 'manifest.json');
const manifest = existsSync(MANIFEST)
  ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
      index?: unknown;
      splits: Record<'train' | 'test', { shards: Array<{ bytes: number }> }>;
    })
  : null;

/** Removes the image index from the manifest: the page loads whole shards as before it existed. */
async function withoutIndex(context: BrowserContext): Promise<void> {
  await context.route('**/datasets/cifar10/manifest.json', async (route: Route) => {
    const res = await route.fetch();
    const m = (await res.json()) as Record<string, unknown>;
    delete m.index;
    await route.fulfill({ response: res, json: m });
  });
}

interface Traffic {
  requests: number;
  bytes: number;
}

/** Counts the dataset files' requests and response body bytes (the worker's fetches are the context's). */
function watchDatasets(context: BrowserContext): Traffic {
  const t: Traffic = { requests: 0, bytes: 0 };
  context.on('requestfinished', (req) => {
    if (!/\/datasets\/cifar10\/[^/]+\.bin$/.test(new URL(req.url()).pathname)) return;
    void req.sizes().then((s) => {
      t.requests++;
      t.bytes += s.responseBodySize;
    });
  });
  return t;
}

async function firstVisit(page: Page, url: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(url);
  await waitReady(page);
  await expect(page.getByTestId('dataset-name')).toHaveText('CIFAR-10');
  return (Date.now() - t0) / 1000;
}

const shardBytes = manifest
  ? [...manifest.splits.train.shards, ...manifest.splits.test.shards].reduce((a, s) => a + s.bytes, 0)
  : 0;

test.describe('dataset download', () => {
  test.skip(!manifest?.index, 'CIFAR-10 with an image index is not in the build (npm run datasets, then vite build)');

  for (const mode of ['whole shards (before)', 'images the experiment reads (after)'] as const) {
    test(`default first visit: ${mode}`, async ({ page, context }, info) => {
      test.setTimeout(240_000);
      const errors = watchErrors(page);
      if (mode.startsWith('whole')) await withoutIndex(context);
      const traffic = watchDatasets(context);
      const seconds = await firstVisit(page, './?be=wasm');
      // the sample grid shows real images either way
      await expect(page.getByTestId('dataset-panel')).toContainText('50,000 train');
      await expect.poll(() => traffic.requests).toBeGreaterThan(0);
      await page.waitForTimeout(500);
      const line = `${mode}: ${traffic.requests} requests, ${(traffic.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (all shards: ${(shardBytes / 1e6).toFixed(1)} MB)`;
      console.log(line);
      info.annotations.push({ type: 'traffic', description: line });
      if (mode.startsWith('whole')) {
        expect(traffic.bytes).toBe(shardBytes);
      } else {
        // first-look: 300 train images per class (of 5,000) and every test image: 3,000 records by Range, the two
        // test shards whole, the index; well under a third of the shards
        expect(traffic.bytes).toBeLessThan(shardBytes / 3);
        expect(traffic.bytes).toBeGreaterThan(3000 * 3072);
      }
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    });
  }

  test('a small CIFAR-10 run gives the same numbers from fetched images as from whole shards', async ({ browser }) => {
    test.setTimeout(420_000);
    const url = './?preset=smoke&ds=cifar10&be=wasm&tpc=20&xpc=10';
    const runOnce = async (whole: boolean) => {
      const context = await browser.newContext();
      if (whole) await withoutIndex(context);
      const traffic = watchDatasets(context);
      const page = await context.newPage();
      await firstVisit(page, url);
      await page.getByTestId('btn-condense').click();
      await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 180_000 });
      await openView(page, 'setup');
      await page.getByTestId('btn-unlearn').click();
      await expect(page.getByTestId('run-status')).toContainText('running');
      await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
      await expect(page.getByTestId('command-error')).toHaveCount(0);
      const cells = await page.getByTestId('metric-cell').allInnerTexts();
      await page.waitForTimeout(300);
      await context.close();
      return { cells, bytes: traffic.bytes };
    };
    const partial = await runOnce(false);
    const whole = await runOnce(true);
    expect(partial.cells.length).toBeGreaterThanOrEqual(12);
    expect(partial.cells).toEqual(whole.cells);
    expect(whole.bytes).toBe(shardBytes);
    expect(partial.bytes).toBeLessThan(shardBytes / 10);
  });
});
