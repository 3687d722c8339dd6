/**
 * 1-D logistic regression, stratified k-fold and ROC-AUC in float64 JS (docs/paper-notes.md §7.2 [impl-note]).
 *
 * The model matches sklearn's `LogisticRegression()` defaults: minimise
 *   Σ_i logloss(y_i, σ(w·x_i + b)) + w²/(2C),  C = 1, intercept b not penalised,
 * solved here by damped Newton (IRLS) to the exact optimum instead of lbfgs (which stops at tol 1e-4) —
 * the fits agree to within lbfgs' tolerance.
 */
import { LabError } from '../types';
import type { Rng } from '../rng';

export interface LogReg1D {
  w: number;
  b: number;
  iterations: number;
  converged: boolean;
}

export interface LogRegOptions {
  /** inverse L2 strength (sklearn C); default 1 */
  C?: number;
  /** Newton iterations; default 100 */
  maxIter?: number;
  /** stop when the gradient's max-norm falls below tol·max(1, n); default 1e-10 */
  tol?: number;
}

/** Ridge escalations tried on a singular Hessian before giving up (1e-8 → 1e12 relative to hww). */
const RIDGE_STEPS = 22;

/** Throws a LabError naming the first NaN / ±Infinity entry of `v`. */
function assertFinite(v: ArrayLike<number>, where: string, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new LabError(`${what} ${i} of ${v.length} is ${v[i]} (non-finite model outputs?)`, where);
    }
  }
}

/** softplus(u) = log(1 + e^u), stable */
function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** The penalised objective Σ logloss + w²/(2C) at (w, b). */
export function logRegObjective(x: ArrayLike<number>, y: ArrayLike<number>, w: number, b: number, C = 1): number {
  let f = (w * w) / (2 * C);
  for (let i = 0; i < x.length; i++) {
    const t = w * x[i] + b;
    f += y[i] === 1 ? softplus(-t) : softplus(t);
  }
  return f;
}

/** Gradient [∂/∂w, ∂/∂b] of the penalised objective at (w, b). */
export function logRegGradient(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: number,
  b: number,
  C = 1,
): [number, number] {
  let gw = w / C,
    gb = 0;
  for (let i = 0; i < x.length; i++) {
    const r = sigmoid(w * x[i] + b) - (y[i] === 1 ? 1 : 0);
    gw += r * x[i];
    gb += r;
  }
  return [gw, gb];
}

/** Fit 1-D L2-penalised logistic regression (labels 0/1) by damped Newton. */
export function fitLogReg1D(x: ArrayLike<number>, y: ArrayLike<number>, opts: LogRegOptions = {}): LogReg1D {
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 100;
  const n = x.length;
  if (n !== y.length) throw new LabError(`x has ${n} values, y has ${y.length}`, 'fitLogReg1D');
  if (n === 0) throw new LabError('no training examples', 'fitLogReg1D');
  if (!(C > 0)) throw new LabError(`C must be positive, got ${C}`, 'fitLogReg1D');
  if (!(Number.isInteger(maxIter) && maxIter >= 1 && maxIter <= 10_000)) {
    throw new LabError(`maxIter must be an integer in [1, 10000], got ${maxIter}`, 'fitLogReg1D');
  }
  assertFinite(x, 'fitLogReg1D', 'feature');
  const tol = (opts.tol ?? 1e-10) * Math.max(1, n);
  let w = 0,
    b = 0;
  let f = logRegObjective(x, y, w, b, C);
  for (let it = 0; it < maxIter; it++) {
    let gw = w / C,
      gb = 0,
      hww = 1 / C,
      hwb = 0,
      hbb = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const p = sigmoid(w * xi + b);
      const r = p - (y[i] === 1 ? 1 : 0);
      const s = p * (1 - p);
      gw += r * xi;
      gb += r;
      hww += s * xi * xi;
      hwb += s * xi;
      hbb += s;
    }
    if (![gw, gb, hww, hwb, hbb].every(Number.isFinite)) {
      throw new LabError(`non-finite gradient or Hessian at iteration ${it} (features too large?)`, 'fitLogReg1D');
    }
    if (Math.max(Math.abs(gw), Math.abs(gb)) <= tol) return { w, b, iterations: it, converged: true };
    // Newton direction −H⁻¹g with a small ridge if H is (numerically) singular, e.g. all labels equal.
    // At most RIDGE_STEPS tries (1e-8·hww · 10^k); the finite checks above make every comparison meaningful.
    let det = hww * hbb - hwb * hwb;
    let ridge = 0;
    for (let k = 0; k < RIDGE_STEPS && !(det > 1e-12 * Math.max(1, hww * hbb)); k++) {
      ridge = ridge === 0 ? 1e-8 * Math.max(1, hww) : ridge * 10;
      det = (hww + ridge) * (hbb + ridge) - hwb * hwb;
    }
    if (!(det > 0 && Number.isFinite(det))) {
      throw new LabError(`singular Hessian at iteration ${it} even with ridge ${ridge}`, 'fitLogReg1D');
    }
    const dw = -((hbb + ridge) * gw - hwb * gb) / det;
    const db = -(-hwb * gw + (hww + ridge) * gb) / det;
    // backtracking line search (Armijo)
    const slope = gw * dw + gb * db;
    let step = 1,
      accepted = false;
    for (let k = 0; k < 60; k++) {
      const nw = w + step * dw,
        nb = b + step * db;
      const nf = logRegObjective(x, y, nw, nb, C);
      if (nf <= f + 1e-4 * step * slope) {
        w = nw;
        b = nb;
        f = nf;
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted)
      return { w, b, iterations: it + 1, converged: Math.max(Math.abs(gw), Math.abs(gb)) <= 1e-6 * Math.max(1, n) };
  }
  const [gw, gb] = logRegGradient(x, y, w, b, C);
  return { w, b, iterations: maxIter, converged: Math.max(Math.abs(gw), Math.abs(gb)) <= tol };
}

/** P(class 1 | x) under a fitted model. */
export function predictProba(model: Pick<LogReg1D, 'w' | 'b'>, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = sigmoid(model.w * x[i] + model.b);
  return out;
}

/**
 * Stratified k-fold assignment: fold id (0..k-1) per example. Each class's members are shuffled with the rng
 * and dealt round-robin, continuing the deal across classes, so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ of each
 * class and fold sizes differ by at most one overall (sklearn's StratifiedKFold(shuffle=True) in spirit; the
 * assignment cannot match sklearn's bit for bit).
 */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const n = labels.length;
  if (!(Number.isInteger(k) && k >= 2))
    throw new LabError(`number of folds must be an integer ≥ 2, got ${k}`, 'stratifiedKFold');
  if (n < k) throw new LabError(`${n} examples cannot be split into ${k} folds`, 'stratifiedKFold');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    let list = byClass.get(y);
    if (!list) {
      list = [];
      byClass.set(y, list);
    }
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const folds = new Int32Array(n);
  let deal = 0;
  for (const c of classes) {
    const members = rng.shuffle(byClass.get(c)!);
    for (const i of members) folds[i] = deal++ % k;
  }
  return folds;
}

/**
 * ROC-AUC of `scores` for binary `labels` (1 = positive) by the Mann–Whitney statistic with average ranks:
 * tied positive/negative pairs count ½. Throws if either class is absent.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (n !== labels.length) throw new LabError(`${n} scores but ${labels.length} labels`, 'auc');
  assertFinite(scores, 'auc', 'score');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0,
    nPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let t = i; t <= j; t++)
      if (labels[order[t]] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0)
    throw new LabError(`AUC needs both classes (positives ${nPos}, negatives ${nNeg})`, 'auc');
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Out-of-fold predicted probabilities of class 1 (sklearn `cross_val_predict(..., method='predict_proba')`)
 * for 1-D logistic regression with the given fold assignment.
 */
export function crossValPredictProba(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  folds: Int32Array,
  opts: LogRegOptions = {},
): Float64Array {
  const n = x.length;
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, folds[i] + 1);
  const out = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    const trX: number[] = [],
      trY: number[] = [],
      te: number[] = [];
    for (let i = 0; i < n; i++) {
      if (folds[i] === f) te.push(i);
      else {
        trX.push(x[i]);
        trY.push(y[i]);
      }
    }
    if (te.length === 0) continue;
    const model = fitLogReg1D(trX, trY, opts);
    for (const i of te) out[i] = sigmoid(model.w * x[i] + model.b);
  }
  return out;
}
