/**
 * Shared pieces of the unlearning methods: the method signature and context, loss helpers (per-sample and mean CE,
 * KL_T, L1), and `MethodLoop`, a thin wrapper over `runPass` that adds progress, per-epoch hooks and per-step
 * A-AMU term logging. The A-AMU machinery itself is in ./amu.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, Param, Progress, SampleSource } from '../types';
import { throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import type { HParamValue, MethodName } from '../contracts';
import type { LabOptimizer, OptimizerConfig, PassOptions, StepContext } from '../train/api';
import { makeOptimizer, runPass } from '../train';
import { defaultHParams, hpNum, hpStr } from '../methods/hparams';
import type { ParallelTrainer } from '../parallel/engine';

export interface UnlearnContext {
  /** the model to unlearn (pretrained, or the previous round's output); never modified */
  original: Model;
  /** D_r (w/o DC) or D_r^red (w/ DC) */
  retain: SampleSource;
  /** the real D_f */
  forget: SampleSource;
  /** D_te_used (the A-AMU regulariser's test part) */
  testUsed: SampleSource;
  /** resolved hyper-parameters (`resolveHParams`); missing keys fall back to the C10-R18 defaults */
  hp: Record<string, HParamValue>;
  rng: Rng;
  signal?: AbortSignal;
  withDC: boolean;
  /** a randomly initialised network of the same architecture (Retrain, the bad teacher); the caller owns nothing */
  createFresh: () => Model;
  onProgress?: (p: Progress) => void;
  /** after every epoch (0-based index of the finished epoch); time spent here is not unlearning time */
  onEpoch?: (epoch: number, model: Model) => Promise<void>;
  /**
   * A-* methods: the two loss terms of every step (global step index from 0), unweighted, and the λ the
   * objective weights the MMD² with (the step's loss adds ce2 + λ·mmd)
   */
  onTerms?: (step: number, ce2: number, mmd: number, lambda: number) => void;
  /** optional real D_r in the DC arm, used only by A-SCRUB with ascrub_retain = 'real' (docs/paper-notes.md §10 C4) */
  retainReal?: SampleSource;
  /**
   * data-parallel workers (src/core/parallel); methods that support them (Retrain, CF, A-CF, A-L1-Sparse,
   * L1-Sparse, Pruning) shard their steps, the others train in this thread
   */
  parallel?: ParallelTrainer | null;
}

/** Every method: returns a new model (the caller owns it); `ctx.original` is left untouched. */
export type UnlearnMethod = (ctx: UnlearnContext) => Promise<Model>;

/** The method's hyper-parameters: defaults of the C10-R18 column under `ctx.hp`. */
export function methodHParams(method: MethodName, ctx: UnlearnContext): Record<string, HParamValue> {
  return { ...defaultHParams(method, 'C10-R18'), ...ctx.hp };
}

export const num = (hp: Record<string, HParamValue>, k: string, m: MethodName) => hpNum(hp, k, m);
export const str = (hp: Record<string, HParamValue>, k: string, m: MethodName) => hpStr(hp, k, m);

// ---------------------------------------------------------------------------------------------------- losses

/**
 * Runs `f` without recording it on the gradient tape (tfjs has no stopGradient/no_grad): the ops run inside
 * the forward function of a custom-gradient op whose only input is a constant, so no backward pass ever runs
 * through them (the teacher's and the detached test branch's forward passes cost no backward work).
 */
export function offTape<T extends tf.Tensor>(f: () => T): T {
  return tf.tidy(() => {
    const anchor = tf.scalar(0);
    const op = tf.customGrad<T>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: f(),
      gradFunc: () => tf.zerosLike(args[0] as tf.Tensor),
    }));
    return op(anchor);
  });
}

function labelTensor(labels: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  return labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
}

/** Per-sample softmax cross-entropy (natural log) via log-softmax: logits [n, C], labels n → [n]. */
export function perSampleCE(logits: tf.Tensor2D, labels: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  return tf.tidy(() => {
    const C = logits.shape[1];
    const oneHot = tf.cast(tf.oneHot(labelTensor(labels), C), logits.dtype);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

/** Mean cross-entropy of a batch. */
export function meanCE(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => tf.mean(perSampleCE(logits, labels)) as tf.Scalar);
}

/**
 * KL_T(target ‖ student) = T²·(1/B) Σ_b Σ_c q_bc (log q_bc − log softmax(z_s/T)_bc) with the target given as
 * log-probabilities `logQ` [B, C] (batch-mean KL, as PyTorch KLDivLoss(reduction='batchmean')·T²).
 */
export function klFromLogTarget(logQ: tf.Tensor2D, studentLogits: tf.Tensor2D, T: number): tf.Scalar {
  return tf.tidy(() => {
    const logS = tf.logSoftmax(tf.div(studentLogits, T));
    const kl = tf.sum(tf.mul(tf.exp(logQ), tf.sub(logQ, logS)));
    return tf.mul(kl, (T * T) / studentLogits.shape[0]) as tf.Scalar;
  });
}

/** KL_T(teacher ‖ student) of docs/paper-notes.md §5.4 (teacher as target, T², batch mean). */
export function klT(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, T: number): tf.Scalar {
  return tf.tidy(() => klFromLogTarget(tf.logSoftmax(tf.div(teacherLogits, T)) as tf.Tensor2D, studentLogits, T));
}

/** KL_T(teacher ‖ student) of a batch `x` given the student's logits; the teacher's forward pass runs off the tape. */
export function teacherKL(teacher: Model, x: tf.Tensor4D, studentLogits: tf.Tensor2D, T: number): tf.Scalar {
  return klT(
    offTape(() => teacher.apply(x)),
    studentLogits,
    T,
  );
}

/** The SCRUB-family max-pass loss of a forget batch: −w·KL_T(teacher ‖ student). */
export function scrubMaxLoss(
  c: Pick<StepContext, 'model' | 'x'>,
  teacher: Model,
  T: number,
  forgetWeight: number,
): tf.Scalar {
  const zt = offTape(() => teacher.apply(c.x));
  return tf.mul(klT(zt, c.model.apply(c.x), T), -forgetWeight) as tf.Scalar;
}

/** The hyper-parameters SCRUB and A-SCRUB share, read under `prefix` ('scrub' / 'ascrub'). */
export function scrubHParams(hp: Record<string, HParamValue>, prefix: string, m: MethodName) {
  return {
    epochs: num(hp, `${prefix}_epochs`, m),
    batchSize: num(hp, 'batch_size', m),
    T: num(hp, `${prefix}_T`, m),
    beta: num(hp, `${prefix}_beta`, m),
    gamma: num(hp, `${prefix}_gamma`, m),
    forgetWeight: num(hp, `${prefix}_forget_weight`, m),
  };
}

/** Σ|x| with PyTorch's subgradient sign(x) (0 at 0; tfjs' abs gradient would give −1 there). */
const absSum = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.sum(tf.abs(x)),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.sign(saved[0])),
  };
}) as (x: tf.Tensor) => tf.Scalar;

/** ‖θ‖₁ over the given parameters (all of them for L1-sparse; chained adds, no addN); gradient sign(θ). */
export function l1Norm(params: Param[]): tf.Scalar {
  return tf.tidy(() => {
    let acc: tf.Tensor = tf.scalar(0);
    for (const p of params) acc = tf.add(acc, absSum(p.variable));
    return acc as tf.Scalar;
  });
}

// ---------------------------------------------------------------------------------------------------- loop

/** One `MethodLoop` pass: `runPass`'s options less what the loop supplies (signal, progress). */
export type LoopPass = Omit<PassOptions, 'signal' | 'onStep' | 'readEvery'> & {
  /** sub-label of the pass for progress, e.g. 'forget' */
  phase?: string;
};

/**
 * Trains `student` (owned) with an optimiser over its params made from `optimizer`: runs `body`, then returns
 * `student`. On failure the student is disposed; the optimiser is always disposed.
 */
export async function trainStudent(
  student: Model,
  optimizer: OptimizerConfig,
  body: (opt: LabOptimizer) => Promise<void>,
): Promise<Model> {
  let opt: LabOptimizer | null = null;
  try {
    opt = makeOptimizer(optimizer, student.params);
    await body(opt);
    return student;
  } catch (err) {
    student.dispose();
    throw err;
  } finally {
    opt?.dispose();
  }
}

/**
 * Progress, cancellation, per-epoch hooks and A-AMU term logging around `runPass`. One per method run.
 * Term values are read asynchronously (no per-step host sync) and all reads finish before a pass returns.
 */
export class MethodLoop {
  private readonly t0 = performance.now();
  private hookSeconds = 0;
  private globalStep = 0;
  private pendingTerms: tf.Tensor | null = null;
  private termsLambda = 0;
  private reads: Promise<void>[] = [];

  constructor(
    readonly ctx: UnlearnContext,
    readonly method: MethodName,
    readonly epochs: number,
  ) {
    throwIfCancelled(ctx.signal);
  }

  /**
   * Record the two A-AMU terms of the current step and the λ that weights MMD² in it (called inside the loss;
   * cheap no-op without onTerms).
   */
  terms(ce2: tf.Scalar, mmd: tf.Scalar, lambda: number): void {
    if (!this.ctx.onTerms) return;
    this.termsLambda = lambda;
    this.pendingTerms?.dispose();
    this.pendingTerms = tf.keep(tf.stack([ce2, mmd]));
  }

  async pass(p: LoopPass): Promise<{ steps: number; meanLoss: number; seconds: number; images: number }> {
    throwIfCancelled(this.ctx.signal);
    const { ctx } = this;
    const epochs = this.epochs;
    try {
      return await runPass({
        model: p.model,
        params: p.params,
        optimizer: p.optimizer,
        source: p.source,
        batchSize: p.batchSize,
        rng: p.rng,
        loss: p.loss,
        epoch: p.epoch,
        signal: ctx.signal,
        gradients: p.gradients,
        afterStep: (c) => {
          p.afterStep?.(c);
          this.flushTerms();
          this.globalStep++;
        },
        onStep: ctx.onProgress
          ? (s) => {
              const elapsed = (performance.now() - this.t0) / 1000 - this.hookSeconds;
              const frac = (p.epoch + s.step / Math.max(1, s.steps)) / Math.max(1, epochs);
              ctx.onProgress!({
                stage: 'unlearn',
                label: p.phase ? `${this.method} (${p.phase})` : this.method,
                epoch: p.epoch + 1,
                epochs,
                step: s.step,
                steps: s.steps,
                loss: s.loss,
                imgPerSec: s.seconds > 0 ? s.images / s.seconds : undefined,
                etaSeconds: frac > 0 ? Math.max(0, elapsed / frac - elapsed) : undefined,
              });
            }
          : undefined,
      });
    } finally {
      this.pendingTerms?.dispose();
      this.pendingTerms = null;
      const reads = this.reads;
      this.reads = [];
      await Promise.all(reads);
    }
  }

  private flushTerms(): void {
    const t = this.pendingTerms;
    if (!t) return;
    this.pendingTerms = null;
    const step = this.globalStep;
    const lambda = this.termsLambda;
    const cb = this.ctx.onTerms!;
    this.reads.push(
      t.data().then(
        (d) => {
          t.dispose();
          cb(step, d[0], d[1], lambda);
        },
        () => t.dispose(),
      ),
    );
  }

  /** End of epoch `epoch` (0-based): the runner's hook (not counted as unlearning time), then cancellation. */
  async endEpoch(epoch: number, model: Model): Promise<void> {
    if (this.ctx.onEpoch) {
      const t = performance.now();
      try {
        await this.ctx.onEpoch(epoch, model);
      } finally {
        this.hookSeconds += (performance.now() - t) / 1000;
      }
    }
    throwIfCancelled(this.ctx.signal);
  }

  /** Seconds since construction, minus time spent in onEpoch hooks. */
  get seconds(): number {
    return (performance.now() - this.t0) / 1000 - this.hookSeconds;
  }
}
