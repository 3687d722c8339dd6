/**
 * The differentiable pieces of accelerated AMU (A-CF, A-SCRUB, A-L1-sparse), spec §5.1–5.3, in tfjs ops.
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

/** the parameter type of tf.customGrad (its type is not re-exported by @tensorflow/tfjs) */
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

export type EcdfMode = 'one-sided' | 'two-sided';

export interface GaussianiseOptions {
  /** sharpness of the smoothed ECDF (paper's 1/τ); default 2 */
  k?: number;
  /** clip of the Gaussianised value; default 60 */
  K?: number;
  /** 'one-sided' (reference code, default) or 'two-sided' (paper formula), spec §10 B2 */
  ecdf?: EcdfMode;
}

/** Two-sided ECDF clamp (spec §11). */
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
const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
  21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925];
const Cc = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
  0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
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

/** Identity whose gradient is zero (tfjs has no stopGradient). Prefer computing constants outside the gradient scope. */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as CustomGradFn) as unknown as <T extends tf.Tensor>(x: T) => T;

function labelTensor(labels: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  return labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
}

/** Per-sample softmax cross-entropy (natural log) via log-softmax: logits [n, C], labels n → [n]. */
export function perSampleCE(logits: tf.Tensor2D, labels: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  return tf.tidy(() => {
    const C = logits.shape[1];
    const oneHot = tf.cast(tf.oneHot(labelTensor(labels), C), logits.dtype);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

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

/** Loss Gaussianisation g (spec §5.1) of per-sample CE losses of one set: [n] → [n]. */
export function gaussianise(ce: tf.Tensor1D, opts: GaussianiseOptions = {}): tf.Tensor1D {
  const K = opts.K ?? 60;
  return tf.tidy(() => tf.clipByValue(probit(smoothedEcdf(ce, opts)), -K, K) as tf.Tensor1D);
}

function meanKernel(a: tf.Tensor1D, b: tf.Tensor1D, inv2s2: number): tf.Scalar {
  const diff = tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0));
  return tf.mean(tf.exp(tf.mul(tf.square(diff), -inv2s2)));
}

/** Biased (V-statistic, diagonal included) squared MMD with a Gaussian kernel of bandwidth sigma (spec §5.2). */
export function mmd2(u: tf.Tensor1D, v: tf.Tensor1D, sigma = 1): tf.Scalar {
  return tf.tidy(() => {
    const inv = 1 / (2 * sigma * sigma);
    const kuu = meanKernel(u, u, inv);
    const kvv = meanKernel(v, v, inv);
    const kuv = meanKernel(u, v, inv);
    return tf.sub(tf.add(kuu, kvv), tf.mul(kuv, 2)) as tf.Scalar;
  });
}

export interface AcfRegulariserInputs {
  /** logits of the test batch (D_te_used, labels in the forget batch's label set); treated as constant */
  testLogits: tf.Tensor2D;
  testLabels: tf.Tensor1D | ArrayLike<number>;
  /** logits of the forget batch; gradients flow through these */
  forgetLogits: tf.Tensor2D;
  forgetLabels: tf.Tensor1D | ArrayLike<number>;
}

export interface AcfRegulariserOptions extends GaussianiseOptions {
  /** MMD kernel bandwidth; default 1 */
  sigma?: number;
}

/**
 * MMD²( g(stopgrad test), g(forget) ) of spec §5.3. The test branch is wrapped in `stopGradient`, so the
 * gradient is right either way; for speed compute `testLogits` outside the gradient scope (then no backward
 * pass runs through the test images at all).
 */
export function acfRegulariser(inputs: AcfRegulariserInputs, opts: AcfRegulariserOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const gTest = stopGradient(gaussianise(perSampleCE(inputs.testLogits, inputs.testLabels), opts));
    const gForget = gaussianise(perSampleCE(inputs.forgetLogits, inputs.forgetLabels), opts);
    return mmd2(gTest, gForget, opts.sigma ?? 1);
  });
}

export interface AcfLossInputs extends AcfRegulariserInputs {
  retainLogits: tf.Tensor2D;
  retainLabels: tf.Tensor1D | ArrayLike<number>;
}

export interface AcfLossOptions extends AcfRegulariserOptions {
  /** weight of the MMD term; default 34 */
  lambda?: number;
}

/**
 * The A-CF objective (spec §5.3): (mean retain CE)² + λ·MMD². Returns the total and both terms (the caller
 * owns all three; `ce2` and `mmd2` are for per-step logging).
 */
export function acfLoss(inputs: AcfLossInputs, opts: AcfLossOptions = {}): { total: tf.Scalar; ce2: tf.Scalar; mmd2: tf.Scalar } {
  const lambda = opts.lambda ?? 34;
  const ce2 = tf.tidy(() => tf.square(tf.mean(perSampleCE(inputs.retainLogits, inputs.retainLabels))) as tf.Scalar);
  const reg = acfRegulariser(inputs, opts);
  const total = tf.tidy(() => tf.add(ce2, tf.mul(reg, lambda)) as tf.Scalar);
  return { total, ce2, mmd2: reg };
}
