/**
 * Pruning (docs/paper-notes.md §6.5): E epochs of mean-CE fine-tuning (SGD, constant lr) with progressive GLOBAL
 * unstructured L1-magnitude pruning of all conv weights (not biases, norms or the head). At the start of every epoch e
 * with (E − e) mod step = 0, the fraction p = 1 − (1 − s)^{1/(⌊(E−1)/step⌋+1)} of the still-unpruned conv weights
 * with the smallest |w| (ranked across layers) is removed. Masks are binary tensors; w ← w ⊙ mask right after
 * each pruning step and after every optimiser step (docs/paper-notes.md §11), so pruned weights stay exactly zero.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, Param } from '../types';
import type { UnlearnMethod } from './common';
import { meanCE, methodHParams, num } from './common';
import { sgdFineTune } from './finetune';

/** Per-step pruning rate p of docs/paper-notes.md §6.5 (s = 0.95, E = 20, step = 5 → 0.527129). */
export function pruneRate(target: number, epochs: number, step: number): number {
  return 1 - Math.pow(1 - target, 1 / (Math.floor((epochs - 1) / step) + 1));
}

/** Whether a pruning step runs at the start of epoch e (0-based). */
export function isPruneEpoch(epoch: number, epochs: number, step: number): boolean {
  return (epochs - epoch) % step === 0;
}

/** Binary masks over the conv weights of a model (global unstructured magnitude pruning). */
export class ConvPruner {
  readonly params: Param[];
  private readonly host: Uint8Array[];
  private masks: tf.Tensor[] = [];

  constructor(model: Model) {
    this.params = model.params.filter((p) => p.kind === 'conv');
    this.host = this.params.map((p) => new Uint8Array(p.variable.size).fill(1));
  }

  get total(): number {
    return this.host.reduce((a, m) => a + m.length, 0);
  }

  get pruned(): number {
    let z = 0;
    for (const m of this.host) for (let i = 0; i < m.length; i++) z += 1 - m[i];
    return z;
  }

  /** Remove round(rate · unpruned) more weights: the smallest |w| among the unpruned ones, ties by position. */
  async prune(rate: number): Promise<number> {
    const values: Float32Array[] = [];
    for (const p of this.params) values.push((await p.variable.data()) as Float32Array);
    let remaining = 0;
    for (const m of this.host) for (let i = 0; i < m.length; i++) remaining += m[i];
    const k = Math.round(rate * remaining);
    if (k > 0) {
      const cand = new Float32Array(remaining);
      let n = 0;
      values.forEach((v, l) => {
        const m = this.host[l];
        for (let i = 0; i < v.length; i++) if (m[i]) cand[n++] = Math.abs(v[i]);
      });
      cand.sort();
      const thr = cand[k - 1];
      let below = 0;
      for (let i = 0; i < k; i++) if (cand[i] < thr) below++;
      let ties = k - below;
      values.forEach((v, l) => {
        const m = this.host[l];
        for (let i = 0; i < v.length; i++) {
          if (!m[i]) continue;
          const a = Math.abs(v[i]);
          if (a < thr) m[i] = 0;
          else if (a === thr && ties > 0) {
            m[i] = 0;
            ties--;
          }
        }
      });
    }
    for (const t of this.masks) t.dispose();
    this.masks = this.params.map((p, l) => tf.tensor(this.host[l], p.variable.shape, 'float32'));
    this.apply();
    return k;
  }

  /** w ← w ⊙ mask for every conv weight (no-op before the first pruning step). */
  apply(): void {
    if (this.masks.length === 0) return;
    tf.tidy(() => this.params.forEach((p, l) => p.variable.assign(tf.mul(p.variable, this.masks[l]))));
  }

  dispose(): void {
    for (const t of this.masks) t.dispose();
    this.masks = [];
  }
}

export const pruning: UnlearnMethod = async (ctx) => {
  const M = 'Pruning';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'prune_epochs', M);
  const step = num(hp, 'prune_step', M);
  const rate = pruneRate(num(hp, 'prune_target', M), E, step);
  let pruner: ConvPruner | null = null;
  try {
    return await sgdFineTune(ctx, M, () => ctx.original.clone(), {
      lr: num(hp, 'prune_lr', M),
      momentum: num(hp, 'prune_momentum', M),
      weightDecay: num(hp, 'prune_wd', M),
      epochs: E,
      batchSize: num(hp, 'batch_size', M),
      beforeEpoch: async (e, model) => {
        pruner ??= new ConvPruner(model);
        if (isPruneEpoch(e, E, step)) await pruner.prune(rate);
      },
      afterStep: () => pruner?.apply(),
      loss: (c) => meanCE(c.model.apply(c.x), c.y),
      parallel: {},
    });
  } finally {
    (pruner as ConvPruner | null)?.dispose();
  }
};
