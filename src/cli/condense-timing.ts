/**
 * Condensation timed by stage (k-means features, clustering, partition, Blend's targets and iterations) at a CIFAR-10
 * setting, in this thread or with the feature networks' passes on data-parallel worker threads, and the two
 * interleaved (this thread, workers, this thread, …) for a speed-up measured under the same load. Used by
 * src/cli/profile-condense.ts and the bench row `condense.parallel_speedup`. Needs an initialised tfjs backend.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  Rng,
  blend,
  blendStepOf,
  clustersOf,
  convnet3Factory,
  embedAll,
  partitionClusters,
  realSource,
  subClasses,
} from '../core';
import type { BenchRow, ParallelTrainer } from '../core';
import { createNodeParallel } from './parallel-node';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface CondenseSetting {
  /** training images per class (0 = all) */
  perClass: number;
  ipc: number;
  iterations: number;
}

/**
 * The setting's data (CIFAR-10, seeded subset, 10 % uniform forgetting) and `runOnce`: one condensation with
 * width-128 feature nets and the paper-regime step, the same seed every call, its stages timed.
 */
export async function prepareCondense({ perClass, ipc, iterations }: CondenseSetting) {
  const ds = await (await import('./dataset-node')).loadDatasetNode('cifar10');
  const C = ds.classes.length;
  const root = new Rng('profile-condense/0');
  const perm = root.fork('train').permutation(ds.train.n);
  const count = new Array(C).fill(0);
  const picked: number[] = [];
  for (const i of perm)
    if (!perClass || count[ds.train.labels[i]] < perClass) {
      count[ds.train.labels[i]]++;
      picked.push(i);
    }
  const trainIdx = Int32Array.from(picked);
  const train = realSource(ds, ds.train, trainIdx);
  const net = convnet3Factory(C, 128);
  const forgetPos = root
    .fork('forget')
    .permutation(trainIdx.length)
    .subarray(0, Math.round(trainIdx.length * 0.1));

  /** One condensation (the same seed every time), its stages timed; `parallel` runs the network passes there. */
  const runOnce = async (parallel: ParallelTrainer | null) => {
    const stage = async <T>(f: () => Promise<T>) => {
      const w0 = performance.now(),
        c0 = cpu();
      const r = await f();
      return { r, seconds: (performance.now() - w0) / 1000, cpuSeconds: cpu() - c0 };
    };
    const load = os.loadavg()[0];
    const feats = await stage(async () => {
      const fnet = net(root.fork('kmeans-net'));
      try {
        return await embedAll(fnet, train, 256, { parallel });
      } finally {
        fnet.dispose();
      }
    });
    const sub = await stage(() => subClasses(feats.r, train.labels, C, ipc, root.fork('kmeans')));
    const part = await stage(async () => partitionClusters(sub.r, forgetPos));
    const bl = await stage(() =>
      blend({
        source: train,
        clusters: clustersOf(sub.r.members, ipc, part.r.free),
        step: blendStepOf('paper-regime', 'uniform', ipc),
        iterations,
        createNet: net,
        rng: root.fork('blend'),
        parallel,
      }),
    );
    const b = bl.r;
    return {
      workers: parallel?.workers ?? 1,
      loadavg1: +load.toFixed(2),
      blend: b,
      seconds: {
        kmeansFeatures: feats.seconds,
        clustering: sub.seconds,
        partition: part.seconds,
        blendTotal: b.seconds,
        blendTargets: b.targetSeconds,
        blendIterations: b.iterSeconds,
        blendIterPhases: b.phases,
        total: feats.seconds + sub.seconds + part.seconds + bl.seconds,
      },
      cpuSeconds: {
        kmeansFeatures: feats.cpuSeconds,
        clustering: sub.cpuSeconds,
        partition: part.cpuSeconds,
        blendTotal: bl.cpuSeconds,
        total: feats.cpuSeconds + sub.cpuSeconds + part.cpuSeconds + bl.cpuSeconds,
      },
    };
  };
  type Run = Awaited<ReturnType<typeof runOnce>>;
  const summary = (r: Run) => {
    const s = r.seconds;
    const pc = (x: number) => `${x.toFixed(1)} s (${((100 * x) / s.total).toFixed(0)} %)`;
    const p = s.blendIterPhases;
    return [
      `${r.workers === 1 ? 'this thread' : `${r.workers} workers`}: total ${s.total.toFixed(1)} s wall, ${r.cpuSeconds.total.toFixed(1)} s CPU; load avg ${r.loadavg1} at the start`,
      `  k-means features ${pc(s.kmeansFeatures)}, clustering ${pc(s.clustering)}, partition ${pc(s.partition)}`,
      `  Blend ${pc(s.blendTotal)}: targets ${s.blendTargets.toFixed(1)} s, iterations ${s.blendIterations.toFixed(1)} s ` +
        `(gathers ${p.gather.toFixed(1)}, blending ${p.blend.toFixed(1)}, network ${p.net.toFixed(1)}, weight gradient ${p.weightGrad.toFixed(1)})`,
    ].join('\n');
  };
  const setting = (b: Run['blend']) => ({
    dataset: 'cifar10',
    trainImages: trainIdx.length,
    ipc,
    iterations,
    featureNetWidth: 128,
    forget: '10 % uniform',
    blendStep: 'paper-regime (uniform)',
    blendClusters: b.sizes.length,
    blendImages: b.sizes.reduce((a, x) => a + x, 0),
  });
  return { trainImages: trainIdx.length, train, net, runOnce, summary, setting };
}

type CondenseSetup = Awaited<ReturnType<typeof prepareCondense>>;
export type CondenseRun = Awaited<ReturnType<CondenseSetup['runOnce']>>;
export type InterleavedDoc = ReturnType<typeof docOfRuns>;

/**
 * `repeats` pairs (this thread, then `workers` worker threads) after an untimed warm-up of both paths; the per-pair
 * wall-clock ratios and the largest pixel difference between any run's blended images and the first run's.
 */
export async function condenseInterleaved(
  s: CondenseSetting & {
    workers: number;
    repeats: number;
    log?: (m: string) => void;
    /** after every run, the record so far (partial results survive an interrupted measurement) */
    checkpoint?: (doc: InterleavedDoc) => Promise<void>;
  },
): Promise<InterleavedDoc> {
  const prep = await prepareCondense(s);
  const { train, net, runOnce, summary } = prep;
  const docOf = (runs: CondenseRun[]) => docOfRuns(runs, prep.setting, s.workers, s.repeats);
  const parallel = createNodeParallel(s.workers);
  if (!parallel) throw new Error('condenseInterleaved: needs at least 2 workers');
  const runs: CondenseRun[] = [];
  try {
    // warm-up, untimed: both paths compile their kernels (forward and input gradient) and the workers start
    const wnet = net(new Rng('profile-condense/warm-up'));
    try {
      const pos = Int32Array.from({ length: 4 * s.workers }, (_, i) => i);
      const x = train.gather(pos);
      const px = (await x.data()) as Float32Array;
      const mu = tf.tidy(() => wnet.embed(x));
      const muHost = (await mu.data()) as Float32Array;
      tf.tidy(() => {
        const f = (xv: tf.Tensor) => tf.sum(tf.squaredDifference(wnet.embed(xv as tf.Tensor4D), mu)) as tf.Scalar;
        tf.valueAndGrad(f)(x);
      });
      tf.dispose([x, mu]);
      await parallel.embedMatch(wnet, px, pos.length, muHost, 1);
    } finally {
      wnet.dispose();
    }
    for (let i = 0; i < Math.max(1, s.repeats); i++)
      for (const p of [null, parallel]) {
        const r = await runOnce(p);
        runs.push(r);
        s.log?.(`run ${runs.length}: ${summary(r)}`);
        await s.checkpoint?.(docOf(runs));
      }
  } finally {
    await parallel.dispose();
  }
  return docOf(runs);
}

function docOfRuns(
  runs: CondenseRun[],
  setting: (b: CondenseRun['blend']) => Record<string, unknown>,
  workers: number,
  repeats: number,
) {
  const ref = runs[0].blend.pixels;
  let maxDiff = 0;
  for (const r of runs)
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(r.blend.pixels[i] - ref[i]));
  const ratios: { total: number; blend: number; kmeansFeatures: number; cpuTotal: number }[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const [a, b] = [runs[i].seconds, runs[i + 1].seconds];
    ratios.push({
      total: a.total / b.total,
      blend: a.blendTotal / b.blendTotal,
      kmeansFeatures: a.kmeansFeatures / b.kmeansFeatures,
      cpuTotal: runs[i].cpuSeconds.total / runs[i + 1].cpuSeconds.total,
    });
  }
  return {
    createdAt: new Date().toISOString(),
    loadavgEnd: os.loadavg().map((x) => +x.toFixed(2)),
    cpus: os.cpus().length,
    setting: { ...setting(runs[0].blend), workers, repeats } as ReturnType<CondenseSetup['setting']> & {
      workers: number;
      repeats: number;
    },
    order: 'interleaved: this thread, workers, this thread, workers, …',
    maxAbsPixelDiff: maxDiff,
    ratios,
    runs: runs.map(({ blend: _b, ...r }) => r),
  };
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/** Bench row `condense.parallel_speedup`: median per-pair wall-clock ratio this thread / workers (higher is better). */
export function parallelSpeedupRow(doc: InterleavedDoc): BenchRow {
  const st = doc.setting;
  const f = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const loads = doc.runs.map((r) => r.loadavg1);
  return {
    id: 'condense.parallel_speedup',
    value: median(doc.ratios.map((r) => r.total)),
    unit: '×',
    target: 1.5,
    setting:
      `${st.dataset} ${st.trainImages} train images, IPC ${st.ipc}, width-${st.featureNetWidth} feature nets, ` +
      `${st.iterations} Blend iterations on ${st.blendClusters} free clusters (${st.forget}); ` +
      `this thread vs ${st.workers} worker threads, ${doc.ratios.length} interleaved pair(s), same seed`,
    note:
      `condensation wall-clock (k-means features + clustering + partition + Blend) this thread ÷ workers, median of ` +
      `pairs ${f(doc.ratios.map((r) => r.total))}; Blend alone ${f(doc.ratios.map((r) => r.blend))}, k-means features ` +
      `${f(doc.ratios.map((r) => r.kmeansFeatures))}; process CPU-seconds ratio ${f(doc.ratios.map((r) => r.cpuTotal))}; ` +
      `max |Δ pixel| between the paths ${doc.maxAbsPixelDiff}; ${doc.cpus} CPUs, 1-min load average ` +
      `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} at the runs' starts`,
  };
}
