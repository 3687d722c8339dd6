/**
 * SCRUB (docs/paper-notes.md §6.6): student = pretrained, teacher = the frozen original; one SGD optimiser with
 * WarmCos(W, E) stepped per epoch. Epoch e: if e ≤ msteps a max pass over D_f with loss −w·KL_T(teacher ‖ student)
 * (msteps + 1 max passes in total), then a min pass over the retain loader with γ·meanCE + β·KL_T.
 */
import * as tf from '@tensorflow/tfjs';
import { warmCos } from '../train';
import type { UnlearnMethod } from './common';
import { parallelDistillStep } from './parallel-steps';
import { MethodLoop, meanCE, methodHParams, num, scrubHParams, scrubMaxLoss, teacherKL, trainStudent } from './common';

export const scrub: UnlearnMethod = async (ctx) => {
  const M = 'SCRUB';
  const hp = methodHParams(M, ctx);
  const { epochs: E, batchSize: B, T, beta, gamma, forgetWeight: fw } = scrubHParams(hp, 'scrub', M);
  const W = num(hp, 'scrub_warmup', M);
  const msteps = num(hp, 'scrub_msteps', M);
  const lr = num(hp, 'scrub_lr', M);
  const teacher = ctx.original;
  const loop = new MethodLoop(ctx, M, E);
  const student = teacher.clone();
  const sgd = { kind: 'sgd', lr, momentum: num(hp, 'scrub_momentum', M), weightDecay: num(hp, 'scrub_wd', M) } as const;
  return trainStudent(student, sgd, async (opt) => {
    const shuffleF = ctx.rng.fork('shuffle-forget');
    const shuffleR = ctx.rng.fork('shuffle');
    for (let e = 0; e < E; e++) {
      opt.learningRate = lr * warmCos(e, W, E);
      if (e <= msteps) {
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
      }
      await loop.pass({
        model: student,
        optimizer: opt,
        source: ctx.retain,
        batchSize: B,
        rng: shuffleR,
        epoch: e,
        phase: 'min',
        gradients: ctx.parallel
          ? (c, v) => parallelDistillStep(ctx.parallel!, c, v, teacher, T, gamma, beta)
          : undefined,
        loss: (c) => {
          const z = c.model.apply(c.x);
          const kl = teacherKL(teacher, c.x, z, T);
          return tf.add(tf.mul(meanCE(z, c.y), gamma), tf.mul(kl, beta)) as tf.Scalar;
        },
      });
      await loop.endEpoch(e, student);
    }
  });
};
