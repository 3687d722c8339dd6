import { expect, test } from '@playwright/test';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { SMOKE, waitReady } from './helpers';

/**
 * The build on a plain static host: dist/ served under a sub-path (like a GitHub Pages project site) by a bare file
 * server — no SPA fallback (a missing file is a 404), no COOP/COEP or any other special header.
 */
const PORT = Number(process.env.E2E_PORT ?? 4317) + 1;
const PREFIX = '/unlearning-lab/';
const DIST = join(process.cwd(), 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/** while true, the host has no datasets/ (like a deploy built without CIFAR-10) */
let noDatasets = false;
let server: Server;
test.beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(PREFIX)) return void res.writeHead(404).end();
    if (noDatasets && path.startsWith(`${PREFIX}datasets/`)) return void res.writeHead(404).end();
    const rel = normalize(path.slice(PREFIX.length) || 'index.html');
    const file = join(DIST, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('the build runs from a sub-path of a bare static server, without cross-origin isolation', async ({ page }) => {
  const res = await page.goto(`http://127.0.0.1:${PORT}${PREFIX}${SMOKE}`);
  expect(res?.status()).toBe(200);
  await waitReady(page);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await expect(page.getByTestId('dataset-name')).toHaveText('Synthetic');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
  const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
  expect(scope).toBe(`http://127.0.0.1:${PORT}${PREFIX}`);
});

test('a host without datasets: CIFAR-10 falls back to synthetic with a notice saying how to add it', async ({
  page,
}) => {
  noDatasets = true;
  try {
    await page.goto(`http://127.0.0.1:${PORT}${PREFIX}?ds=cifar10&be=wasm&tpc=20&xpc=10`);
    await waitReady(page);
    await expect(page.getByTestId('dataset-name')).toHaveText('Synthetic');
    await expect(page.getByTestId('dataset-notice')).toContainText('CIFAR-10 is unavailable');
    await expect(page.getByTestId('dataset-notice')).toContainText('drop cifar-10-binary.tar.gz onto the page');
    await expect(page.getByTestId('btn-import-archive')).toBeEnabled();
  } finally {
    noDatasets = false;
  }
});
