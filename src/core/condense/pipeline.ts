/**
 * Dataset-level entry points for the experiment runner: k-means sub-classes of the experiment's training order
 * and the reduced retain set, with ConvNet-3 (width 128, random) feature networks and `Progress`/event callbacks.
 */
import type { ForgetMode, ImageDataset, Model, Progress } from '../types';
import type { Rng } from '../rng';
import { realSource } from '../data/source';
import { createModel } from '../models';
import type { PrototypeView } from '../contracts';
import type { FeatureParallel, SubClasses } from './kmeans';
import { blendStepOf, type BlendLrMode } from './blend';
import type { ReducedRetain } from './reduced-retain';
import { positionsOf, reducedRetain, subClassesOfSource } from './reduced-retain';

/** Random ConvNet-3 feature networks (docs/paper-notes.md §2.1, §2.4) for k-means, Blend and DM. */
export function convnet3Factory(numClasses: number, width = 128): (rng: Rng) => Model {
  return (rng) => createModel({ arch: 'convnet3', width, numClasses }, rng);
}

export interface ComputeSubClassesOptions {
  dataset: ImageDataset;
  /** training indices in the experiment's permuted order; sub-class members are positions in this order */
  trainIdx: Int32Array;
  ipc: number;
  maxIter?: number;
  tol?: number;
  rng: Rng;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** feature network factory (default ConvNet-3 width 128) */
  createNet?: (rng: Rng) => Model;
  /** data-parallel workers for the feature pass (absent/null: this thread) */
  parallel?: FeatureParallel | null;
}

/**
 * Spec §3.1 on the experiment's training set. Progress (1-based epochs, like every producer): 'features' as
 * epoch 1 of 1 with its batches as steps, then class c done as epoch c+1 of C.
 */
export async function computeSubClasses(o: ComputeSubClassesOptions): Promise<SubClasses> {
  const C = o.dataset.classes.length;
  const train = realSource(o.dataset, o.dataset.train, o.trainIdx);
  return subClassesOfSource(train, C, o.ipc, o.rng, o.createNet ?? convnet3Factory(C), {
    maxIter: o.maxIter,
    tol: o.tol,
    signal: o.signal,
    parallel: o.parallel,
    onFeatures: (done, total) =>
      o.onProgress?.({ stage: 'kmeans', label: 'features', epoch: 1, epochs: 1, step: done, steps: total }),
    onClass: (c) =>
      o.onProgress?.({ stage: 'kmeans', label: `class ${c}`, epoch: c + 1, epochs: C, step: 1, steps: 1 }),
  });
}

export interface BuildReducedRetainOptions {
  dataset: ImageDataset;
  sub: SubClasses;
  /** the training order the sub-classes were computed on */
  trainIdx: Int32Array;
  /** dataset indices forgotten so far (cumulative in multi-round runs) */
  forgetIdx: Int32Array;
  /** dataset indices of the retain set (for a consistency check) */
  retainIdx?: Int32Array;
  ipc: number;
  /** Blend iterations (spec: 12) */
  iterations?: number;
  /**
   * Blend step (`blendStepOf`, `blendLr`): 'paper-polynomial' (lr_b(IPC), docs/paper-notes.md §3.3) or 'paper-regime'
   * (lr/T = the paper's CIFAR-10 IPC-1000 per-cluster step for `forgetMode`, PAPER_LR_PER_CLUSTER)
   */
  lrMode: BlendLrMode;
  /** which paper per-cluster step 'paper-regime' uses (multi-round runs are uniform) */
  forgetMode: ForgetMode;
  resampleNet?: boolean;
  rng: Rng;
  signal?: AbortSignal;
  createNet?: (rng: Rng) => Model;
  onIter?: (iter: number, iterations: number, loss: number) => void;
  onPrototypes?: (iter: number, items: PrototypeView[]) => void;
  onProgress?: (p: Progress) => void;
  /** prototypes shown per event (default 8) and member images each (default 4) */
  previewCount?: number;
  previewMembers?: number;
  chunkImages?: number;
  /** data-parallel workers for Blend's network passes (absent/null: this thread) */
  parallel?: FeatureParallel | null;
}

/** Spec §4.1–4.2 on the experiment's sets: partition, Blend on free clusters, D_r^red (positions: residual, then blends). */
export async function buildReducedRetain(o: BuildReducedRetainOptions): Promise<ReducedRetain> {
  const C = o.dataset.classes.length;
  const iterations = o.iterations ?? 12;
  const train = realSource(o.dataset, o.dataset.train, o.trainIdx);
  const forgetPos = positionsOf(o.trainIdx, o.forgetIdx);
  const r = await reducedRetain({
    train,
    forgetPos,
    numClasses: C,
    ipc: o.ipc,
    rng: o.rng,
    createNet: o.createNet ?? convnet3Factory(C),
    sub: o.sub,
    signal: o.signal,
    parallel: o.parallel,
    blend: {
      iterations,
      resampleNet: o.resampleNet,
      chunkImages: o.chunkImages,
      step: blendStepOf(o.lrMode, o.forgetMode, o.ipc),
      onIter: (iter, loss) => {
        o.onIter?.(iter, iterations, loss);
        // Blend iterations are steps of one pass (epoch 1 of 1), `iter` 1-based and finished
        o.onProgress?.({ stage: 'condense', label: 'Blend', epoch: 1, epochs: 1, step: iter, steps: iterations, loss });
      },
      onTargets: (done, total) =>
        o.onProgress?.({ stage: 'condense', label: 'targets', epoch: 1, epochs: 1, step: done, steps: total }),
      preview: o.onPrototypes
        ? {
            display: o.dataset,
            count: o.previewCount ?? 8,
            members: o.previewMembers ?? 4,
            onPrototypes: o.onPrototypes,
          }
        : undefined,
    },
  });
  if (o.retainIdx && o.retainIdx.length !== r.retainSize) {
    // the partition's retain set is trainIdx \ forgetIdx; a mismatch means the caller passed inconsistent sets
    throw new Error(
      `buildReducedRetain: retain set has ${o.retainIdx.length} images but trainIdx \\ forgetIdx has ${r.retainSize}`,
    );
  }
  return r;
}
