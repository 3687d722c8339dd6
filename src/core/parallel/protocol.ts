/**
 * Data-parallel training, the wire protocol (tfjs-free): what the coordinator (the thread that owns the model and
 * the optimiser) and its shard workers (Node `worker_threads` or page workers, each with its own tfjs backend)
 * send each other. Every array travels as a transferable buffer (copied per worker; no SharedArrayBuffer needed).
 *
 * One step: the coordinator splits every input group of the batch into N contiguous shards; worker k receives the
 * current weights and its shard of each group and returns, per group, Σᵢ CEᵢ (and the correct count) and, when asked,
 * the per-sample CE values and/or the gradient of Σ_g Σᵢ w_gi·CE_gi with respect to every parameter. The coordinator
 * sums the workers' gradients in worker order (fixed order: the same seed and N give the same bits) and applies
 * the update. Per-sample losses let batch-coupled objectives (A-AMU's ECDF + MMD²) run in two phases.
 */
import type { ModelConfig } from '../types';

/** One group of samples of a shard (e.g. the retain batch, the forget sample, the test sample). */
export interface ShardGroup {
  /** normalised NHWC float32 pixels, n×32×32×3 (n = y.length) */
  x: Float32Array;
  y: Int32Array;
  /** height, width, channels of one sample */
  hwc: [number, number, number];
  /**
   * weights of the loss Σᵢ wᵢ·CEᵢ whose gradient is wanted: a number (same weight for every sample), per-sample
   * weights, or null (no gradient through this group: forward only)
   */
  weight: number | Float32Array | null;
  /**
   * distillation term added to the loss: weight·T²·Σᵢ Σ_c qᵢc (log qᵢc − log softmax(zᵢ/T)_c), the target given as
   * log-probabilities `logQ` (n×C, row-major); its gradient is wanted whenever present
   */
  kl?: { logQ: Float32Array; T: number; weight: number };
}

export type ToWorker =
  | { type: 'init'; id: number; model: ModelConfig }
  | {
      type: 'step';
      id: number;
      /** current weights in `Model.params` order; omitted = the weights of the previous step (two-phase steps) */
      weights?: Float32Array[];
      groups: ShardGroup[];
      /** compute and return the gradients (false: forward only) */
      grads: boolean;
      /** return the per-sample CE of every group */
      perSample: boolean;
      /** return the logits of every group (inference) */
      logits?: boolean;
    }
  | EmbedRequest
  | { type: 'memory'; id: number }
  /** fault injection for tests: the worker throws an uncaught error (a crash) */
  | { type: 'crash'; id: number };

/**
 * Feature-network pass of a shard (condensation: k-means features, Blend's targets and its iterations): `embed(x)`
 * of every image, or with `match` the distribution-matching term Σᵢ mean_d (embed(xᵢ)[d] − μᵢ[d])² / T (its value
 * and its gradient with respect to the input pixels; instance norm makes every image's term independent of its
 * batch-mates, so shards add up exactly).
 */
export interface EmbedRequest {
  type: 'embed';
  id: number;
  /** current weights in `Model.params` order; omitted = the weights of the previous message */
  weights?: Float32Array[];
  /** normalised NHWC float32 pixels, n×h×w×c */
  x: Float32Array;
  n: number;
  hwc: [number, number, number];
  /** μ (n×D, row-major) and T */
  match?: { mu: Float32Array; T: number };
}

export interface EmbedReply {
  type: 'embed';
  id: number;
  /** embed(x), n×D row-major (without `match`) */
  features?: Float32Array;
  /** the shard's term of the loss (with `match`) */
  value?: number;
  /** its gradient with respect to x, n×h×w×c (with `match`) */
  grad?: Float32Array;
  numTensors: number;
}

export interface StepReply {
  type: 'step';
  id: number;
  /** Σᵢ CEᵢ per group (unweighted) */
  lossSums: number[];
  /** correctly classified samples per group */
  correct: number[];
  /** the weighted objective of this shard (Σ over groups of the CE and KL terms), when gradients were computed */
  objective?: number;
  /** the distillation terms' part of `objective` */
  klTotal?: number;
  perSample?: Float32Array[];
  /** logits per group, row-major [n, C] */
  logits?: Float32Array[];
  /** gradients in `Model.params` order (zeros for a parameter the loss does not reach) */
  grads?: Float32Array[];
  numTensors: number;
}

export type FromWorker =
  | { type: 'ready'; id: number; numTensors: number; backend: string }
  | StepReply
  | EmbedReply
  | { type: 'memory'; id: number; numTensors: number }
  | { type: 'error'; id: number; message: string };

/** The buffers of a message, for the transfer list (each buffer once). */
export function transferables(msg: ToWorker | FromWorker): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  if (msg.type === 'step') {
    if ('groups' in msg) {
      msg.weights?.forEach(add);
      for (const g of msg.groups) {
        add(g.x);
        add(g.y);
        if (g.weight instanceof Float32Array) add(g.weight);
        add(g.kl?.logQ);
      }
    } else {
      msg.grads?.forEach(add);
      msg.perSample?.forEach(add);
      msg.logits?.forEach(add);
    }
  } else if (msg.type === 'embed') {
    if ('x' in msg) {
      msg.weights?.forEach(add);
      add(msg.x);
      add(msg.match?.mu);
    } else {
      add(msg.features);
      add(msg.grad);
    }
  }
  return [...out];
}

/** Rows [start, end) of shard k of n rows over `workers` shards (contiguous, sizes differ by at most one). */
export function shardRange(n: number, workers: number, k: number): [number, number] {
  return [Math.floor((k * n) / workers), Math.floor(((k + 1) * n) / workers)];
}

/**
 * Σ over workers of per-parameter arrays, in worker order (a fixed order: deterministic float32 sums).
 * `parts[k]` is worker k's list (undefined: the worker had no samples). Writes into a fresh array per parameter.
 */
export function sumInOrder(parts: (Float32Array[] | undefined)[]): Float32Array[] {
  const present = parts.filter((p): p is Float32Array[] => p !== undefined);
  if (present.length === 0) return [];
  const out = present[0].map((a) => new Float32Array(a));
  for (let k = 1; k < present.length; k++) {
    const p = present[k];
    for (let j = 0; j < out.length; j++) {
      const o = out[j],
        a = p[j];
      if (a.length !== o.length)
        throw new Error(`sumInOrder: parameter ${j} has ${a.length} values, expected ${o.length}`);
      for (let i = 0; i < o.length; i++) o[i] += a[i];
    }
  }
  return out;
}

/** The default number of workers: the cores this runtime reports (≥ 1). */
export function defaultWorkerCount(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number } };
  const hc = g.navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

/** A clear message for an invalid worker count (CLI flag, page setting). */
export function parseWorkerCount(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`${where}: workers must be an integer from 1 to 256, got ${JSON.stringify(v)}`);
  }
  return n;
}
