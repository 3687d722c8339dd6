/**
 * `npm run gpu-check [-- --data DIR] [--out results/gpu] [--minutes 10]`
 *
 * One command for a GPU machine (Node + WebGPU through Dawn, see node-webgpu.ts), in ≤ `--minutes` (default 10):
 *  1. names the adapter (or fails at once with one line "no GPU adapter: …", e.g. when the host's Vulkan loader
 *     libvulkan.so.1 is missing or only a software adapter exists);
 *  2. the backend self-check against the CPU backend, the kernel choice by measurement, and the WebGPU diagnostics
 *     (AddN of many inputs, the filter gradient against a direct reference);
 *  3. the bench's core rows (ConvNet-3 w128 / ResNet-18 w64, batch 64, train + inference) on the GPU, and the
 *     `gpu.*` rows (gpu.convnet3.train_img_per_s, gpu.resnet18w64.train_img_per_s, gpu.blend.batched_speedup);
 *  4. a ConvNet-3 cell (quick preset's methods, width 128) on all the CIFAR-10 found in `--data` (a subset packed
 *     with `npm run datasets -- --subset N --out DIR`), epochs reduced to fit the time left.
 * Writes results/gpu/gpu-check.json, bench.json + bench.md (rows), cell-convnet3.json + .md.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { findNodeGpuAdapter } from './node-webgpu';
import { labVersions, machineInfo, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';
import { diagnoseWebGPU, getPreset, markdownReport, mergeSpec, selfCheck, validateSpec } from '../core';
import type { BenchRow, ExperimentResult } from '../core';

const log = (m: string) => console.log(`[gpu-check ${((performance.now() - T0) / 1000).toFixed(0)} s] ${m}`);
const T0 = performance.now();

function defaultDataDir(): string {
  for (const d of ['gpu-data', 'public/datasets']) if (existsSync(`${d}/cifar10/manifest.json`)) return d;
  return 'public/datasets';
}

export const GPU_CHECK_CLI = defineCli({
  name: 'gpu-check',
  summary: 'Adapter, self-check, kernel choice, GPU bench rows and a ConvNet-3 cell on WebGPU (Dawn) in Node.',
  options: {
    data: { type: 'string', arg: 'DIR', help: 'prepared datasets (default gpu-data, else public/datasets)' },
    out: { type: 'string', arg: 'DIR', default: 'results/gpu', help: 'where the JSON and Markdown go' },
    minutes: { type: 'string', arg: 'N', default: '10', help: "time budget; the cell's epochs shrink to fit" },
    'skip-cell': { type: 'boolean', help: 'skip step 4 (the ConvNet-3 cell)' },
    'dry-run': { type: 'boolean', help: 'every step on WASM, tiny budgets, rows marked DRY RUN (tests this on a CPU)' },
  },
});

async function main(): Promise<number> {
  const values = parseCli(GPU_CHECK_CLI);
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes: expected a positive number, got "${values.minutes}"`);
  const deadline = T0 + minutes * 60_000;
  const left = () => (deadline - performance.now()) / 1000;
  const dry = !!values['dry-run'];
  const out = values.out === 'results/gpu' && dry ? 'results/gpu-dry-run' : values.out!;
  const dataDir = values.data ?? defaultDataDir();

  // 1. the adapter
  const adapter = dry
    ? { name: 'DRY RUN on WASM (no GPU)', software: null, limits: {} as Record<string, number> }
    : await findNodeGpuAdapter(false);
  log(`adapter: ${adapter.name} (storage buffers per stage ${adapter.limits.maxStorageBuffersPerShaderStage ?? '?'})`);

  // 2. backend, self-check, kernel choice, diagnostics
  const info = await initNodeBackend(dry ? 'wasm' : 'webgpu');
  if (dry) {
    const sc = await selfCheck('wasm');
    info.selfCheck = { gradRelErr: sc.gradRelErr, lossDiff: sc.lossDiff };
  }
  const sc = info.selfCheck;
  log(
    `self-check vs CPU: gradient rel. error ${sc?.gradRelErr.toExponential(2)}, ` +
      `|Δloss| ${sc?.lossDiff.toExponential(2)}`,
  );
  if (info.tuning) log(`kernels: ${info.tuning}`);
  if (info.missing.length) log(`missing kernels: ${info.missing.join(', ')}`);
  const diag = await diagnoseWebGPU();
  for (const a of diag.addN) {
    log(
      `addN of ${a.n}: fixed err ${a.fixedErr.toExponential(1)}, tfjs stock err ${a.stockErr} ` +
        `(${a.stockErrors.length} device errors)`,
    );
  }
  for (const f of diag.filterGrad) {
    log(`filter gradient ${f.shape}: conv ${f.convRelErr.toExponential(1)}, stock ${f.stockRelErr.toExponential(1)}`);
  }
  const diagOk =
    diag.addN.every((a) => a.fixedErr < 1e-4 && a.fixedErrors.length === 0) &&
    diag.filterGrad.every((f) => f.convRelErr < 1e-4);

  const setting = dry
    ? `DRY RUN on ${info.backend}, not a GPU measurement`
    : `${adapter.name}; Node + Dawn (npm webgpu), tfjs ${tf.version.tfjs} webgpu`;
  const rows: BenchRow[] = [];
  const doc: Record<string, unknown> = {
    createdAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: await labVersions(),
    adapter: adapter.name,
    limits: adapter.limits,
    selfCheck: info.selfCheck,
    tuning: info.tuning,
    diagnosis: diag,
    diagnosisOk: diagOk,
    rows,
  };
  const save = async () => {
    await writeAtomic(`${out}/gpu-check.json`, JSON.stringify(doc, null, 2) + '\n');
    await writeAtomic(`${out}/bench.md`, rowsMarkdown(`GPU check on ${adapter.name}`, rows));
    const bench = { createdAt: doc.createdAt, backend: info.backend, adapter: adapter.name, rows };
    await writeAtomic(`${out}/bench.json`, JSON.stringify(bench, null, 2) + '\n');
  };
  await save();

  // 3. core rows on the GPU, then the gpu.* rows
  const { benchCore } = await import('./bench-core');
  const core = await benchCore({
    steps: dry ? 1 : 10,
    warmup: dry ? 0 : 2,
    batchSize: dry ? 4 : 64,
    compareNaive: false,
    log,
  });
  for (const r of core) rows.push({ ...r, setting: `${r.setting}; ${setting}` });
  const pick = (id: string) => core.find((r) => r.id === id);
  const cn = pick('core.convnet3.train_img_per_s'),
    rn = pick('core.resnet18w64.train_img_per_s');
  for (const [id, r] of [
    ['gpu.convnet3.train_img_per_s', cn],
    ['gpu.resnet18w64.train_img_per_s', rn],
  ] as const) {
    if (r) rows.push({ id, value: r.value, unit: 'img/s', target: null, setting: `${r.setting}; ${setting}` });
  }
  await save();
  log(`core rows: ${core.map((r) => `${r.id} ${r.value}`).join(', ')}`);

  let dataset: Awaited<ReturnType<typeof import('./dataset-node').loadDatasetNode>> | null = null;
  try {
    dataset = await (await import('./dataset-node')).loadDatasetNode('cifar10', { dir: dataDir });
    log(`CIFAR-10 from ${dataDir}: ${dataset.train.n} train / ${dataset.test.n} test images`);
  } catch (e) {
    log(`no CIFAR-10 in ${dataDir} (${(e as Error).message}); skipping the Blend row and the cell`);
  }
  if (dataset && left() > 120) {
    const { benchCondense } = await import('./bench-condense');
    const b = await benchCondense({ only: 'blend.batched_speedup', dataset, blendIters: dry ? 2 : 10, log });
    for (const r of b) {
      if (r.id !== 'blend.batched_speedup') continue;
      rows.push({ ...r, id: 'gpu.blend.batched_speedup', target: null, setting: `${r.setting}; ${setting}` });
    }
    await save();
  }

  // 4. a ConvNet-3 cell on all the CIFAR-10 brought along, epochs from the time left
  if (dataset && !values['skip-cell'] && left() > 60 && cn) {
    const budget = left() - 30;
    const n = dataset.train.n;
    // pretraining gets ~1/5 of the budget; Retrain (100 paper epochs × scale) about as much
    const e = dry ? 1 : Math.max(1, Math.min(30, Math.floor((0.2 * budget * cn.value) / n)));
    const base = getPreset('quick').spec;
    const spec = validateSpec(
      mergeSpec(base, {
        dataset: 'cifar10',
        trainPerClass: 0,
        testPerClass: 0,
        model: { arch: 'convnet3', width: 128 },
        pretrain: { epochs: e, warmup: Math.min(1, e - 1) },
        condense: { netWidth: 128 },
        unlearn: { epochScale: Math.min(0.3, Math.max(0.01, e / 100)) },
        ...(dry
          ? {
              model: { arch: 'convnet3' as const, width: 8 },
              condense: { netWidth: 8, ipc: 4, iterations: 2 },
              unlearn: { epochScale: 0.01, methods: ['CF' as const, 'A-CF' as const] },
            }
          : {}),
      }),
    );
    log(
      `cell: ConvNet-3 w${spec.model.width} on ${n} images, pretrain ${e} epochs, baseline epoch scale ` +
        `${spec.unlearn.epochScale}, ${Math.round(budget)} s left`,
    );
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(1, left() - 10) * 1000);
    const { runExperimentNode } = await import('./experiment');
    let result: ExperimentResult | null = null;
    try {
      result = await runExperimentNode({ spec, signal: ac.signal, log, dataDir });
    } catch (err) {
      log(`cell stopped: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (result) {
      await writeAtomic(`${out}/cell-convnet3.json`, JSON.stringify(result, null, 2) + '\n');
      await writeAtomic(`${out}/cell-convnet3.md`, markdownReport(result));
      doc.cell = {
        seconds: result.env.seconds,
        pretrainEpochs: e,
        trainImages: n,
        pretrainTestAcc: result.pretrain.testAcc,
        methods: result.methods.map((m) => ({
          name: m.name,
          withDC: m.withDC,
          ...m.metrics,
          seconds: m.unlearnSeconds,
        })),
      };
      log(`cell done in ${result.env.seconds.toFixed(0)} s: pretrain test acc ${result.pretrain.testAcc.toFixed(1)} %`);
    }
  }
  doc.seconds = (performance.now() - T0) / 1000;
  await save();
  log(`wrote ${out}/gpu-check.json, bench.json, bench.md${doc.cell ? ', cell-convnet3.json/.md' : ''}`);
  return diagOk ? 0 : 3;
}

function rowsMarkdown(title: string, rows: BenchRow[]): string {
  const lines = [`# ${title}`, '', '| id | value | unit | setting | note |', '|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.id} | ${r.value.toFixed(r.value >= 100 ? 0 : 2)} | ${r.unit} | ${r.setting} | ${r.note ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}

// exit explicitly: Dawn's device keeps the event loop alive
runCli('gpu-check', main, { exitWhenDone: true });
