/**
 * The sharded steps of the unlearning methods on data-parallel workers (src/core/parallel): each is a `runPass`
 * `gradients` hook that computes exactly what the method's in-thread loss computes (tests: src/core/parallel/
 * parallel.test.ts). Mean-CE methods (Retrain, CF, L1-Sparse, Pruning) use `ParallelTrainer.meanCE` directly
 * (finetune.ts); the A-AMU step (A-CF, A-L1-Sparse, A-SCRUB's min pass) is `parallelAmuStep` in amu.ts. Every method
 * has a sharded path.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { StepContext } from '../train/api';
import type { EngineResult, ParallelTrainer } from '../parallel/engine';

/** log softmax(z/T) of row-major logits [n, C], on this thread. */
export function logSoftmaxT(z: Float32Array, n: number, C: number, T: number): Float32Array {
  return tf.tidy(() => tf.logSoftmax(tf.div(tf.tensor2d(z, [n, C]), T)).dataSync() as Float32Array).slice();
}

/**
 * SCRUB's steps: min pass γ·meanCE + β·KL_T(teacher ‖ student) (ceWeight γ, klWeight β), max pass
 * −w·KL_T (ceWeight 0, klWeight −w). The teacher's logits are computed on the workers (forward only).
 */
export async function parallelDistillStep(
  p: ParallelTrainer,
  c: StepContext,
  vars: tf.Variable[],
  teacher: Model,
  T: number,
  ceWeight: number,
  klWeight: number,
): Promise<EngineResult> {
  const zt = await p.predict(teacher, c.x);
  const logQ = logSoftmaxT(zt, c.y.length, teacher.config.numClasses, T);
  return p.distill(c, vars, logQ, T, ceWeight, klWeight);
}

/** Bad Distillation's step: KL_T(q ‖ student), q from the bad teacher where u = 1, the competent one elsewhere. */
export async function parallelBadDistillStep(
  p: ParallelTrainer,
  c: StepContext,
  vars: tf.Variable[],
  good: Model,
  bad: Model,
  u: ArrayLike<number>,
  T: number,
  target: (good: tf.Tensor2D, bad: tf.Tensor2D, u: ArrayLike<number>, T: number) => tf.Tensor2D,
): Promise<EngineResult> {
  const n = c.y.length,
    C = good.config.numClasses;
  const zg = await p.predict(good, c.x);
  const zb = await p.predict(bad, c.x);
  const logQ = tf
    .tidy(() => target(tf.tensor2d(zg, [n, C]), tf.tensor2d(zb, [n, C]), u, T).dataSync() as Float32Array)
    .slice();
  return p.distill(c, vars, logQ, T, 0, 1);
}
