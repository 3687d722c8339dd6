/**
 * Blend dataset condensation (docs/paper-notes.md §3.2–3.4), batched.
 *
 * Every non-empty cluster k (members x_{k,1..n}) gets raw weights w_k initialised to 1/n; the blended image is
 * x̃_k = Σ_i (w_{k,i}/Σ_j w_{k,j}) x_{k,i} in normalised pixel space (plain sum-normalisation, no clipping).
 * Loss L = (1/T) Σ_k mean_d (embed(x̃_k)[d] − μ_k[d])² with μ_k = mean_i embed(x_{k,i}) under one fixed random
 * feature network; SGD momentum 0.5 in PyTorch convention (v ← μv + g; w ← w − lr·v) with lr = lr_b(IPC),
 * one step per iteration over all clusters.
 *
 * Batched: clusters are sorted by size and packed into chunks of ≤ `chunkImages` padded member images; inside a
 * chunk every cluster is padded to the chunk's n_max with zero weights (masked out of the update). Because the
 * feature network uses instance norm, a sample's features do not depend on its batch-mates, and each w_k only
 * affects ℓ_k, so the batched gradients equal the one-cluster-at-a-time gradients (mode 'sequential').
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, RgbaImage, SampleSource } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import { toRgba } from '../data/batch';
import type { PrototypeView } from '../contracts';
import type { ForgetMode } from '../types';
import { embedHere, embedParallel, type FeatureParallel } from './kmeans';

const PIXELS = 32 * 32 * 3;

/** Blend learning rate, cubic polynomial in IPC (docs/paper-notes.md §3.3). */
export function lrBlend(ipc: number): number {
  return -2.397e-6 * ipc ** 3 + 0.01265 * ipc ** 2 - 0.2558 * ipc + 1.461;
}

/**
 * The per-cluster Blend step lr/T of the paper's CIFAR-10 IPC-1000 unlearning runs (docs/paper-notes.md §3.3, §4.3):
 * lr_b(1000) = 9998.7 divided by the number of condensed (free) clusters T.
 *  - class forgetting: T = 9 · 1000 = 9,000 free clusters (docs/paper-notes.md §4.3, exact) → 1.111;
 *  - 10 % uniform: T = 6,294 free clusters, measured by this lab on full CIFAR-10 at IPC 1000, seed 0
 *    (results/bench.md row reduced_retain.uniform10_ipc1000_pct; the paper's 60.2 % reduced set agrees) → 1.589.
 * Used by `lrMode: 'paper-regime'`: lr = lrPerCluster · T, so every preset takes the paper's per-cluster step
 * whatever its IPC and cluster count (a documented deviation; 'paper-polynomial' keeps lr_b(IPC)).
 */
export const PAPER_BLEND_T = { class: 9000, uniform: 6294 } as const;
export const PAPER_LR_PER_CLUSTER = {
  class: lrBlend(1000) / PAPER_BLEND_T.class,
  uniform: lrBlend(1000) / PAPER_BLEND_T.uniform,
} as const;

/**
 * 'paper-regime': lr = PAPER_LR_PER_CLUSTER[mode] · T; 'paper-polynomial': lr = lr_b(IPC) (docs/paper-notes.md §3.3).
 */
export type BlendLrMode = 'paper-regime' | 'paper-polynomial';

/**
 * How Blend's step is chosen; `blendLr` turns it into lr for T free clusters, the only place that does.
 *  - 'paper-regime': the paper's CIFAR-10 IPC-1000 per-cluster step for the forgetting mode, times T;
 *  - 'paper-polynomial': lr_b(IPC) (docs/paper-notes.md §3.3);
 *  - 'per-cluster': a given per-cluster step, times T;
 *  - 'fixed': a given lr.
 */
export type BlendStep =
  | { kind: 'paper-regime'; forgetMode: ForgetMode }
  | { kind: 'paper-polynomial'; ipc: number }
  | { kind: 'per-cluster'; lrPerCluster: number }
  | { kind: 'fixed'; lr: number };

/** The Blend step of a spec's `condense.lrMode` for a forgetting mode and IPC. */
export function blendStepOf(lrMode: BlendLrMode, forgetMode: ForgetMode, ipc: number): BlendStep {
  return lrMode === 'paper-regime' ? { kind: 'paper-regime', forgetMode } : { kind: 'paper-polynomial', ipc };
}

/** Blend's learning rate for `step` and T free (non-empty) clusters. */
export function blendLr(step: BlendStep, T: number): number {
  switch (step.kind) {
    case 'paper-regime':
      return PAPER_LR_PER_CLUSTER[step.forgetMode] * T;
    case 'paper-polynomial':
      return lrBlend(step.ipc);
    case 'per-cluster':
      return step.lrPerCluster * T;
    case 'fixed':
      return step.lr;
  }
}

/** One cluster to condense: its global sub-class id, class label, member positions in the source. */
export interface BlendCluster {
  id: number;
  label: number;
  members: Int32Array;
}

export interface PreviewOptions {
  /** de-normalisation constants for display */
  display: { mean: [number, number, number]; std: [number, number, number] };
  /** prototypes shown (spread over the clusters); default 8 */
  count?: number;
  /** member images per prototype; default 4 */
  members?: number;
  /** emit after iteration 0 (initial pixel means) and then every `every` iterations and after the last; default 1 */
  every?: number;
  onPrototypes: (iter: number, items: PrototypeView[]) => void;
}

export interface BlendOptions {
  source: SampleSource;
  clusters: BlendCluster[];
  /** the step, turned into lr by `blendLr` (T = non-empty clusters) */
  step: BlendStep;
  /** default 12 (unlearning pipelines); the §4.2 benchmark uses 20 */
  iterations?: number;
  /** default 0.5 */
  momentum?: number;
  /** random feature network factory (ConvNet-3, random weights); the network is disposed by Blend */
  createNet: (rng: Rng) => Model;
  rng: Rng;
  /**
   * docs/paper-notes.md §10 B4 paper variant: a fresh network (and fresh targets μ_k) every iteration; default
   * false (the code)
   */
  resampleNet?: boolean;
  /** 'batched' (default) or 'sequential' (one cluster per forward pass, as the reference code) */
  mode?: 'batched' | 'sequential';
  /** padded member images per chunk (batched); default 2048 */
  chunkImages?: number;
  /** blended images per network forward/backward in batched mode; default 256 */
  netBatch?: number;
  /** batch size for the target features μ_k; default 256 (instance norm: value independent of batch) */
  targetBatch?: number;
  /**
   * data-parallel workers (batched mode): the target pass and the iterations' network passes run sharded over them
   * (each `targetBatch` / `netBatch` split over the workers: memory as in one thread); the rest (blending, weight
   * gradient, SGD) stays here. Absent/null, or mode 'sequential': this thread.
   */
  parallel?: FeatureParallel | null;
  /** keep member tensors across iterations while their total size stays ≤ this many bytes; default 256 MiB */
  cacheBytes?: number;
  /**
   * μ_k of the kept clusters (kept order, T×D) from an earlier run with the same clusters, rng and factory
   * (`BlendResult.targets`): skips the target pass (benchmarks comparing modes). Ignored with `resampleNet`.
   */
  targets?: Float32Array;
  signal?: AbortSignal;
  /** after each iteration (1-based) with its loss L (computed before that iteration's update) */
  onIter?: (iter: number, loss: number) => void;
  /** progress of the target-feature pass */
  onTargets?: (done: number, total: number) => void;
  preview?: PreviewOptions;
}

export interface BlendResult {
  /** T blended images, normalised NHWC float32, T×32×32×3 */
  pixels: Float32Array;
  labels: Int32Array;
  /** global sub-class id of each blended image */
  clusterIds: Int32Array;
  sizes: Int32Array;
  /** raw (un-normalised) weights per blended cluster after the last step */
  weights: Float32Array[];
  /** L per iteration (before the update of that iteration) */
  losses: number[];
  finalLoss: number;
  /** empty clusters that were skipped (docs/paper-notes.md §10 B9) */
  skippedEmpty: number;
  lr: number;
  seconds: number;
  /** time spent computing μ_k */
  targetSeconds: number;
  /** time spent in the optimisation iterations */
  iterSeconds: number;
  /** μ_k used (kept order, T×D; the last network's with `resampleNet`) */
  targets: Float32Array;
  /** where the iterations' time went (seconds, all iterations; batched mode; the rest of iterSeconds is the SGD step) */
  phases: BlendPhases;
}

/**
 * Blend's iteration time by phase (batched mode): `gather` member tensors fetched from the source (0 when cached),
 * `blend` x̃_k = w̃_k·X_k, `net` the feature network's forward and input-gradient passes, `weightGrad`
 * ∂L/∂w_k = X_k·G_k and the sum-normalisation.
 */
export interface BlendPhases {
  gather: number;
  blend: number;
  net: number;
  weightGrad: number;
}

/** The kept clusters, their weights and chunks: what the gradient paths and previews of one Blend run share. */
interface BlendState {
  source: SampleSource;
  kept: BlendCluster[];
  /** T = kept.length */
  T: number;
  sizes: number[];
  /** cluster k's weights are w[offsets[k] .. offsets[k + 1]) */
  offsets: Int32Array;
  /** raw weights (updated in place by the SGD step) */
  w: Float32Array;
  chunks: Chunk[];
  signal?: AbortSignal;
  /** accumulated phase seconds (batched mode) */
  phases: BlendPhases;
}

/** The feature network and the targets μ_k (tensor T×D) the loss compares the blends with. */
interface Targets {
  net: Model;
  mu: tf.Tensor2D;
  /** μ_k on the host (T×D), what the workers receive */
  muHost: Float32Array;
}

interface Chunk {
  /** indices into the kept cluster list */
  ks: number[];
  nMax: number;
  /** padded positions (T_c·nMax), padding repeats the cluster's first member (weight 0) */
  pos: Int32Array;
  cached?: tf.Tensor3D;
}

/** Packs kept clusters into chunks (sorted by size for batched; one per chunk for sequential). */
function planChunks(
  sizes: number[],
  mode: 'batched' | 'sequential',
  chunkImages: number,
): Array<{ ks: number[]; nMax: number }> {
  const order = sizes.map((_, i) => i);
  if (mode === 'sequential') return order.map((k) => ({ ks: [k], nMax: sizes[k] }));
  order.sort((a, b) => sizes[a] - sizes[b] || a - b);
  const out: Array<{ ks: number[]; nMax: number }> = [];
  let cur: number[] = [];
  let nMax = 0;
  for (const k of order) {
    const n = Math.max(nMax, sizes[k]);
    if (cur.length > 0 && (cur.length + 1) * n > chunkImages) {
      out.push({ ks: cur, nMax });
      cur = [];
      nMax = 0;
    }
    cur.push(k);
    nMax = Math.max(nMax, sizes[k]);
  }
  if (cur.length > 0) out.push({ ks: cur, nMax });
  return out;
}

/** Member tensor of a chunk: [T_c, nMax, 3072]. */
function gatherChunk(source: SampleSource, c: Chunk): tf.Tensor3D {
  return tf.tidy(() => source.gather(c.pos).reshape([c.ks.length, c.nMax, PIXELS]) as tf.Tensor3D);
}

/** Blended images [T_c, 32, 32, 3] from raw weights [T_c, nMax] and members [T_c, nMax, 3072]. */
function blendImages(w: tf.Tensor2D, x: tf.Tensor3D): tf.Tensor4D {
  const [t, n] = w.shape;
  const wn = tf.div(w, tf.sum(w, 1, true));
  return tf.matMul(wn.reshape([t, 1, n]) as tf.Tensor3D, x).reshape([t, 32, 32, 3]) as tf.Tensor4D;
}

/** Mean embedding μ_k of every kept cluster (host, Float32Array T×D). */
async function computeTargets(
  net: Model,
  source: SampleSource,
  members: Int32Array[],
  batch: number,
  signal: AbortSignal | undefined,
  onTargets?: (done: number, total: number) => void,
  parallel?: FeatureParallel | null,
): Promise<{ mu: Float32Array; dim: number }> {
  let total = 0;
  for (const m of members) total += m.length;
  const flat = new Int32Array(total);
  const owner = new Int32Array(total);
  let o = 0;
  members.forEach((m, k) => {
    flat.set(m, o);
    owner.fill(k, o, o + m.length);
    o += m.length;
  });
  let sums: Float64Array | null = null;
  let dim = 0;
  for (let start = 0; start < total; start += batch) {
    throwIfCancelled(signal);
    const m = Math.min(batch, total - start);
    const pos = flat.subarray(start, start + m);
    const host = parallel ? await embedParallel(parallel, net, source, pos) : await embedHere(net, source, pos);
    if (!sums) {
      dim = host.length / m;
      sums = new Float64Array(members.length * dim);
    }
    for (let i = 0; i < m; i++) {
      const base = owner[start + i] * dim;
      for (let d = 0; d < dim; d++) sums[base + d] += host[i * dim + d];
    }
    onTargets?.(start + m, total);
  }
  const mu = new Float32Array(members.length * dim);
  for (let k = 0; k < members.length; k++) {
    const inv = 1 / members[k].length;
    for (let d = 0; d < dim; d++) mu[k * dim + d] = sums![k * dim + d] * inv;
  }
  return { mu, dim };
}

/** Chunks of padded member positions (padding repeats the cluster's first member, weight 0). */
function makeChunks(
  kept: BlendCluster[],
  sizes: number[],
  mode: 'batched' | 'sequential',
  chunkImages: number,
): Chunk[] {
  return planChunks(sizes, mode, chunkImages).map(({ ks, nMax }) => {
    const pos = new Int32Array(ks.length * nMax);
    ks.forEach((k, r) => {
      const m = kept[k].members;
      for (let i = 0; i < nMax; i++) pos[r * nMax + i] = i < m.length ? m[i] : m[0];
    });
    return { ks, nMax, pos };
  });
}

/** Weights of a chunk's clusters, padded to [T_c · nMax] with zeros. */
function chunkWeights(st: BlendState, c: Chunk): Float32Array {
  const out = new Float32Array(c.ks.length * c.nMax);
  c.ks.forEach((k, r) => out.set(st.w.subarray(st.offsets[k], st.offsets[k + 1]), r * c.nMax));
  return out;
}

/** The chunk's member tensor: the cached one, or a fresh one the caller disposes (when `!c.cached`). */
function membersOf(st: BlendState, c: Chunk): tf.Tensor3D {
  if (c.cached) return c.cached;
  const t = performance.now();
  const x = gatherChunk(st.source, c);
  st.phases.gather += (performance.now() - t) / 1000;
  return x;
}

/** Reference-code path: one cluster per forward/backward pass, autograd through the blend. */
async function sequentialGrads(st: BlendState, tg: Targets): Promise<{ loss: number; grads: Float32Array }> {
  const grads = new Float32Array(st.w.length);
  let loss = 0;
  for (const c of st.chunks) {
    throwIfCancelled(st.signal);
    const x = membersOf(st, c);
    try {
      const wt = tf.tensor2d(chunkWeights(st, c), [c.ks.length, c.nMax]);
      const { value, grad } = tf.tidy(() => {
        const mu = tf.gather(tg.mu, c.ks);
        const f = (wv: tf.Tensor): tf.Scalar => {
          const emb = tg.net.embed(blendImages(wv as tf.Tensor2D, x));
          return tf.div(tf.sum(tf.mean(tf.squaredDifference(emb, mu), 1)), st.T) as tf.Scalar;
        };
        return tf.valueAndGrad(f)(wt);
      });
      wt.dispose();
      try {
        const [lv, gv] = await Promise.all([value.data(), grad.data()]);
        loss += lv[0];
        c.ks.forEach((k, r) => {
          grads.set((gv as Float32Array).subarray(r * c.nMax, r * c.nMax + st.sizes[k]), st.offsets[k]);
        });
      } finally {
        value.dispose();
        grad.dispose();
      }
    } finally {
      if (!c.cached) x.dispose();
    }
  }
  return { loss, grads };
}

/** x̃_k of every kept cluster under the current weights, [T·PIXELS] in kept-cluster order, chunk by chunk. */
async function blendAll(st: BlendState): Promise<Float32Array> {
  const out = new Float32Array(st.T * PIXELS);
  for (const c of st.chunks) {
    throwIfCancelled(st.signal);
    const x = membersOf(st, c);
    try {
      const t = performance.now();
      const img = tf.tidy(() => blendImages(tf.tensor2d(chunkWeights(st, c), [c.ks.length, c.nMax]), x));
      const px = (await img.data()) as Float32Array;
      img.dispose();
      c.ks.forEach((k, r) => out.set(px.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS));
      st.phases.blend += (performance.now() - t) / 1000;
    } finally {
      if (!c.cached) x.dispose();
    }
  }
  return out;
}

/** L and ∂L/∂x̃ of the blends x̃_{s0..s0+b} (host pixels `xs`) in this thread. */
async function matchHere(
  tg: Targets,
  xs: Float32Array,
  b: number,
  s0: number,
  T: number,
): Promise<{ value: number; grad: Float32Array }> {
  const xb = tf.tensor4d(xs, [b, 32, 32, 3]);
  const { value, grad } = tf.tidy(() => {
    const mu = tg.mu.slice([s0, 0], [b, -1]);
    const f = (xv: tf.Tensor): tf.Scalar =>
      tf.div(tf.sum(tf.mean(tf.squaredDifference(tg.net.embed(xv as tf.Tensor4D), mu), 1)), T) as tf.Scalar;
    return tf.valueAndGrad(f)(xb);
  });
  xb.dispose();
  try {
    const [lv, gv] = await Promise.all([value.data(), grad.data()]);
    return { value: lv[0], grad: gv as Float32Array };
  } finally {
    value.dispose();
    grad.dispose();
  }
}

/**
 * Batched path, in three phases so the network batch does not depend on cluster sizes:
 * (1) x̃_k for all clusters, chunk by chunk; (2) L and G = ∂L/∂x̃ through the network, `netBatch` blends at a
 * time; (3) ∂L/∂w̃_k = X_k·G_k per chunk, then through the sum-normalisation:
 * ∂L/∂w_i = (∂L/∂w̃_i − Σ_j w̃_j ∂L/∂w̃_j) / Σ_j w_j. Exact (chain rule), instance norm makes (2) batch-independent.
 */
async function batchedGrads(
  st: BlendState,
  tg: Targets,
  netBatch: number,
  parallel: FeatureParallel | null,
): Promise<{ loss: number; grads: Float32Array }> {
  const { T, w, sizes, offsets } = st;
  const xt = await blendAll(st);
  const G = new Float32Array(T * PIXELS);
  let loss = 0;
  const tNet = performance.now();
  // netBatch blends per pass (with `parallel` split over the workers: the same term, sharded)
  const D = tg.muHost.length / T;
  for (let s0 = 0; s0 < T; s0 += netBatch) {
    throwIfCancelled(st.signal);
    const b = Math.min(netBatch, T - s0);
    const xs = xt.subarray(s0 * PIXELS, (s0 + b) * PIXELS);
    const r = parallel
      ? await parallel.embedMatch(tg.net, xs, b, tg.muHost.subarray(s0 * D, (s0 + b) * D), T)
      : await matchHere(tg, xs, b, s0, T);
    loss += r.value;
    G.set(r.grad, s0 * PIXELS);
  }
  st.phases.net += (performance.now() - tNet) / 1000;
  const grads = new Float32Array(w.length);
  for (const c of st.chunks) {
    throwIfCancelled(st.signal);
    const x = membersOf(st, c);
    const tw = performance.now();
    try {
      const gc = new Float32Array(c.ks.length * PIXELS);
      c.ks.forEach((k, r) => gc.set(G.subarray(k * PIXELS, (k + 1) * PIXELS), r * PIXELS));
      const gt = tf.tidy(() => tf.matMul(x, tf.tensor3d(gc, [c.ks.length, PIXELS, 1])));
      const gw = (await gt.data()) as Float32Array;
      gt.dispose();
      c.ks.forEach((k, r) => {
        const n = sizes[k],
          o = offsets[k],
          base = r * c.nMax;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += w[o + i];
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (w[o + i] / sum) * gw[base + i];
        for (let i = 0; i < n; i++) grads[o + i] = (gw[base + i] - dot) / sum;
      });
    } finally {
      if (!c.cached) x.dispose();
      st.phases.weightGrad += (performance.now() - tw) / 1000;
    }
  }
  return { loss, grads };
}

/** SGD momentum, PyTorch convention: v ← μ·v + g (first step v = g); w ← w − lr·v. */
function sgdMomentumStep(
  w: Float32Array,
  v: Float32Array,
  grads: Float32Array,
  lr: number,
  momentum: number,
  first: boolean,
): void {
  for (let i = 0; i < w.length; i++) {
    v[i] = first ? grads[i] : momentum * v[i] + grads[i];
    w[i] -= lr * v[i];
  }
}

/** The kept clusters shown as prototypes: `count` spread over the clusters in id order. */
function previewIndices(kept: BlendCluster[], count: number): number[] {
  const T = kept.length;
  const n = Math.min(count, T);
  const byId = kept.map((_, k) => k).sort((a, b) => kept[a].id - kept[b].id);
  return Array.from({ length: n }, (_, i) => byId[Math.floor((i * T) / n)]);
}

/** The prototypes `idx` under the current weights, with a few member images each, for display. */
async function previewPrototypes(st: BlendState, p: PreviewOptions, idx: number[]): Promise<PrototypeView[]> {
  const items: PrototypeView[] = [];
  for (const k of idx) {
    const cl = st.kept[k];
    const wk = st.w.slice(st.offsets[k], st.offsets[k + 1]);
    const img = tf.tidy(() => {
      const x = st.source.gather(cl.members).reshape([1, cl.members.length, PIXELS]) as tf.Tensor3D;
      return blendImages(tf.tensor2d(wk, [1, wk.length]), x);
    });
    const px = (await img.data()) as Float32Array;
    img.dispose();
    const nm = Math.min(p.members ?? 4, cl.members.length);
    const mt = st.source.gather(cl.members.subarray(0, nm));
    const mpx = (await mt.data()) as Float32Array;
    mt.dispose();
    const rgba = (data: Float32Array, off: number): RgbaImage => ({
      width: 32,
      height: 32,
      data: toRgba(p.display, data, off),
    });
    items.push({
      cluster: cl.id,
      label: cl.label,
      size: cl.members.length,
      image: rgba(px, 0),
      members: Array.from({ length: nm }, (_, i) => rgba(mpx, i * PIXELS)),
    });
  }
  return items;
}

/** Runs Blend on `clusters`; see the module comment. Disposes every tensor it creates, also on cancel/error. */
export async function blend(opts: BlendOptions): Promise<BlendResult> {
  const t0 = performance.now();
  const iterations = opts.iterations ?? 12;
  const momentum = opts.momentum ?? 0.5;
  const mode = opts.mode ?? 'batched';
  const chunkImages = opts.chunkImages ?? 2048;
  const targetBatch = opts.targetBatch ?? 256;
  const netBatch = opts.netBatch ?? 256;
  const cacheBytes = opts.cacheBytes ?? 256 * 1024 * 1024;
  const parallel = mode === 'batched' ? (opts.parallel ?? null) : null;
  const kept = opts.clusters.filter((c) => c.members.length > 0);
  const skippedEmpty = opts.clusters.length - kept.length;
  const T = kept.length;
  const lr = blendLr(opts.step, T);
  const sizes = kept.map((c) => c.members.length);
  const offsets = new Int32Array(T + 1);
  for (let k = 0; k < T; k++) offsets[k + 1] = offsets[k] + sizes[k];
  const w = new Float32Array(offsets[T]);
  const v = new Float32Array(offsets[T]);
  for (let k = 0; k < T; k++) w.fill(1 / sizes[k], offsets[k], offsets[k + 1]);
  const chunks = makeChunks(kept, sizes, mode, chunkImages);
  const phases: BlendPhases = { gather: 0, blend: 0, net: 0, weightGrad: 0 };
  const st: BlendState = { source: opts.source, kept, T, sizes, offsets, w, chunks, signal: opts.signal, phases };
  const paddedTotal = chunks.reduce((s, c) => s + c.pos.length, 0);
  const useCache = paddedTotal * PIXELS * 4 <= cacheBytes;

  const losses: number[] = [];
  let targetSeconds = 0;
  let iterSeconds = 0;
  let tg: Targets | null = null;
  let muHost: Float32Array = new Float32Array(0);

  const dropTargets = () => {
    tg?.net.dispose();
    tg?.mu.dispose();
    tg = null;
  };
  /** A fresh feature network from `r` and the targets μ_k under it (or the given ones). */
  const setTargets = async (r: Rng): Promise<Targets> => {
    const ts = performance.now();
    dropTargets();
    const net = opts.createNet(r);
    try {
      if (opts.targets && !opts.resampleNet) {
        const dim = opts.targets.length / T;
        if (!Number.isInteger(dim) || dim <= 0) throw new LabError('targets do not match the clusters', 'blend');
        muHost = opts.targets;
        tg = { net, mu: tf.tensor2d(opts.targets, [T, dim]), muHost };
        return tg;
      }
      const t = await computeTargets(
        net,
        opts.source,
        kept.map((c) => c.members),
        targetBatch,
        opts.signal,
        opts.onTargets,
        parallel,
      );
      muHost = t.mu;
      tg = { net, mu: tf.tensor2d(t.mu, [T, t.dim]), muHost };
    } finally {
      if (!tg) net.dispose();
    }
    targetSeconds += (performance.now() - ts) / 1000;
    return tg;
  };

  const previewIdx = previewIndices(kept, opts.preview?.count ?? 8);
  const emitPreview = async (iter: number) => {
    const p = opts.preview;
    if (!p || previewIdx.length === 0) return;
    p.onPrototypes(iter, await previewPrototypes(st, p, previewIdx));
  };

  try {
    if (T === 0) {
      return {
        pixels: new Float32Array(0),
        labels: new Int32Array(0),
        clusterIds: new Int32Array(0),
        sizes: new Int32Array(0),
        weights: [],
        losses: [],
        finalLoss: NaN,
        skippedEmpty,
        lr,
        seconds: (performance.now() - t0) / 1000,
        targetSeconds: 0,
        iterSeconds: 0,
        targets: muHost,
        phases,
      };
    }
    if (useCache) for (const c of chunks) c.cached = tf.keep(gatherChunk(opts.source, c));
    let cur = opts.resampleNet ? null : await setTargets(opts.rng.fork('net'));
    await emitPreview(0);
    const every = Math.max(1, opts.preview?.every ?? 1);

    for (let iter = 1; iter <= iterations; iter++) {
      throwIfCancelled(opts.signal);
      if (opts.resampleNet) cur = await setTargets(opts.rng.fork(`net/${iter}`));
      const ti = performance.now();
      const { loss, grads } =
        mode === 'sequential' ? await sequentialGrads(st, cur!) : await batchedGrads(st, cur!, netBatch, parallel);
      sgdMomentumStep(w, v, grads, lr, momentum, iter === 1);
      iterSeconds += (performance.now() - ti) / 1000;
      losses.push(loss);
      opts.onIter?.(iter, loss);
      if (opts.preview && (iter % every === 0 || iter === iterations)) await emitPreview(iter);
    }

    // final blended images in kept-cluster order (outside the iterations: not counted in the phases)
    const iterPhases = { ...phases };
    const pixels = await blendAll(st);
    return {
      pixels,
      labels: Int32Array.from(kept.map((c) => c.label)),
      clusterIds: Int32Array.from(kept.map((c) => c.id)),
      sizes: Int32Array.from(sizes),
      weights: kept.map((_, k) => w.slice(offsets[k], offsets[k + 1])),
      losses,
      finalLoss: losses.length ? losses[losses.length - 1] : NaN,
      skippedEmpty,
      lr,
      seconds: (performance.now() - t0) / 1000,
      targetSeconds,
      iterSeconds,
      targets: muHost,
      phases: iterPhases,
    };
  } finally {
    for (const c of chunks) {
      c.cached?.dispose();
      c.cached = undefined;
    }
    dropTargets();
  }
}

/** Clusters of a sub-class partition as Blend input (all global ids, empty ones included; Blend skips them). */
export function clustersOf(members: Int32Array[], ipc: number, ids?: ArrayLike<number>): BlendCluster[] {
  const list = ids ? Array.from(ids) : members.map((_, g) => g);
  return list.map((g) => ({ id: g, label: Math.floor(g / ipc), members: members[g] }));
}
