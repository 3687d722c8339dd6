/**
 * The scaling study (issue 20 item 5): does one pass of A-CF suffice as the data grow? ConvNet-3 at one fixed width,
 * originals pretrained until they memorise (running train accuracy ≥ MEMORISES_TRAIN_ACC, with an epoch cap), at
 * several training-set sizes, 10 % uniform forgetting, per size and seed:
 *   - the Original (no unlearning), Retrain at its paper budget (100 epochs), CF at its paper budget (50 epochs);
 *   - ONE A-CF run of 16 passes over the retain set, read at the checkpoints 1, 2, 4, 8, 16 (A-CF's Adam lr is
 *     constant, so pass p of the 16-pass run is the p-pass run).
 * Gaps to Retrain are paired by seed, on three x-axes: passes, Adam steps, and draws per forget image (each A-CF step
 * draws min(4B, |D_f|) forget images without replacement). Per size: the smallest A-CF budget whose forget AND MIA
 * gaps are within noise of Retrain (their 95 % intervals over seeds cover 0), or "not reached", and its cost relative
 * to Retrain and to CF-50 in process CPU-seconds. Then, per checkpoint, a least-squares line of the gap against
 * log10(retain size), evaluated at the paper's 45,000 retain images with the 95 % interval of the fitted mean —
 * an extrapolation, labelled so everywhere.
 *
 * tfjs-free: the CLI (`npm run scaling`) runs the plan; this module plans, reads the points and summarises.
 */
import type { ExperimentSpec } from '../contracts';
import { coversZero, interval, mean, tQuantile, type Interval } from '../stats';
import { mergeSpec, validateSpec } from '../presets';
import { tradeoffRunSpec, type TradeoffRunResult } from './tradeoff';
import { MEMORISES_TRAIN_ACC } from './memorisation';

export { MEMORISES_TRAIN_ACC, memorisationNote } from './memorisation';
export const SCALING_SIZES = [150, 300, 600] as const;
export const SCALING_CHECKPOINTS = [1, 2, 4, 8, 16] as const;
export const SCALING_RETRAIN_EPOCHS = 100;
export const SCALING_CF_EPOCHS = 50;
/** pretraining epoch cap (and WarmCos horizon) when training until the model memorises */
export const SCALING_PRETRAIN_CAP = 60;
/** the paper's retain set: 90 % of CIFAR-10's 50,000 training images */
export const PAPER_RETAIN = 45_000;
/** A-AMU's per-step forget/test sample is sampleFactor·B = 4·64 (docs/paper-notes.md §6.2) */
export const AMU_SAMPLE = 256;

export type ScalingMethod = 'Original' | 'Retrain' | 'CF' | 'A-CF';

export interface ScalingPoint {
  size: number;
  seed: number;
  method: ScalingMethod;
  /** passes over the retain set (0 for the Original) */
  passes: number;
  steps: number;
  /** draws per forget image (A-CF only; 0 otherwise) */
  draws: number;
  retainSize: number;
  forgetSize: number;
  forgetAcc: number;
  retainAcc: number;
  testAcc: number;
  mia: number;
  miaSe?: number;
  /** the MIA whose swapped branch filters the test side to D_f's labels (docs/mia.md), when recorded */
  miaFiltered?: number;
  seconds: number;
  cpuSeconds: number;
  /** how the CPU seconds of an A-CF checkpoint were obtained: 'measured' (the run) or 'prorated' (by passes) */
  cpuSource: 'measured' | 'prorated';
  /** the original's train accuracy (every point of a seed shares its original) */
  originalTrainAcc: number;
}

/** The base spec of one size: the `bench` preset's model and budgets, a memorising original, no condensation. */
export function scalingSizeSpec(bench: ExperimentSpec, size: number, seed: number): ExperimentSpec {
  return validateSpec(
    mergeSpec(bench, {
      trainPerClass: size,
      seed,
      seeds: 1,
      rounds: 1,
      forget: { mode: 'uniform', class: null, fraction: 0.1 },
      pretrain: { epochs: SCALING_PRETRAIN_CAP, targetTrainAcc: MEMORISES_TRAIN_ACC },
      condense: { enabled: false },
      unlearn: { arms: 'without' },
      curves: false,
    }),
  );
}

export type ScalingRun = { method: 'Retrain' | 'CF' | 'A-CF'; epochs: number };

/** The runs of one (size, seed), cheapest first so a partial seed still gives A-CF and CF. */
export function scalingRuns(): ScalingRun[] {
  return [
    { method: 'A-CF', epochs: Math.max(...SCALING_CHECKPOINTS) },
    { method: 'CF', epochs: SCALING_CF_EPOCHS },
    { method: 'Retrain', epochs: SCALING_RETRAIN_EPOCHS },
  ];
}

/** The spec of one run (the trade-off sweep's budgets and warm-ups; curves only for A-CF's checkpoints). */
export function scalingRunSpec(sizeSpec: ExperimentSpec, run: ScalingRun): ExperimentSpec {
  return validateSpec(tradeoffRunSpec(sizeSpec, run.method, run.epochs));
}

export const stepsPerPass = (retainSize: number, batch = 64) => Math.ceil(retainSize / batch);
export const drawsPerForget = (steps: number, forgetSize: number) =>
  forgetSize > 0 ? (steps * Math.min(AMU_SAMPLE, forgetSize)) / forgetSize : 0;

interface Ctx {
  size: number;
  seed: number;
  retainSize: number;
  forgetSize: number;
  originalTrainAcc: number;
}

type Metricish = { forgetAcc: number; retainAcc: number; testAcc: number; mia: number; miaSe?: number };

/** The points of one finished run (A-CF: one per checkpoint; its CPU seconds prorated by passes but the last). */
export function scalingPointsOf(
  run: ScalingRun,
  m: TradeoffRunResult & { metrics: Metricish & { miaFiltered?: number } },
  cpuSeconds: number,
  c: Ctx,
): ScalingPoint[] {
  const spp = stepsPerPass(c.retainSize);
  const base = { size: c.size, seed: c.seed, retainSize: c.retainSize, forgetSize: c.forgetSize };
  const pick = (x: Metricish & { miaFiltered?: number }) => ({
    forgetAcc: x.forgetAcc,
    retainAcc: x.retainAcc,
    testAcc: x.testAcc,
    mia: x.mia,
    ...(x.miaSe !== undefined ? { miaSe: x.miaSe } : {}),
    ...(x.miaFiltered !== undefined ? { miaFiltered: x.miaFiltered } : {}),
  });
  if (run.method !== 'A-CF') {
    return [
      {
        ...base,
        method: run.method,
        passes: run.epochs,
        steps: run.epochs * spp,
        draws: 0,
        ...pick(m.metrics),
        seconds: m.unlearnSeconds,
        cpuSeconds,
        cpuSource: 'measured',
        originalTrainAcc: c.originalTrainAcc,
      },
    ];
  }
  const out: ScalingPoint[] = [];
  for (const p of SCALING_CHECKPOINTS) {
    const last = p === run.epochs;
    const cp = m.curve.find((q) => q.epoch === p);
    if (!last && !cp) continue;
    const x = last ? m.metrics : (cp as Metricish);
    out.push({
      ...base,
      method: 'A-CF',
      passes: p,
      steps: p * spp,
      draws: drawsPerForget(p * spp, c.forgetSize),
      ...pick(x),
      seconds: last ? m.unlearnSeconds : (cp?.seconds ?? NaN),
      cpuSeconds: last ? cpuSeconds : (cpuSeconds * p) / run.epochs,
      cpuSource: last ? 'measured' : 'prorated',
      originalTrainAcc: c.originalTrainAcc,
    });
  }
  return out;
}

/** The Original's point (no unlearning: 0 passes, 0 seconds). */
export function originalPoint(metrics: Metricish & { miaFiltered?: number }, c: Ctx): ScalingPoint {
  return {
    size: c.size,
    seed: c.seed,
    retainSize: c.retainSize,
    forgetSize: c.forgetSize,
    method: 'Original',
    passes: 0,
    steps: 0,
    draws: 0,
    forgetAcc: metrics.forgetAcc,
    retainAcc: metrics.retainAcc,
    testAcc: metrics.testAcc,
    mia: metrics.mia,
    ...(metrics.miaSe !== undefined ? { miaSe: metrics.miaSe } : {}),
    ...(metrics.miaFiltered !== undefined ? { miaFiltered: metrics.miaFiltered } : {}),
    seconds: 0,
    cpuSeconds: 0,
    cpuSource: 'measured',
    originalTrainAcc: c.originalTrainAcc,
  };
}

export type ScalingGapMetric = 'forgetAcc' | 'mia' | 'testAcc' | 'retainAcc';
export const SCALING_GAP_KEYS: readonly ScalingGapMetric[] = ['forgetAcc', 'mia', 'testAcc', 'retainAcc'];

export interface ScalingGapRow {
  size: number;
  method: ScalingMethod;
  passes: number;
  /** mean over seeds (steps are the same for every seed of a size; draws may differ by a rounding) */
  steps: number;
  draws: number;
  n: number;
  gaps: Record<ScalingGapMetric, Interval>;
  /** per-seed CPU seconds of this budget ÷ Retrain's and ÷ CF-50's (same seed) */
  cpuVsRetrain: Interval | null;
  cpuVsCf: Interval | null;
}

const key = (p: ScalingPoint) => `${p.size}|${p.method}|${p.passes}`;

/** Gaps to Retrain paired by seed, per (size, method, budget); seeds without Retrain are left out. */
export function scalingGaps(points: ScalingPoint[]): ScalingGapRow[] {
  const ref = new Map<string, ScalingPoint>();
  const cf = new Map<string, ScalingPoint>();
  for (const p of points) {
    if (p.method === 'Retrain') ref.set(`${p.size}|${p.seed}`, p);
    // CF at its budget (50 epochs, or less under a capped smoke plan): the study has one CF run per seed
    if (p.method === 'CF') cf.set(`${p.size}|${p.seed}`, p);
  }
  const groups = new Map<string, ScalingPoint[]>();
  for (const p of points) {
    if (p.method === 'Retrain' || !ref.has(`${p.size}|${p.seed}`)) continue;
    groups.set(key(p), [...(groups.get(key(p)) ?? []), p]);
  }
  const order: ScalingMethod[] = ['Original', 'A-CF', 'CF'];
  return [...groups.values()]
    .map((g) => {
      const r = (p: ScalingPoint) => ref.get(`${p.size}|${p.seed}`)!;
      const gaps = Object.fromEntries(SCALING_GAP_KEYS.map((k) => [k, interval(g.map((p) => p[k] - r(p)[k]))])) as Record<
        ScalingGapMetric,
        Interval
      >;
      const ratio = (den: (p: ScalingPoint) => ScalingPoint | undefined) => {
        const v = g
          .map((p) => [p.cpuSeconds, den(p)?.cpuSeconds] as const)
          .filter(([a, b]) => b !== undefined && b > 0 && Number.isFinite(a))
          .map(([a, b]) => a / b!);
        return v.length ? interval(v) : null;
      };
      return {
        size: g[0].size,
        method: g[0].method,
        passes: g[0].passes,
        steps: mean(g.map((p) => p.steps)),
        draws: mean(g.map((p) => p.draws)),
        n: g.length,
        gaps,
        cpuVsRetrain: g[0].method === 'Original' ? null : ratio(r),
        cpuVsCf: g[0].method === 'Original' ? null : ratio((p) => cf.get(`${p.size}|${p.seed}`)),
      };
    })
    .sort((a, b) => a.size - b.size || order.indexOf(a.method) - order.indexOf(b.method) || a.passes - b.passes);
}

export interface ScalingThreshold {
  size: number;
  /** seeds with Retrain and every A-CF checkpoint */
  n: number;
  /** the smallest A-CF passes whose forget and MIA gaps both cover 0; null = not reached within 16 passes */
  passes: number | null;
  row: ScalingGapRow | null;
  /** why no budget qualifies when n < 2 ("one seed gives no interval") */
  note?: string;
}

/** Per size: the smallest A-CF budget within noise of Retrain on forget accuracy AND MIA. */
export function scalingThresholds(rows: ScalingGapRow[]): ScalingThreshold[] {
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  return sizes.map((size) => {
    const acf = rows.filter((r) => r.size === size && r.method === 'A-CF').sort((a, b) => a.passes - b.passes);
    const n = acf.length ? Math.min(...acf.map((r) => r.n)) : 0;
    if (n < 2) return { size, n, passes: null, row: null, note: 'fewer than 2 seeds: no interval, no verdict' };
    const hit = acf.find((r) => coversZero(r.gaps.forgetAcc) && coversZero(r.gaps.mia)) ?? null;
    return { size, n, passes: hit?.passes ?? null, row: hit };
  });
}

export interface Extrapolation {
  method: 'A-CF';
  passes: number;
  metric: ScalingGapMetric;
  /** points (size, seed) in the fit and the distinct sizes they span */
  n: number;
  sizes: number[];
  slope: number;
  intercept: number;
  /** the fitted gap at PAPER_RETAIN retain images and the 95 % interval of the fitted mean there */
  at: number;
  predicted: number;
  ci95: [number, number];
}

/**
 * Least squares of per-seed gaps on log10(retain size) for one A-CF checkpoint, evaluated at `at` (default the paper's
 * 45,000): an EXTRAPOLATION beyond the sizes measured. Needs ≥ 3 points over ≥ 2 sizes; null otherwise.
 */
export function extrapolateGap(
  points: ScalingPoint[],
  passes: number,
  metric: ScalingGapMetric,
  at = PAPER_RETAIN,
): Extrapolation | null {
  const ref = new Map(points.filter((p) => p.method === 'Retrain').map((p) => [`${p.size}|${p.seed}`, p]));
  const xs: number[] = [],
    ys: number[] = [];
  const sizes = new Set<number>();
  for (const p of points) {
    const r = ref.get(`${p.size}|${p.seed}`);
    if (p.method !== 'A-CF' || p.passes !== passes || !r) continue;
    xs.push(Math.log10(p.retainSize));
    ys.push(p[metric] - r[metric]);
    sizes.add(p.size);
  }
  const n = xs.length;
  if (n < 3 || sizes.size < 2) return null;
  const mx = mean(xs),
    my = mean(ys);
  let sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  const s2 = sse / (n - 2);
  const x0 = Math.log10(at);
  const predicted = intercept + slope * x0;
  const se = Math.sqrt(s2 * (1 / n + (x0 - mx) ** 2 / sxx));
  const t = tQuantile(0.975, n - 2);
  return {
    method: 'A-CF',
    passes,
    metric,
    n,
    sizes: [...sizes].sort((a, b) => a - b),
    slope,
    intercept,
    at,
    predicted,
    ci95: [predicted - t * se, predicted + t * se],
  };
}

/** Every checkpoint's extrapolated forget and MIA gaps (those with enough points). */
export function scalingExtrapolations(points: ScalingPoint[]): Extrapolation[] {
  const out: Extrapolation[] = [];
  for (const p of SCALING_CHECKPOINTS)
    for (const m of ['forgetAcc', 'mia'] as const) {
      const e = extrapolateGap(points, p, m);
      if (e) out.push(e);
    }
  return out;
}
