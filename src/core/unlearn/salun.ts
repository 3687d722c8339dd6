/**
 * SalUn (Fan et al., ICLR 2024; not in the paper: docs/modern-baselines.md). Weight saliency: the gradient of the
 * forget loss at the original weights, g = Σ_batches ∇θ meanCE(D_f batch) (the reference code's generate_mask.py sums
 * the per-batch gradients of −CE; the sign does not matter under |·|); the mask keeps the ⌊ratio · N⌋ weights with the
 * largest |g| over ALL N parameters (one global ranking, ties by position). Then the Random Labels loop
 * (./random-labels.ts) with every weight outside the mask held at its original value.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, SampleSource } from '../types';
import { throwIfCancelled } from '../types';
import type { UnlearnMethod } from './common';
import { meanCE, methodHParams, num } from './common';
import { WeightMask, randomLabelFineTune } from './random-labels';

/** Σ over batches (in order, size B) of ∇θ meanCE on `forget`, as host arrays in `model.params` order. */
export async function forgetGradient(
  model: Model,
  forget: SampleSource,
  B: number,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const vars = model.params.map((p) => p.variable);
  let acc: tf.Tensor[] = model.params.map((p) => tf.zeros(p.variable.shape));
  try {
    for (let s = 0; s * B < forget.size; s++) {
      throwIfCancelled(signal);
      const pos = Int32Array.from({ length: Math.min(B, forget.size - s * B) }, (_, i) => s * B + i);
      const x = forget.gather(pos);
      const y = forget.labels.subarray(s * B, s * B + pos.length);
      try {
        const { value, grads } = tf.variableGrads(() => meanCE(model.apply(x), y), vars);
        const next = vars.map((v, i) => (grads[v.name] ? tf.add(acc[i], grads[v.name]) : tf.clone(acc[i])));
        tf.dispose([value, ...Object.values(grads), ...acc]);
        acc = next;
      } finally {
        x.dispose();
      }
    }
    return await Promise.all(acc.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(acc);
  }
}

/** Binary masks (1 = updated) of the ⌊ratio · N⌋ entries with the largest |g| over all arrays; ties by position. */
export function saliencyMask(g: Float32Array[], ratio: number): Uint8Array[] {
  const N = g.reduce((a, x) => a + x.length, 0);
  const k = Math.floor(ratio * N);
  const masks = g.map((x) => new Uint8Array(x.length));
  if (k <= 0) return masks;
  const all = new Float32Array(N);
  let n = 0;
  for (const x of g) for (let i = 0; i < x.length; i++) all[n++] = Math.abs(x[i]);
  const sorted = Float32Array.from(all).sort();
  const thr = sorted[N - k];
  let above = 0;
  for (let i = N - k; i < N; i++) if (sorted[i] > thr) above++;
  let ties = k - above;
  n = 0;
  g.forEach((x, l) => {
    for (let i = 0; i < x.length; i++, n++) {
      const a = all[n];
      if (a > thr) masks[l][i] = 1;
      else if (a === thr && ties > 0) {
        masks[l][i] = 1;
        ties--;
      }
    }
  });
  return masks;
}

export const salun: UnlearnMethod = async (ctx) => {
  const M = 'SalUn';
  const hp = methodHParams(M, ctx);
  const ratio = num(hp, 'salun_ratio', M);
  const B = num(hp, 'batch_size', M);
  return randomLabelFineTune(ctx, M, 'salun', hp, async (student) => {
    const g = await forgetGradient(student, ctx.forget, B, ctx.signal);
    return new WeightMask(student, saliencyMask(g, ratio));
  });
};
