/**
 * Statistics for results over seeds (results-format.md, section "Intervals") and the interval-based claim
 * verdicts (issue 10 item 7). Pure TypeScript, no tfjs: usable from the core, the CLI and the page.
 *
 *  - `interval(values)`: mean, two-sided 95 % Student-t interval of the mean, n, the values themselves.
 *    The t quantile is exact (inverse of the t CDF via the regularised incomplete beta function), not a z
 *    approximation — with 3 seeds the multiplier is 4.303, not 1.96.
 *  - `pairedInterval(a, b)`: the per-seed difference a_i − b_i (same seed = same split, same original model),
 *    summarised the same way (the gap to Retrain).
 *  - `bootstrapSe(...)`: a seeded bootstrap standard error of a statistic over samples.
 *  - `valueVerdict` / `directionVerdict`: 'reproduces' | 'does not' | 'inconclusive', or 'indicative' for n = 1.
 */
import { LabError } from './types';
import type { Rng } from './rng';

/** A metric over seeds (results-format.md "Intervals"). `ci95` is [NaN, NaN] when n < 2. */
export interface Interval {
  mean: number;
  ci95: [number, number];
  n: number;
  values: number[];
}

// ---- special functions -----------------------------------------------------------------------------------

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ≈ 1e-15). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  return x < (a + 1) / (a + b + 2) ? (bt * betaCf(a, b, x)) / a : 1 - (bt * betaCf(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t: the t with tCdf(t, df) = p (0 < p < 1), found by bisection on the exact CDF
 * (to ≈1e-12). tQuantile(0.975, 2) = 4.302653, (0.975, 4) = 2.776445, (0.975, 29) = 2.045230.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new LabError(`probability must be in (0, 1), got ${p}`, 'tQuantile');
  if (!(df > 0)) throw new LabError(`degrees of freedom must be > 0, got ${df}`, 'tQuantile');
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0,
    hi = 1;
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---- intervals -------------------------------------------------------------------------------------------

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Sample standard deviation (n − 1 denominator); NaN for n < 2. */
export function sampleSd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/**
 * Mean and two-sided 95 % Student-t interval of the mean: mean ± t_{0.975, n−1} · sd / √n.
 * Non-finite values are an error (a missing measurement must be dropped by the caller, visibly).
 */
export function interval(values: ArrayLike<number>, level = 0.95): Interval {
  const v = Array.from(values);
  for (const x of v)
    if (!Number.isFinite(x)) throw new LabError(`non-finite value ${x} in ${JSON.stringify(v)}`, 'interval');
  const n = v.length;
  const m = mean(v);
  if (n < 2) return { mean: m, ci95: [NaN, NaN], n, values: v };
  const half = (tQuantile(1 - (1 - level) / 2, n - 1) * sampleSd(v)) / Math.sqrt(n);
  return { mean: m, ci95: [m - half, m + half], n, values: v };
}

/**
 * Welch's unpaired 95 % interval of mean(a) − mean(b) (each ≥ 2 values): (m_a − m_b) ± t_{0.975, ν} · se with
 * se² = s_a²/n_a + s_b²/n_b and the Welch–Satterthwaite ν. `n` of the result is min(n_a, n_b); with fewer than
 * two values on a side there is no interval (n = 1).
 */
export function welchInterval(a: ArrayLike<number>, b: ArrayLike<number>): Interval {
  const d = mean(a) - mean(b);
  if (a.length < 2 || b.length < 2) return { mean: d, ci95: [NaN, NaN], n: 1, values: [d] };
  const va = sampleSd(a) ** 2 / a.length,
    vb = sampleSd(b) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { mean: d, ci95: [d, d], n: Math.min(a.length, b.length), values: [d] };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const h = tQuantile(0.975, df) * se;
  return { mean: d, ci95: [d - h, d + h], n: Math.min(a.length, b.length), values: [d] };
}

/** Half-width of the interval (NaN when n < 2). */
export function halfWidth(iv: Interval): number {
  return (iv.ci95[1] - iv.ci95[0]) / 2;
}

/**
 * Paired differences a_i − b_i (same seed), as an interval. `a` and `b` are aligned by position, or by key
 * when given as records (seed → value); keys present on one side only are dropped.
 */
export function pairedInterval(
  a: ArrayLike<number> | Record<string, number>,
  b: ArrayLike<number> | Record<string, number>,
): Interval {
  return interval(pairedDifferences(a, b));
}

export function pairedDifferences(
  a: ArrayLike<number> | Record<string, number>,
  b: ArrayLike<number> | Record<string, number>,
): number[] {
  const isArr = (x: unknown): x is ArrayLike<number> => typeof (x as ArrayLike<number>).length === 'number';
  if (isArr(a) && isArr(b)) {
    if (a.length !== b.length)
      throw new LabError(`paired lists differ in length (${a.length} vs ${b.length})`, 'pairedDifferences');
    return Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
  }
  if (isArr(a) || isArr(b))
    throw new LabError('give both sides as lists or both as records keyed by seed', 'pairedDifferences');
  const ra = a as Record<string, number>,
    rb = b as Record<string, number>;
  return Object.keys(ra)
    .filter((k) => k in rb)
    .sort((x, y) => Number(x) - Number(y))
    .map((k) => ra[k] - rb[k]);
}

/** True when the 95 % interval contains 0 (a difference within noise). False for n < 2. */
export function coversZero(iv: Interval): boolean {
  return iv.n >= 2 && iv.ci95[0] <= 0 && iv.ci95[1] >= 0;
}

/**
 * A difference in words: "+3.2 [1.0, 5.4] pp, n = 3", with "within noise (95 % interval covers 0)" appended
 * when it does, and "n = 1, no interval" for a single seed.
 */
export function describeDifference(iv: Interval, digits = 1, unit = ''): string {
  const f = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(digits);
  if (iv.n === 0) return '–';
  if (iv.n < 2) return `${f(iv.mean)}${unit} (n = 1, no interval)`;
  const base = `${f(iv.mean)}${unit} [${iv.ci95[0].toFixed(digits)}, ${iv.ci95[1].toFixed(digits)}], n = ${iv.n}`;
  return coversZero(iv) ? `${base} — within noise (95 % interval covers 0)` : base;
}

/** "47.3 ± 2.8 (n = 3)" or "47.3 (n = 1)". */
export function formatInterval(iv: Interval, digits = 1, unit = ''): string {
  if (iv.n === 0 || !Number.isFinite(iv.mean)) return '–';
  if (iv.n < 2) return `${iv.mean.toFixed(digits)}${unit} (n = 1)`;
  return `${iv.mean.toFixed(digits)} ± ${halfWidth(iv).toFixed(digits)}${unit} (n = ${iv.n})`;
}

// ---- bootstrap -------------------------------------------------------------------------------------------

/**
 * Bootstrap standard error of `stat` over samples: `resamples` times draw indices 0..n−1 with replacement
 * (seeded), evaluate stat on the index list, return the sample sd of those values.
 */
export function bootstrapSe(n: number, stat: (idx: Int32Array) => number, rng: Rng, resamples = 200): number {
  if (!(Number.isInteger(n) && n > 0)) throw new LabError(`need at least one sample, got ${n}`, 'bootstrapSe');
  if (!(Number.isInteger(resamples) && resamples >= 2))
    throw new LabError(`resamples must be an integer ≥ 2, got ${resamples}`, 'bootstrapSe');
  const vals = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    vals[r] = stat(idx);
  }
  return sampleSd(vals);
}

// ---- verdicts (issue 10 item 7) --------------------------------------------------------------------------

export type Verdict = 'reproduces' | 'does not' | 'inconclusive' | 'indicative' | 'n/a';

export interface VerdictResult {
  verdict: Verdict;
  /** for n = 1 ('indicative'): which way the single value points */
  leaning?: 'reproduces' | 'does not';
  /** the rule applied, in words */
  rule: string;
}

/**
 * A value claim ("the paper measured V"). With n ≥ 2 and a stated tolerance t: *reproduces* when the whole 95 %
 * interval lies within V ± t (an equivalence test: an interval wider than the band cannot confirm the claim, even
 * when it contains V), *does not* when it lies wholly outside V ± t, *inconclusive* otherwise. Without a tolerance:
 * *reproduces* when V lies inside the interval, *does not* otherwise. n = 1: *indicative*, leaning 'reproduces'
 * when |value − V| ≤ t. n = 0: 'n/a'.
 */
export function valueVerdict(iv: Interval | null, paper: number, tolerance = 0): VerdictResult {
  const rule =
    tolerance > 0
      ? `our whole 95 % interval within the paper value ${paper} ± ${tolerance}`
      : `paper value ${paper} inside our 95 % interval`;
  if (!iv || iv.n === 0 || !Number.isFinite(iv.mean)) return { verdict: 'n/a', rule };
  const lo = paper - tolerance,
    hi = paper + tolerance;
  if (iv.n < 2) {
    return { verdict: 'indicative', leaning: iv.mean >= lo && iv.mean <= hi ? 'reproduces' : 'does not', rule };
  }
  const [a, b] = iv.ci95;
  if (tolerance > 0 ? a >= lo && b <= hi : paper >= a && paper <= b) return { verdict: 'reproduces', rule };
  if (b < lo || a > hi) return { verdict: 'does not', rule };
  return { verdict: 'inconclusive', rule };
}

/**
 * A threshold / direction claim ("faster than 1×", "gap ≤ 5 pp"): the claimed side is `op threshold`.
 * n ≥ 2: *reproduces* when the whole 95 % interval is on the claimed side, *does not* when it is wholly on the
 * other side, *inconclusive* otherwise. n = 1: *indicative*, leaning by the single value. n = 0: 'n/a'.
 */
export function directionVerdict(iv: Interval | null, op: '>' | '>=' | '<' | '<=', threshold: number): VerdictResult {
  const rule = `whole 95 % interval ${op} ${threshold}`;
  if (!iv || iv.n === 0 || !Number.isFinite(iv.mean)) return { verdict: 'n/a', rule };
  const claimed = (x: number) =>
    op === '>' ? x > threshold : op === '>=' ? x >= threshold : op === '<' ? x < threshold : x <= threshold;
  if (iv.n < 2) return { verdict: 'indicative', leaning: claimed(iv.mean) ? 'reproduces' : 'does not', rule };
  const [a, b] = iv.ci95;
  if (claimed(a) && claimed(b)) return { verdict: 'reproduces', rule };
  if (!claimed(a) && !claimed(b)) return { verdict: 'does not', rule };
  return { verdict: 'inconclusive', rule };
}

/** A verdict in words for tables: "reproduces", "indicative (n = 1): reproduces", … */
export function verdictText(v: VerdictResult): string {
  return v.verdict === 'indicative'
    ? `indicative (n = 1): ${v.leaning === 'reproduces' ? 'reproduces' : 'does not'}`
    : v.verdict;
}
