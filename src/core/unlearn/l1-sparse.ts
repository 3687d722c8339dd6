/**
 * L1-sparse (docs/paper-notes.md §6.4): pretrained init, loss meanCE + α_e·‖θ‖₁ over ALL parameters, α decaying
 * linearly α_e = α·(1 − e/(E − E₀)) for e < E − E₀, else 0 (the last E₀ epochs are plain fine-tuning); SGD, constant
 * lr.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnlearnMethod } from './common';
import { l1Norm, meanCE, methodHParams, num } from './common';
import { sgdFineTune } from './finetune';

/** α of epoch e (0-based) of docs/paper-notes.md §6.4. */
export function l1AlphaAt(epoch: number, alpha: number, epochs: number, noL1Epochs: number): number {
  const span = epochs - noL1Epochs;
  return epoch < span ? alpha * (1 - epoch / span) : 0;
}

export const l1Sparse: UnlearnMethod = async (ctx) => {
  const M = 'L1-Sparse';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'l1_epochs', M);
  const E0 = num(hp, 'l1_no_l1_epochs', M);
  const alpha = num(hp, 'l1_alpha', M);
  return sgdFineTune(ctx, M, () => ctx.original.clone(), {
    lr: num(hp, 'l1_lr', M),
    momentum: num(hp, 'l1_momentum', M),
    weightDecay: num(hp, 'l1_wd', M),
    epochs: E,
    batchSize: num(hp, 'batch_size', M),
    loss: (c, e) => {
      const a = l1AlphaAt(e, alpha, E, E0);
      const ce = meanCE(c.model.apply(c.x), c.y);
      return a > 0 ? (tf.add(ce, tf.mul(l1Norm(c.model.params), a)) as tf.Scalar) : ce;
    },
    parallel: {
      penalty: (e) => {
        const a = l1AlphaAt(e, alpha, E, E0);
        return a > 0 ? (m) => tf.tidy(() => tf.mul(l1Norm(m.params), a) as tf.Scalar) : null;
      },
    },
  });
};
