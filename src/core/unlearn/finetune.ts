/**
 * SGD fine-tuning loop shared by Retrain, CF, L1-sparse and Pruning (docs/paper-notes.md §6.0–6.5): per epoch set the
 * learning rate from a schedule, optional epoch hook (pruning), one shuffled pass over the retain loader with the
 * method's loss, then the runner's per-epoch hook.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { MethodName } from '../contracts';
import type { StepContext } from '../train/api';
import type { UnlearnContext } from './common';
import { MethodLoop, meanCE, methodHParams, num, trainStudent } from './common';
import { warmCos } from '../train';
import type { GradientsHook } from '../train/api';
import type { ParallelTrainer } from '../parallel/engine';
import { withPenalty } from '../parallel/engine';

/** The sharded step of mean CE (+ the penalty of epoch e, on this thread). */
function parallelCE(
  p: ParallelTrainer,
  model: Model,
  e: number,
  penalty?: (e: number) => ((m: Model) => tf.Scalar) | null,
): GradientsHook {
  const f = penalty?.(e);
  return async (c, vars) => withPenalty(await p.meanCE(c, vars), vars, f ? () => f(model) : undefined);
}

export interface FineTuneConfig {
  lr: number;
  momentum: number;
  weightDecay: number;
  epochs: number;
  batchSize: number;
  /** lr multiplier of epoch e (0-based); default constant 1 */
  lrFactor?: (epoch: number) => number;
  loss: (c: StepContext, epoch: number) => tf.Scalar;
  /** before the pass of epoch e (e.g. a pruning step) */
  beforeEpoch?: (epoch: number, model: Model) => Promise<void>;
  afterStep?: (c: { model: Model; step: number; epoch: number }) => void;
  /**
   * Set when `loss` is mean CE plus an optional parameter penalty of epoch e: the step may then run on
   * `ctx.parallel`'s workers (the penalty is added once, here)
   */
  parallel?: { penalty?: (epoch: number) => ((model: Model) => tf.Scalar) | null };
}

/** Train `student` (owned: disposed on failure) and return it. */
export async function sgdFineTune(
  ctx: UnlearnContext,
  method: MethodName,
  makeStudent: () => Model,
  cfg: FineTuneConfig,
): Promise<Model> {
  const loop = new MethodLoop(ctx, method, cfg.epochs);
  const student = makeStudent();
  return trainStudent(
    student,
    { kind: 'sgd', lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay },
    async (opt) => {
      const shuffle = ctx.rng.fork('shuffle');
      for (let e = 0; e < cfg.epochs; e++) {
        opt.learningRate = cfg.lr * (cfg.lrFactor ? cfg.lrFactor(e) : 1);
        if (cfg.beforeEpoch) await cfg.beforeEpoch(e, student);
        await loop.pass({
          model: student,
          optimizer: opt,
          source: ctx.retain,
          batchSize: cfg.batchSize,
          rng: shuffle,
          epoch: e,
          loss: (c) => cfg.loss(c, e),
          afterStep: cfg.afterStep,
          gradients:
            ctx.parallel && cfg.parallel ? parallelCE(ctx.parallel, student, e, cfg.parallel.penalty) : undefined,
        });
        await loop.endEpoch(e, student);
      }
    },
  );
}

/**
 * Mean CE on the retain loader, SGD (`<prefix>_lr/_momentum/_wd`), WarmCos(`<prefix>_warmup`, `<prefix>_epochs`):
 * Retrain (fresh init) and CF (pretrained init).
 */
export function ceWarmCosFineTune(
  ctx: UnlearnContext,
  M: MethodName,
  prefix: string,
  makeStudent: () => Model,
): Promise<Model> {
  const hp = methodHParams(M, ctx);
  const E = num(hp, `${prefix}_epochs`, M);
  const W = num(hp, `${prefix}_warmup`, M);
  return sgdFineTune(ctx, M, makeStudent, {
    lr: num(hp, `${prefix}_lr`, M),
    momentum: num(hp, `${prefix}_momentum`, M),
    weightDecay: num(hp, `${prefix}_wd`, M),
    epochs: E,
    batchSize: num(hp, 'batch_size', M),
    lrFactor: (e) => warmCos(e, W, E),
    loss: (c) => meanCE(c.model.apply(c.x), c.y),
    parallel: {},
  });
}
