/**
 * Bad distillation / incompetent teacher (docs/paper-notes.md §6.3): student = pretrained; competent teacher = the
 * frozen original; bad teacher = a randomly initialised network (frozen). Data = D_f (u = 1) ∪ a random subset of
 * ⌊partial_retain_ratio·|D_r|⌋ retain samples (u = 0) w/o DC, or all of D_r^red w/ DC (§10 C6); shuffled.
 * Loss = KL_T(q ‖ student), q = u·softmax(z_bad/T) + (1−u)·softmax(z_good/T), T² · batch-mean KL.
 * SGD, constant lr.
 */
import * as tf from '@tensorflow/tfjs';
import { subsetSource, concatSources } from '../data/source';
import type { UnlearnMethod } from './common';
import { parallelBadDistillStep } from './parallel-steps';
import { MethodLoop, klFromLogTarget, methodHParams, num, offTape, trainStudent } from './common';

/**
 * Log of the mixed target q (rows with u = 1 follow the bad teacher, u = 0 the competent one); since u ∈ {0,1},
 * log q = log softmax of the selected teacher's logits / T.
 */
export function badTeacherLogTarget(
  goodLogits: tf.Tensor2D,
  badLogits: tf.Tensor2D,
  u: ArrayLike<number>,
  T: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const cond = tf.tensor2d(
      Array.from(u, (x) => x === 1),
      [u.length, 1],
      'bool',
    );
    return tf.where(cond, tf.logSoftmax(tf.div(badLogits, T)), tf.logSoftmax(tf.div(goodLogits, T))) as tf.Tensor2D;
  });
}

export const badDistillation: UnlearnMethod = async (ctx) => {
  const M = 'Bad Distillation';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'bad_distill_epochs', M);
  const T = num(hp, 'bad_distill_T', M);
  const lr = num(hp, 'bad_distill_lr', M);
  const ratio = num(hp, 'partial_retain_ratio', M);
  const loop = new MethodLoop(ctx, M, E);

  const retainPart = ctx.withDC
    ? ctx.retain
    : subsetSource(
        ctx.retain,
        ctx.rng
          .fork('retain-subset')
          .sample(ctx.retain.size > 0 ? range(ctx.retain.size) : [], Math.floor(ratio * ctx.retain.size)),
      );
  const nf = ctx.forget.size;
  const data = concatSources(ctx.forget, retainPart);

  const student = ctx.original.clone();
  const sgd = {
    kind: 'sgd',
    lr,
    momentum: num(hp, 'bad_distill_momentum', M),
    weightDecay: num(hp, 'bad_distill_wd', M),
  } as const;
  return trainStudent(student, sgd, async (opt) => {
    const badTeacher = ctx.createFresh();
    try {
      const shuffle = ctx.rng.fork('shuffle');
      for (let e = 0; e < E; e++) {
        await loop.pass({
          model: student,
          optimizer: opt,
          source: data,
          batchSize: num(hp, 'batch_size', M),
          rng: shuffle,
          epoch: e,
          gradients: ctx.parallel
            ? (c, v) =>
                parallelBadDistillStep(
                  ctx.parallel!,
                  c,
                  v,
                  ctx.original,
                  badTeacher,
                  Array.from(c.pos, (p) => (p < nf ? 1 : 0)),
                  T,
                  badTeacherLogTarget,
                )
            : undefined,
          loss: (c) => {
            const u = Array.from(c.pos, (p) => (p < nf ? 1 : 0));
            const logQ = offTape(() => badTeacherLogTarget(ctx.original.apply(c.x), badTeacher.apply(c.x), u, T));
            return klFromLogTarget(logQ, c.model.apply(c.x), T);
          },
        });
        await loop.endEpoch(e, student);
      }
    } finally {
      badTeacher.dispose();
    }
  });
};

function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
