/**
 * Training loop primitives: one shuffled pass (`runPass`) and a whole training run with WarmCos
 * (`trainModel`). Cancellation is checked before every step; every tensor a step allocates is freed before
 * the next step or before a `CancelledError` propagates. A non-finite loss — each step's value when it is read
 * back for progress, and the pass's mean — throws a `DivergedError` ("diverged at epoch E, step S (loss NaN)").
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, Param, Progress, SampleSource, StageName } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import type { LabOptimizer, OptimizerConfig, ParallelEngine, PassOptions, StepContext } from './api';
import { makeOptimizer } from './optim';
import { warmCos } from './schedule';
import { correctCount, meanCrossEntropy } from './loss';
import { checkLoss } from './guards';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Give the event loop a turn (abort signals, UI messages) without a measurable cost per step. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export interface PassResult {
  steps: number;
  /** mean of the batch losses weighted by batch size (exact, accumulated on the device) */
  meanLoss: number;
  seconds: number;
  images: number;
}

/** One shuffled pass over `source` in batches of `batchSize` (the last batch may be smaller). */
export async function runPass(opts: PassOptions): Promise<PassResult> {
  const { model, optimizer, source, batchSize, rng, loss, afterStep, epoch, signal, onStep } = opts;
  const params = opts.params ?? model.params;
  const readEvery = Math.max(1, Math.floor(opts.readEvery ?? 1));
  if (!(batchSize >= 1)) throw new LabError(`batchSize must be ≥ 1, got ${batchSize}`, 'runPass');
  throwIfCancelled(signal);
  const vars = params.map((p) => p.variable);
  const n = source.size;
  const perm = rng.permutation(n);
  const steps = Math.ceil(n / batchSize);
  const t0 = now();
  let images = 0;
  let lossSum: tf.Scalar | null = null;
  try {
    for (let s = 0; s < steps; s++) {
      throwIfCancelled(signal);
      const pos = perm.subarray(s * batchSize, Math.min(n, (s + 1) * batchSize));
      const y = new Int32Array(pos.length);
      for (let i = 0; i < pos.length; i++) y[i] = source.labels[pos[i]];
      const x = source.gather(pos);
      let value: tf.Scalar | null = null;
      try {
        const ctx: StepContext = { model, x, y, pos, step: s, epoch };
        const r = opts.gradients ? await opts.gradients(ctx, vars) : tf.variableGrads(() => loss(ctx), vars);
        value = r.value;
        try {
          optimizer.apply(r.grads);
        } finally {
          tf.dispose(r.grads);
        }
        afterStep?.({ model, step: s, epoch });
        const prev: tf.Scalar | null = lossSum;
        lossSum = tf.tidy(
          () => (prev ? tf.add(prev, tf.mul(value!, pos.length)) : tf.mul(value!, pos.length)) as tf.Scalar,
        );
        prev?.dispose();
        images += pos.length;
        if (onStep && ((s + 1) % readEvery === 0 || s === steps - 1)) {
          const l = (await value.data())[0];
          checkLoss(l, epoch, s + 1);
          onStep({ step: s + 1, steps, loss: l, images, seconds: (now() - t0) / 1000 });
        }
      } finally {
        x.dispose();
        value?.dispose();
      }
      await yieldToEventLoop();
    }
    const meanLoss = lossSum ? (await lossSum.data())[0] / Math.max(1, images) : NaN;
    if (lossSum) checkLoss(meanLoss, epoch, steps);
    return { steps, meanLoss, seconds: (now() - t0) / 1000, images };
  } finally {
    lossSum?.dispose();
  }
}

export interface TrainOptions {
  model: Model;
  source: SampleSource;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  /** WarmCos warm-up epochs W (0 = plain cosine); set `schedule: 'constant'` to disable */
  warmup?: number;
  schedule?: 'warmcos' | 'constant';
  rng: Rng;
  signal?: AbortSignal;
  /** params to train (default all) */
  params?: Param[];
  onProgress?: (p: Progress) => void;
  /**
   * stop after the first epoch whose running training accuracy (%) reaches this (the running accuracy, measured
   * while the weights move, is at most the end-of-epoch accuracy, so the target is met conservatively)
   */
  untilAcc?: number;
  /** after each epoch (0-based epoch); `acc` is the running training accuracy (%) over that epoch */
  onEpoch?: (epoch: number, stats: { loss: number; acc?: number; seconds: number }) => void | Promise<void>;
  stage?: StageName;
  label?: string;
  /** progress/loss read cadence in steps (default 1) */
  readEvery?: number;
  /** data-parallel workers (src/core/parallel); absent = train in this thread */
  parallel?: ParallelEngine | null;
}

export interface TrainResult {
  /** epochs trained (fewer than asked when `untilAcc` was reached) */
  epochs: number;
  /** mean training loss per epoch */
  losses: number[];
  /** running training accuracy per epoch, % */
  accs: number[];
  seconds: number;
  images: number;
}

/** Train `model` with mean CE, the configured optimiser and the WarmCos schedule (docs/paper-notes.md §2.5, §6.0). */
export async function trainModel(o: TrainOptions): Promise<TrainResult> {
  const { model, source, epochs, batchSize, rng, signal } = o;
  const warmup = o.warmup ?? 0;
  const params = o.params ?? model.params;
  const stage = o.stage ?? 'pretrain';
  throwIfCancelled(signal);
  const opt: LabOptimizer = makeOptimizer(o.optimizer, params);
  const base = o.optimizer.lr;
  const stepsPerEpoch = Math.ceil(source.size / batchSize);
  const totalImages = source.size * epochs;
  const t0 = now();
  let doneImages = 0;
  const hold: { correct: tf.Scalar | null } = { correct: null };
  const par = o.parallel ?? null;
  let hostCorrect = 0;
  const losses: number[] = [],
    accs: number[] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      opt.learningRate = o.schedule === 'constant' ? base : base * warmCos(e, warmup, epochs);
      const keepCorrect = (c: tf.Scalar) => {
        const prev = hold.correct;
        hold.correct = tf.keep(prev ? (tf.add(prev, c) as tf.Scalar) : c.clone());
        prev?.dispose();
      };
      const r = await runPass({
        model,
        params,
        optimizer: opt,
        source,
        batchSize,
        epoch: e,
        signal,
        rng: rng.fork(`epoch/${e}`),
        readEvery: o.readEvery,
        gradients: par
          ? async (ctx, vars) => {
              const r = await par.meanCE(ctx, vars);
              hostCorrect += r.correct;
              return r;
            }
          : undefined,
        loss: (ctx) => {
          const logits = model.apply(ctx.x);
          keepCorrect(correctCount(logits, ctx.y));
          return meanCrossEntropy(logits, ctx.y);
        },
        onStep: o.onProgress
          ? (s) => {
              const elapsed = (now() - t0) / 1000;
              const imgs = doneImages + s.images;
              const ips = elapsed > 0 ? imgs / elapsed : undefined;
              o.onProgress!({
                stage,
                label: o.label,
                epoch: e + 1,
                epochs,
                step: s.step,
                steps: stepsPerEpoch,
                loss: s.loss,
                imgPerSec: ips,
                etaSeconds: ips ? (totalImages - imgs) / ips : undefined,
              });
            }
          : undefined,
      });
      doneImages += r.images;
      const c = hold.correct;
      hold.correct = null;
      const acc = par
        ? (hostCorrect / Math.max(1, r.images)) * 100
        : c
          ? ((await c.data())[0] / Math.max(1, r.images)) * 100
          : NaN;
      hostCorrect = 0;
      c?.dispose();
      losses.push(r.meanLoss);
      accs.push(acc);
      await o.onEpoch?.(e, { loss: r.meanLoss, acc, seconds: r.seconds });
      if (o.untilAcc !== undefined && acc >= o.untilAcc) break;
    }
    return { epochs: losses.length, losses, accs, seconds: (now() - t0) / 1000, images: doneImages };
  } finally {
    hold.correct?.dispose();
    opt.dispose();
  }
}
