/**
 * Core throughput benchmark (results-format.md rows `core.*`): ConvNet-3 (width 128) and ResNet-18 (width 64),
 * batch 64, training images/s (forward + backward + SGD step) and inference images/s on the Node backend.
 * Run directly: `npx tsx src/cli/bench-core.ts [--steps N] [--no-naive] [--profile [--resnet]]`.
 * Values are wall-clock rates; notes add the rate per CPU-second of this process (robust to other load) and
 * the naive path's rates measured in the same run.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../core';
import { makeOptimizer, meanCrossEntropy } from '../core';
import { Rng } from '../core';
import type { ModelConfig } from '../core';
import os from 'node:os';
import { initNodeBackend } from './node-backend';
import { setFusedOps } from '../core';
import { setFilterGradImpl } from '../core';
import type { BenchRow } from '../core';

const now = () => performance.now();
/** process CPU seconds (user+system): insensitive to other processes competing for the cores */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface Rate {
  /** images per wall-clock second */
  wall: number;
  /** images per CPU second of this process (≈ the wall rate on an otherwise idle core) */
  cpu: number;
}

export interface CoreBenchOptions {
  /** timed steps per measurement (default 10 for ConvNet-3, 4 for ResNet-18) */
  steps?: number;
  warmup?: number;
  batchSize?: number;
  log?: (m: string) => void;
  /** also measure the naive path (plain tfjs ops, conv-formulated dW) for the note (default true) */
  compareNaive?: boolean;
}

function randomBatch(rng: Rng, n: number, classes: number) {
  const x = tf.tensor4d(rng.uniformArray(n * 32 * 32 * 3, -2, 2), [n, 32, 32, 3]);
  const y = Int32Array.from({ length: n }, () => rng.int(classes));
  return { x, y };
}

/** Images/s of `step` (one batch of `bs` images): `warm` untimed calls, then `steps` timed (total time). */
async function timeRate(step: () => Promise<void>, bs: number, steps: number, warm: number): Promise<Rate> {
  for (let i = 0; i < warm; i++) await step();
  const t0 = now(),
    c0 = cpuNow();
  for (let i = 0; i < steps; i++) await step();
  return { wall: (bs * steps) / ((now() - t0) / 1000), cpu: (bs * steps) / (cpuNow() - c0) };
}

/** Training images/s of `cfg` at batch `bs`: `warm` untimed steps, then `steps` timed (median of per-step rates is not used: total time). */
export async function measureTrain(cfg: ModelConfig, bs: number, steps: number, warm: number): Promise<number> {
  return (await measureTrainRate(cfg, bs, steps, warm)).wall;
}

export async function measureTrainRate(cfg: ModelConfig, bs: number, steps: number, warm: number): Promise<Rate> {
  const rng = new Rng('bench');
  const model = createModel(cfg, rng.fork('model'));
  const opt = makeOptimizer({ kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }, model.params);
  const { x, y } = randomBatch(rng, bs, cfg.numClasses);
  const vars = model.params.map((p) => p.variable);
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => meanCrossEntropy(model.apply(x), y), vars);
    opt.apply(grads);
    tf.dispose(grads);
    await value.data();
    value.dispose();
  };
  try {
    return await timeRate(step, bs, steps, warm);
  } finally {
    x.dispose();
    opt.dispose();
    model.dispose();
  }
}

export async function measureInfer(cfg: ModelConfig, bs: number, steps: number, warm: number): Promise<number> {
  return (await measureInferRate(cfg, bs, steps, warm)).wall;
}

export async function measureInferRate(cfg: ModelConfig, bs: number, steps: number, warm: number): Promise<Rate> {
  const rng = new Rng('bench');
  const model = createModel(cfg, rng.fork('model'));
  const { x } = randomBatch(rng, bs, cfg.numClasses);
  const step = async () => {
    const z = model.apply(x);
    await z.data();
    z.dispose();
  };
  try {
    return await timeRate(step, bs, steps, warm);
  } finally {
    x.dispose();
    model.dispose();
  }
}

export async function benchCore(opts: CoreBenchOptions = {}): Promise<BenchRow[]> {
  const info = await initNodeBackend();
  const bs = opts.batchSize ?? 64;
  const warm = opts.warmup ?? 2;
  const log = opts.log ?? (() => {});
  const compare = opts.compareNaive ?? true;
  const load = os.loadavg()[0];
  const env = `${info.backend}${info.simd ? ' SIMD' : ''}${info.threads ? ' threads' : ', 1 thread'}; random inputs; load avg ${load.toFixed(1)} on ${os.cpus().length} cores`;
  const rows: BenchRow[] = [];
  const fmt = (r: Rate) => `${r.wall.toFixed(1)} img/s wall, ${r.cpu.toFixed(1)} per CPU-second`;
  /** optimised path (fused IN kernels, auto dW) and, for comparison, the naive one (plain tfjs ops, conv-formulated dW) */
  const both = async (f: () => Promise<Rate>): Promise<{ opt: Rate; naive?: Rate }> => {
    setFusedOps(true);
    setFilterGradImpl('auto');
    const opt = await f();
    if (!compare) return { opt };
    setFusedOps(false);
    setFilterGradImpl('conv');
    try {
      return { opt, naive: await f() };
    } finally {
      setFusedOps(true);
      setFilterGradImpl('auto');
    }
  };
  const note = (r: { opt: Rate; naive?: Rate }) =>
    `${fmt(r.opt)}${r.naive ? `; naive path (plain tfjs ops): ${fmt(r.naive)}` : ''}; ${env}`;
  const cn: ModelConfig = { arch: 'convnet3', width: 128, numClasses: 10 };
  const s1 = opts.steps ?? 10;
  const train = await both(() => measureTrainRate(cn, bs, s1, warm));
  log(`convnet3 train ${note(train)}`);
  rows.push({
    id: 'core.convnet3.train_img_per_s',
    value: round1(train.opt.wall),
    unit: 'img/s',
    target: 80,
    setting: `ConvNet-3 w128, batch ${bs}, forward+backward+SGD step, ${s1} timed steps after ${warm} warm-up`,
    note: note(train),
  });
  const infer = await both(() => measureInferRate(cn, bs, s1 * 2, warm));
  log(`convnet3 infer ${note(infer)}`);
  rows.push({
    id: 'core.convnet3.infer_img_per_s',
    value: round1(infer.opt.wall),
    unit: 'img/s',
    target: null,
    setting: `ConvNet-3 w128, batch ${bs}, ${s1 * 2} timed batches after ${warm} warm-up`,
    note: note(infer),
  });
  const rn: ModelConfig = { arch: 'resnet18', width: 64, numClasses: 10 };
  const s2 = Math.max(2, Math.round(s1 / 4));
  const rtrain = await both(() => measureTrainRate(rn, bs, s2, 1));
  log(`resnet18w64 train ${note(rtrain)}`);
  rows.push({
    id: 'core.resnet18w64.train_img_per_s',
    value: round1(rtrain.opt.wall),
    unit: 'img/s',
    target: null,
    setting: `ResNet-18 w64, batch ${bs}, forward+backward+SGD step, ${s2} timed steps after 1 warm-up`,
    note: note(rtrain),
  });
  const rinfer = await both(() => measureInferRate(rn, bs, s2 * 2, 1));
  log(`resnet18w64 infer ${note(rinfer)}`);
  rows.push({
    id: 'core.resnet18w64.infer_img_per_s',
    value: round1(rinfer.opt.wall),
    unit: 'img/s',
    target: null,
    setting: `ResNet-18 w64, batch ${bs}, ${s2 * 2} timed batches after 1 warm-up`,
    note: note(rinfer),
  });
  return rows;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Per-kernel time profile of one training step (for the closing note / tuning). */
export async function profileTrainStep(
  cfg: ModelConfig,
  bs = 64,
): Promise<{ kernel: string; ms: number; calls: number }[]> {
  await initNodeBackend();
  const rng = new Rng('profile');
  const model = createModel(cfg, rng.fork('model'));
  const opt = makeOptimizer({ kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }, model.params);
  const { x, y } = randomBatch(rng, bs, cfg.numClasses);
  const vars = model.params.map((p) => p.variable);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => meanCrossEntropy(model.apply(x), y), vars);
    opt.apply(grads);
    tf.dispose(grads);
    value.dataSync();
    value.dispose();
  };
  step();
  step();
  step();
  const prof = await tf.profile(() => step());
  const agg = new Map<string, { ms: number; calls: number }>();
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const a = agg.get(key) ?? { ms: 0, calls: 0 };
    a.ms += ms;
    a.calls++;
    agg.set(key, a);
  }
  x.dispose();
  opt.dispose();
  model.dispose();
  return [...agg.entries()].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
}

const isMain = typeof process !== 'undefined' && process.argv[1] && /bench-core\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const stepsArg = args.indexOf('--steps');
  const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : undefined;
  if (args.includes('--profile')) {
    const arch = args.includes('--resnet') ? 'resnet18' : 'convnet3';
    const rows = await profileTrainStep({ arch, width: arch === 'convnet3' ? 128 : 64, numClasses: 10 });
    const total = rows.reduce((a, r) => a + r.ms, 0);
    console.log(`total kernel ms: ${total.toFixed(0)}`);
    for (const r of rows.slice(0, 40))
      console.log(`${r.ms.toFixed(1).padStart(8)} ms ${String(r.calls).padStart(3)}× ${r.kernel}`);
  } else {
    const rows = await benchCore({ steps, log: (m) => console.error(m), compareNaive: !args.includes('--no-naive') });
    console.log(JSON.stringify(rows, null, 2));
  }
}
