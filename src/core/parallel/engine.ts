/**
 * `ParallelTrainer`: the coordinator's gradient engine over a `WorkerPool`. It plugs into `runPass` through the
 * `gradients` hook (src/core/train/api.ts): the model and the optimiser stay on the coordinator; each step the
 * current weights and one shard of the batch go to every worker, the workers' gradients come back and are summed in
 * worker order (deterministic), and the optimiser applies the sum as usual.
 *
 *  - `meanCE`: mean cross-entropy (pretraining, Retrain, CF, …): worker k back-propagates (1/B)·Σ_{i∈shard k} CEᵢ;
 *    the sum over workers is exactly the gradient of the batch mean (up to float32 summation order).
 *  - `twoPhase`: any objective L(ℓ) of the per-sample CE values of several groups (A-AMU's smoothed ECDF and MMD²
 *    couple samples): phase 1 returns every ℓᵢ (forward only), the coordinator evaluates L and wᵢ = ∂L/∂ℓᵢ with
 *    tfjs, phase 2 back-propagates Σ wᵢ·ℓᵢ on the shards. Exact by the chain rule (it costs one extra forward pass).
 *
 * Penalties on the parameters (L1, …) are the caller's: add them once on the coordinator.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../types';
import { LabError } from '../types';
import type { StepContext } from '../train/api';
import type { ShardGroup, StepReply } from './protocol';
import { shardRange, sumInOrder } from './protocol';
import type { WorkerPool } from './pool';

export interface EngineResult {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  /** correctly classified samples of the (first) group, summed over workers */
  correct: number;
}

/** One input group of a step: its pixels (host float32, n×h×w×c) and labels. */
export interface HostGroup {
  x: Float32Array;
  y: Int32Array;
  hwc: [number, number, number];
  /** a distillation term on this group, back-propagated with the gradients (see ShardGroup.kl; weight per sample) */
  kl?: { logQ: Float32Array; T: number; weight: number };
}

export class ParallelTrainer {
  /** sharded steps run so far (every phase of a two-phase step counts once) */
  steps = 0;
  /** sharded feature-network passes (`embed`, `embedMatch`) run so far */
  featurePasses = 0;
  /** the fixed feature network whose weights the workers hold (and the pool's model epoch then), or null */
  private sent: { model: Model; epoch: number } | null = null;
  constructor(
    private readonly pool: WorkerPool,
    readonly transport: string,
  ) {}

  get workers(): number {
    return this.pool.size;
  }

  /** The backend the workers run (as the first worker reported it). */
  get backend(): string {
    return this.pool.backend;
  }

  /** Live tensors in every worker. */
  memory(): Promise<number[]> {
    return this.pool.memory();
  }

  /** Fault injection (tests). */
  crash(k: number): Promise<unknown> {
    return this.pool.crash(k);
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  /** Gradients of the batch's mean cross-entropy, for `runPass`'s `gradients` hook. */
  async meanCE(ctx: Pick<StepContext, 'model' | 'x' | 'y'>, vars: tf.Variable[]): Promise<EngineResult> {
    const g = await hostGroup(ctx.x, ctx.y);
    const B = g.y.length;
    const replies = await this.run(ctx.model, [g], [1 / B], true, false);
    return this.finish(ctx.model, vars, replies, (sums) => sums[0] / B);
  }

  /**
   * Gradients of `objective(ℓ₀, ℓ₁, …)`, a scalar function of the per-sample CE vectors of `groups` (tfjs ops,
   * called in a gradient scope on the coordinator). `detached[g]` marks groups whose ℓ are constants (no backward
   * pass through them). `objective` may return extra scalars (kept; the caller disposes them).
   */
  async twoPhase(
    model: Model,
    groups: HostGroup[],
    detached: boolean[],
    objective: (ce: tf.Tensor1D[]) => tf.Scalar,
    vars: tf.Variable[],
  ): Promise<EngineResult> {
    const p1 = await this.run(
      model,
      groups.map(({ kl: _kl, ...g }) => g),
      groups.map(() => null),
      false,
      true,
    );
    const ce = groups.map((g, j) => {
      const v = new Float32Array(g.y.length);
      p1.forEach((r, k) => {
        if (!r?.perSample) return;
        const [a] = shardRange(g.y.length, this.workers, k);
        const idx = groupIndex(groups, k, this.workers, j);
        if (idx >= 0) v.set(r.perSample[idx], a);
      });
      return v;
    });
    const ceT = ce.map((v) => tf.tensor1d(v));
    let value: tf.Scalar | null = null;
    let weights: Float32Array[];
    try {
      const live = ceT.filter((_, j) => !detached[j]);
      const { value: val, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
        let i = 0;
        return objective(ceT.map((t, j) => (detached[j] ? t : (xs[i++] as tf.Tensor1D))));
      })(live);
      value = val;
      let i = 0;
      weights = groups.map((_, j) =>
        detached[j] ? new Float32Array(0) : (grads[i++].dataSync() as Float32Array).slice(),
      );
      tf.dispose(grads);
    } catch (e) {
      value?.dispose();
      throw e;
    } finally {
      tf.dispose(ceT);
    }
    try {
      const p2 = await this.run(
        model,
        groups.filter((_, j) => !detached[j]),
        weights.filter((_, j) => !detached[j]),
        true,
        false,
        false,
      );
      const r = await this.finish(model, vars, p2, () => 0);
      r.value.dispose();
      r.correct = p1.reduce((a, x) => a + (x?.correct[0] ?? 0), 0);
      const kl = p2.reduce((a, x) => a + (x?.klTotal ?? 0), 0);
      if (kl === 0) return { ...r, value: value! };
      const total = tf.add(value!, kl) as tf.Scalar;
      value!.dispose();
      return { ...r, value: total };
    } catch (e) {
      value!.dispose();
      throw e;
    }
  }

  /**
   * Gradients of a distillation objective of one batch: ceWeight·meanCE (ceWeight 0: no CE term) +
   * klWeight·KL_T(q ‖ student) with the target q given as log-probabilities `logQ` [B, C] (batch mean, T², as
   * `klFromLogTarget`). Teacher logits come from `predict` (forward on the workers).
   */
  async distill(
    ctx: Pick<StepContext, 'model' | 'x' | 'y'>,
    vars: tf.Variable[],
    logQ: Float32Array,
    T: number,
    ceWeight: number,
    klWeight: number,
  ): Promise<EngineResult> {
    const g = await hostGroup(ctx.x, ctx.y);
    const B = g.y.length;
    const C = ctx.model.config.numClasses;
    await this.pool.ensureModel(ctx.model.config);
    this.steps++;
    this.sent = null;
    const w0 = await ctx.model.getWeights();
    const replies = await this.pool.step((k) => {
      const [a, b] = shardRange(B, this.workers, k);
      if (b <= a) return null;
      const hw = g.hwc[0] * g.hwc[1] * g.hwc[2];
      return {
        type: 'step',
        id: 0,
        grads: true,
        perSample: false,
        weights: w0.map((w) => Float32Array.from(w)),
        groups: [
          {
            x: g.x.slice(a * hw, b * hw),
            y: g.y.slice(a, b),
            hwc: g.hwc,
            weight: ceWeight !== 0 ? ceWeight / B : null,
            kl: { logQ: logQ.slice(a * C, b * C), T, weight: klWeight / B },
          },
        ],
      };
    });
    return this.finish(ctx.model, vars, replies, () => replies.reduce((s, r) => s + (r?.objective ?? 0), 0));
  }

  /** Logits [n, C] (row-major) of a batch, forward only on the shards (the evaluation path). */
  async predict(model: Model, x: tf.Tensor4D): Promise<Float32Array> {
    const n = x.shape[0];
    const C = model.config.numClasses;
    const g = await hostGroup(x, new Int32Array(n));
    const replies = await this.run(model, [g], [null], false, false, true, true);
    const out = new Float32Array(n * C);
    replies.forEach((r, k) => {
      const [a] = shardRange(n, this.workers, k);
      if (r?.logits?.[0]) out.set(r.logits[0], a * C);
    });
    return out;
  }

  /**
   * embed(x) of `n` images (host NHWC float32), sharded over the workers: features n×D, row-major. `model` must be a
   * fixed network (condensation's random feature networks, never trained): its weights go to the workers with the
   * first call and stay there until another model or a training step is sent.
   */
  async embed(
    model: Model,
    x: Float32Array,
    n: number,
    hwc: [number, number, number] = [32, 32, 3],
  ): Promise<Float32Array> {
    const replies = await this.featurePass(model, x, n, hwc);
    let dim = 0;
    replies.forEach((r, k) => {
      const [a, b] = shardRange(n, this.workers, k);
      if (r?.features && b > a) dim = r.features.length / (b - a);
    });
    const out = new Float32Array(n * dim);
    replies.forEach((r, k) => {
      if (r?.features) out.set(r.features, shardRange(n, this.workers, k)[0] * dim);
    });
    return out;
  }

  /**
   * Blend's matching term of `n` images against targets `mu` (n×D): L = Σᵢ mean_d (embed(xᵢ)[d] − μᵢ[d])² / T and
   * ∂L/∂x (n×h×w×c), sharded over the workers (shard values summed in worker order). `model` as in `embed`.
   */
  async embedMatch(
    model: Model,
    x: Float32Array,
    n: number,
    mu: Float32Array,
    T: number,
    hwc: [number, number, number] = [32, 32, 3],
  ): Promise<{ value: number; grad: Float32Array }> {
    const replies = await this.featurePass(model, x, n, hwc, { mu, T });
    const grad = new Float32Array(x.length);
    const per = hwc[0] * hwc[1] * hwc[2];
    let value = 0;
    replies.forEach((r, k) => {
      if (!r) return;
      value += r.value ?? 0;
      if (r.grad) grad.set(r.grad, shardRange(n, this.workers, k)[0] * per);
    });
    return { value, grad };
  }

  private async featurePass(
    model: Model,
    x: Float32Array,
    n: number,
    hwc: [number, number, number],
    match?: { mu: Float32Array; T: number },
  ) {
    const per = hwc[0] * hwc[1] * hwc[2];
    if (x.length !== n * per) throw new LabError(`${x.length} pixel values for ${n} images`, 'parallel');
    await this.pool.ensureModel(model.config);
    this.featurePasses++;
    const fresh = !this.sent || this.sent.model !== model || this.sent.epoch !== this.pool.modelEpoch;
    const w0 = fresh ? await model.getWeights() : undefined;
    // a worker without rows gets no message: the weights count as sent only when every worker received them
    this.sent = fresh && n < this.workers ? null : { model, epoch: this.pool.modelEpoch };
    const D = match ? match.mu.length / n : 0;
    try {
      return await this.pool.embed((k) => {
        const [a, b] = shardRange(n, this.workers, k);
        if (b <= a) return null;
        return {
          type: 'embed',
          weights: w0 ? w0.map((w) => Float32Array.from(w)) : undefined,
          x: x.slice(a * per, b * per),
          n: b - a,
          hwc,
          match: match ? { mu: match.mu.slice(a * D, b * D), T: match.T } : undefined,
        };
      });
    } catch (e) {
      this.sent = null;
      throw e;
    }
  }

  /** Send every worker its shard of each group; weight per group: a number, per-sample weights, or null. */
  private async run(
    model: Model,
    groups: HostGroup[],
    weights: (number | Float32Array | null)[],
    grads: boolean,
    perSample: boolean,
    sendWeights = true,
    logits = false,
  ): Promise<(StepReply | undefined)[]> {
    await this.pool.ensureModel(model.config);
    this.steps++;
    this.sent = null;
    const W = this.workers;
    const w0 = sendWeights ? await model.getWeights() : undefined;
    return this.pool.step((k) => {
      const shards: ShardGroup[] = [];
      groups.forEach((g, j) => {
        const [a, b] = shardRange(g.y.length, W, k);
        if (b <= a) return;
        const hw = g.hwc[0] * g.hwc[1] * g.hwc[2];
        const wj = weights[j];
        const C = g.kl ? g.kl.logQ.length / g.y.length : 0;
        shards.push({
          x: g.x.slice(a * hw, b * hw),
          y: g.y.slice(a, b),
          hwc: g.hwc,
          weight: wj instanceof Float32Array ? wj.slice(a, b) : wj,
          kl: g.kl ? { ...g.kl, logQ: g.kl.logQ.slice(a * C, b * C) } : undefined,
        });
      });
      if (shards.length === 0) return null;
      return {
        type: 'step',
        id: 0,
        groups: shards,
        grads,
        perSample,
        logits,
        weights: w0 ? w0.map((a) => Float32Array.from(a)) : undefined,
      };
    });
  }

  private async finish(
    model: Model,
    vars: tf.Variable[],
    replies: (StepReply | undefined)[],
    value: (lossSums: number[]) => number,
  ): Promise<EngineResult> {
    const summed = sumInOrder(replies.map((r) => r?.grads));
    if (summed.length !== model.params.length) {
      throw new LabError(
        `workers returned ${summed.length} gradients for ${model.params.length} parameters`,
        'parallel',
      );
    }
    const lossSums: number[] = [];
    let correct = 0;
    for (const r of replies) {
      if (!r) continue;
      r.lossSums.forEach((s, j) => (lossSums[j] = (lossSums[j] ?? 0) + s));
      correct += r.correct[0] ?? 0;
    }
    const wanted = new Set(vars.map((v) => v.name));
    const grads: tf.NamedTensorMap = {};
    model.params.forEach((p, i) => {
      if (wanted.has(p.variable.name)) grads[p.variable.name] = tf.tensor(summed[i], p.variable.shape, 'float32');
    });
    return { value: tf.scalar(value(lossSums)), grads, correct };
  }
}

/** Adds a penalty computed on this thread (its value and gradient) to an engine result; consumes `r`. */
export function withPenalty(r: EngineResult, vars: tf.Variable[], penalty?: () => tf.Scalar): EngineResult {
  if (!penalty) return r;
  let g: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    g = tf.variableGrads(penalty, vars);
  } catch (e) {
    r.value.dispose();
    tf.dispose(r.grads);
    throw e;
  }
  try {
    const grads: tf.NamedTensorMap = {};
    for (const [k, t] of Object.entries(r.grads)) grads[k] = g.grads[k] ? tf.add(t, g.grads[k]) : t.clone();
    const value = tf.add(r.value, g.value) as tf.Scalar;
    tf.dispose(r.grads);
    r.value.dispose();
    return { value, grads, correct: r.correct };
  } finally {
    g.value.dispose();
    tf.dispose(g.grads);
  }
}

/** Index of group j among the groups worker k received (groups with no rows for k are skipped). */
function groupIndex(groups: HostGroup[], k: number, W: number, j: number): number {
  let idx = 0;
  for (let g = 0; g < groups.length; g++) {
    const [a, b] = shardRange(groups[g].y.length, W, k);
    if (b <= a) {
      if (g === j) return -1;
      continue;
    }
    if (g === j) return idx;
    idx++;
  }
  return -1;
}

/** A batch tensor as a host group. */
export async function hostGroup(x: tf.Tensor4D, y: Int32Array): Promise<HostGroup> {
  const [n, h, w, c] = x.shape;
  if (n !== y.length) throw new LabError(`batch has ${n} images and ${y.length} labels`, 'parallel');
  return { x: (await x.data()) as Float32Array, y, hwc: [h, w, c] };
}
