import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { SMOKE, openView, waitReady, type InspectView, type TopView } from './helpers';

/**
 * Automated accessibility check (axe-core, every rule it runs by default, none switched off): the page must have
 * no serious or critical violation, both as first opened and after a smoke Compare has filled every view.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const lines = violations.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} — ${v.nodes
        .slice(0, 5)
        .map((n) => n.target.join(' '))
        .join(' | ')}`,
  );
  // the lesser ones are kept in the report for whoever wants to fix them next
  await test.info().attach('axe-violations.txt', { body: lines.join('\n') || 'none', contentType: 'text/plain' });
  return lines.filter((l) => /^(serious|critical) /.test(l));
}

test('no serious or critical axe violations on the initial page', async ({ page }) => {
  await page.goto(`./${SMOKE}`);
  await waitReady(page);
  expect(await seriousViolations(page)).toEqual([]);
});

test('no serious or critical axe violations after a smoke Compare; the curve tabs work from the keyboard', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(`./${SMOKE}&m=Retrain,CF,A-CF&arms=both&autorun=1`);
  await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await expect(page.getByTestId('summary-row-A-CF')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  // every other view, filled by the same run
  const views: Array<[TopView, InspectView?]> = [
    ['setup'],
    ['inspect', 'perclass'],
    ['inspect', 'attack'],
    ['inspect', 'losses'],
    ['inspect', 'gallery'],
    ['runs'],
    ['paper'],
  ];
  for (const [top, sub] of views) {
    await openView(page, top, sub);
    expect(await seriousViolations(page), `${top}${sub ? `/${sub}` : ''}`).toEqual([]);
  }
  await openView(page, 'run');

  // ARIA tabs: one tab in the Tab order, arrows move the selection, the panel is labelled by the selected tab
  const list = page.getByTestId('chart-curves').getByRole('tablist');
  await expect(list).toHaveAttribute('aria-label', /\S/);
  const tabs = list.getByRole('tab');
  const n = await tabs.count();
  expect(n).toBeGreaterThanOrEqual(2);
  const states = await tabs.evaluateAll((els) => els.map((e) => [e.getAttribute('aria-selected'), e.tabIndex]));
  const sel = states.findIndex(([s]) => s === 'true');
  expect(sel).toBeGreaterThanOrEqual(0);
  expect(states.filter(([s]) => s === 'true')).toHaveLength(1);
  expect(states.map(([, t]) => t)).toEqual(states.map((_, i) => (i === sel ? 0 : -1)));
  const next = (sel + 1) % n;
  await tabs.nth(sel).focus();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.nth(next)).toBeFocused();
  await expect(tabs.nth(next)).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.nth(next)).toHaveAttribute('tabindex', '0');
  await expect(tabs.nth(sel)).toHaveAttribute('aria-selected', 'false');
  await expect(tabs.nth(sel)).toHaveAttribute('tabindex', '-1');
  const panel = page.getByTestId('chart-curves').getByRole('tabpanel');
  await expect(panel).toHaveAttribute('aria-labelledby', (await tabs.nth(next).getAttribute('id')) ?? '');
  expect(await tabs.nth(next).getAttribute('aria-controls')).toBe(await panel.getAttribute('id'));
  await page.keyboard.press('ArrowLeft');
  await expect(tabs.nth(sel)).toBeFocused();
  await expect(tabs.nth(sel)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(tabs.nth(n - 1)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.nth(0)).toBeFocused();
  await expect(tabs.nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(tabs.nth(0)).toHaveAttribute('aria-selected', 'true');

  // canvases are images with a text alternative
  for (const c of await page.locator('canvas').all()) {
    await expect(c).toHaveAttribute('role', 'img');
    await expect(c).toHaveAttribute('aria-label', /\S/);
  }
});
