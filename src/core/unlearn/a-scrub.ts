/**
 * A-SCRUB (docs/paper-notes.md §5.4): student = the model to unlearn, teacher = its frozen copy (ctx.original); one
 * Adam optimiser. Per epoch: a forget (max) pass over D_f with −w·KL_T(teacher ‖ student), then a retain (min) pass
 * with γ·(meanCE)² + β·KL_T(teacher ‖ student) + λ·MMD²(g(test, detached), g(forget)), forget/test samples as
 * in A-CF. Retain loader: ctx.retain (D_r^red with DC, recommended), or ctx.retainReal when
 * ascrub_retain = 'real' (the reference multi-round driver's behaviour, §10 C4).
 * Terms reported through onTerms are the unweighted (meanCE)² and MMD² of each min-pass step, with λ.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { StepContext } from '../train/api';
import type { UnlearnContext, UnlearnMethod } from './common';
import { MethodLoop, methodHParams, num, scrubHParams, scrubMaxLoss, str, teacherKL, trainStudent } from './common';
import { AmuSampler, amuOptions, amuRegulariser, parallelAmuStep, steepCE, type AmuOptions } from './amu';
import { parallelDistillStep } from './parallel-steps';

/**
 * The min-pass loss of one retain batch: γ·(meanCE)² + β·KL_T(teacher ‖ student) + λ·MMD² for the given
 * forget/test sample; returns the total and the unweighted ce2 and mmd² terms (call inside a tidy / gradient scope).
 */
export function aScrubMinLoss(
  c: Pick<StepContext, 'model' | 'x' | 'y'>,
  teacher: Model,
  ctx: Pick<UnlearnContext, 'forget' | 'testUsed'>,
  sample: ReturnType<AmuSampler['next']>,
  o: AmuOptions & { T: number; beta: number; gamma: number },
): { total: tf.Scalar; ce2: tf.Scalar; mmd: tf.Scalar } {
  const z = c.model.apply(c.x);
  const ce2 = steepCE(z, c.y, o.square);
  const kl = teacherKL(teacher, c.x, z, o.T);
  const mmd = amuRegulariser(c.model, ctx.forget, ctx.testUsed, sample, o);
  const total = tf.add(tf.add(tf.mul(ce2, o.gamma), tf.mul(kl, o.beta)), tf.mul(mmd, o.lambda)) as tf.Scalar;
  return { total, ce2, mmd };
}

export const aScrub: UnlearnMethod = async (ctx) => {
  const M = 'A-SCRUB';
  const hp = methodHParams(M, ctx);
  const { epochs: E, batchSize: B, T, beta, gamma, forgetWeight: fw } = scrubHParams(hp, 'ascrub', M);
  const o = amuOptions(hp, 'ascrub', M);
  const retain = str(hp, 'ascrub_retain', M) === 'real' && ctx.withDC && ctx.retainReal ? ctx.retainReal : ctx.retain;
  const teacher = ctx.original;
  const loop = new MethodLoop(ctx, M, E);
  const student = teacher.clone();
  const adam = { kind: 'adam', lr: num(hp, 'ascrub_lr', M), beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
  return trainStudent(student, adam, async (opt) => {
    const sampler = new AmuSampler(ctx.forget, ctx.testUsed, o.sampleFactor * B, ctx.rng.fork('amu-samples'));
    const shuffleF = ctx.rng.fork('shuffle-forget');
    const shuffleR = ctx.rng.fork('shuffle');
    for (let e = 0; e < E; e++) {
      await loop.pass({
        model: student,
        optimizer: opt,
        source: ctx.forget,
        batchSize: B,
        rng: shuffleF,
        epoch: e,
        phase: 'max',
        loss: (c) => scrubMaxLoss(c, teacher, T, fw),
        gradients: ctx.parallel ? (c, v) => parallelDistillStep(ctx.parallel!, c, v, teacher, T, 0, -fw) : undefined,
      });
      await loop.pass({
        model: student,
        optimizer: opt,
        source: retain,
        batchSize: B,
        rng: shuffleR,
        epoch: e,
        phase: 'min',
        gradients: ctx.parallel
          ? (c, v) =>
              parallelAmuStep(ctx.parallel!, c, v, ctx, sampler, o, loop, undefined, { teacher, T, beta, gamma })
          : undefined,
        loss: (c) => {
          const { total, ce2, mmd } = aScrubMinLoss(c, teacher, ctx, sampler.next(), { ...o, T, beta, gamma });
          loop.terms(ce2, mmd, o.lambda);
          return total;
        },
      });
      await loop.endEpoch(e, student);
    }
  });
};
