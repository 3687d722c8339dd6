/**
 * Blend in the paper's regime, on real CIFAR-10 (issue 10 item 6).
 *
 * The paper's regime, measured first (scratch run, CIFAR-10, 50 images/class → 500 images, k-means at ≈5 images per
 * cluster with a random width-128 ConvNet-3 → T = 100 clusters, Blend 12 iterations, width-128 feature net,
 * per-cluster step lr/T = lr_b(1000) / 6294 = 1.589 as in the paper's 10 % uniform CIFAR-10 runs; each cluster's
 * weights only see their own loss, so the per-cluster dynamics do not depend on T):
 *   seed 0: loss 4.651e-2 → 4.063e-2 over the 12 iterations (falls 12.6 %), mean |w̃ − 1/n| = 0.095;
 *   seed 1: 4.884e-2 → 4.217e-2 (falls 13.7 %), mean |w̃ − 1/n| = 0.097.
 *   (class regime, lr/T = 1.111: 12.6 % / 13.5 %; the paper's polynomial at IPC 10, lr/T = 0.0017: 0.16 % / 0.19 %.)
 * So in the paper's regime Blend's loss falls ≈ 13 % over 12 iterations (the fall is bounded: a convex-ish blend
 * of ≈5 images cannot reach its cluster's mean feature).
 *
 * This test runs the `quick` preset's condensation settings (feature-net width, lrMode, iterations) through the
 * pipeline's own code path on a small real subset and requires: the loss falls by at least 12.5 % (the smaller of
 * the two paper-regime measurements, rounded down by 0.1 point) and the weights move (mean |w̃ − 1/n| > 0.02).
 * (The polynomial at this test's tiny IPC 3 is not the scaled presets' situation — lr_b(3) = 0.81 over a handful of
 * clusters — so it is not compared here; the measurement above compares them at ≈5 images per cluster.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../cli/node-backend';
import { isPrepared, loadDatasetNode } from '../../cli/dataset-node';
import { Rng } from '../rng';
import type { ImageDataset } from '../types';
import { indicesByClass } from '../eval/split';
import { getPreset } from '../presets';
import { buildReducedRetain, computeSubClasses, convnet3Factory } from './pipeline';
import { blend, clustersOf, type BlendResult } from './blend';
import { realSource } from '../data/source';

const HAVE_CIFAR = isPrepared('cifar10');
/** the smaller of the two paper-regime measurements above (12.6 %, 13.7 %), rounded down */
const PAPER_REGIME_FALL = 0.125;

function weightMove(b: BlendResult): number {
  let dev = 0,
    n = 0;
  for (const w of b.weights) {
    const s = w.reduce((a, x) => a + x, 0);
    for (const x of w) {
      dev += Math.abs(x / s - 1 / w.length);
      n++;
    }
  }
  return dev / n;
}

describe.skipIf(!HAVE_CIFAR)(
  'Blend in the paper regime on real CIFAR-10 (skipped: public/datasets/cifar10 not prepared — run `npm run datasets`)',
  () => {
    let ds: ImageDataset;
    beforeAll(async () => {
      await initNodeBackend();
      ds = await loadDatasetNode('cifar10');
    }, 120_000);

    it("the quick preset's Blend loss falls at least as in the paper regime, and its weights move", async () => {
      const c = getPreset('quick').spec.condense;
      expect(c.lrMode).toBe('paper-regime');
      const rng = new Rng(3);
      // 15 images per class, IPC 3 → ≈5 images per cluster, as the paper (and the quick preset: 300/class, IPC 60)
      const byClass = indicesByClass(ds.train.labels, 10);
      const trainIdx = Int32Array.from(byClass.flatMap((p, k) => Array.from(rng.fork(`c${k}`).sample(p, 15))));
      rng.fork('perm').shuffle(trainIdx);
      const forgetIdx = trainIdx.slice(0, 15); // 10 % uniform
      const retainIdx = trainIdx.slice(15);
      const ipc = 3;
      const createNet = convnet3Factory(10, c.netWidth);
      const sub = await computeSubClasses({ dataset: ds, trainIdx, ipc, rng: rng.fork('kmeans'), createNet });
      const run = (lrMode: 'paper-regime' | 'paper-polynomial') =>
        buildReducedRetain({
          dataset: ds,
          sub,
          trainIdx,
          forgetIdx,
          retainIdx,
          ipc,
          iterations: c.iterations,
          rng: rng.fork('blend'),
          createNet,
          lrMode,
          forgetMode: 'uniform',
        });
      const regime = await run(c.lrMode);
      const b = regime.blend;
      expect(b.losses).toHaveLength(12);
      expect(regime.freeClusters).toBeGreaterThanOrEqual(5);
      const fall = 1 - b.losses[b.losses.length - 1] / b.losses[0];
      expect(b.lr / regime.freeClusters).toBeCloseTo(9998.661 / 6294, 4);
      expect(fall).toBeGreaterThanOrEqual(PAPER_REGIME_FALL);
      expect(weightMove(b)).toBeGreaterThan(0.02);
      // the old scaled presets: lr_b(60) over quick's free clusters gave lr/T ≈ 0.058–0.083 (issue 10). On these
      // clusters (seed 3, T = 16) the regime's loss fell 16.5 % with mean |w̃ − 1/n| = 0.097; at lr/T = 0.07 it fell
      // 8.4 % with 0.031: the same clusters, net and iterations move less than half as far
      const old = await blend({
        source: realSource(ds, ds.train, trainIdx),
        clusters: clustersOf(sub.members, ipc, regime.partition.free),
        iterations: c.iterations,
        createNet,
        rng: rng.fork('blend').fork('blend'),
        step: { kind: 'per-cluster', lrPerCluster: 0.07 },
      });
      const oldFall = 1 - old.losses[old.losses.length - 1] / old.losses[0];
      expect(old.losses[0]).toBeCloseTo(b.losses[0], 6);
      expect(oldFall).toBeLessThan(fall);
      expect(weightMove(old)).toBeLessThan(weightMove(b) / 2);
    }, 600_000);
  },
);
