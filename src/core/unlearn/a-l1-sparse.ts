/**
 * A-L1-sparse (docs/paper-notes.md §5.5): A-CF's objective plus an L1 penalty on ALL parameters with a constant α (no
 * decay): L = (meanCE_retain)² + λ·MMD² + α·‖θ‖₁; Adam (asparse_lr), 1 epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { UnlearnMethod } from './common';
import { l1Norm, methodHParams, num } from './common';
import { runAmu } from './amu';

export const aL1Sparse: UnlearnMethod = (ctx) => {
  const M = 'A-L1-Sparse';
  const alpha = num(methodHParams(M, ctx), 'asparse_l1_alpha', M);
  return runAmu(ctx, M, 'asparse', (m) => tf.mul(l1Norm(m.params), alpha) as tf.Scalar);
};
