/**
 * Numeric guards of the training loops: a non-finite loss (checked on values the loop already reads back, so no
 * extra device sync) or non-finite weights (checked at the end of a stage and before anything is cached) stop the
 * stage with a `DivergedError` instead of letting NaN flow into evaluation, the MIA or the weights cache.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import { LabError } from '../types';

/** Training produced a non-finite loss or non-finite weights. `epoch` and `step` are 1-based. */
export class DivergedError extends LabError {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
    where?: string,
  ) {
    super(`diverged at epoch ${epoch}, step ${step} (loss ${fmtLoss(loss)})`, where);
    this.name = 'DivergedError';
  }
}

function fmtLoss(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Infinity' : v === -Infinity ? '-Infinity' : String(v);
}

/** Throws a DivergedError when `loss` (a host number already read back) is not finite. */
export function checkLoss(loss: number, epoch0: number, step1: number): void {
  if (!Number.isFinite(loss)) throw new DivergedError(epoch0 + 1, step1, loss);
}

/**
 * Name of the first parameter of `model` holding a NaN or ±Infinity, or null when all are finite.
 * One small device read (a boolean per parameter).
 */
export async function firstNonFiniteParam(model: Model): Promise<string | null> {
  if (model.params.length === 0) return null;
  const flags = tf.tidy(() =>
    tf.stack(model.params.map((p) => tf.all(tf.isFinite(tf.reshape(p.variable, [-1]))).cast('int32'))),
  );
  try {
    const ok = await flags.data();
    for (let i = 0; i < ok.length; i++) if (ok[i] !== 1) return model.params[i].name;
    return null;
  } finally {
    flags.dispose();
  }
}

/** Throws a LabError naming the parameter when the model's weights are not all finite. */
export async function assertFiniteWeights(model: Model, where: string): Promise<void> {
  const bad = await firstNonFiniteParam(model);
  if (bad !== null) throw new LabError(`diverged: parameter ${bad} holds NaN or Infinity`, where);
}
