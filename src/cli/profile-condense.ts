/**
 * Where condensation's time goes (issue 24 item 2, first step): k-means features, clustering, partition, Blend's
 * target pass and its iterations split into member gathers, blending, the feature network's passes and the
 * weight gradient. CIFAR-10 at the `bench` preset's condensation setting by default (300 train images per class,
 * IPC 60, width-128 feature nets, 12 Blend iterations, 10 % uniform forgetting, the paper-regime step).
 *
 *   npx tsx src/cli/profile-condense.ts [--train-per-class 300] [--ipc 60] [--iterations 12] [--out results]
 *
 * Writes <out>/condense-profile.json and prints a summary. Seconds are wall-clock; the process CPU seconds of
 * each stage are recorded beside them (robust to other load on shared cores).
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
import { initNodeBackend } from './node-backend';

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
      out: { type: 'string', default: 'results' },
    },
  });
  const perClass = Number(values['train-per-class']);
  const ipc = Number(values.ipc);
  const iterations = Number(values.iterations);
  for (const [k, v] of [
    ['--train-per-class', perClass],
    ['--ipc', ipc],
    ['--iterations', iterations],
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
  const stage = async <T>(f: () => Promise<T>) => {
    const w0 = performance.now(),
      c0 = cpu();
    const r = await f();
    return { r, seconds: (performance.now() - w0) / 1000, cpuSeconds: cpu() - c0 };
  };
  const feats = await stage(async () => {
    const fnet = net(root.fork('kmeans-net'));
    try {
      return await embedAll(fnet, train, 256);
    } finally {
      fnet.dispose();
    }
  });
  const sub = await stage(() => subClasses(feats.r, train.labels, C, ipc, root.fork('kmeans')));
  const forgetPos = root
    .fork('forget')
    .permutation(trainIdx.length)
    .subarray(0, Math.round(trainIdx.length * 0.1));
  const part = await stage(async () => partitionClusters(sub.r, forgetPos));
  const bl = await stage(() =>
    blend({
      source: train,
      clusters: clustersOf(sub.r.members, ipc, part.r.free),
      step: blendStepOf('paper-regime', 'uniform', ipc),
      iterations,
      createNet: net,
      rng: root.fork('blend'),
    }),
  );
  const b = bl.r;
  const total = feats.seconds + sub.seconds + part.seconds + bl.seconds;
  const doc = {
    createdAt: new Date().toISOString(),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    setting: {
      dataset: 'cifar10',
      trainImages: trainIdx.length,
      ipc,
      iterations,
      featureNetWidth: 128,
      forget: '10 % uniform',
      blendStep: 'paper-regime (uniform)',
      blendClusters: b.sizes.length,
      blendImages: b.sizes.reduce((a, x) => a + x, 0),
    },
    seconds: {
      kmeansFeatures: feats.seconds,
      clustering: sub.seconds,
      partition: part.seconds,
      blendTotal: b.seconds,
      blendTargets: b.targetSeconds,
      blendIterations: b.iterSeconds,
      blendIterPhases: b.phases,
      total,
    },
    cpuSeconds: {
      kmeansFeatures: feats.cpuSeconds,
      clustering: sub.cpuSeconds,
      partition: part.cpuSeconds,
      blendTotal: bl.cpuSeconds,
    },
  };
  const { writeAtomic } = await import('./node-io');
  await writeAtomic(`${values.out}/condense-profile.json`, JSON.stringify(doc, null, 2) + '\n');
  const pc = (s: number) => `${s.toFixed(1)} s (${((100 * s) / total).toFixed(0)} %)`;
  const p = b.phases;
  console.log(
    [
      `condensation, ${trainIdx.length} CIFAR-10 images, IPC ${ipc}, ${iterations} Blend iterations on ${doc.setting.blendClusters} free clusters (${doc.setting.blendImages} images); load avg ${doc.loadavg[0]}`,
      `  k-means features ${pc(feats.seconds)}, clustering ${pc(sub.seconds)}, partition ${pc(part.seconds)}`,
      `  Blend ${pc(b.seconds)}: targets ${b.targetSeconds.toFixed(1)} s, iterations ${b.iterSeconds.toFixed(1)} s ` +
        `(gathers ${p.gather.toFixed(1)}, blending ${p.blend.toFixed(1)}, network ${p.net.toFixed(1)}, weight gradient ${p.weightGrad.toFixed(1)})`,
      `  tensors alive after: ${tf.memory().numTensors}`,
    ].join('\n'),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(`profile-condense: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
