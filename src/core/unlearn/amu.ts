/**
 * Accelerated AMU (A-CF, A-SCRUB, A-L1-sparse), docs/paper-notes.md §5.1–5.3, all in this module: loss Gaussianisation,
 * MMD², the steepened retain loss, the forget/test sampler, the regulariser, the objective of one step and the A-AMU
 * training template (A-CF and A-L1-sparse run it; A-SCRUB uses the sampler and regulariser in its SCRUB loop).
 *
 *   g = clip( Φ⁻¹( F̂( log1p(CE + 1e-8) ) ), −K, K )       (loss Gaussianisation, §5.1)
 *   F̂_i = (1/n) Σ_j σ(k · max(ℓ_i − ℓ_j, 0))              (one-sided, as the code; default)
 *   F̂_i = (1/n) Σ_j σ(k · (ℓ_i − ℓ_j)), clamped to [1e-6, 1 − 1e-6]   (two-sided, the paper's formula)
 *   MMD²(u, v) = mean κ(u,u') + mean κ(v,v') − 2 mean κ(u,v), κ(a,b) = exp(−(a−b)²/(2σ²))   (§5.2, biased)
 *
 * Φ⁻¹ (tfjs has no erfinv) is Wichura's AS241 rational approximation (relative error ~1e-16 in float64;
 * float32-accurate here) built from tf ops and wrapped in `tf.customGrad` with the exact derivative
 * dΦ⁻¹/dp = √(2π)·exp(g²/2). Every function here tidies its intermediates; no tf.addN (WebGPU issue with
 * ≥ 8 inputs) is used.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, SampleSource } from '../types';
import type { Rng } from '../rng';
import type { HParamValue, MethodName } from '../contracts';
import type { StepContext } from '../train/api';
import type { UnlearnContext } from './common';
import { MethodLoop, methodHParams, num, offTape, perSampleCE, str, trainStudent } from './common';
import { logSoftmaxT } from './parallel-steps';
import type { HostGroup, ParallelTrainer } from '../parallel/engine';
import { hostGroup, withPenalty } from '../parallel/engine';

/** the parameter type of tf.customGrad (its type is not re-exported by @tensorflow/tfjs) */
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

export type EcdfMode = 'one-sided' | 'two-sided';

export interface GaussianiseOptions {
  /** sharpness of the smoothed ECDF (paper's 1/τ); default 2 */
  k?: number;
  /** clip of the Gaussianised value; default 60 */
  K?: number;
  /** 'one-sided' (reference code, default) or 'two-sided' (paper formula), docs/paper-notes.md §10 B2 */
  ecdf?: EcdfMode;
}

/** Two-sided ECDF clamp (docs/paper-notes.md §11). */
export const ECDF_CLAMP = 1e-6;
/** Probit input clamp: keeps float32 tails finite; inert for the ECDFs above. */
export const PROBIT_EPS = 1e-7;

const SQRT_2PI = Math.sqrt(2 * Math.PI);
// Wichura's AS241 (PPND16) coefficients. All coefficients are positive and the polynomial arguments are ≥ 0,
// so the rational functions evaluate without cancellation in float32 (Acklam's alternating-sign central
// polynomial loses ~4 digits in float32 near its region boundary).
/* eslint-disable no-loss-of-precision -- the published AS241 digits, kept for traceability */
const SPLIT1 = 0.425;
const SPLIT1_SQ = 0.180625;
const A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457,
  67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061,
  28729.085735721942674, 5226.495278852545925,
];
const Cc = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
/* eslint-enable no-loss-of-precision */

/** Σ_i coef[i]·x^i by Horner (coef[0] is the constant term). */
function poly(x: tf.Tensor, coef: number[]): tf.Tensor {
  let acc: tf.Tensor = tf.scalar(coef[coef.length - 1]);
  for (let i = coef.length - 2; i >= 0; i--) acc = tf.add(tf.mul(acc, x), coef[i]);
  return acc;
}

/**
 * Wichura AS241 Φ⁻¹ from tf ops (forward only): central region |p − ½| ≤ 0.425 and the intermediate tail
 * (√(−log min(p, 1−p)) ≤ 5, i.e. min(p, 1−p) ≥ 1.4e-11). The far-tail branch is not needed because inputs
 * are clamped to [PROBIT_EPS, 1 − PROBIT_EPS].
 */
function probitForward(p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const pc = tf.clipByValue(p, PROBIT_EPS, 1 - PROBIT_EPS);
    const q = tf.sub(pc, 0.5);
    const r1 = tf.relu(tf.sub(SPLIT1_SQ, tf.square(q))); // ≥ 0; clipped to 0 outside the central region
    const central = tf.div(tf.mul(q, poly(r1, A)), poly(r1, B));
    const tailP = tf.minimum(pc, tf.sub(1, pc));
    const r2 = tf.relu(tf.sub(tf.sqrt(tf.neg(tf.log(tailP))), 1.6)); // ≥ 0 in the tail region
    const tailMag = tf.div(poly(r2, Cc), poly(r2, D));
    const tail = tf.where(tf.less(q, 0), tf.neg(tailMag), tailMag);
    return tf.where(tf.lessEqual(tf.abs(q), SPLIT1), central, tail);
  });
}

/**
 * Standard-normal quantile Φ⁻¹(p), differentiable: gradient √(2π)·exp(g²/2)·dy (computed from the output).
 * Inputs are clamped to [1e-7, 1 − 1e-7].
 */
export const probit: (p: tf.Tensor) => tf.Tensor = tf.customGrad(((p: tf.Tensor, save: tf.GradSaveFunc) => {
  const g = probitForward(p);
  save([g]);
  return {
    value: g,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => tf.mul(dy, tf.mul(tf.exp(tf.mul(tf.square(saved[0]), 0.5)), SQRT_2PI))),
  };
}) as unknown as CustomGradFn) as unknown as (p: tf.Tensor) => tf.Tensor;

/** The smoothed ECDF F̂ of `log1p(ce + 1e-8)` within the set (no probit). */
export function smoothedEcdf(ce: tf.Tensor1D, opts: GaussianiseOptions = {}): tf.Tensor1D {
  const k = opts.k ?? 2;
  const mode = opts.ecdf ?? 'one-sided';
  return tf.tidy(() => {
    const l = tf.log1p(tf.add(ce, 1e-8));
    const d = tf.sub(tf.expandDims(l, 1), tf.expandDims(l, 0)); // d_ij = ℓ_i − ℓ_j
    const arg = mode === 'one-sided' ? tf.relu(d) : d;
    const F = tf.mean(tf.sigmoid(tf.mul(arg, k)), 1) as tf.Tensor1D;
    return mode === 'two-sided' ? tf.clipByValue(F, ECDF_CLAMP, 1 - ECDF_CLAMP) : F;
  });
}

/** Loss Gaussianisation g (docs/paper-notes.md §5.1) of per-sample CE losses of one set: [n] → [n]. */
export function gaussianise(ce: tf.Tensor1D, opts: GaussianiseOptions = {}): tf.Tensor1D {
  const K = opts.K ?? 60;
  return tf.tidy(() => tf.clipByValue(probit(smoothedEcdf(ce, opts)), -K, K) as tf.Tensor1D);
}

function meanKernel(a: tf.Tensor1D, b: tf.Tensor1D, inv2s2: number): tf.Scalar {
  const diff = tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0));
  return tf.mean(tf.exp(tf.mul(tf.square(diff), -inv2s2)));
}

/**
 * Biased (V-statistic, diagonal included) squared MMD with a Gaussian kernel of bandwidth sigma
 * (docs/paper-notes.md §5.2).
 */
export function mmd2(u: tf.Tensor1D, v: tf.Tensor1D, sigma = 1): tf.Scalar {
  return tf.tidy(() => {
    const inv = 1 / (2 * sigma * sigma);
    const kuu = meanKernel(u, u, inv);
    const kvv = meanKernel(v, v, inv);
    const kuv = meanKernel(u, v, inv);
    return tf.sub(tf.add(kuu, kvv), tf.mul(kuv, 2)) as tf.Scalar;
  });
}

// ---------------------------------------------------------------------------------------------------- objective

/**
 * Steepened retain loss (docs/paper-notes.md §5.3/§5.6): (mean CE)² ('batch-mean', default) or mean(CE²)
 * ('per-sample').
 */
export function steepCE(logits: tf.Tensor2D, labels: ArrayLike<number>, mode: string): tf.Scalar {
  return tf.tidy(() => {
    const ce = perSampleCE(logits, labels);
    return (mode === 'per-sample' ? tf.mean(tf.square(ce)) : tf.square(tf.mean(ce))) as tf.Scalar;
  });
}

/** Forget/test sampling of docs/paper-notes.md §5.3 with per-class index lists of D_te_used precomputed (§10 C10). */
export class AmuSampler {
  private readonly forgetAll: Int32Array;
  private readonly testByClass = new Map<number, number[]>();
  private readonly pools = new Map<string, Int32Array>();

  constructor(
    readonly forget: SampleSource,
    readonly test: SampleSource,
    readonly count: number,
    private readonly rng: Rng,
  ) {
    this.forgetAll = new Int32Array(forget.size);
    for (let i = 0; i < forget.size; i++) this.forgetAll[i] = i;
    for (let i = 0; i < test.size; i++) {
      const c = test.labels[i];
      let l = this.testByClass.get(c);
      if (!l) this.testByClass.set(c, (l = []));
      l.push(i);
    }
  }

  /** `count` forget positions w/o replacement, then `count` test positions among the classes they contain. */
  next(): { forgetPos: Int32Array; forgetLabels: Int32Array; testPos: Int32Array; testLabels: Int32Array } {
    const forgetPos = this.rng.sample(this.forgetAll, this.count);
    const forgetLabels = new Int32Array(forgetPos.length);
    const classes = new Set<number>();
    for (let i = 0; i < forgetPos.length; i++) {
      forgetLabels[i] = this.forget.labels[forgetPos[i]];
      classes.add(forgetLabels[i]);
    }
    const sorted = [...classes].sort((a, b) => a - b);
    const key = sorted.join(',');
    let pool = this.pools.get(key);
    if (!pool) {
      const all: number[] = [];
      for (const c of sorted) all.push(...(this.testByClass.get(c) ?? []));
      pool = Int32Array.from(all.sort((a, b) => a - b));
      this.pools.set(key, pool);
    }
    const testPos = this.rng.sample(pool, this.count);
    const testLabels = new Int32Array(testPos.length);
    for (let i = 0; i < testPos.length; i++) testLabels[i] = this.test.labels[testPos[i]];
    return { forgetPos, forgetLabels, testPos, testLabels };
  }
}

export interface AmuOptions {
  lambda: number;
  k: number;
  K: number;
  sigma: number;
  ecdf: EcdfMode;
  square: string;
  sampleFactor: number;
}

export function amuOptions(hp: Record<string, HParamValue>, prefix: string, m: MethodName): AmuOptions {
  const ecdf = str(hp, `${prefix}_ecdf`, m);
  return {
    lambda: num(hp, `${prefix}_lambda`, m),
    k: num(hp, `${prefix}_k`, m),
    K: num(hp, `${prefix}_K`, m),
    sigma: num(hp, `${prefix}_sigma`, m),
    ecdf: ecdf === 'two-sided' ? 'two-sided' : 'one-sided',
    square: str(hp, `${prefix}_square`, m),
    sampleFactor: num(hp, `${prefix}_sample_factor`, m),
  };
}

/**
 * MMD²( g(test logits, detached), g(forget logits) ) for one step's samples. The test branch runs off the
 * gradient tape. Returns 0 when either side has fewer than one sample (e.g. no test image of the forget
 * classes).
 */
export function amuRegulariser(
  model: Model,
  forget: SampleSource,
  test: SampleSource,
  s: { forgetPos: Int32Array; forgetLabels: Int32Array; testPos: Int32Array; testLabels: Int32Array },
  o: Pick<AmuOptions, 'k' | 'K' | 'ecdf' | 'sigma'>,
): tf.Scalar {
  if (s.forgetPos.length === 0 || s.testPos.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const g = { k: o.k, K: o.K, ecdf: o.ecdf };
    const gTest = offTape(() =>
      tf.tidy(() => {
        const xt = test.gather(s.testPos);
        return gaussianise(perSampleCE(model.apply(xt), s.testLabels), g);
      }),
    );
    const xf = forget.gather(s.forgetPos);
    const gForget = gaussianise(perSampleCE(model.apply(xf), s.forgetLabels), g);
    return mmd2(gTest, gForget, o.sigma);
  });
}

// ---------------------------------------------------------------------------------------------------- training

/** The A-AMU objective of one step: returns total and the (unweighted) ce2 and mmd² terms (caller owns all three). */
export function amuStepLoss(
  c: StepContext,
  ctx: Pick<UnlearnContext, 'forget' | 'testUsed'>,
  sampler: AmuSampler,
  o: AmuOptions,
): { total: tf.Scalar; ce2: tf.Scalar; mmd: tf.Scalar } {
  const sample = sampler.next();
  const ce2 = tf.tidy(() => steepCE(c.model.apply(c.x), c.y, o.square));
  const mmd = amuRegulariser(c.model, ctx.forget, ctx.testUsed, sample, o);
  const total = tf.add(ce2, tf.mul(mmd, o.lambda)) as tf.Scalar;
  return { total, ce2, mmd };
}

/**
 * The A-AMU template (docs/paper-notes.md §10 B10): (L_main)² + λ·MMD² + R(θ), Adam, `epochs` passes over the retain
 * loader. `extra` adds R(θ) (A-L1-sparse); used by A-CF and A-L1-sparse.
 */
export async function runAmu(
  ctx: UnlearnContext,
  M: MethodName,
  prefix: string,
  extra?: (model: Model) => tf.Scalar,
): Promise<Model> {
  const hp = methodHParams(M, ctx);
  const E = num(hp, `${prefix}_epochs`, M);
  const B = num(hp, 'batch_size', M);
  const o = amuOptions(hp, prefix, M);
  const loop = new MethodLoop(ctx, M, E);
  const student = ctx.original.clone();
  const adam = { kind: 'adam', lr: num(hp, `${prefix}_lr`, M), beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
  return trainStudent(student, adam, async (opt) => {
    const sampler = new AmuSampler(ctx.forget, ctx.testUsed, o.sampleFactor * B, ctx.rng.fork('amu-samples'));
    const shuffle = ctx.rng.fork('shuffle');
    for (let e = 0; e < E; e++) {
      await loop.pass({
        model: student,
        optimizer: opt,
        source: ctx.retain,
        batchSize: B,
        rng: shuffle,
        epoch: e,
        gradients: ctx.parallel
          ? (c, vars) => parallelAmuStep(ctx.parallel!, c, vars, ctx, sampler, o, loop, extra)
          : undefined,
        loss: (c) => {
          const { total, ce2, mmd } = amuStepLoss(c, ctx, sampler, o);
          loop.terms(ce2, mmd, o.lambda);
          return extra ? (tf.add(total, extra(c.model)) as tf.Scalar) : total;
        },
      });
      await loop.endEpoch(e, student);
    }
  });
}

/**
 * The A-AMU step on data-parallel workers, in two phases (src/core/parallel/engine.ts `twoPhase`): the shards return
 * the per-sample CE of the retain batch, the forget sample and the test sample; the objective (steepened retain
 * CE + λ·MMD² of the Gaussianised forget and detached test losses) and its weights ∂L/∂ℓᵢ are computed here; the
 * shards back-propagate Σ wᵢ·ℓᵢ. R(θ) (`extra`) is added once, here. Draws the same samples as `amuStepLoss`.
 */
export async function parallelAmuStep(
  p: ParallelTrainer,
  c: StepContext,
  vars: tf.Variable[],
  ctx: Pick<UnlearnContext, 'forget' | 'testUsed'>,
  sampler: AmuSampler,
  o: AmuOptions,
  loop: MethodLoop,
  extra?: (model: Model) => tf.Scalar,
  /** A-SCRUB's min step: γ·(steepened CE) + β·KL_T(teacher ‖ student) on the retain batch + λ·MMD² */
  distill?: { teacher: Model; T: number; beta: number; gamma: number },
) {
  const s = sampler.next();
  const withReg = s.forgetPos.length > 0 && s.testPos.length > 0;
  const groups: HostGroup[] = [await hostGroup(c.x, c.y)];
  if (distill) {
    const zt = await p.predict(distill.teacher, c.x);
    const logQ = logSoftmaxT(zt, c.y.length, distill.teacher.config.numClasses, distill.T);
    groups[0].kl = { logQ, T: distill.T, weight: distill.beta / c.y.length };
  }
  const gamma = distill?.gamma ?? 1;
  if (withReg) {
    for (const [src, pos, y] of [
      [ctx.forget, s.forgetPos, s.forgetLabels],
      [ctx.testUsed, s.testPos, s.testLabels],
    ] as const) {
      const x = src.gather(pos);
      try {
        groups.push(await hostGroup(x, y));
      } finally {
        x.dispose();
      }
    }
  }
  const g = { k: o.k, K: o.K, ecdf: o.ecdf };
  const r = await p.twoPhase(
    c.model,
    groups,
    withReg ? [false, false, true] : [false],
    (ce) => {
      const sq = o.square === 'per-sample' ? tf.mean(tf.square(ce[0])) : tf.square(tf.mean(ce[0]));
      const mmd = withReg ? mmd2(gaussianise(ce[2], g), gaussianise(ce[1], g), o.sigma) : tf.scalar(0);
      loop.terms(sq as tf.Scalar, mmd, o.lambda);
      return tf.add(gamma === 1 ? sq : tf.mul(sq, gamma), tf.mul(mmd, o.lambda)) as tf.Scalar;
    },
    vars,
  );
  return withPenalty(r, vars, extra ? () => extra(c.model) : undefined);
}
