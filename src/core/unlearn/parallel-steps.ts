/**
 * The sharded steps of the unlearning methods on data-parallel workers (src/core/parallel): each is a `runPass`
 * `gradients` hook that computes exactly what the method's in-thread loss computes (tests: src/core/parallel/
 * parallel.test.ts). Mean-CE methods (Retrain, CF, L1-Sparse, Pruning) use `ParallelTrainer.meanCE` directly
 * (finetune.ts). Every method has a sharded path.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { StepContext } from '../train/api';
import type { AmuOptions, AmuSampler, MethodLoop, UnlearnContext } from './common';
import type { EngineResult, HostGroup, ParallelTrainer } from '../parallel/engine';
import { hostGroup, withPenalty } from '../parallel/engine';
import { gaussianise, mmd2 } from './amu';

/**
 * The A-AMU step on data-parallel workers, in two phases (src/core/parallel/engine.ts `twoPhase`): the shards return
 * the per-sample CE of the retain batch, the forget sample and the test sample; the objective (steepened retain
 * CE + λ·MMD² of the Gaussianised forget and detached test losses) and its weights ∂L/∂ℓᵢ are computed here; the
 * shards back-propagate Σ wᵢ·ℓᵢ. R(θ) (`extra`) is added once, here. Draws the same samples as `amuStepLoss`.
 */
export async function parallelAmuStep(
  p: ParallelTrainer,
  c: StepContext,
  vars: tf.Variable[],
  ctx: Pick<UnlearnContext, 'forget' | 'testUsed'>,
  sampler: AmuSampler,
  o: AmuOptions,
  loop: MethodLoop,
  extra?: (model: Model) => tf.Scalar,
  /** A-SCRUB's min step: γ·(steepened CE) + β·KL_T(teacher ‖ student) on the retain batch + λ·MMD² */
  distill?: { teacher: Model; T: number; beta: number; gamma: number },
) {
  const s = sampler.next();
  const withReg = s.forgetPos.length > 0 && s.testPos.length > 0;
  const groups: HostGroup[] = [await hostGroup(c.x, c.y)];
  if (distill) {
    const zt = await p.predict(distill.teacher, c.x);
    const logQ = logSoftmaxT(zt, c.y.length, distill.teacher.config.numClasses, distill.T);
    groups[0].kl = { logQ, T: distill.T, weight: distill.beta / c.y.length };
  }
  const gamma = distill?.gamma ?? 1;
  if (withReg) {
    for (const [src, pos, y] of [[ctx.forget, s.forgetPos, s.forgetLabels], [ctx.testUsed, s.testPos, s.testLabels]] as const) {
      const x = src.gather(pos);
      try {
        groups.push(await hostGroup(x, y));
      } finally {
        x.dispose();
      }
    }
  }
  const g = { k: o.k, K: o.K, ecdf: o.ecdf };
  const r = await p.twoPhase(c.model, groups, withReg ? [false, false, true] : [false], (ce) => {
    const sq = o.square === 'per-sample' ? tf.mean(tf.square(ce[0])) : tf.square(tf.mean(ce[0]));
    const mmd = withReg ? mmd2(gaussianise(ce[2], g), gaussianise(ce[1], g), o.sigma) : tf.scalar(0);
    loop.terms(sq as tf.Scalar, mmd);
    return tf.add(gamma === 1 ? sq : tf.mul(sq, gamma), tf.mul(mmd, o.lambda)) as tf.Scalar;
  }, vars);
  return withPenalty(r, vars, extra ? () => extra(c.model) : undefined);
}


/** log softmax(z/T) of row-major logits [n, C], on this thread. */
function logSoftmaxT(z: Float32Array, n: number, C: number, T: number): Float32Array {
  return tf.tidy(() => tf.logSoftmax(tf.div(tf.tensor2d(z, [n, C]), T)).dataSync() as Float32Array).slice();
}

/**
 * SCRUB's steps: min pass γ·meanCE + β·KL_T(teacher ‖ student) (ceWeight γ, klWeight β), max pass
 * −w·KL_T (ceWeight 0, klWeight −w). The teacher's logits are computed on the workers (forward only).
 */
export async function parallelDistillStep(
  p: ParallelTrainer, c: StepContext, vars: tf.Variable[], teacher: Model, T: number, ceWeight: number, klWeight: number,
): Promise<EngineResult> {
  const zt = await p.predict(teacher, c.x);
  const logQ = logSoftmaxT(zt, c.y.length, teacher.config.numClasses, T);
  return p.distill(c, vars, logQ, T, ceWeight, klWeight);
}

/** Bad Distillation's step: KL_T(q ‖ student), q from the bad teacher where u = 1, the competent one elsewhere. */
export async function parallelBadDistillStep(
  p: ParallelTrainer, c: StepContext, vars: tf.Variable[], good: Model, bad: Model, u: ArrayLike<number>, T: number,
  target: (good: tf.Tensor2D, bad: tf.Tensor2D, u: ArrayLike<number>, T: number) => tf.Tensor2D,
): Promise<EngineResult> {
  const n = c.y.length, C = good.config.numClasses;
  const zg = await p.predict(good, c.x);
  const zb = await p.predict(bad, c.x);
  const logQ = tf.tidy(() => target(tf.tensor2d(zg, [n, C]), tf.tensor2d(zb, [n, C]), u, T).dataSync() as Float32Array).slice();
  return p.distill(c, vars, logQ, T, 0, 1);
}
