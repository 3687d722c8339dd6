/**
 * The `ux.` bench row (results-format.md): `ux.default_first_row_s` — seconds from clicking Condense on a fresh
 * page visit (default settings, real Chromium, this machine's cores) until the summary table shows its first
 * method row, then Unlearn clicked as soon as Condense has finished (as a visitor would).
 *
 * `ux.live_update_s` (issue 22 item 5) — live mode on the `live` preset: after a first Compare, the forget fraction is
 * changed 5 times (typed into its field, as a visitor would); per change, the seconds from the change to the first
 * updated number, as the page measures them (the status strip's live line); the row is the median of the 5.
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
      await context.close();
      const live = await measureLive(browser, url, timeout, log);
      return [
        live,
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

/** Live mode on the `live` preset: median seconds from a forget-fraction change to the first updated number. */
async function measureLive(
  browser: import('@playwright/test').Browser,
  url: string,
  timeout: number,
  log: (m: string) => void,
): Promise<BenchRow> {
  const os = await import('node:os');
  const context = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?preset=live&view=setup`);
    const idle = () =>
      page
        .getByTestId('run-status')
        .filter({ hasText: /^idle$/ })
        .waitFor({ timeout });
    await page.getByTestId('dataset-name').and(page.locator('[data-ready="1"]')).waitFor({ timeout });
    await idle();
    const dataset = (await page.getByTestId('dataset-name').innerText()).trim();
    const t0 = Date.now();
    await page.getByTestId('btn-compare').click();
    await page
      .getByTestId('run-status')
      .filter({ hasText: /^running/ })
      .waitFor({ timeout });
    await idle();
    const firstRunS = (Date.now() - t0) / 1000;
    await page.getByTestId('nav-setup').click(); // Compare switched to the Run view
    await page.getByTestId('live-toggle').check();
    const seconds: number[] = [];
    const wall: number[] = [];
    const loads: number[] = [];
    for (const [i, f] of [0.2, 0.15, 0.25, 0.12, 0.18].entries()) {
      const field = page.getByTestId('param-ff');
      await field.fill(String(f));
      loads.push(os.loadavg()[0]);
      const c0 = Date.now();
      await field.press('Enter');
      const status = page.locator(`[data-testid="live-status"][data-n="${i + 1}"]:not([data-seconds=""])`);
      await status.waitFor({ timeout });
      wall.push((Date.now() - c0) / 1000);
      if ((await status.getAttribute('data-fast')) !== '1') throw new Error(`bench ux: change ${i + 1} was not live`);
      seconds.push(Number(await status.getAttribute('data-seconds')));
      await idle(); // Retrain reruns after the approximate methods: let it finish before the next change
      log(`bench ux: live change ${i + 1} (forget fraction ${f}): first number after ${seconds.at(-1)!.toFixed(2)} s`);
    }
    if (errors.length) throw new Error(`bench ux: page errors: ${errors.join('; ')}`);
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const backend = (await page.getByTestId('backend-name').innerText()).trim();
    const workers = await page.evaluate(() => navigator.hardwareConcurrency);
    return {
      id: 'ux.live_update_s',
      value: med(seconds),
      unit: 's',
      target: 5,
      setting:
        `live preset (${dataset}), live mode, Chromium ${browser.version()} headless, backend ${backend}, ` +
        `hardwareConcurrency ${workers}; forget fraction typed 5 times (0.2, 0.15, 0.25, 0.12, 0.18); per change the ` +
        'seconds from the change to the first updated number (the page’s own measure); median of the 5',
      note:
        `per change ${seconds.map((x) => x.toFixed(2)).join(', ')} s (page), ${wall.map((x) => x.toFixed(2)).join(', ')} s ` +
        `wall from the key press in Playwright; first Compare ${firstRunS.toFixed(1)} s (not counted); 1-min load ` +
        `average ${loads.map((x) => x.toFixed(1)).join(', ')} at the changes`,
    };
  } finally {
    await context.close();
  }
}
