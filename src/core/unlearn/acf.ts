/**
 * A-CF (spec §5.3): per retain minibatch B, L = (meanCE_retain)² + λ·MMD²( g(test logits, detached), g(forget
 * logits) ), with 4B forget samples drawn without replacement from the real D_f and 4B test samples from
 * D_te_used restricted to the labels present in the forget sample (per-class index lists precomputed).
 * Adam (β 0.9/0.999, ε 1e-8), constant lr, 1 epoch. Options: ECDF one-/two-sided, per-sample squaring.
 * Both terms are reported per step through ctx.onTerms (unweighted: ce2, mmd²).
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { MethodName } from '../runner/contracts';
import type { StepContext } from '../train/api';
import type { AmuOptions, UnlearnContext, UnlearnMethod } from './common';
import { parallelAmuStep } from './parallel-steps';
import { AmuSampler, MethodLoop, amuOptions, amuRegulariser, methodHParams, num, steepCE, trainStudent } from './common';

/** The A-AMU objective of one step: returns total and the (unweighted) ce2 and mmd² terms (caller owns all three). */
export function amuStepLoss(
  c: StepContext,
  ctx: Pick<UnlearnContext, 'forget' | 'testUsed'>,
  sampler: AmuSampler,
  o: AmuOptions,
): { total: tf.Scalar; ce2: tf.Scalar; mmd: tf.Scalar } {
  const sample = sampler.next();
  const ce2 = tf.tidy(() => steepCE(c.model.apply(c.x), c.y, o.square));
  const mmd = amuRegulariser(c.model, ctx.forget, ctx.testUsed, sample, o);
  const total = tf.add(ce2, tf.mul(mmd, o.lambda)) as tf.Scalar;
  return { total, ce2, mmd };
}

/**
 * The A-AMU template (spec §10 B10): (L_main)² + λ·MMD² + R(θ), Adam, `epochs` passes over the retain loader.
 * `extra` adds R(θ) (A-L1-sparse); used by A-CF and A-L1-sparse.
 */
export async function runAmu(
  ctx: UnlearnContext,
  M: MethodName,
  prefix: string,
  extra?: (model: Model) => tf.Scalar,
): Promise<Model> {
  const hp = methodHParams(M, ctx);
  const E = num(hp, `${prefix}_epochs`, M);
  const B = num(hp, 'batch_size', M);
  const o = amuOptions(hp, prefix, M);
  const loop = new MethodLoop(ctx, M, E);
  const student = ctx.original.clone();
  const adam = { kind: 'adam', lr: num(hp, `${prefix}_lr`, M), beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
  return trainStudent(student, adam, async (opt) => {
    const sampler = new AmuSampler(ctx.forget, ctx.testUsed, o.sampleFactor * B, ctx.rng.fork('amu-samples'));
    const shuffle = ctx.rng.fork('shuffle');
    for (let e = 0; e < E; e++) {
      await loop.pass({
        model: student, optimizer: opt, source: ctx.retain, batchSize: B, rng: shuffle, epoch: e,
        gradients: ctx.parallel ? (c, vars) => parallelAmuStep(ctx.parallel!, c, vars, ctx, sampler, o, loop, extra) : undefined,
        loss: (c) => {
          const { total, ce2, mmd } = amuStepLoss(c, ctx, sampler, o);
          loop.terms(ce2, mmd);
          return extra ? (tf.add(total, extra(c.model)) as tf.Scalar) : total;
        },
      });
      await loop.endEpoch(e, student);
    }
  });
}

export const acf: UnlearnMethod = (ctx) => runAmu(ctx, 'A-CF', 'acf');

