/** Batched inference over a SampleSource. */
import * as tf from '@tensorflow/tfjs';
import type { Model, SampleSource } from '../types';
import { throwIfCancelled } from '../types';
import { yieldToEventLoop } from './loop';
import type { ParallelEngine } from './api';

export interface InferOptions {
  batchSize?: number;
  signal?: AbortSignal;
  /** positions to evaluate (default: all, in order) */
  positions?: ArrayLike<number>;
  /** data-parallel workers: each batch is split over them (absent: this thread) */
  parallel?: ParallelEngine | null;
}

function norm(o?: number | InferOptions, signal?: AbortSignal): InferOptions {
  return typeof o === 'number' ? { batchSize: o, signal } : { ...(o ?? {}), signal: o?.signal ?? signal };
}

/** Logits of every sample (row-major [N, C]) in source order. Accepts `(model, src, batchSize, signal)` too. */
export async function predictLogits(
  model: Model,
  source: SampleSource,
  opts?: number | InferOptions,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const o = norm(opts, signal);
  const bs = o.batchSize ?? 256;
  const positions = o.positions ?? null;
  const n = positions ? positions.length : source.size;
  const c = model.config.numClasses;
  const out = new Float32Array(n * c);
  for (let s = 0; s < n; s += bs) {
    throwIfCancelled(o.signal);
    const m = Math.min(bs, n - s);
    const pos = new Int32Array(m);
    for (let i = 0; i < m; i++) pos[i] = positions ? positions[s + i] : s + i;
    const x = source.gather(pos);
    let z: tf.Tensor2D | null = null;
    try {
      if (o.parallel) {
        out.set(await o.parallel.predict(model, x), s * c);
      } else {
        z = model.apply(x);
        out.set((await z.data()) as Float32Array, s * c);
      }
    } finally {
      x.dispose();
      z?.dispose();
    }
    await yieldToEventLoop();
  }
  return out;
}

/** Top-1 accuracy in % of row-major logits against labels. */
export function accuracyFromLogits(logits: Float32Array, labels: ArrayLike<number>, numClasses: number): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0,
      bv = logits[i * numClasses];
    for (let j = 1; j < numClasses; j++) {
      const v = logits[i * numClasses + j];
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    if (best === labels[i]) ok++;
  }
  return (100 * ok) / n;
}

/** Top-1 accuracy of `model` on `source`, in % (0–100). */
export async function accuracy(model: Model, source: SampleSource, opts?: number | InferOptions): Promise<number> {
  const o = norm(opts);
  const z = await predictLogits(model, source, o);
  const labels = o.positions ? Array.from(o.positions, (p) => source.labels[p]) : source.labels;
  return accuracyFromLogits(z, labels, model.config.numClasses);
}
