/**
 * The statistics of the per-example unlearning audit (issue 21, docs/audit.md): pure functions, tfjs-free, so the page's
 * main thread and the CLI read the same numbers.
 *
 * - `logitConfidence`: LiRA's statistic φ = log(p_y / (1 − p_y)), computed stably from the logits as
 *   z_y − logsumexp_{j≠y} z_j (the reference code, tensorflow/privacy research/mi_lira_2021/score.py, computes it from
 *   the softmax with a 1e-45 floor; the two agree wherever the floor does not bind).
 * - `fitGaussians`: per example, a Gaussian over the "in" models and one over the "out" models. Location = the median
 *   (as the reference's plot.py `generate_ours`), scale = the standard deviation with n − 1 (the reference uses n;
 *   with 8 shadows per side the difference is 7 %). `sharedVariance`: one σ per side pooled over every example's
 *   deviations from its own median (the reference's `fix_variance` takes the std of all in-scores around their global
 *   mean, which mixes between-example spread into σ); the option for few shadows.
 * - `llrScore`: log N(φ; in) − log N(φ; out); larger = "was trained on it (and then unlearned it)".
 * - `empiricalRoc`, `rocAuc`, `tprAtFpr`: the empirical ROC with ties grouped, its area (trapezoids, = the Mann–Whitney
 *   statistic with ties counted ½) and the TPR at a given FPR by linear interpolation between the ROC's vertices.
 * - `bootstrapOverExamples`: percentile intervals resampling examples (every pair of a resampled example comes along).
 */
import { Rng } from '../rng';

/** φ of every row: z_y − logsumexp_{j≠y} z_j of row-major logits [n, C] (finite for finite logits, C ≥ 2). */
export function logitConfidence(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): Float64Array {
  const n = labels.length;
  if (logits.length !== n * numClasses) {
    throw new RangeError(`logitConfidence: ${logits.length} logits for ${n} labels × ${numClasses} classes`);
  }
  if (numClasses < 2) throw new RangeError('logitConfidence: needs at least 2 classes');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < numClasses)) throw new RangeError(`logitConfidence: label ${y} of row ${i} out of range`);
    let m = -Infinity;
    for (let j = 0; j < numClasses; j++) if (j !== y) m = Math.max(m, logits[i * numClasses + j]);
    let s = 0;
    for (let j = 0; j < numClasses; j++) if (j !== y) s += Math.exp(logits[i * numClasses + j] - m);
    out[i] = logits[i * numClasses + y] - (m + Math.log(s));
  }
  return out;
}

export function median(xs: ArrayLike<number>): number {
  const v = Array.from(xs).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** Sample standard deviation (n − 1); NaN below 2 values. */
export function sampleSd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

export interface GaussianFit {
  muIn: number;
  sdIn: number;
  nIn: number;
  muOut: number;
  sdOut: number;
  nOut: number;
}

/** A floor on σ so an example every shadow agrees on does not give ±∞ (the reference adds 1e-30). */
export const SD_FLOOR = 1e-3;

/**
 * Per-example Gaussian fits. `inValues[e]` / `outValues[e]`: φ of example e under the "in" and the "out" models.
 * An example with no value on a side gets `null` (it cannot be attacked with these shadows). With `sharedVariance`
 * every σ is the pooled one of its side; without it, an example with fewer than 2 values on a side takes the pooled σ
 * of that side (`pooledIn` / `pooledOut` say so).
 */
export function fitGaussians(
  inValues: ArrayLike<number>[],
  outValues: ArrayLike<number>[],
  opts: { sharedVariance: boolean },
): Array<(GaussianFit & { pooledIn: boolean; pooledOut: boolean }) | null> {
  if (inValues.length !== outValues.length) throw new RangeError('fitGaussians: in and out lists differ in length');
  const pooled = (lists: ArrayLike<number>[]) => {
    let ss = 0,
      df = 0;
    for (const v of lists) {
      if (v.length < 2) continue;
      const sd = sampleSd(v);
      ss += sd * sd * (v.length - 1);
      df += v.length - 1;
    }
    return df > 0 ? Math.sqrt(ss / df) : NaN;
  };
  const sharedIn = pooled(inValues);
  const sharedOut = pooled(outValues);
  return inValues.map((vin, e) => {
    const vout = outValues[e];
    if (vin.length < 1 || vout.length < 1) return null;
    const pooledIn = opts.sharedVariance || vin.length < 2;
    const pooledOut = opts.sharedVariance || vout.length < 2;
    const sdIn = pooledIn ? sharedIn : sampleSd(vin);
    const sdOut = pooledOut ? sharedOut : sampleSd(vout);
    if (!Number.isFinite(sdIn) || !Number.isFinite(sdOut)) {
      throw new RangeError('fitGaussians: no example has 2 values on a side, so no σ can be estimated');
    }
    return {
      muIn: median(vin),
      sdIn: Math.max(SD_FLOOR, sdIn),
      nIn: vin.length,
      muOut: median(vout),
      sdOut: Math.max(SD_FLOOR, sdOut),
      nOut: vout.length,
      pooledIn,
      pooledOut,
    };
  });
}

const logNormal = (x: number, mu: number, sd: number) => -0.5 * Math.log(2 * Math.PI * sd * sd) - (x - mu) ** 2 / (2 * sd * sd);

/** log N(x; μ_in, σ_in) − log N(x; μ_out, σ_out). */
export function llrScore(x: number, f: GaussianFit): number {
  return logNormal(x, f.muIn, f.sdIn) - logNormal(x, f.muOut, f.sdOut);
}

/** Standardised separation of an example's in and out fits: (μ_in − μ_out) / √((σ_in² + σ_out²) / 2). */
export function separation(f: GaussianFit): number {
  return (f.muIn - f.muOut) / Math.sqrt((f.sdIn * f.sdIn + f.sdOut * f.sdOut) / 2);
}

/**
 * Approximate standard error of `separation` (the large-sample one of a standardised mean difference,
 * √(1/n_in + 1/n_out + d² / (2 (n_in + n_out)))); the fits use medians, so it is a guide, not exact.
 */
export function separationSe(f: GaussianFit): number {
  const d = separation(f);
  return Math.sqrt(1 / f.nIn + 1 / f.nOut + (d * d) / (2 * (f.nIn + f.nOut)));
}

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/**
 * The empirical ROC of `scores` (larger = positive) against `positive`: (0,0), one vertex per distinct score from the
 * highest down (tied scores enter together), ending at (1,1). Needs at least one positive and one negative.
 */
export function empiricalRoc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocPoint[] {
  const n = scores.length;
  if (positive.length !== n) throw new RangeError('empiricalRoc: scores and labels differ in length');
  let P = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`empiricalRoc: score ${i} is NaN`);
    if (positive[i]) P++;
  }
  const N = n - P;
  if (P === 0 || N === 0) throw new RangeError(`empiricalRoc: needs positives and negatives (got ${P} and ${N})`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const pts: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0,
    fp = 0;
  for (let k = 0; k < n; ) {
    const s = scores[order[k]];
    while (k < n && scores[order[k]] === s) {
      if (positive[order[k]]) tp++;
      else fp++;
      k++;
    }
    pts.push({ fpr: fp / N, tpr: tp / P });
  }
  return pts;
}

/** Area under an ROC (trapezoids). */
export function rocAuc(roc: RocPoint[]): number {
  let a = 0;
  for (let i = 1; i < roc.length; i++) a += ((roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr)) / 2;
  return a;
}

/**
 * TPR at `fpr` by linear interpolation between the ROC's vertices; on a vertical run (several vertices at this
 * exact FPR) the highest TPR reached there.
 */
export function tprAtFpr(roc: RocPoint[], fpr: number): number {
  if (!(fpr >= 0 && fpr <= 1)) throw new RangeError(`tprAtFpr: FPR ${fpr} outside [0, 1]`);
  let best = -Infinity;
  for (let i = 0; i < roc.length; i++) {
    const p = roc[i];
    if (p.fpr === fpr) best = Math.max(best, p.tpr);
    if (i > 0) {
      const q = roc[i - 1];
      if (q.fpr < fpr && fpr < p.fpr) best = Math.max(best, q.tpr + ((p.tpr - q.tpr) * (fpr - q.fpr)) / (p.fpr - q.fpr));
    }
  }
  return best;
}

/** One attacked (model, example) pair: the example, the attack's score, whether the model was trained on it. */
export interface ScoredPair {
  example: number;
  score: number;
  member: boolean;
}

export interface AttackStats {
  auc: number;
  /** TPR at each of `fprs` (fractions), same order */
  tpr: number[];
}

export function attackStats(pairs: ScoredPair[], fprs: readonly number[]): AttackStats {
  const roc = empiricalRoc(
    pairs.map((p) => p.score),
    pairs.map((p) => p.member),
  );
  return { auc: rocAuc(roc), tpr: fprs.map((f) => tprAtFpr(roc, f)) };
}

export interface BootstrapResult {
  point: AttackStats;
  /** 95 % percentile intervals [lo, hi] */
  aucCi: [number, number];
  tprCi: Array<[number, number]>;
  /** resamples that had both members and non-members (the others are skipped) */
  resamples: number;
}

const quantile = (sorted: number[], q: number) => {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (h - lo);
};

/**
 * AUC and TPR at `fprs` with 95 % percentile intervals from `B` resamples of the examples (with replacement; every
 * pair of a drawn example enters once per draw). Seeded: the same pairs, B and rng label give the same intervals.
 */
export function bootstrapOverExamples(
  pairs: ScoredPair[],
  fprs: readonly number[],
  B: number,
  rng: Rng,
): BootstrapResult {
  const point = attackStats(pairs, fprs);
  const byEx = new Map<number, ScoredPair[]>();
  for (const p of pairs) byEx.set(p.example, [...(byEx.get(p.example) ?? []), p]);
  const examples = [...byEx.keys()].sort((a, b) => a - b);
  const aucs: number[] = [];
  const tprs: number[][] = fprs.map(() => []);
  for (let b = 0; b < B; b++) {
    const draw: ScoredPair[] = [];
    for (let i = 0; i < examples.length; i++) draw.push(...byEx.get(examples[rng.int(examples.length)])!);
    if (!draw.some((p) => p.member) || draw.every((p) => p.member)) continue;
    const s = attackStats(draw, fprs);
    aucs.push(s.auc);
    s.tpr.forEach((t, k) => tprs[k].push(t));
  }
  const ci = (v: number[]): [number, number] => {
    const s = [...v].sort((a, b) => a - b);
    return [quantile(s, 0.025), quantile(s, 0.975)];
  };
  return { point, aucCi: ci(aucs), tprCi: tprs.map(ci), resamples: aucs.length };
}

/** Quantiles (0, 5, 25, 50, 75, 95, 100 %) of a list, for a distribution in a table. */
export const DISTRIBUTION_QS = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1] as const;
export function distribution(xs: ArrayLike<number>): number[] {
  const s = Array.from(xs)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  return DISTRIBUTION_QS.map((q) => quantile(s, q));
}

/** Counts of `xs` in `bins` equal-width bins over [lo, hi] (values outside are clipped into the end bins). */
export function histogram(xs: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    const k = Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)));
    out[k]++;
  }
  return out;
}

/** Known-outcome reading: the attack flags the model (TPR at `fpr` ≥ `factor` × `fpr`; the 5×). */
export function isFlagged(tpr: number, fpr: number, factor = 5): boolean {
  return tpr >= factor * fpr;
}

/** Known-outcome reading: at chance (the interval of the TPR at `fpr` contains `fpr`). */
export function isAtChance(ci: [number, number], fpr: number): boolean {
  return ci[0] <= fpr && fpr <= ci[1];
}
