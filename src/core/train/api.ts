/**
 * Training API contract (implemented in this folder). Unlearning methods, pretraining, condensation
 * evaluation all train through these primitives so cancellation, progress and tensor hygiene live in one place.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Model, Param, SampleSource } from '../types';
import type { Rng } from '../rng';

export type OptimizerConfig =
  | { kind: 'sgd'; lr: number; momentum: number; weightDecay: number }
  | {
      kind: 'adam';
      lr: number;
      beta1?: number;
      beta2?: number;
      eps?: number;
      /** coupled L2 as torch Adam's weight_decay (default 0) */ weightDecay?: number;
    };

/** PyTorch-semantics optimiser over a fixed list of params (SGD: coupled L2 added to the gradient). */
export interface LabOptimizer {
  readonly config: OptimizerConfig;
  learningRate: number;
  /** apply one update; `grads` keyed by variable name; takes ownership of nothing (caller disposes grads) */
  apply(grads: tf.NamedTensorMap): void;
  dispose(): void;
}

export interface StepContext {
  model: Model;
  /** normalised NHWC batch */
  x: tf.Tensor4D;
  /** labels of the batch */
  y: Int32Array;
  /** positions in the source of this batch */
  pos: Int32Array;
  step: number;
  epoch: number;
}

export interface PassOptions {
  model: Model;
  /** params to update (default: all of model.params) */
  params?: Param[];
  optimizer: LabOptimizer;
  source: SampleSource;
  batchSize: number;
  /** shuffles positions each pass */
  rng: Rng;
  /** the loss of one batch; called inside the gradient scope (tensors are tidied) */
  loss: (ctx: StepContext) => tf.Scalar;
  /** after each optimiser step (e.g. re-apply pruning masks); synchronous */
  afterStep?: (ctx: { model: Model; step: number; epoch: number }) => void;
  epoch: number;
  signal?: AbortSignal;
  /** called every step with the batch loss (a host number read once per step) */
  onStep?: (s: { step: number; steps: number; loss: number; images: number; seconds: number }) => void;
  /** report losses every `readEvery` steps only (host sync costs); default 1 */
  readEvery?: number;
  /**
   * Gradient engine hook: when set, computes the step's loss value and gradients instead of
   * `tf.variableGrads(() => loss(ctx), vars)` (data-parallel training, src/core/parallel/engine.ts); `loss` is then
   * not called. The caller of the hook owns the returned tensors.
   */
  gradients?: GradientsHook;
}

/**
 * What training and evaluation need from data-parallel workers (implemented by src/core/parallel's
 * `ParallelTrainer`, a layer above): sharded mean-CE gradients and sharded forward passes.
 */
export interface ParallelEngine {
  readonly workers: number;
  /** value and gradients of the batch's mean CE (and the correct count), for `runPass`'s `gradients` hook */
  meanCE(
    ctx: Pick<StepContext, 'model' | 'x' | 'y'>,
    vars: tf.Variable[],
  ): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap; correct: number }>;
  /** logits [n, C], row-major, of a batch */
  predict(model: Model, x: tf.Tensor4D): Promise<Float32Array>;
}

export type GradientsHook = (
  ctx: StepContext,
  vars: tf.Variable[],
) => Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap }>;
