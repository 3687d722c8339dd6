/**
 * Shared contracts of the lab's compute core. Every module of `src/core` speaks these types; the worker,
 * the CLI and the app only see them through `src/core/index.ts`.
 */
import type * as tf from '@tensorflow/tfjs';

/** A hyper-parameter value (numbers, enum strings, booleans). */
export type HParamValue = number | string | boolean;

export type DatasetId = 'cifar10' | 'svhn' | 'synthetic';

/** One split of images: uint8 pixels, NHWC (N×32×32×3, row-major, R,G,B interleaved), labels 0..C-1. */
export interface ImageSplit {
  images: Uint8Array;
  labels: Uint8Array;
  /** number of images (= labels.length) */
  n: number;
  /**
   * Set when only some images' pixels are loaded (the page downloads the images an experiment needs,
   * src/worker/partial-load.ts): `present[i]` is 1 for a loaded image; the others read as zeros, so every reader of
   * pixels checks it (`requireImages`, core/data/batch.ts). Labels are always complete.
   */
  partial?: { present: Uint8Array; name: string };
}

/** A whole dataset held in memory as uint8; normalised to float on the fly per batch. */
export interface ImageDataset {
  id: DatasetId;
  classes: string[];
  height: number; // 32
  width: number; // 32
  channels: number; // 3
  train: ImageSplit;
  test: ImageSplit;
  /** normalisation constants of docs/paper-notes.md §1.1 (not the measured statistics) */
  mean: [number, number, number];
  std: [number, number, number];
}

/** Per-channel constants from docs/paper-notes.md §1.1. */
export const NORMALISATION: Record<DatasetId, { mean: [number, number, number]; std: [number, number, number] }> = {
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
  svhn: { mean: [0.4377, 0.4438, 0.4728], std: [0.198, 0.201, 0.197] },
  synthetic: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
};

export type Arch = 'convnet3' | 'resnet18';

export interface ModelConfig {
  arch: Arch;
  /** ConvNet-3: conv channels (default 128). ResNet-18: stem/first-stage channels (default 64). */
  width: number;
  numClasses: number;
}

/** What a parameter is, so methods can select them (pruning: conv weights only; L1: all). */
export type ParamKind = 'conv' | 'convBias' | 'normScale' | 'normShift' | 'dense' | 'denseBias';

export interface Param {
  name: string;
  kind: ParamKind;
  variable: tf.Variable;
}

/**
 * A network as plain tfjs variables plus pure functions (tfjs-examples mnist-core style).
 * `apply` and `embed` do not dispose their input and allocate only their outputs (callers tidy).
 */
export interface Model {
  config: ModelConfig;
  params: Param[];
  /** logits [N, C] */
  apply(x: tf.Tensor4D): tf.Tensor2D;
  /** features before the head: ConvNet-3 2048-dim, ResNet-18 8·width-dim */
  embed(x: tf.Tensor4D): tf.Tensor2D;
  /** deep copy with fresh variables */
  clone(): Model;
  /** copy weights from another model of the same config */
  copyFrom(other: Model): void;
  /** weights as host arrays, in `params` order */
  getWeights(): Promise<Float32Array[]>;
  setWeights(w: Float32Array[]): void;
  dispose(): void;
}

/** Index sets of one experiment (all indices into dataset.train / dataset.test). */
export interface Split {
  mode: ForgetMode;
  forgetClass: number | null;
  /** training indices used in this experiment (after per-class subset), in permuted order (docs/paper-notes.md §1.3) */
  trainIdx: Int32Array;
  forgetIdx: Int32Array;
  retainIdx: Int32Array;
  /** 70 % of the test subset: only for the A-AMU regulariser (docs/paper-notes.md §1.2) */
  testUsedIdx: Int32Array;
  /** 30 % of the test subset: all evaluation */
  testEvalIdx: Int32Array;
}

export type ForgetMode = 'class' | 'uniform';

/** Metrics of one model, percentages 0–100 (results-format.md). */
export interface Metrics {
  retainAcc: number;
  forgetAcc: number;
  testAcc: number;
  /** class forgetting: test accuracy over retained classes only (docs/paper-notes.md §10 C8) */
  testAccRetained?: number;
  /** the paper's φ-LR AUC ×100 with the swap-at-42 rule (docs/paper-notes.md §7.2) */
  mia: number;
  /**
   * the same score with the swapped branch's test side filtered to the forget labels (eval/mia.ts `filtered`): the
   * lab's variant behind every MIA gap to Retrain; equals `mia` in uniform forgetting. Absent in results made before it.
   */
  miaFiltered?: number;
  /**
   * bootstrap standard error of `mia` over samples (AUC points): the pooled out-of-fold attack scores resampled
   * per side with replacement, 200 times, AUC recomputed (attack not refitted) — see eval/mia.ts
   */
  miaSe?: number;
  /** examples per side of the MIA comparison that gave `mia` */
  miaPerSide?: number;
  /** loss-based LR MIA accuracy ×100, NeurIPS 2023 kit style */
  lossMia: number;
}

/** Raised when a run is cancelled; every stage frees its tensors before it propagates. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** A clear, user-facing error: what went wrong and where. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'LabError';
  }
}

/** Progress of a long-running loop (training, Blend, unlearning). */
export interface Progress {
  stage: StageName;
  /** sub-label, e.g. the method name */
  label?: string;
  /** 1-based epoch (epoch 1 of `epochs`), the one running; every producer and the page use this convention */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch */
  step: number;
  steps: number;
  loss?: number;
  acc?: number;
  imgPerSec?: number;
  etaSeconds?: number;
}

export type StageName =
  'data' | 'selfcheck' | 'pretrain' | 'kmeans' | 'condense' | 'unlearn' | 'evaluate' | 'reproduce';

/** RGBA image for display, 32×32. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * A labelled set of samples the trainers and evaluators read: real uint8 images (normalised on the fly),
 * blended float images (already normalised), or a concatenation (the reduced retain set).
 */
export interface SampleSource {
  readonly size: number;
  /** labels by position, length `size` */
  readonly labels: Int32Array;
  /** normalised NHWC float32 tensor of the samples at positions `pos` (0..size-1); the caller disposes it */
  gather(pos: ArrayLike<number>): tf.Tensor4D;
}
