/**
 * The trade-off study, decided in advance (issue 10 item 5): privacy and utility against unlearning time, one line
 * per method. At one spec (default the `bench` scale, 10 % uniform), per seed:
 *   - A-CF at epochs {1, 2, 4, 8, 16, the count nearest the paper's 704 Adam steps}: ONE run of the largest count,
 *     checkpointed after every epoch (A-CF's Adam lr is constant, so epoch e of a longer run is the e-epoch run);
 *   - CF at epochs {1, 2, 5, 10, 25, 50}: a separate run per budget (its WarmCos schedule depends on the budget;
 *     warm-up = the paper's 5 of 50 epochs scaled to the budget, round(5·E/50) ≤ E − 1);
 *   - Retrain at its paper budget (100 epochs), the reference band.
 * Each point: forget / retain / test accuracy, MIA with its bootstrap SE, unlearning seconds. A-CF checkpoints are
 * evaluated with the session's curve evaluator (retain accuracy on a seeded 1,000-image subsample; forget, test and
 * MIA on the full sets); final points use every image.
 */
import type { ExperimentSpec, MethodName } from '../contracts';
import { interval, type Interval } from '../stats';
import { LabError } from '../types';
import { mergeSpec, seedList, validateSpec } from '../presets';

export const TRADEOFF_ACF_EPOCHS = [1, 2, 4, 8, 16] as const;
export const TRADEOFF_CF_EPOCHS = [1, 2, 5, 10, 25, 50] as const;
export const PAPER_ACF_STEPS = 704;

export interface TradeoffPoint {
  method: MethodName;
  epochs: number;
  /** Adam / SGD steps: epochs · ⌈|retain| / batch⌉ */
  steps: number;
  seed: number;
  forgetAcc: number;
  retainAcc: number;
  testAcc: number;
  mia: number;
  miaSe?: number;
  /** the MIA with its swapped branch filtered to the forget labels (docs/mia.md); absent in older sweep files */
  miaFiltered?: number;
  seconds: number;
  /** 'checkpoint' = epoch e of the longest A-CF run; 'run' = its own run */
  source: 'checkpoint' | 'run';
}

/** A-CF epoch counts of the sweep: the fixed list plus the count nearest 704 steps, sorted, distinct. */
export function acfEpochList(retainSize: number, batchSize = 64): number[] {
  const perEpoch = Math.ceil(retainSize / batchSize);
  const nearest = Math.max(1, Math.round(PAPER_ACF_STEPS / perEpoch));
  return [...new Set([...TRADEOFF_ACF_EPOCHS, nearest])].sort((a, b) => a - b);
}

/** CF's warm-up for a budget of E epochs: the paper's WarmCos(5, 50) scaled, round(5·E/50), at most E − 1. */
export function cfWarmup(epochs: number): number {
  return Math.max(0, Math.min(Math.round((5 * epochs) / 50), epochs - 1));
}

/** Spec overrides of one sweep run (curves only where checkpoints are read). */
export function tradeoffRunSpec(
  base: ExperimentSpec,
  method: 'A-CF' | 'CF' | 'Retrain',
  epochs: number,
): ExperimentSpec {
  const hp: ExperimentSpec['unlearn']['hparams'] =
    method === 'A-CF'
      ? { 'A-CF': { acf_epochs: epochs } }
      : method === 'CF'
        ? { CF: { cf_epochs: epochs, cf_warmup: cfWarmup(epochs) } }
        : {
            Retrain: {
              retrain_epochs: epochs,
              retrain_warmup: Math.max(0, Math.min(Math.round((5 * epochs) / 100), epochs - 1)),
            },
          };
  return {
    ...base,
    curves: method === 'A-CF',
    unlearn: { ...base.unlearn, methods: [method], arms: 'without', hparams: hp, epochScale: 1 },
  };
}

export interface TradeoffSummaryRow {
  method: MethodName;
  epochs: number;
  steps: number;
  n: number;
  forgetAcc: Interval;
  retainAcc: Interval;
  testAcc: Interval;
  mia: Interval;
  miaSe: Interval | null;
  seconds: Interval;
}

/** One row per (method, epochs): intervals over seeds. */
export function summariseTradeoff(points: TradeoffPoint[]): TradeoffSummaryRow[] {
  const groups = new Map<string, TradeoffPoint[]>();
  for (const p of points) {
    const k = `${p.method}|${p.epochs}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const order: MethodName[] = ['Retrain', 'A-CF', 'CF'];
  return [...groups.values()]
    .map((g) => {
      const se = g.map((p) => p.miaSe).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return {
        method: g[0].method,
        epochs: g[0].epochs,
        steps: g[0].steps,
        n: g.length,
        forgetAcc: interval(g.map((p) => p.forgetAcc)),
        retainAcc: interval(g.map((p) => p.retainAcc)),
        testAcc: interval(g.map((p) => p.testAcc)),
        mia: interval(g.map((p) => p.mia)),
        miaSe: se.length ? interval(se) : null,
        seconds: interval(g.map((p) => p.seconds)),
      };
    })
    .sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method) || a.epochs - b.epochs);
}

export interface TradeoffGapRow {
  method: MethodName;
  epochs: number;
  steps: number;
  /** seeds that have both this point and Retrain */
  n: number;
  forgetAcc: Interval;
  /**
   * the MIA's gap, from `miaFiltered` (never from the paper's `mia`: its unfiltered swapped branch measures class in
   * class forgetting, docs/mia.md); over the seeds where both points carry it — n = 0 for older sweep files
   */
  miaFiltered: Interval;
  testAcc: Interval;
  retainAcc: Interval;
}

/**
 * Gaps to Retrain, paired by seed (same seed = same split and same original model): per seed the point's value
 * minus Retrain's, then intervals over seeds. Points of seeds without a Retrain point are left out.
 */
export function tradeoffGaps(points: TradeoffPoint[]): TradeoffGapRow[] {
  const ref = new Map(points.filter((p) => p.method === 'Retrain').map((p) => [p.seed, p]));
  const rows = summariseTradeoff(points.filter((p) => p.method !== 'Retrain' && ref.has(p.seed)));
  return rows.map((r) => {
    const own = points.filter((p) => p.method === r.method && p.epochs === r.epochs && ref.has(p.seed));
    const gap = (k: 'forgetAcc' | 'miaFiltered' | 'testAcc' | 'retainAcc') =>
      interval(own.map((p) => (p[k] ?? NaN) - (ref.get(p.seed)![k] ?? NaN)).filter((x) => Number.isFinite(x)));
    return {
      method: r.method,
      epochs: r.epochs,
      steps: r.steps,
      n: own.length,
      forgetAcc: gap('forgetAcc'),
      miaFiltered: gap('miaFiltered'),
      testAcc: gap('testAcc'),
      retainAcc: gap('retainAcc'),
    };
  });
}

// ---- the plan, the points of one run, and the file (shared by `npm run tradeoff` and the page's Sweep) ------------

export type TradeoffMethod = 'A-CF' | 'CF' | 'Retrain';
export interface TradeoffRun {
  method: TradeoffMethod;
  epochs: number;
}

/**
 * The runs of one seed: Retrain at its paper budget (100 epochs), ONE A-CF run of the largest epoch count (the others
 * are its checkpoints), a CF run per budget. `cap` drops every budget above it (smoke tests and small page sweeps).
 */
export function tradeoffPlan(retainSize: number, cap = Infinity): { acfEpochs: number[]; runs: TradeoffRun[] } {
  if (!(cap >= 1)) throw new Error(`tradeoffPlan: cap must be ≥ 1 epoch, got ${cap}`);
  const acfEpochs = acfEpochList(retainSize).filter((e) => e <= cap);
  return {
    acfEpochs,
    runs: [
      { method: 'Retrain', epochs: Math.min(100, cap) },
      { method: 'A-CF', epochs: Math.max(...acfEpochs) },
      ...TRADEOFF_CF_EPOCHS.filter((e) => e <= cap).map((epochs) => ({ method: 'CF' as const, epochs })),
    ],
  };
}

/** What a sweep point is read from: a method result (structurally; final metrics and per-epoch curve). */
export interface TradeoffRunResult {
  metrics: { forgetAcc: number; retainAcc: number; testAcc: number; mia: number; miaSe?: number; miaFiltered?: number };
  unlearnSeconds: number;
  curve: Array<{
    epoch: number;
    seconds?: number;
    forgetAcc?: number;
    retainAcc?: number;
    testAcc?: number;
    mia?: number;
    miaSe?: number;
    miaFiltered?: number;
  }>;
}

/** The points of one finished run: A-CF gives one per checkpoint in `acfEpochs` (its last = the run itself). */
export function tradeoffPointsOf(
  run: TradeoffRun,
  m: TradeoffRunResult,
  seed: number,
  acfEpochs: number[],
  retainSize: number,
): TradeoffPoint[] {
  const steps = (e: number) => e * Math.ceil(retainSize / 64);
  if (run.method !== 'A-CF') {
    return [
      {
        method: run.method,
        epochs: run.epochs,
        steps: steps(run.epochs),
        seed,
        source: 'run',
        forgetAcc: m.metrics.forgetAcc,
        retainAcc: m.metrics.retainAcc,
        testAcc: m.metrics.testAcc,
        mia: m.metrics.mia,
        miaSe: m.metrics.miaSe,
        ...(m.metrics.miaFiltered !== undefined ? { miaFiltered: m.metrics.miaFiltered } : {}),
        seconds: m.unlearnSeconds,
      },
    ];
  }
  const out: TradeoffPoint[] = [];
  for (const e of acfEpochs) {
    const c = m.curve.find((p) => p.epoch === e);
    const last = e === run.epochs;
    const mm = last ? m.metrics : c;
    if (!mm) continue;
    out.push({
      method: 'A-CF',
      epochs: e,
      steps: steps(e),
      seed,
      source: last ? 'run' : 'checkpoint',
      forgetAcc: mm.forgetAcc!,
      retainAcc: mm.retainAcc!,
      testAcc: mm.testAcc!,
      mia: mm.mia!,
      miaSe: mm.miaSe,
      ...(mm.miaFiltered !== undefined ? { miaFiltered: mm.miaFiltered } : {}),
      seconds: last ? m.unlearnSeconds : (c?.seconds ?? NaN),
    });
  }
  return out;
}

/** The sweep's JSON (results/reproduce/tradeoff.json): what the page reads; `summary` is recomputed from `points`. */
export interface TradeoffFile {
  preset?: string;
  mode?: string;
  seeds: number[];
  points: TradeoffPoint[];
  summary: TradeoffSummaryRow[];
}

const TRADEOFF_METHODS: readonly string[] = ['A-CF', 'CF', 'Retrain'];

/** Reads a tradeoff.json (as written by `npm run tradeoff` or the page's Sweep); errors say what and where. */
export function parseTradeoffFile(text: string): TradeoffFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LabError(`not JSON: ${(e as Error).message}`, 'tradeoff file');
  }
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== 'object' || !Array.isArray(o.points)) throw new LabError('no "points" array', 'tradeoff file');
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const points = o.points.map((p: unknown, i: number) => {
    const q = p as Record<string, unknown>;
    const at = `tradeoff file: points[${i}]`;
    if (!q || typeof q !== 'object') throw new LabError('not an object', at);
    if (!TRADEOFF_METHODS.includes(q.method as string))
      throw new LabError(`method ${JSON.stringify(q.method)} is not A-CF, CF or Retrain`, at);
    for (const k of ['epochs', 'seed', 'forgetAcc', 'retainAcc', 'testAcc', 'mia', 'seconds']) {
      if (!num(q[k])) throw new LabError(`${k} must be a finite number, got ${JSON.stringify(q[k])}`, at);
    }
    return {
      method: q.method as TradeoffMethod,
      epochs: q.epochs as number,
      steps: num(q.steps) ? (q.steps as number) : NaN,
      seed: q.seed as number,
      forgetAcc: q.forgetAcc as number,
      retainAcc: q.retainAcc as number,
      testAcc: q.testAcc as number,
      mia: q.mia as number,
      ...(num(q.miaSe) ? { miaSe: q.miaSe as number } : {}),
      ...(num(q.miaFiltered) ? { miaFiltered: q.miaFiltered as number } : {}),
      seconds: q.seconds as number,
      source: q.source === 'checkpoint' ? 'checkpoint' : 'run',
    } satisfies TradeoffPoint;
  });
  if (!points.length) throw new LabError('"points" is empty', 'tradeoff file');
  return {
    preset: typeof o.preset === 'string' ? o.preset : undefined,
    mode: typeof o.mode === 'string' ? o.mode : undefined,
    seeds: [...new Set(points.map((p) => p.seed))].sort((a, b) => a - b),
    points,
    summary: summariseTradeoff(points),
  };
}

export type TradeoffMetric = 'forgetAcc' | 'mia' | 'testAcc' | 'retainAcc';

/** One drawn point: mean over seeds (x = seconds, y = the metric) with the y interval and the per-seed values. */
export interface TradeoffChartPoint {
  epochs: number;
  steps: number;
  n: number;
  x: number;
  y: number;
  /** 95 % interval of y over seeds ([y, y] when n = 1) */
  yLo: number;
  yHi: number;
  /** [y − yLo, yHi − y] for error bars */
  err: [number, number];
  perSeed: number[];
}

export interface TradeoffChartData {
  metric: TradeoffMetric;
  /** one line per method, points in order of seconds */
  lines: Array<{ method: 'A-CF' | 'CF'; points: TradeoffChartPoint[] }>;
  /** Retrain as a band: its interval over seeds (lo = hi = mean when n = 1), at its seconds */
  retrain: { mean: number; lo: number; hi: number; n: number; seconds: number; epochs: number } | null;
}

/** Shapes a sweep for the chart of one metric (privacy or utility against seconds). */
export function tradeoffChartData(summary: TradeoffSummaryRow[], metric: TradeoffMetric): TradeoffChartData {
  const point = (r: TradeoffSummaryRow): TradeoffChartPoint => {
    const iv = r[metric];
    const ok = iv.n >= 2 && Number.isFinite(iv.ci95[0]);
    const lo = ok ? iv.ci95[0] : iv.mean,
      hi = ok ? iv.ci95[1] : iv.mean;
    return {
      epochs: r.epochs,
      steps: r.steps,
      n: r.n,
      x: r.seconds.mean,
      y: iv.mean,
      yLo: lo,
      yHi: hi,
      err: [iv.mean - lo, hi - iv.mean],
      perSeed: iv.values,
    };
  };
  const lines = (['A-CF', 'CF'] as const)
    .map((method) => ({
      method,
      points: summary
        .filter((r) => r.method === method)
        .map(point)
        .sort((a, b) => a.x - b.x),
    }))
    .filter((l) => l.points.length > 0);
  // the reference: Retrain at its largest budget in the sweep
  const re = summary.filter((r) => r.method === 'Retrain').sort((a, b) => b.epochs - a.epochs)[0];
  let retrain: TradeoffChartData['retrain'] = null;
  if (re) {
    const p = point(re);
    retrain = { mean: p.y, lo: p.yLo, hi: p.yHi, n: re.n, seconds: re.seconds.mean, epochs: re.epochs };
  }
  return { metric, lines, retrain };
}

export interface SweepHooks {
  /** set up one seed (its single-seed spec) and train / reuse its original model; returns |retain| */
  pretrain: (seedSpec: ExperimentSpec, seed: number) => Promise<number>;
  /** run one sweep run (`tradeoffRunSpec` of the seed spec) and return its method result */
  unlearn: (runSpec: ExperimentSpec, run: TradeoffRun, seed: number) => Promise<TradeoffRunResult>;
  /** after each run, with all points so far */
  onPoints?: (points: TradeoffPoint[], run: TradeoffRun, seed: number) => void;
  signal?: AbortSignal;
}

/**
 * The sweep for any spec, per seed of `spec.seeds` (the page's Sweep; `npm run tradeoff` is the same plan with
 * resumable files): the plan of `tradeoffPlan`, each run's spec from `tradeoffRunSpec`, points from
 * `tradeoffPointsOf`. Returns the points and their summary (a TradeoffFile).
 */
export async function sweepTradeoff(
  spec: ExperimentSpec,
  hooks: SweepHooks,
  opts: { cap?: number; mode?: string; preset?: string } = {},
): Promise<TradeoffFile> {
  const seeds = seedList(spec);
  const points: TradeoffPoint[] = [];
  for (const seed of seeds) {
    if (hooks.signal?.aborted) break;
    const seedSpec = validateSpec(mergeSpec(spec, { seed, seeds: 1 }));
    const retainSize = await hooks.pretrain(seedSpec, seed);
    const { acfEpochs, runs } = tradeoffPlan(retainSize, opts.cap ?? Infinity);
    for (const run of runs) {
      if (hooks.signal?.aborted) break;
      const m = await hooks.unlearn(validateSpec(tradeoffRunSpec(seedSpec, run.method, run.epochs)), run, seed);
      points.push(...tradeoffPointsOf(run, m, seed, acfEpochs, retainSize));
      hooks.onPoints?.([...points], run, seed);
    }
  }
  return {
    preset: opts.preset,
    mode: opts.mode ?? spec.forget.mode,
    seeds,
    points,
    summary: summariseTradeoff(points),
  };
}
