/**
 * Random Labels (not in the paper; docs/modern-baselines.md): pretrained init; every epoch one shuffled pass over D_f
 * with random labels (drawn afresh for every batch from the run's seeded Rng: uniform over the other classes, y′ ≠ y,
 * or over all classes as the reference code draws them), then one shuffled pass over the retain loader with the true
 * labels; mean CE, one SGD optimiser (constant lr) for both passes, as SalUn's reference code (unlearn/RL.py, the
 * CIFAR-10 branch). SalUn (./salun.ts) is the same loop with its weight-saliency mask.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import type { Rng } from '../rng';
import type { HParamValue, MethodName } from '../contracts';
import type { UnlearnContext, UnlearnMethod } from './common';
import { MethodLoop, meanCE, methodHParams, num, str, trainStudent } from './common';

/**
 * Random labels for a batch with true labels `y` over `C` classes: 'other' = uniform over the C − 1 other classes
 * (y′ ≠ y), 'any' = uniform over all C. One draw of `rng` per label, in batch order.
 */
export function drawRandomLabels(y: ArrayLike<number>, C: number, rng: Rng, kind: string): Int32Array {
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = kind === 'any' ? rng.int(C) : (y[i] + 1 + rng.int(C - 1)) % C;
  return out;
}

/**
 * Keeps the weights outside a binary mask at their starting values: after every optimiser step
 * θ ← θ₀ + m ⊙ (θ − θ₀) (SalUn's θ_u = m ⊙ (Δθ + θ_o) + (1 − m) ⊙ θ_o; SGD is per-coordinate, so this equals masking
 * the gradients and keeping weight decay and momentum off the masked weights, as the reference code does).
 */
export class WeightMask {
  private readonly kept: Array<{ v: tf.Variable; m: tf.Tensor; w0: tf.Tensor } | null>;

  constructor(model: Model, masks: Uint8Array[]) {
    this.kept = model.params.map((p, i) => {
      const m = masks[i];
      if (m.every((b) => b === 1)) return null;
      return {
        v: p.variable,
        m: tf.tensor(Float32Array.from(m), p.variable.shape, 'float32'),
        w0: tf.clone(p.variable),
      };
    });
  }

  apply(): void {
    tf.tidy(() => {
      for (const k of this.kept) if (k) k.v.assign(tf.add(k.w0, tf.mul(k.m, tf.sub(k.v, k.w0))));
    });
  }

  dispose(): void {
    for (const k of this.kept) if (k) tf.dispose([k.m, k.w0]);
  }
}

/** The Random Labels / SalUn loop under the card prefix `p` (`<p>_lr/_epochs/_momentum/_wd/_labels`, batch_size). */
export async function randomLabelFineTune(
  ctx: UnlearnContext,
  M: MethodName,
  p: string,
  hp: Record<string, HParamValue>,
  makeMask?: (student: Model) => Promise<WeightMask>,
): Promise<Model> {
  const E = num(hp, `${p}_epochs`, M);
  const B = num(hp, 'batch_size', M);
  const kind = str(hp, `${p}_labels`, M);
  const loop = new MethodLoop(ctx, M, E);
  const student = ctx.original.clone();
  const C = student.config.numClasses;
  const sgd = {
    kind: 'sgd',
    lr: num(hp, `${p}_lr`, M),
    momentum: num(hp, `${p}_momentum`, M),
    weightDecay: num(hp, `${p}_wd`, M),
  } as const;
  let mask: WeightMask | null = null;
  try {
    return await trainStudent(student, sgd, async (opt) => {
      if (makeMask) mask = await makeMask(student);
      const labels = ctx.rng.fork('random-labels');
      const shuffleF = ctx.rng.fork('shuffle-forget');
      const shuffleR = ctx.rng.fork('shuffle');
      const afterStep = mask ? () => mask!.apply() : undefined;
      for (let e = 0; e < E; e++) {
        await loop.pass({
          model: student,
          optimizer: opt,
          source: ctx.forget,
          batchSize: B,
          rng: shuffleF,
          epoch: e,
          phase: 'forget, random labels',
          loss: (c) => meanCE(c.model.apply(c.x), drawRandomLabels(c.y, C, labels, kind)),
          afterStep,
        });
        await loop.pass({
          model: student,
          optimizer: opt,
          source: ctx.retain,
          batchSize: B,
          rng: shuffleR,
          epoch: e,
          phase: 'retain',
          loss: (c) => meanCE(c.model.apply(c.x), c.y),
          afterStep,
        });
        await loop.endEpoch(e, student);
      }
    });
  } finally {
    (mask as WeightMask | null)?.dispose();
  }
}

export const randomLabels: UnlearnMethod = async (ctx) => {
  const M = 'Random Labels';
  return randomLabelFineTune(ctx, M, 'rl', methodHParams(M, ctx));
};
