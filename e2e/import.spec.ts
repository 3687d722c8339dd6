import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SMOKE, openView, shot, waitReady } from './helpers';

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

/** A small, well-formed result JSON (the shape `Export JSON` writes), with two methods. */
function resultJson(
  mutate: (r: Record<string, unknown> & { methods: Array<Record<string, unknown>> }) => void = () => {},
) {
  const metrics = (forgetAcc: number) => ({ retainAcc: 90, forgetAcc, testAcc: 60, mia: 55, lossMia: 52 });
  const method = (name: string, forgetAcc: number) => ({
    name,
    withDC: false,
    round: 0,
    unlearnSeconds: 1.5,
    overheadSeconds: 0,
    metrics: metrics(forgetAcc),
    curve: [{ epoch: 1, ...metrics(forgetAcc) }],
  });
  const r = {
    spec: {
      dataset: 'synthetic',
      trainPerClass: 50,
      testPerClass: 20,
      model: { arch: 'convnet3', width: 8 },
      forget: { mode: 'class', class: 3, fraction: 0.1 },
      seed: 0,
      unlearn: { methods: ['Retrain', 'A-CF'], arms: 'without', hparams: {}, epochScale: 1 },
      rounds: 1,
      curves: true,
    },
    env: { backend: 'wasm', versions: {}, startedAt: '2026-11-29T00:00:00.000Z', seconds: 3 },
    split: { trainSize: 500, retainSize: 450, forgetSize: 50, testUsedSize: 100, testEvalSize: 100, forgetClass: 3 },
    pretrain: { seconds: 1, testAcc: 61.5, trainAcc: 80, reused: false },
    methods: [method('Retrain', 0), method('A-CF', 4)],
  };
  mutate(r as never);
  return { name: 'result.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(r)) };
}

const BROKEN: Array<[string, Parameters<typeof resultJson>[0]]> = [
  ['metrics: null', (r) => void (r.methods[1].metrics = null)],
  ['no split', (r) => void delete r.split],
];

for (const [what, mutate] of BROKEN) {
  test(`importing a result JSON with ${what} keeps the page alive and shows an error`, async ({ page }, info) => {
    await page.goto(`./${SMOKE}&view=runs`);
    await waitReady(page);
    const input = page.getByTestId('import-json-input');
    // the well-formed file shows (so what fails below is the broken field)
    await input.setInputFiles(resultJson());
    await expect(page.getByTestId('share-panel')).toContainText('Showing imported JSON');
    await openView(page, 'run');
    await expect(page.getByTestId('summary-table')).toContainText('A-CF');

    await openView(page, 'runs');
    await input.setInputFiles(resultJson(mutate));
    // either the import is refused with a message (here), or a view that cannot show it says so (in the Run view)
    const importError = page.getByTestId('import-error');
    const viewError = page.getByTestId('view-error');
    await page.waitForTimeout(500);
    if (await importError.count()) {
      await expect(importError).toContainText('Import failed');
    } else {
      await openView(page, 'run');
      await expect(viewError.first()).toBeVisible();
      await expect(viewError.first()).toContainText(/This view failed: \S/);
    }
    // the rest of the page is alive and works
    await expect(page.getByRole('heading', { name: 'Unlearning Lab' })).toBeVisible();
    await expect(page.getByTestId('btn-compare')).toBeVisible();
    await openView(page, 'setup');
    await expect(page.getByTestId('dataset-panel')).toBeVisible();
    await openView(page, 'runs');
    await expect(page.getByTestId('share-panel')).toBeVisible();
    await shot(page, info, `12-import-${what.replace(/\W+/g, '-')}`);
    await input.setInputFiles(resultJson());
    await openView(page, 'run');
    await expect(page.getByTestId('summary-table')).toContainText('Retrain');
    await expect(viewError).toHaveCount(0);
    await page.getByTestId('btn-reset').click();
    await expect(page.getByTestId('run-status')).toHaveText('idle');
  });
}
