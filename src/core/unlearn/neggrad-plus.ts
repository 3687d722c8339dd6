/**
 * NegGrad+ (Kurmanji et al., NeurIPS 2023; not in the paper: docs/modern-baselines.md): pretrained init; every epoch
 * one shuffled pass over the retain loader, each step paired with the next batch of a shuffled forget loader that is
 * cycled (re-shuffled every epoch, as `zip(retain, cycle(forget))` of the reference code's `train_negrad`); loss
 * β·meanCE(retain batch) − (1 − β)·meanCE(forget batch); SGD, constant lr.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnlearnMethod } from './common';
import { MethodLoop, meanCE, methodHParams, num, trainStudent } from './common';

export const negGradPlus: UnlearnMethod = async (ctx) => {
  const M = 'NegGrad+';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'ngp_epochs', M);
  const beta = num(hp, 'ngp_beta', M);
  const BF = num(hp, 'ngp_forget_batch', M);
  const loop = new MethodLoop(ctx, M, E);
  const student = ctx.original.clone();
  const sgd = {
    kind: 'sgd',
    lr: num(hp, 'ngp_lr', M),
    momentum: num(hp, 'ngp_momentum', M),
    weightDecay: num(hp, 'ngp_wd', M),
  } as const;
  const nf = ctx.forget.size;
  return trainStudent(student, sgd, async (opt) => {
    const shuffleF = ctx.rng.fork('shuffle-forget');
    const shuffleR = ctx.rng.fork('shuffle');
    for (let e = 0; e < E; e++) {
      const perm = shuffleF.permutation(nf);
      const batches = Math.max(1, Math.ceil(nf / BF));
      await loop.pass({
        model: student,
        optimizer: opt,
        source: ctx.retain,
        batchSize: num(hp, 'batch_size', M),
        rng: shuffleR,
        epoch: e,
        loss: (c) => {
          const retainCE = meanCE(c.model.apply(c.x), c.y);
          if (nf === 0) return tf.mul(retainCE, beta) as tf.Scalar;
          const b = c.step % batches;
          const pos = perm.subarray(b * BF, Math.min(nf, (b + 1) * BF));
          const xf = ctx.forget.gather(pos);
          const yf = Array.from(pos, (p) => ctx.forget.labels[p]);
          const forgetCE = meanCE(c.model.apply(xf), yf);
          return tf.sub(tf.mul(retainCE, beta), tf.mul(forgetCE, 1 - beta)) as tf.Scalar;
        },
      });
      await loop.endEpoch(e, student);
    }
  });
};
