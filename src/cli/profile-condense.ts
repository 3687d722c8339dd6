/**
 * Where condensation's time goes (issue 24 item 2, first step): k-means features, clustering, partition, Blend's
 * target pass and its iterations split into member gathers, blending, the feature network's passes and the
 * weight gradient. CIFAR-10 at the `bench` preset's condensation setting by default (300 train images per class,
 * IPC 60, width-128 feature nets, 12 Blend iterations, 10 % uniform forgetting, the paper-regime step).
 *
 *   npx tsx src/cli/profile-condense.ts [--train-per-class 300] [--ipc 60] [--iterations 12] [--out results]
 *                                       [--workers N --repeats R]
 *
 * Writes <out>/condense-profile.json and prints a summary. Seconds are wall-clock; the process CPU seconds of
 * each stage are recorded beside them (the process's, worker threads included).
 *
 * With `--workers N` (N ≥ 2) the same condensation runs R times in this thread and R times with the feature
 * networks' passes on N data-parallel worker threads, interleaved (this thread, workers, this thread, …), and
 * <out>/condense-parallel.json records every run, the per-pair wall-clock ratios and whether the two paths gave
 * the same blended images (max |Δ|).
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
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
import type { ParallelTrainer } from '../core';
import { initNodeBackend } from './node-backend';
import { createNodeParallel } from './parallel-node';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'train-per-class': { type: 'string', default: '300' },
      ipc: { type: 'string', default: '60' },
      iterations: { type: 'string', default: '12' },
      workers: { type: 'string', default: '1' },
      repeats: { type: 'string', default: '1' },
      out: { type: 'string', default: 'results' },
    },
  });
  const perClass = Number(values['train-per-class']);
  const ipc = Number(values.ipc);
  const iterations = Number(values.iterations);
  const workers = Number(values.workers);
  const repeats = Number(values.repeats);
  for (const [k, v] of [
    ['--train-per-class', perClass],
    ['--ipc', ipc],
    ['--iterations', iterations],
    ['--workers', workers],
    ['--repeats', repeats],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k}: expected a non-negative integer, got ${v}`);
  await initNodeBackend('wasm');
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
  const { writeAtomic } = await import('./node-io');
  const strip = ({ blend: _b, ...r }: Run) => r;

  if (workers <= 1) {
    const r = await runOnce(null);
    const doc = {
      createdAt: new Date().toISOString(),
      loadavg: os.loadavg().map((x) => +x.toFixed(2)),
      setting: setting(r.blend),
      seconds: r.seconds,
      cpuSeconds: r.cpuSeconds,
    };
    await writeAtomic(`${values.out}/condense-profile.json`, JSON.stringify(doc, null, 2) + '\n');
    console.log(`condensation, ${trainIdx.length} CIFAR-10 images, IPC ${ipc}, ${iterations} Blend iterations`);
    console.log(summary(r));
    console.log(`  tensors alive after: ${tf.memory().numTensors}`);
    return;
  }

  const parallel = createNodeParallel(workers)!;
  const runs: Run[] = [];
  try {
    // warm-up, untimed: both paths compile their kernels (forward and input gradient) and the workers start
    const wnet = net(root.fork('warm-up'));
    try {
      const pos = Int32Array.from({ length: 4 * workers }, (_, i) => i);
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
    for (let i = 0; i < Math.max(1, repeats); i++)
      for (const p of [null, parallel]) {
        const r = await runOnce(p);
        runs.push(r);
        console.log(`run ${runs.length}: ${summary(r)}`);
      }
  } finally {
    await parallel.dispose();
  }
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
  const doc = {
    createdAt: new Date().toISOString(),
    loadavgEnd: os.loadavg().map((x) => +x.toFixed(2)),
    cpus: os.cpus().length,
    setting: { ...setting(runs[0].blend), workers, repeats },
    order: 'interleaved: this thread, workers, this thread, workers, …',
    maxAbsPixelDiff: maxDiff,
    ratios,
    runs: runs.map(strip),
  };
  await writeAtomic(`${values.out}/condense-parallel.json`, JSON.stringify(doc, null, 2) + '\n');
  console.log(
    `wall-clock ratio this thread / ${workers} workers per pair: total ${ratios.map((r) => r.total.toFixed(2)).join(', ')}; ` +
      `Blend ${ratios.map((r) => r.blend.toFixed(2)).join(', ')}; k-means features ${ratios.map((r) => r.kmeansFeatures.toFixed(2)).join(', ')}; ` +
      `max |Δ pixel| between runs ${maxDiff}; tensors alive after: ${tf.memory().numTensors}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(`profile-condense: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
