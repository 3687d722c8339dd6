import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Query string for the fast test setup: smoke preset, WASM backend. */
export const SMOKE = '?preset=smoke&be=wasm';

export const ARTIFACTS = join(process.cwd(), 'e2e', 'artifacts');

/** Save a full-page screenshot to e2e/artifacts/ and attach it to the report. */
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** Page loaded: backend chosen, dataset loaded, worker idle (read from the status strip, in every view). */
export async function waitReady(page: Page): Promise<void> {
  await expect(page.getByTestId('backend-name')).toHaveText(/^(wasm|webgl|webgpu|cpu)$/, { timeout: 90_000 });
  await expect(page.getByTestId('dataset-name')).toHaveAttribute('data-ready', '1', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 90_000 });
}

/** The page's views (src/app/views.ts): top views and, under Inspect, the per-method views. */
export type TopView = 'setup' | 'run' | 'inspect' | 'runs' | 'paper';
export type InspectView = 'perclass' | 'attack' | 'losses' | 'gallery';

/** Show a view through the navigation (and, for Inspect, one per-method view); waits until it is shown. */
export async function openView(page: Page, view: TopView, inspect?: InspectView): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.getByTestId(`nav-${view}`)).toHaveAttribute('aria-current', 'page');
  if (inspect) {
    await page.getByTestId(`nav-inspect-${inspect}`).click();
    await expect(page.getByTestId(`nav-inspect-${inspect}`)).toHaveAttribute('aria-current', 'page');
  }
}

/** Collect page errors and worker console errors so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * Save a viewport screenshot (the page as a visitor first sees it, 1600 px wide in these tests) scaled by
 * `scale` to keep the PNG small, e.g. for the README: the screenshot is shown downscaled in a scratch page of
 * the same browser context and captured again.
 */
export async function scaledShot(page: Page, name: string, scale: number): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const vp = page.viewportSize() ?? { width: 1600, height: 1100 };
  const png = await page.screenshot({ type: 'png' });
  const width = Math.round(vp.width * scale);
  const height = Math.round(vp.height * scale);
  const scratch = await page.context().newPage();
  try {
    await scratch.setViewportSize({ width, height });
    await scratch.setContent(
      `<html><body style="margin:0"><img id="s" style="display:block;width:${width}px;height:${height}px" src="data:image/png;base64,${png.toString('base64')}"></body></html>`,
    );
    await scratch.locator('#s').evaluate((img: HTMLImageElement) => img.decode());
    const path = join(ARTIFACTS, `${name}.png`);
    await scratch.screenshot({ path, type: 'png' });
    return path;
  } finally {
    await scratch.close();
  }
}
