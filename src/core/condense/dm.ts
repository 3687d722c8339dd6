/**
 * Baselines of the §4.2 condensation benchmark (docs/paper-notes.md §3.5) and its evaluation protocol.
 *
 * - Distribution Matching: synthetic pixels are the parameters, initialised from random real images of each class;
 *   every iteration a fresh random feature network, loss Σ_c ‖mean embed(real_c, batch 256) − mean embed(syn_c)‖²,
 *   SGD momentum 0.5 (PyTorch convention), lr_img 0.01 as the reference (original DM: 1.0). DSA augmentation is
 *   not implemented (the paper's DM used it; here it is plain DM).
 * - Random real subset with the same number of images per class.
 * - Evaluation: a fresh random network trained on the condensed set with the shared `trainModel` (SGD lr 0.01,
 *   momentum 0.9, wd 5e-4 coupled, batch 256, WarmCos(0, E) per epoch), test accuracy after the LAST epoch
 *   (docs/paper-notes.md §10 C2: no best-on-test pick).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, SampleSource } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import { floatSource, subsetSource } from '../data/source';
import { accuracy, trainModel } from '../train';

const PIXELS = 32 * 32 * 3;

/** Positions of each class in a source. */
export function positionsByClass(labels: Int32Array, numClasses: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: numClasses }, () => []);
  for (let p = 0; p < labels.length; p++) lists[labels[p]].push(p);
  return lists.map((l) => Int32Array.from(l));
}

export interface RandomReal {
  /** positions in the source, class-major (class 0's ipc images first) */
  positions: Int32Array;
  source: SampleSource;
}

/** A random real subset with `ipc` images of every class (fewer if a class is smaller). */
export function randomReal(source: SampleSource, numClasses: number, ipc: number, rng: Rng): RandomReal {
  const parts = positionsByClass(source.labels, numClasses).map((pool) => rng.sample(pool, ipc));
  const positions = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    positions.set(p, o);
    o += p.length;
  }
  return { positions, source: subsetSource(source, positions) };
}

export interface DmOptions {
  source: SampleSource;
  numClasses: number;
  ipc: number;
  /** iterations to run (reference: 20,000) */
  iterations: number;
  /** stop early after this many seconds of optimisation (equal-time comparisons); default none */
  maxSeconds?: number;
  /** default 0.01 (reference code); original DM uses 1.0 */
  lrImg?: number;
  /** default 0.5 */
  momentum?: number;
  /** real images per class per iteration; default 256 */
  realBatch?: number;
  createNet: (rng: Rng) => Model;
  rng: Rng;
  signal?: AbortSignal;
  onIter?: (iter: number, loss: number) => void;
}

export interface DmResult {
  pixels: Float32Array;
  labels: Int32Array;
  /** iterations actually run */
  iterations: number;
  losses: number[];
  seconds: number;
  /** mean seconds per iteration (net creation included) */
  secondsPerIter: number;
}

/** Distribution Matching (docs/paper-notes.md §3.5). Disposes everything it creates. */
export async function distributionMatching(opts: DmOptions): Promise<DmResult> {
  const t0 = performance.now();
  const { numClasses: C, ipc } = opts;
  const lr = opts.lrImg ?? 0.01;
  const mom = opts.momentum ?? 0.5;
  const realBatch = opts.realBatch ?? 256;
  const byClass = positionsByClass(opts.source.labels, C);
  if (byClass.some((p) => p.length === 0)) throw new LabError('every class needs real images', 'distributionMatching');
  const init = randomReal(opts.source, C, ipc, opts.rng.fork('init'));
  // every class gets exactly ipc synthetic images (repeat reals if a class is smaller)
  const initPos = new Int32Array(C * ipc);
  for (let c = 0; c < C; c++) {
    const mine = init.positions.filter((p) => opts.source.labels[p] === c);
    for (let j = 0; j < ipc; j++) initPos[c * ipc + j] = mine[j % mine.length];
  }
  const labels = new Int32Array(C * ipc);
  for (let c = 0; c < C; c++) labels.fill(c, c * ipc, (c + 1) * ipc);
  const syn = tf.tidy(() => tf.variable(opts.source.gather(initPos), true)) as tf.Variable<tf.Rank.R4>;
  const vel = tf.tidy(() => tf.variable(tf.zerosLike(syn), false)) as tf.Variable<tf.Rank.R4>;
  const losses: number[] = [];
  const sample = opts.rng.fork('batches');
  let it = 0;
  let loopStart = performance.now();
  try {
    for (it = 0; it < opts.iterations; it++) {
      throwIfCancelled(opts.signal);
      if (it === 0) loopStart = performance.now();
      if (opts.maxSeconds !== undefined && it > 0 && (performance.now() - loopStart) / 1000 >= opts.maxSeconds) break;
      const net = opts.createNet(opts.rng.fork(`net/${it}`));
      try {
        const realPos = new Int32Array(C * realBatch);
        const counts: number[] = [];
        let o = 0;
        for (let c = 0; c < C; c++) {
          const s = sample.sample(byClass[c], realBatch);
          realPos.set(s, o);
          o += s.length;
          counts.push(s.length);
        }
        const realMeans = tf.tidy(() => {
          const f = net.embed(opts.source.gather(realPos.subarray(0, o)));
          const parts = tf.split(f, counts, 0);
          return tf.stack(parts.map((p) => tf.mean(p, 0)));
        });
        const { value, grads } = tf.tidy(() =>
          tf.variableGrads(() => {
            const fs = net.embed(syn);
            const synMeans = tf.mean(tf.reshape(fs, [C, ipc, -1]), 1);
            return tf.sum(tf.squaredDifference(realMeans, synMeans)) as tf.Scalar;
          }, [syn]),
        );
        realMeans.dispose();
        tf.tidy(() => {
          const g = grads[syn.name];
          vel.assign((it === 0 ? g : tf.add(tf.mul(vel, mom), g)) as tf.Tensor4D);
          syn.assign(tf.sub(syn, tf.mul(vel, lr)) as tf.Tensor4D);
        });
        for (const k of Object.keys(grads)) grads[k].dispose();
        const lv = (await value.data())[0];
        value.dispose();
        losses.push(lv);
        opts.onIter?.(it + 1, lv);
      } finally {
        net.dispose();
      }
    }
    const pixels = (await syn.data()) as Float32Array;
    const seconds = (performance.now() - t0) / 1000;
    return {
      pixels: Float32Array.from(pixels),
      labels,
      iterations: losses.length,
      losses,
      seconds,
      secondsPerIter: losses.length ? (performance.now() - loopStart) / 1000 / losses.length : NaN,
    };
  } finally {
    syn.dispose();
    vel.dispose();
  }
}

export interface EvaluateCondensedOptions {
  train: SampleSource;
  test: SampleSource;
  /** fresh random network to train (ConvNet-3 in the benchmark); disposed here */
  createNet: (rng: Rng) => Model;
  rng: Rng;
  /** 40 for Blend, 10 for DM/GM/IDM in the reference */
  epochs: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  batchSize?: number;
  /** batch size for test inference; default 500 */
  evalBatch?: number;
  signal?: AbortSignal;
  /** after each epoch (1-based) with its mean training loss */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface EvaluateCondensedResult {
  /** % test accuracy after the last epoch */
  testAcc: number;
  trainSeconds: number;
  evalSeconds: number;
  losses: number[];
}

/** Trains a fresh network on a condensed set and reports test accuracy after the last epoch. */
export async function evaluateCondensed(opts: EvaluateCondensedOptions): Promise<EvaluateCondensedResult> {
  const t0 = performance.now();
  const model = opts.createNet(opts.rng.fork('net'));
  try {
    const { losses } = await trainModel({
      model,
      source: opts.train,
      epochs: opts.epochs,
      batchSize: opts.batchSize ?? 256,
      optimizer: {
        kind: 'sgd',
        lr: opts.lr ?? 0.01,
        momentum: opts.momentum ?? 0.9,
        weightDecay: opts.weightDecay ?? 5e-4,
      },
      warmup: 0,
      rng: opts.rng.fork('shuffle'),
      signal: opts.signal,
      onEpoch: opts.onEpoch ? (e, s) => opts.onEpoch!(e + 1, s.loss) : undefined,
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const te = performance.now();
    const testAcc = opts.test.size
      ? await accuracy(model, opts.test, { batchSize: opts.evalBatch ?? 500, signal: opts.signal })
      : 0;
    return { testAcc, trainSeconds, evalSeconds: (performance.now() - te) / 1000, losses };
  } finally {
    model.dispose();
  }
}

/** A condensed set as a source (blended or DM pixels). */
export function condensedSource(pixels: Float32Array, labels: Int32Array): SampleSource {
  if (pixels.length !== labels.length * PIXELS) throw new LabError('pixels/labels size mismatch', 'condensedSource');
  return floatSource(pixels, labels);
}
