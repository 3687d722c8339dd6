/**
 * Rows `core.convnet3.parallel_speedup`, `core.convnet3.vs_pytorch_cpu` and `core.convnet3.infer_vs_pytorch_cpu`
 * (results-format.md): ConvNet-3 w128, batch 64, measured through the REAL training path — `trainModel` (the code
 * pretraining runs; per-step loss read = synchronised per step) over an in-memory source of random images, once in
 * this thread (1 worker) and once on N worker threads — interleaved ≥ 3 times with PyTorch-CPU at all cores
 * (`python3 ../shared/bench/torch_convnet3.py --json --threads N`); medians. Inference: `predictLogits` (the
 * evaluation path) at batch 64, on the workers when N > 1. The PyTorch rows are absent when
 * neither `python3` nor `/usr/bin/python3` can `import torch`.
 * Run directly: `npx tsx src/cli/bench-parallel.ts [--workers N] [--rounds 3] [--steps 10]`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng, createModel, floatSource, predictLogits, trainModel } from '../core';
import type { BenchRow, ModelConfig, ParallelTrainer } from '../core';
import { initNodeBackend } from './node-backend';
import { createNodeParallel, nodeWorkerCount } from './parallel-node';

const CFG: ModelConfig = { arch: 'convnet3', width: 128, numClasses: 10 };
const now = () => performance.now();

export interface ParallelBenchOptions {
  workers?: number;
  rounds?: number;
  steps?: number;
  warmup?: number;
  batchSize?: number;
  log?: (m: string) => void;
  /** the PyTorch reference script (default ../shared/bench/torch_convnet3.py from the repository root) */
  torchScript?: string;
}

/** Training images/s of `trainModel` over `steps` timed steps after `warm` steps (time between step reports). */
export async function trainRate(p: ParallelTrainer | null, bs: number, steps: number, warm: number): Promise<number> {
  const rng = new Rng('bench-parallel');
  const n = bs * (steps + warm);
  const source = floatSource(
    rng.uniformArray(n * 32 * 32 * 3, -2, 2),
    Int32Array.from({ length: n }, () => rng.int(10)),
  );
  const model = createModel(CFG, rng.fork('model'));
  let tStart = NaN,
    tEnd = NaN;
  try {
    await trainModel({
      model,
      source,
      epochs: 1,
      batchSize: bs,
      schedule: 'constant',
      parallel: p,
      rng: rng.fork('shuffle'),
      optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
      onProgress: (s) => {
        if (s.step === warm) tStart = now();
        if (s.step === steps + warm) tEnd = now();
      },
    });
  } finally {
    model.dispose();
  }
  return (bs * steps) / ((tEnd - tStart) / 1000);
}

/** Inference images/s of `predictLogits` at batch `bs` (the evaluation path). */
export async function inferRate(p: ParallelTrainer | null, bs: number, batches: number): Promise<number> {
  const rng = new Rng('bench-parallel-infer');
  const n = bs * batches;
  const source = floatSource(
    rng.uniformArray(n * 32 * 32 * 3, -2, 2),
    Int32Array.from({ length: n }, () => rng.int(10)),
  );
  const model = createModel(CFG, rng.fork('model'));
  try {
    await predictLogits(model, source, {
      batchSize: bs,
      positions: Int32Array.from({ length: bs * 2 }, (_, i) => i),
      parallel: p,
    });
    const t0 = now();
    await predictLogits(model, source, { batchSize: bs, parallel: p });
    return n / ((now() - t0) / 1000);
  } finally {
    model.dispose();
  }
}

interface TorchRun {
  threads: number;
  train_img_per_s: number;
  infer_img_per_s: number;
}

/** One PyTorch measurement at `threads` threads, or a reason why not. */
function torchOnce(python: string, script: string, threads: number): TorchRun | string {
  const r = spawnSync(python, [script, '--json', '--threads', String(threads)], { encoding: 'utf8', timeout: 300_000 });
  if (r.error) return `${python}: ${r.error.message}`;
  if (r.status !== 0) return `torch_convnet3.py exited ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`;
  try {
    const doc = JSON.parse(r.stdout.trim().split('\n').pop()!) as { runs: TorchRun[] };
    const run = doc.runs.find((x) => x.threads === threads);
    return run ?? 'no run at the requested thread count';
  } catch (e) {
    return `unreadable output (${(e as Error).message})`;
  }
}

/**
 * The Python that imports torch: `python3` on the PATH, else Debian's `/usr/bin/python3` (python3-torch installs
 * there; a pyenv/venv python3 first on the PATH does not see it). A string = why there is none.
 */
export function findTorchPython(): { python: string } | string {
  const why: string[] = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (!r.error && r.status === 0) return { python };
    why.push(
      `${python}: ${r.error ? r.error.message : ((r.stderr || '').trim().split('\n').pop() ?? 'import torch failed')}`,
    );
  }
  return why.join('; ');
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r2 = (v: number) => Math.round(v * 100) / 100;

export async function benchParallel(opts: ParallelBenchOptions = {}): Promise<BenchRow[]> {
  const info = await initNodeBackend();
  const N = opts.workers ?? nodeWorkerCount();
  const rounds = Math.max(1, opts.rounds ?? 3);
  const steps = opts.steps ?? 10,
    warm = opts.warmup ?? 2,
    bs = opts.batchSize ?? 64;
  const log = opts.log ?? (() => {});
  const cores = nodeWorkerCount();
  // ../shared relative to the repository root; LAB_TORCH_SCRIPT overrides (e.g. a worktree without ../shared)
  const script =
    opts.torchScript ??
    process.env.LAB_TORCH_SCRIPT ??
    fileURLToPath(new URL('../../../shared/bench/torch_convnet3.py', import.meta.url));
  const found = existsSync(script) ? findTorchPython() : `${script} not found`;
  const noTorch = typeof found === 'string' ? found : null;
  if (noTorch) log(`PyTorch rows skipped: ${noTorch}`);
  const par = N > 1 ? createNodeParallel(N) : null;
  const one: number[] = [],
    many: number[] = [],
    infer: number[] = [],
    tTrain: number[] = [],
    tInfer: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      one.push(await trainRate(null, bs, steps, warm));
      if (par) many.push(await trainRate(par, bs, steps, warm));
      infer.push(await inferRate(par, bs, steps * 2));
      if (!noTorch) {
        const t = torchOnce((found as { python: string }).python, script, cores);
        if (typeof t === 'string') throw new Error(`PyTorch reference failed: ${t}`);
        tTrain.push(t.train_img_per_s);
        tInfer.push(t.infer_img_per_s);
      }
      log(
        `round ${r + 1}/${rounds}: lab 1 worker ${one[r].toFixed(1)}, ${N} workers ${(many[r] ?? one[r]).toFixed(1)} train img/s, ` +
          `infer ${infer[r].toFixed(1)}${noTorch ? '' : `; PyTorch ${cores} threads train ${tTrain[r]}, infer ${tInfer[r]}`}`,
      );
    }
  } finally {
    await par?.dispose();
  }
  const labTrain = median(par ? many : one),
    labInfer = median(infer);
  const env = `${info.backend}${info.simd ? ' SIMD' : ''}; ${cores} cores (${os.cpus()[0]?.model ?? '?'}); load avg ${os.loadavg()[0].toFixed(1)}`;
  const path = `trainModel over random images, batch ${bs}, SGD, ${steps} timed steps after ${warm}, per-step loss read`;
  const rows: BenchRow[] = [];
  if (par) {
    rows.push({
      id: 'core.convnet3.parallel_speedup',
      value: r2(median(many) / median(one)),
      unit: 'x',
      target: 1.7,
      setting: `ConvNet-3 w128, ${N} worker threads vs 1 (in-thread), ${path}; median of ${rounds} interleaved rounds`,
      note: `1 worker ${median(one).toFixed(1)} img/s (${one.map((v) => v.toFixed(1)).join(', ')}); ${N} workers ${median(many).toFixed(1)} img/s (${many.map((v) => v.toFixed(1)).join(', ')}); ${env}`,
    });
  }
  if (!noTorch) {
    rows.push({
      id: 'core.convnet3.vs_pytorch_cpu',
      value: r2(labTrain / median(tTrain)),
      unit: 'x',
      target: 1.3,
      setting: `ConvNet-3 w128 training, lab at ${N} worker${N > 1 ? 's' : ''} (${path}) ÷ PyTorch-CPU ${cores} threads (torch_convnet3.py); medians of ${rounds} interleaved rounds`,
      note: `lab ${labTrain.toFixed(1)} img/s; PyTorch ${median(tTrain).toFixed(1)} img/s (${tTrain.join(', ')}); ${env}`,
    });
    rows.push({
      id: 'core.convnet3.infer_vs_pytorch_cpu',
      value: r2(labInfer / median(tInfer)),
      unit: 'x',
      target: null,
      setting: `ConvNet-3 w128 inference, lab predictLogits batch ${bs} at ${N} worker${N > 1 ? 's' : ''} ÷ PyTorch-CPU ${cores} threads (no_grad); medians of ${rounds} interleaved rounds`,
      note: `lab ${labInfer.toFixed(1)} img/s (${infer.map((v) => v.toFixed(1)).join(', ')}); PyTorch ${median(tInfer).toFixed(1)} img/s (${tInfer.join(', ')}); ${env}`,
    });
  }
  return rows;
}

const isMain = typeof process !== 'undefined' && process.argv[1] && /bench-parallel\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({
    options: { workers: { type: 'string' }, rounds: { type: 'string' }, steps: { type: 'string' } },
  });
  const rows = await benchParallel({
    workers: values.workers ? Number(values.workers) : undefined,
    rounds: values.rounds ? Number(values.rounds) : undefined,
    steps: values.steps ? Number(values.steps) : undefined,
    log: (m) => console.error(m),
  });
  console.log(JSON.stringify(rows, null, 2));
}
