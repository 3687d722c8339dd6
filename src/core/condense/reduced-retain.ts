/**
 * Reduced retain set (docs/paper-notes.md §4): partition the k-means sub-classes of the whole training set into free
 * clusters (no forget image) and residual retain images (retain images sharing a cluster with a forget image), condense
 * the free clusters with Blend, and assemble D_r^red = residual (real) ∪ blended (float) with labels.
 */
import type { Model, SampleSource } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import { concatSources, floatSource, subsetSource } from '../data/source';
import type { CondenseResult } from '../contracts';
import type { FeatureParallel, SubClasses, SubClassOptions } from './kmeans';
import { embedAll, subClasses } from './kmeans';
import type { BlendOptions, BlendResult } from './blend';
import { blend, clustersOf } from './blend';

export interface Partition {
  /** non-empty clusters with no forget image (global ids, ascending) */
  free: Int32Array;
  /** clusters containing at least one forget image */
  touched: Int32Array;
  /** empty clusters (skipped, docs/paper-notes.md §10 B9) */
  empty: Int32Array;
  /** retain positions in touched clusters (kept raw), ascending */
  residual: Int32Array;
  /** retain images inside free clusters (condensed) */
  freeImages: number;
  retainSize: number;
  forgetSize: number;
}

/** Maps dataset indices to positions in `order` (e.g. split.forgetIdx → positions in split.trainIdx). */
export function positionsOf(order: Int32Array, indices: ArrayLike<number>): Int32Array {
  const where = new Map<number, number>();
  for (let p = 0; p < order.length; p++) where.set(order[p], p);
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const p = where.get(indices[i]);
    if (p === undefined) throw new LabError(`index ${indices[i]} is not in the training order`, 'positionsOf');
    out[i] = p;
  }
  return out;
}

/** Spec §4.1: free clusters (I_k = 0, non-empty) and residual images R = ∪_{I_k=1} (S_k \ F). */
export function partitionClusters(sub: SubClasses, forgetPos: ArrayLike<number>): Partition {
  const n = sub.clusterOf.length;
  const isForget = new Uint8Array(n);
  for (let i = 0; i < forgetPos.length; i++) {
    const p = forgetPos[i];
    if (p < 0 || p >= n) throw new LabError(`forget position ${p} outside 0..${n - 1}`, 'partitionClusters');
    isForget[p] = 1;
  }
  let forgetSize = 0;
  for (let p = 0; p < n; p++) forgetSize += isForget[p];
  const G = sub.members.length;
  const hit = new Uint8Array(G);
  for (let p = 0; p < n; p++) if (isForget[p] && sub.clusterOf[p] >= 0) hit[sub.clusterOf[p]] = 1;
  const free: number[] = [],
    touched: number[] = [],
    empty: number[] = [],
    residual: number[] = [];
  let freeImages = 0;
  for (let g = 0; g < G; g++) {
    const m = sub.members[g];
    if (m.length === 0) empty.push(g);
    else if (hit[g]) {
      touched.push(g);
      for (let i = 0; i < m.length; i++) if (!isForget[m[i]]) residual.push(m[i]);
    } else {
      free.push(g);
      freeImages += m.length;
    }
  }
  residual.sort((a, b) => a - b);
  return {
    free: Int32Array.from(free),
    touched: Int32Array.from(touched),
    empty: Int32Array.from(empty),
    residual: Int32Array.from(residual),
    freeImages,
    retainSize: n - forgetSize,
    forgetSize,
  };
}

export interface ReducedRetainOptions {
  /** the whole training set (retain and forget), positions = k-means rows */
  train: SampleSource;
  /** forget positions in `train` */
  forgetPos: ArrayLike<number>;
  numClasses: number;
  ipc: number;
  rng: Rng;
  /** random feature networks (k-means and Blend draw separate ones) */
  createNet: (rng: Rng) => Model;
  /** sub-classes computed earlier (spec: the partition is forget-agnostic; multi-round re-uses it) */
  sub?: SubClasses;
  kmeans?: Omit<SubClassOptions, 'signal'>;
  /** Blend options: the step (`blendLr`) and the rest (iterations default 12) */
  blend: Partial<Omit<BlendOptions, 'source' | 'clusters' | 'createNet' | 'rng' | 'signal' | 'step'>> &
    Pick<BlendOptions, 'step'>;
  signal?: AbortSignal;
  /** data-parallel workers for the feature networks' passes (k-means features, Blend); absent/null: this thread */
  parallel?: FeatureParallel | null;
  /** stage progress: k-means features/classes */
  onKmeans?: (phase: 'features' | 'cluster', done: number, total: number) => void;
  onPartition?: (p: Partition, sub: SubClasses) => void;
}

export interface ReducedRetain {
  /** D_r^red: positions 0..residual-1 are real residual images, the rest blended images */
  source: SampleSource;
  size: number;
  retainSize: number;
  /** size / retainSize */
  ratio: number;
  residualImages: number;
  freeClusters: number;
  emptyClusters: number;
  sub: SubClasses;
  partition: Partition;
  blend: BlendResult;
  kmeansSeconds: number;
  partitionSeconds: number;
  blendSeconds: number;
  /** Blend's last iteration loss */
  finalLoss: number;
  /** holds no tensors (host arrays only); present so owners can treat it like other stage outputs */
  dispose(): void;
}

/** Computes the k-means sub-classes of `train` with a fresh random feature network (docs/paper-notes.md §3.1). */
export async function subClassesOfSource(
  train: SampleSource,
  numClasses: number,
  ipc: number,
  rng: Rng,
  createNet: (rng: Rng) => Model,
  opts: SubClassOptions & {
    onFeatures?: (done: number, total: number) => void;
    batch?: number;
    parallel?: FeatureParallel | null;
  } = {},
): Promise<SubClasses> {
  const net = createNet(rng.fork('kmeans-net'));
  let feats;
  try {
    feats = await embedAll(net, train, opts.batch ?? 256, {
      signal: opts.signal,
      onBatch: opts.onFeatures,
      parallel: opts.parallel,
    });
  } finally {
    net.dispose();
  }
  return await subClasses(feats, train.labels, numClasses, ipc, rng.fork('kmeans'), opts);
}

/** Spec §4.1–4.2 end to end, with separate timings (k-means, partition, Blend). */
export async function reducedRetain(opts: ReducedRetainOptions): Promise<ReducedRetain> {
  throwIfCancelled(opts.signal);
  let kmeansSeconds = 0;
  let sub = opts.sub;
  if (!sub) {
    const t = performance.now();
    sub = await subClassesOfSource(opts.train, opts.numClasses, opts.ipc, opts.rng, opts.createNet, {
      ...opts.kmeans,
      signal: opts.signal,
      parallel: opts.parallel,
      onFeatures: (d, n) => opts.onKmeans?.('features', d, n),
      onClass: (c, info) => {
        opts.kmeans?.onClass?.(c, info);
        opts.onKmeans?.('cluster', c + 1, opts.numClasses);
      },
    });
    kmeansSeconds = (performance.now() - t) / 1000;
  }
  if (sub.ipc !== opts.ipc)
    throw new LabError(`sub-classes were computed with IPC ${sub.ipc}, not ${opts.ipc}`, 'reducedRetain');
  const tp = performance.now();
  const partition = partitionClusters(sub, opts.forgetPos);
  const partitionSeconds = (performance.now() - tp) / 1000;
  opts.onPartition?.(partition, sub);
  throwIfCancelled(opts.signal);
  const tb = performance.now();
  const b = await blend({
    iterations: 12,
    parallel: opts.parallel,
    ...opts.blend,
    source: opts.train,
    clusters: clustersOf(sub.members, sub.ipc, partition.free),
    createNet: opts.createNet,
    rng: opts.rng.fork('blend'),
    signal: opts.signal,
  });
  const blendSeconds = (performance.now() - tb) / 1000;
  const residualSrc = subsetSource(opts.train, partition.residual);
  const blendSrc = floatSource(b.pixels, b.labels);
  const source = concatSources(residualSrc, blendSrc);
  return {
    source,
    size: source.size,
    retainSize: partition.retainSize,
    ratio: partition.retainSize > 0 ? source.size / partition.retainSize : 0,
    residualImages: partition.residual.length,
    freeClusters: partition.free.length,
    emptyClusters: partition.empty.length,
    sub,
    partition,
    blend: b,
    kmeansSeconds,
    partitionSeconds,
    blendSeconds,
    finalLoss: b.finalLoss,
    dispose() {
      /* host memory only */
    },
  };
}

/** The runner's result record (contracts.ts) of one condensation. */
export function toCondenseResult(r: ReducedRetain, round = 1): CondenseResult {
  return {
    ipc: r.sub.ipc,
    round,
    kmeansSeconds: r.kmeansSeconds,
    partitionSeconds: r.partitionSeconds,
    blendSeconds: r.blendSeconds,
    retainSize: r.retainSize,
    reducedRetainSize: r.size,
    freeClusters: r.freeClusters,
    residualImages: r.residualImages,
    emptyClusters: r.emptyClusters,
    clusterSizes: Array.from(r.sub.sizes),
    finalLoss: r.blend.finalLoss,
  };
}
