/**
 * Sub-class partition by k-means (docs/paper-notes.md §3.1).
 *
 * Features come from a fresh random feature network's `embed` (ConvNet-3: 2048 dims), computed in batches of 256
 * without gradients. Then, for every class separately, k-means with `ipc` clusters: k-means++ seeding without
 * local trials, Lloyd iterations (≤ maxIter, stop when Σ_k ‖c_k^new − c_k^old‖₂ < tol), empty clusters re-seeded
 * to a uniformly random point of the class, labels = the assignments of the last assignment step.
 * Distances use matmuls (‖x‖² − 2x·c + ‖c‖²), one class at a time, in row chunks that bound memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, SampleSource } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import type { ParallelTrainer } from '../parallel/engine';

/**
 * What condensation uses of the data-parallel workers (`ParallelTrainer`): the random feature networks' passes,
 * sharded over the workers (k-means features, Blend's targets μ_k and its iterations' forward and input-gradient
 * passes). Instance norm makes every image's features independent of its batch-mates, so the sharded passes give
 * the in-thread values.
 */
export type FeatureParallel = Pick<ParallelTrainer, 'workers' | 'embed' | 'embedMatch'>;

/** Row-major feature matrix: `n` rows of `dim` floats. */
export interface FeatureMatrix {
  data: Float32Array;
  n: number;
  dim: number;
}

export interface EmbedOptions {
  signal?: AbortSignal;
  /** after each batch: images done so far */
  onBatch?: (done: number, total: number) => void;
  /** data-parallel workers: each batch is split over them (absent/null: this thread) */
  parallel?: FeatureParallel | null;
}

/** `embed` of every sample of `source` (positions 0..size-1), batches of `batch`, no gradients. */
export async function embedAll(
  model: Model,
  source: SampleSource,
  batch = 256,
  opts: EmbedOptions = {},
): Promise<FeatureMatrix> {
  const n = source.size;
  let data = new Float32Array(0);
  let dim = 0;
  const par = opts.parallel ?? null;
  for (let start = 0; start < n; start += batch) {
    throwIfCancelled(opts.signal);
    const m = Math.min(batch, n - start);
    const pos = new Int32Array(m);
    for (let i = 0; i < m; i++) pos[i] = start + i;
    const host = par ? await embedParallel(par, model, source, pos) : await embedHere(model, source, pos);
    if (dim === 0) {
      dim = host.length / m;
      data = new Float32Array(n * dim);
    }
    data.set(host, start * dim);
    opts.onBatch?.(start + m, n);
  }
  return { data, n, dim };
}

/** `model.embed` of the samples at `pos`, in this thread (host, n×D). */
export async function embedHere(model: Model, source: SampleSource, pos: Int32Array): Promise<Float32Array> {
  const feats = tf.tidy(() => model.embed(source.gather(pos)));
  try {
    return (await feats.data()) as Float32Array;
  } finally {
    feats.dispose();
  }
}

/** `model.embed` of the samples at `pos`, sharded over the workers (host, n×D). */
export async function embedParallel(
  par: FeatureParallel,
  model: Model,
  source: SampleSource,
  pos: Int32Array,
): Promise<Float32Array> {
  const x = source.gather(pos);
  let px: Float32Array;
  try {
    px = (await x.data()) as Float32Array;
  } finally {
    x.dispose();
  }
  return par.embed(model, px, pos.length, [x.shape[1], x.shape[2], x.shape[3]]);
}

export interface KMeansOptions {
  /** Lloyd iterations at most (spec: 100) */
  maxIter?: number;
  /** stop when Σ_k ‖Δc_k‖₂ < tol (spec: 1e-4) */
  tol?: number;
  /** rows per distance matmul chunk (bounds the n×k distance block); default so that rows·k ≤ 4M */
  rowChunk?: number;
  signal?: AbortSignal;
}

export interface KMeansResult {
  /** cluster of every row, from the last assignment step */
  labels: Int32Array;
  /** k×dim centroids after the last update */
  centroids: Float32Array;
  iterations: number;
  /** Σ_k ‖Δc_k‖ of the last update */
  shift: number;
  /** how many times an empty cluster was re-seeded */
  reseeds: number;
}

/**
 * Indices of the nearest centroid for every row of `x` (argmin of ‖c‖² − 2x·c). `ct` is the centroid matrix
 * already transposed ([dim, k]): the WASM backend's matMul with transposeB is ~10× slower than a plain one.
 */
function assignRows(x: tf.Tensor2D, ct: tf.Tensor2D, cc: tf.Tensor2D, rowChunk: number): Int32Array {
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += rowChunk) {
    const m = Math.min(rowChunk, n - start);
    const idx = tf.tidy(() => {
      const xs = m === n ? x : x.slice([start, 0], [m, -1]);
      const score = tf.sub(cc, tf.mul(tf.matMul(xs, ct), 2)); // [m, k]
      return tf.argMin(score, 1);
    });
    out.set(idx.dataSync() as Int32Array, start);
    idx.dispose();
  }
  return out;
}

/** Lets queued events (e.g. a worker's cancel message → AbortSignal) run between long synchronous steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Samples an index with probability ∝ w (w ≥ 0); uniform if all zero. */
function sampleProportional(w: Float32Array | Float64Array, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i];
  if (!(total > 0)) return rng.int(w.length);
  let r = rng.next() * total;
  for (let i = 0; i < w.length; i++) {
    r -= w[i];
    if (r < 0) return i;
  }
  // numerical tail: last index with positive weight
  for (let i = w.length - 1; i >= 0; i--) if (w[i] > 0) return i;
  return w.length - 1;
}

/**
 * k-means on the rows of `feats` (docs/paper-notes.md §3.1 step 4). Deterministic for a given `rng` state.
 * `k` larger than the number of rows is allowed: the extra clusters end up empty or duplicated.
 */
export async function kmeans(
  feats: FeatureMatrix,
  k: number,
  rng: Rng,
  opts: KMeansOptions = {},
): Promise<KMeansResult> {
  const { n, dim, data } = feats;
  if (n === 0) throw new LabError('no points', 'kmeans');
  if (!(k >= 1)) throw new LabError(`k must be ≥ 1, got ${k}`, 'kmeans');
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-4;
  if (!(Number.isInteger(maxIter) && maxIter >= 1 && maxIter <= 100_000)) {
    throw new LabError(`maxIter must be an integer in [1, 100000], got ${maxIter}`, 'kmeans');
  }
  const rowChunk = Math.max(1, opts.rowChunk ?? Math.floor(4_194_304 / Math.max(k, 1)));
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const where = `feature ${i % dim} of row ${Math.floor(i / dim)}`;
      throw new LabError(`${where} is ${data[i]} (non-finite features)`, 'kmeans');
    }
  }
  const x = tf.tensor2d(data, [n, dim]);
  try {
    const xxT = tf.tidy(() => tf.sum(tf.square(x), 1));
    const xx = xxT.dataSync() as Float32Array;
    xxT.dispose();
    // ---- k-means++ seeding, no local trials
    const cent = new Float32Array(k * dim);
    const d2 = new Float32Array(n);
    const first = rng.int(n);
    cent.set(data.subarray(first * dim, (first + 1) * dim), 0);
    const distTo = (ci: number): Float32Array => {
      const c = cent.subarray(ci * dim, (ci + 1) * dim);
      let cc = 0;
      for (let d = 0; d < dim; d++) cc += c[d] * c[d];
      const dots = tf.tidy(() => tf.matMul(x, tf.tensor2d(c, [dim, 1])));
      const dv = dots.dataSync() as Float32Array;
      dots.dispose();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.max(0, xx[i] - 2 * dv[i] + cc);
      return out;
    };
    d2.set(distTo(0));
    for (let ci = 1; ci < k; ci++) {
      if ((ci & 63) === 0) {
        await yieldToEventLoop();
        throwIfCancelled(opts.signal);
      }
      const pick = sampleProportional(d2, rng);
      cent.set(data.subarray(pick * dim, (pick + 1) * dim), ci * dim);
      if (ci + 1 < k) {
        const dn = distTo(ci);
        for (let i = 0; i < n; i++) if (dn[i] < d2[i]) d2[i] = dn[i];
      }
    }
    // ---- Lloyd
    let labels: Int32Array = new Int32Array(n);
    let iterations = 0;
    let shift = Infinity;
    let reseeds = 0;
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let it = 0; it < maxIter; it++) {
      await yieldToEventLoop();
      throwIfCancelled(opts.signal);
      const centT = new Float32Array(dim * k);
      const ccHost = new Float32Array(k);
      for (let j = 0; j < k; j++) {
        let s2 = 0;
        for (let d = 0; d < dim; d++) {
          const v = cent[j * dim + d];
          centT[d * k + j] = v;
          s2 += v * v;
        }
        ccHost[j] = s2;
      }
      const c = tf.tensor2d(centT, [dim, k]);
      const cc = tf.tensor2d(ccHost, [1, k]);
      try {
        labels = assignRows(x, c, cc, rowChunk);
      } finally {
        c.dispose();
        cc.dispose();
      }
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const l = labels[i];
        counts[l]++;
        const base = l * dim,
          src = i * dim;
        for (let d = 0; d < dim; d++) sums[base + d] += data[src + d];
      }
      shift = 0;
      for (let j = 0; j < k; j++) {
        const base = j * dim;
        let s2 = 0;
        if (counts[j] === 0) {
          const p = rng.int(n);
          reseeds++;
          for (let d = 0; d < dim; d++) {
            const v = data[p * dim + d];
            const delta = v - cent[base + d];
            s2 += delta * delta;
            cent[base + d] = v;
          }
        } else {
          const inv = 1 / counts[j];
          for (let d = 0; d < dim; d++) {
            const v = Math.fround(sums[base + d] * inv);
            const delta = v - cent[base + d];
            s2 += delta * delta;
            cent[base + d] = v;
          }
        }
        shift += Math.sqrt(s2);
      }
      iterations = it + 1;
      if (!Number.isFinite(shift)) {
        throw new LabError(`centroid shift became ${shift} at iteration ${iterations}`, 'kmeans');
      }
      if (shift < tol) break;
    }
    return { labels, centroids: cent, iterations, shift, reseeds };
  } finally {
    x.dispose();
  }
}

/** The k-means sub-classes of a training source (docs/paper-notes.md §3.1 step 5). */
export interface SubClasses {
  ipc: number;
  numClasses: number;
  /** global sub-class id (c·ipc + local) of every train position */
  clusterOf: Int32Array;
  /** train positions of every global sub-class id (length numClasses·ipc; some may be empty) */
  members: Int32Array[];
  /** |members[g]| */
  sizes: Int32Array;
  /** Lloyd iterations per class */
  iterations: number[];
  /** empty-cluster re-seeds per class */
  reseeds: number[];
}

export interface SubClassOptions extends KMeansOptions {
  /** after each class */
  onClass?: (c: number, info: { n: number; iterations: number; seconds: number }) => void;
}

/** Row subset of a feature matrix. */
export function selectRows(feats: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const { dim } = feats;
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(feats.data.subarray(rows[i] * dim, (rows[i] + 1) * dim), i * dim);
  return { data: out, n: rows.length, dim };
}

/**
 * Per-class k-means with `ipc` clusters on `feats` (row p = train position p, label `labels[p]`).
 * Each class draws from its own fork of `rng` (`kmeans/c`), so classes are independent and reproducible.
 */
export async function subClasses(
  feats: FeatureMatrix,
  labels: Int32Array,
  numClasses: number,
  ipc: number,
  rng: Rng,
  opts: SubClassOptions = {},
): Promise<SubClasses> {
  if (labels.length !== feats.n) throw new LabError(`labels ${labels.length} ≠ features ${feats.n}`, 'subClasses');
  if (!(ipc >= 1)) throw new LabError(`ipc must be ≥ 1, got ${ipc}`, 'subClasses');
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let p = 0; p < labels.length; p++) {
    const y = labels[p];
    if (y < 0 || y >= numClasses) throw new LabError(`label ${y} outside 0..${numClasses - 1}`, 'subClasses');
    byClass[y].push(p);
  }
  const clusterOf = new Int32Array(labels.length).fill(-1);
  const lists: number[][] = Array.from({ length: numClasses * ipc }, () => []);
  const iterations: number[] = [];
  const reseeds: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    throwIfCancelled(opts.signal);
    const rows = byClass[c];
    if (rows.length === 0) {
      iterations.push(0);
      reseeds.push(0);
      continue;
    }
    const t0 = performance.now();
    const res = await kmeans(selectRows(feats, rows), ipc, rng.fork(`kmeans/${c}`), opts);
    for (let i = 0; i < rows.length; i++) {
      const g = c * ipc + res.labels[i];
      clusterOf[rows[i]] = g;
      lists[g].push(rows[i]);
    }
    iterations.push(res.iterations);
    reseeds.push(res.reseeds);
    opts.onClass?.(c, { n: rows.length, iterations: res.iterations, seconds: (performance.now() - t0) / 1000 });
  }
  const members = lists.map((l) => Int32Array.from(l));
  const sizes = Int32Array.from(members.map((m) => m.length));
  return { ipc, numClasses, clusterOf, members, sizes, iterations, reseeds };
}
