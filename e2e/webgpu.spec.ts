import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * WebGPU proven in CI: headless Chromium's software adapter (SwiftShader, allowed by the diagnostic `swgpu=1`)
 * runs the backend self-check, the WebGPU diagnostics (AddN of many inputs — fails with tfjs' stock kernel —
 * and the filter gradient against a direct reference) and a shrunk smoke experiment, compared with a WASM run of
 * the same spec. Writes results/webgpu.json (rows webgpu.selfcheck_rel_err, webgpu.smoke_max_metric_diff).
 *
 * The spec is the smoke preset shrunk for SwiftShader (~50× slower than WASM): 10 train / 10 test images per class,
 * 1 pretraining epoch, CF and A-CF without condensation, no curves.
 */
const SPEC = 'preset=smoke&tpc=10&xpc=10&pe=1&m=CF,A-CF&arms=without&dc=0&cv=0';

/** Per-step losses: |webgpu − wasm| / |wasm| over the first pretraining steps (float32 on two backends). */
const STEP_REL_TOL = 1e-3;
const FIRST_STEPS = 4;

type StepLoss = { stage: string; label?: string; epoch: number; step: number; loss: number };
type Metrics = { retainAcc: number; forgetAcc: number; testAcc: number; mia: number };
type Result = {
  env: { backend: string };
  split: { retainSize: number; forgetSize: number; testEvalSize: number };
  pretrain: { testAcc: number; reused: boolean };
  methods: Array<{ name: string; withDC: boolean; metrics: Metrics }>;
};

async function runSpec(browser: Browser, baseURL: string, be: string, diagnose: (p: Page) => Promise<void>) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1100 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`./?${SPEC}&${be}`);
    await expect(page.getByTestId('backend-name')).toHaveText(/^(wasm|webgl|webgpu|cpu)$/, { timeout: 150_000 });
    await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 150_000 });
    await diagnose(page);
    await page.getByTestId('btn-compare').click();
    await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 60_000 });
    await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 300_000 });
    await expect(page.getByTestId('command-error')).toHaveCount(0);
    await page.getByTestId('nav-runs').click(); // export lives in the Runs view
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export-json').click()]);
    const path = test.info().outputPath(`result-${be.replace(/[^a-z0-9]+/gi, '_')}.json`);
    await dl.saveAs(path);
    const result = JSON.parse(readFileSync(path, 'utf8')) as Result;
    const steps = (await page.evaluate(
      () => (globalThis as { __labStepLosses?: unknown }).__labStepLosses ?? [],
    )) as StepLoss[];
    expect(errors).toEqual([]);
    return { result, steps };
  } finally {
    await context.close();
  }
}

test('WebGPU (software adapter): self-check, AddN fix, filter gradient, smoke = WASM', async ({ browser }, info) => {
  test.setTimeout(600_000);
  const baseURL = info.project.use.baseURL!;
  let selfCheckRelErr = NaN;
  let adapter = '';
  let diag: Record<string, unknown> = {};

  const gpu = await runSpec(browser, baseURL, 'be=webgpu&swgpu=1', async (page) => {
    await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
    await expect(page.getByTestId('self-check')).toContainText('✓');
    adapter = (await page.getByTestId('gpu-adapter').innerText()).trim();
    expect(adapter).toMatch(/software/);
    await page.getByTestId('gpu-diag-box').locator('summary').click();
    await page.getByTestId('btn-gpu-diagnose').click();
    await expect(page.getByTestId('gpu-diag')).toContainText('"filterGrad"', { timeout: 120_000 });
    diag = JSON.parse(await page.getByTestId('gpu-diag').innerText()) as Record<string, unknown>;
    const sc = diag.selfCheck as { ok: boolean; gradRelErr: number; lossDiff: number };
    expect(sc.ok).toBe(true);
    selfCheckRelErr = sc.gradRelErr;
    expect(selfCheckRelErr).toBeLessThan(1e-3);
    // AddN: correct with the fix for every size, including 12 inputs
    type AddN = { n: number; fixedErr: number; fixedErrors: string[]; stockErr: number; stockErrors: string[] };
    const addN = diag.addN as AddN[];
    expect(addN.map((a) => a.n)).toContain(12);
    for (const a of addN) {
      expect(a.fixedErrors, `addN of ${a.n} tensors: device errors`).toEqual([]);
      expect(a.fixedErr, `addN of ${a.n} tensors`).toBeLessThan(1e-5);
    }
    // … and tfjs' stock kernel (what runs when the fix is reverted) really fails on 12 inputs here: wrong sum or
    // device errors (SwiftShader allows 10 storage buffers per stage; the stock kernel needs 13)
    const twelve = addN.find((a) => a.n === 12)!;
    const stockFailed = !(twelve.stockErr < 1e-3) || twelve.stockErrors.length > 0;
    expect(stockFailed, `stock addN of 12: err ${twelve.stockErr}`).toBe(true);
    expect(!(twelve.stockErr < 1e-3), `stock addN of 12 returned the right sum: ${twelve.stockErr}`).toBe(true);
    for (const f of diag.filterGrad as Array<{ shape: string; convRelErr: number; stockRelErr: number }>) {
      expect(f.convRelErr, f.shape).toBeLessThan(1e-5);
      expect(f.stockRelErr, f.shape).toBeLessThan(1e-5);
    }
    // the device panel still says webgpu: the muted stock-AddN probe did not trigger the WASM fallback
    await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  });
  const cpu = await runSpec(browser, baseURL, 'be=wasm', async (page) => {
    await expect(page.getByTestId('backend-name')).toHaveText('wasm');
    // the page's WASM backend runs the lab's SIMD filter-gradient kernel (issue 24), checked by the self-check
    await expect(page.getByTestId('backend-reasons')).toContainText('wasm filter gradient: simd (self-check ran simd)');
  });

  expect(gpu.result.env.backend).toBe('webgpu');
  expect(cpu.result.env.backend).toBe('wasm');
  expect(gpu.result.pretrain.reused).toBe(false);
  expect(cpu.result.pretrain.reused).toBe(false);

  // per-step losses over the first pretraining steps
  const first = (s: StepLoss[]) => s.filter((x) => x.stage === 'pretrain' && x.epoch === 1).slice(0, FIRST_STEPS);
  const a = first(gpu.steps),
    b = first(cpu.steps);
  expect(a.length).toBe(FIRST_STEPS);
  expect(b.map((x) => x.step)).toEqual(a.map((x) => x.step));
  let maxStepRel = 0;
  a.forEach((x, i) => {
    maxStepRel = Math.max(maxStepRel, Math.abs(x.loss - b[i].loss) / Math.max(1e-6, Math.abs(b[i].loss)));
  });
  expect(maxStepRel, `per-step losses ${a.map((x) => x.loss)} vs ${b.map((x) => x.loss)}`).toBeLessThan(STEP_REL_TOL);

  // final metrics: each within two images' worth of the set it is measured on (forget set for the MIA)
  const sp = cpu.result.split;
  const tol: Record<keyof Metrics, number> = {
    retainAcc: 200 / sp.retainSize,
    forgetAcc: 200 / sp.forgetSize,
    testAcc: 200 / sp.testEvalSize,
    mia: 200 / sp.forgetSize,
  };
  let maxDiff = Math.abs(gpu.result.pretrain.testAcc - cpu.result.pretrain.testAcc);
  expect(maxDiff, 'pretrain test accuracy').toBeLessThanOrEqual(tol.testAcc);
  expect(gpu.result.methods.map((m) => m.name)).toEqual(cpu.result.methods.map((m) => m.name));
  for (const [i, m] of gpu.result.methods.entries()) {
    const r = cpu.result.methods[i];
    for (const k of Object.keys(tol) as Array<keyof Metrics>) {
      const d = Math.abs(m.metrics[k] - r.metrics[k]);
      maxDiff = Math.max(maxDiff, d);
      expect(d, `${m.name} ${k}: webgpu ${m.metrics[k]} vs wasm ${r.metrics[k]}`).toBeLessThanOrEqual(tol[k]);
    }
  }

  const setting = `${adapter}; headless Chromium, swgpu=1; spec ${SPEC}`;
  const rows = [
    {
      id: 'webgpu.selfcheck_rel_err',
      value: selfCheckRelErr,
      unit: 'rel',
      setting,
      note:
        'self-check: ConvNet-3 w4 loss and gradients vs the CPU backend (max over parameters of ' +
        '‖g−g_cpu‖/‖g_cpu‖)',
    },
    {
      id: 'webgpu.smoke_max_metric_diff',
      value: maxDiff,
      unit: 'points',
      setting,
      note:
        `largest |webgpu − wasm| over pretrain test acc and every method's retain/forget/test acc and MIA; ` +
        `first ${FIRST_STEPS} pretraining step losses within ${maxStepRel.toExponential(1)} relative`,
    },
  ];
  mkdirSync(join(process.cwd(), 'results'), { recursive: true });
  writeFileSync(
    join(process.cwd(), 'results', 'webgpu.json'),
    JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        backend: 'webgpu',
        adapter,
        diagnosis: diag,
        rows,
      },
      null,
      2,
    ) + '\n',
  );
});

test('a real WebGPU device error switches the lab to WASM with a visible reason', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`./?${SPEC}&be=webgpu&swgpu=1`);
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu', { timeout: 150_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 150_000 });
  await page.getByTestId('gpu-diag-box').locator('summary').click();
  await page.getByTestId('btn-gpu-provoke').click();
  await expect(page.getByTestId('backend-name')).toHaveText('wasm', { timeout: 120_000 });
  await expect(page.getByTestId('backend-notice')).toContainText(/WebGPU error: .*storage buffers/);
  await expect(page.getByTestId('backend-notice')).toContainText('fell back to WASM');
  await expect(page.getByTestId('backend-reasons')).toContainText('webgpu: WebGPU error');
  // the lab keeps working on WASM
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 60_000 });
  await page.getByTestId('btn-compare').click();
  await expect(page.getByTestId('run-status')).toContainText('running', { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('idle', { timeout: 240_000 });
  await expect(page.getByTestId('command-error')).toHaveCount(0);
  await expect(page.getByTestId('summary-row-A-CF')).toBeVisible();
});
