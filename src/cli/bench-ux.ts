/**
 * The `ux.` bench row (results-format.md): `ux.default_first_row_s` — seconds from clicking Condense on a fresh
 * page visit (default settings, real Chromium, this machine's cores) until the summary table shows its first
 * method row, then Unlearn clicked as soon as Condense has finished (as a visitor would).
 *
 * Builds the site into .cache/bench-ux-dist (the same build `npm run build` makes), serves it with `vite preview`,
 * and drives Debian's Chromium (CHROMIUM_PATH overrides) through Playwright in a new browser context — no cache,
 * no IndexedDB, no service worker: a first visit. Run it on a quiet machine: `npm run bench -- --only ux.`
 */
import { resolve } from 'node:path';
import type { BenchRow } from '../core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UxOptions {
  log?: (m: string) => void;
  /** give up after this many seconds (the row is then absent) */
  timeoutS?: number;
}

export async function benchUx(opts: UxOptions = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const timeout = (opts.timeoutS ?? 600) * 1000;
  const { build, preview } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const outDir = resolve('.cache', 'bench-ux-dist');
  log('bench ux: building the site …');
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('bench ux: vite preview did not report its URL');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const tLoad = Date.now();
    await page.goto(url);
    await page
      .getByTestId('backend-name')
      .filter({ hasText: /^(wasm|webgl|webgpu|cpu)$/ })
      .waitFor({ timeout });
    await page.getByTestId('sample-grid').waitFor({ timeout });
    await page
      .getByTestId('run-status')
      .filter({ hasText: /^idle$/ })
      .waitFor({ timeout });
    const readyS = (Date.now() - tLoad) / 1000;
    const backend = (await page.getByTestId('backend-name').innerText()).trim();
    log(`bench ux: page ready after ${readyS.toFixed(1)} s on ${backend}; clicking Condense`);
    // what the page says meanwhile: the stage lines of the progress panel, sampled every second
    const said = new Set<string>();
    const sample = setInterval(() => {
      void page
        .locator('[data-testid^="stage-"] .stage-name')
        .allInnerTexts()
        .then((xs) => xs.forEach((x) => said.add(x.trim())))
        .catch(() => {});
    }, 1000);
    try {
      const t0 = Date.now();
      await page.getByTestId('btn-condense').click();
      await page
        .getByTestId('run-status')
        .filter({ hasText: /^running/ })
        .waitFor({ timeout });
      await page
        .getByTestId('run-status')
        .filter({ hasText: /^idle$/ })
        .waitFor({ timeout });
      const condenseS = (Date.now() - t0) / 1000;
      if ((await page.getByTestId('command-error').count()) > 0) throw new Error('bench ux: Condense failed');
      await page.getByTestId('btn-unlearn').click();
      const firstRow = page.locator('[data-testid^="summary-row-"]').first();
      await firstRow.waitFor({ timeout });
      const firstS = (Date.now() - t0) / 1000;
      const method = ((await firstRow.getAttribute('data-testid')) ?? '').replace('summary-row-', '');
      const shipped = (await page.getByTestId('original-shipped').count()) > 0;
      const workers = await page.evaluate(() => navigator.hardwareConcurrency);
      await page
        .getByTestId('btn-stop')
        .click({ timeout: 5000 })
        .catch(() => {});
      if (errors.length) throw new Error(`bench ux: page errors: ${errors.join('; ')}`);
      log(`bench ux: first row (${method}) after ${firstS.toFixed(1)} s (Condense ${condenseS.toFixed(1)} s)`);
      return [
        {
          id: 'ux.default_first_row_s',
          value: firstS,
          unit: 's',
          target: 60,
          setting:
            `fresh browser context, default settings, Chromium ${browser.version()} headless, backend ${backend}, ` +
            `hardwareConcurrency ${workers}; from clicking Condense to the first summary row (Unlearn clicked when ` +
            'Condense finished)',
          note:
            `first row: ${method}; Condense ${condenseS.toFixed(1)} s; original model ` +
            `${shipped ? 'shipped with the site' : 'not shipped (trained or cached)'}; page ready ` +
            `${readyS.toFixed(1)} s after navigation (not counted); the page showed: ${[...said].join(' / ')}`,
        },
      ];
    } finally {
      clearInterval(sample);
    }
  } finally {
    await browser.close();
    await new Promise<void>((res) => server.httpServer.close(() => res()));
  }
}
