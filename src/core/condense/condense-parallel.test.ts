/**
 * Condensation's feature-network passes on 2 data-parallel worker threads (issue 24 item 2) against the in-thread
 * path: k-means features, Blend's targets μ_k and its iterations, the whole reduced retain set. Same seed, the real
 * ConvNet-3 (width 8) on the WASM backend in both. Instance norm makes every image's features and input gradient
 * independent of its batch-mates, so the sharded passes give the in-thread values up to float32 rounding; the only
 * reduction split across workers is the reported loss (Σ over shards, summed in worker order).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../cli/node-backend';
import { createNodeParallel } from '../../cli/parallel-node';
import { Rng } from '../rng';
import { makeSyntheticDataset } from '../data/synthetic';
import { realSource } from '../data/source';
import type { SampleSource } from '../types';
import type { ParallelTrainer } from '../parallel/engine';
import { createModel } from '../models';
import { embedAll, subClasses } from './kmeans';
import { blend, clustersOf } from './blend';
import { reducedRetain } from './reduced-retain';
import { convnet3Factory } from './pipeline';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from '../runner/session';
import type { CondenseResult, RunEvent } from '../contracts';

let train: SampleSource;
let par: ParallelTrainer;
let C = 0;
let net: ReturnType<typeof convnet3Factory>;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const ds = makeSyntheticDataset({ seed: 3, trainPerClass: 12, testPerClass: 2 });
  C = ds.classes.length;
  net = convnet3Factory(C, 8);
  train = realSource(
    ds,
    ds.train,
    Int32Array.from({ length: ds.train.n }, (_, i) => i),
  );
  par = createNodeParallel(2)!;
});
afterAll(async () => {
  await par?.dispose();
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

describe('condensation on data-parallel workers (2 worker threads)', () => {
  it('k-means features: the workers give the in-thread features, weights sent once per network', async () => {
    const t0 = tf.memory().numTensors;
    const fnet = net(new Rng('feat'));
    let w0: number[] = [];
    try {
      // passes of 16 images (8 per worker)
      const one = await embedAll(fnet, train, 16);
      const p0 = par.featurePasses;
      const two = await embedAll(fnet, train, 16, { parallel: par });
      w0 = await par.memory(); // the workers' models exist now: their variables are the baseline
      expect(par.featurePasses - p0).toBe(Math.ceil(train.size / 16));
      expect(two.n).toBe(one.n);
      expect(two.dim).toBe(one.dim);
      expect(maxAbsDiff(two.data, one.data)).toBeLessThanOrEqual(1e-5 * maxAbs(one.data));
      // a different network: its own weights reach the workers (not the previous network's)
      const other = net(new Rng('feat-2'));
      try {
        const a = await embedAll(other, train, 64);
        const b = await embedAll(other, train, 64, { parallel: par });
        expect(maxAbsDiff(b.data, a.data)).toBeLessThanOrEqual(1e-5 * maxAbs(a.data));
        expect(maxAbsDiff(b.data, one.data)).toBeGreaterThan(1e-2);
      } finally {
        other.dispose();
      }
    } finally {
      fnet.dispose();
    }
    expect(tf.memory().numTensors).toBe(t0);
    expect(await par.memory()).toEqual(w0);
  });

  it('weights reach the workers again after a training step or a model rebuild', async () => {
    const fnet = net(new Rng('feat-3'));
    const x = await (async () => {
      const t = train.gather(Int32Array.from({ length: 8 }, (_, i) => i));
      try {
        return (await t.data()) as Float32Array;
      } finally {
        t.dispose();
      }
    })();
    try {
      const ref = await par.embed(fnet, x.slice(), 8);
      // another architecture rebuilds the workers' models (fresh weights), then the feature net comes back
      const other = createModel({ arch: 'convnet3', width: 4, numClasses: C }, new Rng('other'));
      try {
        await par.embed(other, x.slice(), 8);
      } finally {
        other.dispose();
      }
      expect(maxAbsDiff(await par.embed(fnet, x.slice(), 8), ref)).toBe(0);
      // a forward pass of the training path sends its model's weights: the next embed re-sends the feature net's
      const logitsModel = net(new Rng('logits'));
      try {
        const xt = tf.tensor4d(x, [8, 32, 32, 3]);
        await par.predict(logitsModel, xt);
        xt.dispose();
      } finally {
        logitsModel.dispose();
      }
      expect(maxAbsDiff(await par.embed(fnet, x.slice(), 8), ref)).toBe(0);
    } finally {
      fnet.dispose();
    }
  });

  it('Blend: same targets, weights and blended images as in this thread (same seed); no tensor leaks', async () => {
    const fnet = net(new Rng('km-net'));
    let sub;
    try {
      const feats = await embedAll(fnet, train, 64);
      sub = await subClasses(feats, train.labels, C, 3, new Rng('km'));
    } finally {
      fnet.dispose();
    }
    const common = {
      source: train,
      clusters: clustersOf(sub.members, 3),
      step: { kind: 'fixed', lr: 2 } as const,
      iterations: 5,
      createNet: net,
      rng: new Rng('blend'),
      targetBatch: 16,
      netBatch: 4,
    };
    const t0 = tf.memory().numTensors;
    const w0 = await par.memory();
    const one = await blend({ ...common });
    const p0 = par.featurePasses;
    const two = await blend({ ...common, parallel: par });
    const T = one.sizes.length;
    const images = Array.from(one.sizes).reduce((a, x) => a + x, 0);
    // target passes of 16 images + 5 iterations of ⌈T / 4⌉ network passes of 4 blends (2 per worker)
    expect(par.featurePasses - p0).toBe(Math.ceil(images / 16) + 5 * Math.ceil(T / 4));
    expect(tf.memory().numTensors).toBe(t0);
    expect(await par.memory()).toEqual(w0);
    expect(two.sizes).toEqual(one.sizes);
    expect(maxAbsDiff(two.targets, one.targets)).toBeLessThanOrEqual(1e-5 * maxAbs(one.targets));
    for (let i = 0; i < one.losses.length; i++)
      expect(Math.abs(two.losses[i] - one.losses[i])).toBeLessThanOrEqual(1e-5 * one.losses[i]);
    // the weights moved (the comparison is not of the initial 1/n), and moved the same way
    const moved = one.weights.reduce(
      (m, w) => Math.max(m, maxAbsDiff(w, new Float32Array(w.length).fill(1 / w.length))),
      0,
    );
    expect(moved).toBeGreaterThan(1e-3);
    one.weights.forEach((w, k) => expect(maxAbsDiff(two.weights[k], w)).toBeLessThanOrEqual(1e-5 * moved));
    expect(maxAbsDiff(two.pixels, one.pixels)).toBeLessThanOrEqual(1e-5 * maxAbs(one.pixels));
  });

  it('reduced retain set end to end: same sub-classes, partition and blended images', async () => {
    const forgetPos = new Rng('forget').permutation(train.size).slice(0, 16);
    const common = {
      train,
      forgetPos,
      numClasses: C,
      ipc: 3,
      rng: new Rng('rr'),
      createNet: net,
      blend: { iterations: 3, step: { kind: 'fixed', lr: 1 } as const, netBatch: 8 },
    };
    const t0 = tf.memory().numTensors;
    const one = await reducedRetain(common);
    const p0 = par.featurePasses;
    const two = await reducedRetain({ ...common, parallel: par });
    expect(par.featurePasses).toBeGreaterThan(p0);
    expect(tf.memory().numTensors).toBe(t0);
    expect(Array.from(two.sub.clusterOf)).toEqual(Array.from(one.sub.clusterOf));
    expect(Array.from(two.partition.free)).toEqual(Array.from(one.partition.free));
    expect(two.size).toBe(one.size);
    expect(maxAbsDiff(two.blend.pixels, one.blend.pixels)).toBeLessThanOrEqual(1e-5 * maxAbs(one.blend.pixels));
  });

  it("the session's condense stage runs on the workers it is given, with the same record", async () => {
    const spec = validateSpec(mergeSpec(getPreset('smoke').spec, { trainPerClass: 12, testPerClass: 2 }));
    const dataset = makeSyntheticDataset({ seed: 1, trainPerClass: 12, testPerClass: 2 });
    const condense = async (parallel: ParallelTrainer | null): Promise<CondenseResult> => {
      const sink = (_e: RunEvent) => {};
      const s = new LabSession({ dataset, sink, backendName: tf.getBackend(), parallel }, spec);
      try {
        return await s.condense();
      } finally {
        s.dispose();
      }
    };
    const t0 = tf.memory().numTensors;
    const one = await condense(null);
    const p0 = par.featurePasses;
    const two = await condense(par);
    expect(par.featurePasses).toBeGreaterThan(p0);
    expect(tf.memory().numTensors).toBe(t0);
    expect(two.clusterSizes).toEqual(one.clusterSizes);
    expect(two.reducedRetainSize).toBe(one.reducedRetainSize);
    expect(Math.abs(two.finalLoss - one.finalLoss)).toBeLessThanOrEqual(1e-5 * one.finalLoss);
    expect(two.prototypes).toEqual(one.prototypes);
  });
});
