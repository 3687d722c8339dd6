/**
 * Core throughput benchmark (results-format.md rows `core.*`): ConvNet-3 (width 128) and ResNet-18 (width 64),
 * batch 64, training images/s (forward + backward + SGD step) and inference images/s on the Node backend.
 * Run directly: `npx tsx src/cli/bench-core.ts [--steps N] [--no-naive] [--profile [--resnet]] [--dw]` (--dw: only the
 * two filter-gradient rows).
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
import { filterGradImplName, setFilterGradImpl } from '../core';
import type { FilterGradImpl } from '../core';
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
  /** measure only the rows whose id starts with one of these prefixes (default: all) */
  only?: string[];
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
  /** optimised path (fused IN kernels, the current dW) and, for comparison, the naive one (plain tfjs ops, conv-formulated dW) */
  // the optimised path's filter gradient: the process's current choice (the SIMD kernel unless LAB_FILTER_GRAD says otherwise)
  const dwImpl = filterGradImplName();
  const both = async (f: () => Promise<Rate>): Promise<{ opt: Rate; naive?: Rate }> => {
    setFusedOps(true);
    setFilterGradImpl(dwImpl);
    const opt = await f();
    if (!compare) return { opt };
    setFusedOps(false);
    setFilterGradImpl('conv');
    try {
      return { opt, naive: await f() };
    } finally {
      setFusedOps(true);
      setFilterGradImpl(dwImpl);
    }
  };
  const note = (r: { opt: Rate; naive?: Rate }) =>
    `${fmt(r.opt)}${r.naive ? `; naive path (plain tfjs ops): ${fmt(r.naive)}` : ''}; ${env}`;
  const wanted = (id: string) =>
    !opts.only?.length || opts.only.some((p) => id.startsWith(p) || p.startsWith(id.split('.').slice(0, 2).join('.')));
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
  if (wanted('core.convnet3.dw_')) rows.push(...(await benchFilterGrad({ batchSize: bs, log })));
  if (!wanted('core.resnet18w64.')) return rows;
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

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** ConvNet-3's convolutions at width `w`, batch `bs`: input [N,H,W,Ci], filter [3,3,Ci,Co] (stride 1, 'same') */
export function convnet3Layers(w: number, bs: number): { x: [number, number, number, number]; k: number[] }[] {
  return [
    { x: [bs, 32, 32, 3], k: [3, 3, 3, w] },
    { x: [bs, 16, 16, w], k: [3, 3, w, w] },
    { x: [bs, 8, 8, w], k: [3, 3, w, w] },
  ];
}

export interface FilterGradBenchOptions {
  batchSize?: number;
  width?: number;
  /** interleaved rounds of the per-layer kernel timing (default 5) and of the training comparison (default 3) */
  kernelRounds?: number;
  trainRounds?: number;
  /** timed training steps per measurement (default 6, after 2 warm-up) */
  steps?: number;
  log?: (m: string) => void;
}

/**
 * Rows `core.convnet3.dw_gflops_vs_forward` and `core.convnet3.dw_path_speedup` (issue 24), each from one run with
 * its two sides interleaved, so the ratios hold on a machine whose speed drifts or whose cores are shared:
 *  - per ConvNet-3 layer, the Conv2DBackpropFilter kernel (the process's choice, by default the WASM SIMD one; the
 *    XNNPACK gemm and the legacy one for the note) timed against the forward Conv2D kernel on the same shapes (same
 *    FLOP count), CPU time of this process, medians of `kernelRounds` interleaved rounds; the row is the lowest
 *    dW ÷ forward GFLOP/s ratio over the layers;
 *  - training images per CPU-second with that filter gradient ÷ with the legacy one (the choice before issue 24), the
 *    three (with the gemm) alternating over `trainRounds` rounds; median of the per-round ratios (wall-clock ratio
 *    and the ratio to the gemm in the note).
 */
export async function benchFilterGrad(opts: FilterGradBenchOptions = {}): Promise<BenchRow[]> {
  await initNodeBackend();
  const bs = opts.batchSize ?? 64,
    w = opts.width ?? 128;
  const kRounds = Math.max(1, opts.kernelRounds ?? 5),
    tRounds = Math.max(1, opts.trainRounds ?? 5);
  const steps = opts.steps ?? 6;
  const log = opts.log ?? (() => {});
  const rng = new Rng('bench-dw');
  const layerNotes: string[] = [];
  let minRatio = Infinity;
  const prev: FilterGradImpl = filterGradImplName();
  // the measured formulation: the process's choice ('auto' is the SIMD kernel where it can run)
  const cur: FilterGradImpl = prev === 'auto' ? 'simd' : prev;
  try {
    for (const L of convnet3Layers(w, bs)) {
      const [n, h, wd, ci] = L.x;
      const co = L.k[3];
      const gflop = (2 * n * h * wd * 9 * ci * co) / 1e9;
      const x = tf.tensor4d(rng.uniformArray(n * h * wd * ci, -1, 1), L.x);
      const f = tf.tensor4d(rng.uniformArray(9 * ci * co, -0.1, 0.1), L.k as [number, number, number, number]);
      const dy = tf.tensor4d(rng.uniformArray(n * h * wd * co, -1, 1), [n, h, wd, co]);
      const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], filterShape: L.k };
      const kinds = ['forward', 'current', 'gemm', 'legacy'] as const;
      const t: Record<(typeof kinds)[number], number[]> = { forward: [], current: [], gemm: [], legacy: [] };
      for (let r = 0; r <= kRounds; r++) {
        for (const kind of kinds) {
          if (kind !== 'forward') setFilterGradImpl(kind === 'current' ? cur : kind);
          // fresh operands every call, as in training: tfjs-backend-wasm keeps a matmul's packed right operand per
          // tensor, so reusing one filter / output gradient would skip the repacking every training step pays
          const op = kind === 'forward' ? tf.add(f, 0) : tf.add(dy, 0);
          const c0 = cpuNow();
          const out =
            kind === 'forward'
              ? (tf.engine().runKernel('Conv2D', { x, filter: op }, attrs) as tf.Tensor)
              : (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: op }, attrs) as tf.Tensor);
          const dt = cpuNow() - c0;
          out.dispose();
          op.dispose();
          if (r > 0) t[kind].push(dt); // round 0: warm-up (operator creation, first allocations)
        }
      }
      tf.dispose([x, f, dy]);
      const [fw, cu, gm, lg] = [median(t.forward), median(t.current), median(t.gemm), median(t.legacy)];
      minRatio = Math.min(minRatio, fw / cu);
      const layer = `${h}×${wd}×${ci}`;
      const msg =
        `${layer}: forward ${(gflop / fw).toFixed(1)} GFLOP/s (${(fw * 1000).toFixed(0)} ms), dW ${cur} ` +
        `${(gflop / cu).toFixed(1)} (${(cu * 1000).toFixed(0)} ms, ${(fw / cu).toFixed(2)}× forward), gemm ` +
        `${(gflop / gm).toFixed(1)} (${(gm * 1000).toFixed(0)} ms, ${(fw / gm).toFixed(2)}×), legacy ` +
        `${(gflop / lg).toFixed(1)} (${(lg * 1000).toFixed(0)} ms, ${(fw / lg).toFixed(2)}×)`;
      layerNotes.push(msg);
      log(`dW ${msg}`);
    }
  } finally {
    setFilterGradImpl(prev);
  }
  const cn: ModelConfig = { arch: 'convnet3', width: w, numClasses: 10 };
  const cpuRatios: number[] = [],
    wallRatios: number[] = [];
  const gemmRatios: number[] = [];
  type Side = 'current' | 'gemm' | 'legacy';
  const rates: Record<Side, Rate[]> = { current: [], gemm: [], legacy: [] };
  try {
    // one untimed pass of each side first: the first training measurements of a run read low whichever side they
    // belong to (round 1 gave the lowest ratio in each of three earlier runs)
    for (const side of ['current', 'gemm', 'legacy'] as const) {
      setFilterGradImpl(side === 'current' ? cur : side);
      await measureTrainRate(cn, bs, 2, 1);
    }
    for (let r = 0; r < tRounds; r++) {
      // rotate which goes first, so a drift in the machine's speed does not favour one side
      const sides: Side[] = ['current', 'gemm', 'legacy'];
      const order = [...sides.slice(r % 3), ...sides.slice(0, r % 3)];
      const got: Partial<Record<Side, Rate>> = {};
      for (const side of order) {
        setFilterGradImpl(side === 'current' ? cur : side);
        got[side] = await measureTrainRate(cn, bs, steps, 2);
        rates[side].push(got[side]);
      }
      cpuRatios.push(got.current!.cpu / got.legacy!.cpu);
      wallRatios.push(got.current!.wall / got.legacy!.wall);
      gemmRatios.push(got.current!.cpu / got.gemm!.cpu);
      log(
        `dW path round ${r + 1}/${tRounds}: ${cur} ${got.current!.cpu.toFixed(1)}, gemm ${got.gemm!.cpu.toFixed(1)}, ` +
          `legacy ${got.legacy!.cpu.toFixed(1)} img per CPU-second (wall ${got.current!.wall.toFixed(1)} / ` +
          `${got.gemm!.wall.toFixed(1)} / ${got.legacy!.wall.toFixed(1)} img/s)`,
      );
    }
  } finally {
    setFilterGradImpl(prev);
  }
  const env = `wasm SIMD, 1 thread; load avg ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
  const list = (a: Rate[], k: keyof Rate) => a.map((v) => v[k].toFixed(1)).join(', ');
  return [
    {
      id: 'core.convnet3.dw_gflops_vs_forward',
      value: Math.round(minRatio * 100) / 100,
      unit: 'x',
      target: 0.8,
      setting:
        `ConvNet-3 w${w}, batch ${bs}: per layer, GFLOP/s of the Conv2DBackpropFilter kernel (${cur}) ÷ the forward ` +
        `Conv2D kernel's on the same shapes (a fresh filter or output gradient every call, as in training), CPU time, medians of ${kRounds} interleaved rounds; lowest over the 3 layers`,
      note: `${layerNotes.join('; ')}; ${env}`,
    },
    {
      id: 'core.convnet3.dw_path_speedup',
      value: Math.round(median(cpuRatios) * 100) / 100,
      unit: 'x',
      target: 1.25,
      setting:
        `ConvNet-3 w${w}, batch ${bs}, forward+backward+SGD step in this thread: training images per CPU-second with ` +
        `the ${cur} filter gradient ÷ with the legacy one (the choice before issue 24: im2col for the 128-channel ` +
        `layers, dilated conv for the first), ${steps} timed steps after 2 warm-up, median of ${tRounds} rotating rounds after one untimed pass of each`,
      note:
        `per-round ratios ${cpuRatios.map((v) => v.toFixed(2)).join(', ')} (wall ${wallRatios.map((v) => v.toFixed(2)).join(', ')}); ` +
        `÷ the XNNPACK gemm one ${gemmRatios.map((v) => v.toFixed(2)).join(', ')}; ` +
        `${cur} ${list(rates.current, 'cpu')} img per CPU-s (${list(rates.current, 'wall')} img/s wall), gemm ` +
        `${list(rates.gemm, 'cpu')} (${list(rates.gemm, 'wall')}), legacy ` +
        `${list(rates.legacy, 'cpu')} (${list(rates.legacy, 'wall')}); ${env}`,
    },
  ];
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
  if (args.includes('--dw')) {
    console.log(JSON.stringify(await benchFilterGrad({ log: (m) => console.error(m) }), null, 2));
  } else if (args.includes('--profile')) {
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
