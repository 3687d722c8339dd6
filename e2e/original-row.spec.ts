import { expect, test } from '@playwright/test';
import { SMOKE, openView, waitReady } from './helpers';

/** Issue 20 item 2: the summary table shows the untouched original model (pretrain.metrics) as its own row. */
function resultJson(withOriginal: boolean) {
  const metrics = (forgetAcc: number) => ({ retainAcc: 90, forgetAcc, testAcc: 60, mia: 55, lossMia: 52 });
  const method = (name: string, forgetAcc: number) => ({
    name,
    withDC: false,
    round: 0,
    unlearnSeconds: 1.5,
    overheadSeconds: 0,
    metrics: metrics(forgetAcc),
    curve: [],
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
    pretrain: {
      seconds: 1,
      testAcc: 61.5,
      trainAcc: 80,
      reused: false,
      ...(withOriginal ? { metrics: { retainAcc: 80, forgetAcc: 78.5, testAcc: 61.5, mia: 57, lossMia: 54 } } : {}),
    },
    methods: [method('Retrain', 0), method('A-CF', 4)],
  };
  return { name: 'result.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(r)) };
}

test('the summary table has an "Original (no unlearning)" row from the original model’s metrics', async ({ page }) => {
  await page.goto(`./${SMOKE}&view=runs`);
  await waitReady(page);
  const input = page.getByTestId('import-json-input');
  await input.setInputFiles(resultJson(true));
  await openView(page, 'run');
  const row = page.getByTestId('summary-original');
  await expect(row).toContainText('Original (no unlearning)');
  // forget accuracy 78.5 against Retrain's 0: the gap is shown like every other row's
  await expect(row).toContainText('78.5');
  await expect(row).toContainText('+78.5');
  await expect(page.getByTestId('summary')).toContainText('original does not memorise (train 80.0 %)');
  // a result without the original's metrics has no such row
  await openView(page, 'runs');
  await input.setInputFiles(resultJson(false));
  await openView(page, 'run');
  await expect(page.getByTestId('summary-table')).toContainText('A-CF');
  await expect(row).toHaveCount(0);
});
