/**
 * Multi-seed driver (issue 10 item 1): run one experiment per seed of `spec.seeds` and summarise every metric as
 * an interval (results-format.md, "Intervals"): mean, two-sided 95 % Student-t interval, n, per-seed values.
 * Gaps to Retrain are paired: per seed (same seed = same split, same original model), method − Retrain of the
 * same arm and round, then summarised the same way. Per-seed results are kept in full.
 *
 * Pure orchestration: the caller passes `runOne` (the CLI runs a LabSession in Node, the page in its worker).
 */
import type { ExperimentResult, ExperimentSpec, MethodName } from '../contracts';
import { armLabel, armOf } from '../contracts';
import { seedList, mergeSpec, validateSpec } from '../presets';
import { coversZero, formatInterval, interval, pairedInterval, type Interval } from '../stats';
import { ORIGINAL_ROW } from './report';
import { METRICS, MIA_CLASS_ARTEFACT, MIA_GAP_NOTE, miaClassArtefact, type ModelMetricId } from '../metrics';

/** Metrics summarised per method (percentages), plus timings. */
/** The per-model metrics aggregated over seeds: every `METRICS` row in `metrics` with `summary.seeds` set, in table order. */
export const SEED_METRICS: readonly ModelMetricId[] = METRICS.filter(
  (d) => d.source === 'metrics' && d.summary.seeds === 'mean-ci95',
).map((d) => d.id as ModelMetricId);
export type SeedMetric = ModelMetricId;
/**
 * Metrics whose gap to Retrain is reported: every `METRICS` row in `metrics` with `summary.gap` (miaSe is a
 * property of the estimate, not of the method). The MIA's gap comes from `miaFiltered` only, never from the
 * paper's `mia`, whose unfiltered swapped branch measures class in class forgetting (metrics.ts MIA_GAP_NOTE,
 * docs/mia.md).
 */
export const GAP_METRICS: readonly ModelMetricId[] = METRICS.filter((d) => d.source === 'metrics' && d.summary.gap).map(
  (d) => d.id as ModelMetricId,
);
export type GapMetric = ModelMetricId;

export interface MethodAggregate {
  name: MethodName;
  withDC: boolean;
  round: number;
  /** seeds this method finished on, in order */
  seeds: number[];
  metrics: Partial<Record<SeedMetric, Interval>>;
  unlearnSeconds: Interval;
  overheadSeconds: Interval;
  /** method − Retrain (same seed, arm and round); absent for Retrain itself or without a Retrain run */
  gapToRetrain?: Partial<Record<GapMetric, Interval>>;
}

/** The untouched original model over seeds (`pretrain.metrics`), with its paired gaps to Retrain w/o DC, round 0. */
export interface OriginalAggregate {
  seeds: number[];
  metrics: Partial<Record<SeedMetric, Interval>>;
  gapToRetrain?: Partial<Record<GapMetric, Interval>>;
}

export interface SeedsAggregate {
  seeds: number[];
  pretrain: { testAcc: Interval; trainAcc: Interval; mia?: Interval };
  /** the "Original (no unlearning)" row of the tables (issue 20 item 2); absent when no result recorded its metrics */
  original?: OriginalAggregate;
  condense?: { reducedRetainPct: Interval; blendSeconds: Interval; kmeansSeconds: Interval; finalLoss: Interval };
  methods: MethodAggregate[];
}

export interface MultiSeedResult {
  /** the spec as given (with its seeds field) */
  spec: ExperimentSpec;
  seeds: number[];
  /** one full result per seed, in seed order */
  perSeed: ExperimentResult[];
  aggregate: SeedsAggregate;
}

/** The single-seed spec of `seed` (seeds: 1). */
export function specForSeed(spec: ExperimentSpec, seed: number): ExperimentSpec {
  return validateSpec(mergeSpec(spec, { seed, seeds: 1 }));
}

export interface RunSeedsOptions {
  /** called before each seed (1-based index) */
  onSeed?: (seed: number, index: number, total: number) => void;
  signal?: AbortSignal;
}

/** Runs `runOne` once per seed (sequentially) and aggregates. */
export async function runSeeds(
  spec: ExperimentSpec,
  runOne: (seedSpec: ExperimentSpec, seed: number) => Promise<ExperimentResult>,
  opts: RunSeedsOptions = {},
): Promise<MultiSeedResult> {
  const seeds = seedList(spec);
  const perSeed: ExperimentResult[] = [];
  for (let i = 0; i < seeds.length; i++) {
    if (opts.signal?.aborted) break;
    opts.onSeed?.(seeds[i], i + 1, seeds.length);
    perSeed.push(await runOne(specForSeed(spec, seeds[i]), seeds[i]));
  }
  return { spec, seeds: perSeed.map((r) => r.spec.seed), perSeed, aggregate: aggregateSeeds(perSeed) };
}

const finite = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Intervals over the per-seed results (each result one seed; methods matched by name, arm and round). */
export function aggregateSeeds(results: ExperimentResult[]): SeedsAggregate {
  const seeds = results.map((r) => r.spec.seed);
  if (new Set(seeds).size !== seeds.length) throw new Error(`aggregateSeeds: duplicate seeds ${JSON.stringify(seeds)}`);
  const of = (f: (r: ExperimentResult) => number | undefined) => results.map(f).filter(finite);
  const pretrainMia = of((r) => r.pretrain.metrics?.mia);
  const agg: SeedsAggregate = {
    seeds,
    pretrain: {
      testAcc: interval(of((r) => r.pretrain.testAcc)),
      trainAcc: interval(of((r) => r.pretrain.trainAcc)),
      ...(pretrainMia.length ? { mia: interval(pretrainMia) } : {}),
    },
    methods: [],
  };
  const original = aggregateOriginal(results);
  if (original) agg.original = original;
  const conds = results.map((r) => r.condense).filter((c) => !!c);
  if (conds.length) {
    agg.condense = {
      reducedRetainPct: interval(conds.map((c) => (100 * c!.reducedRetainSize) / c!.retainSize)),
      blendSeconds: interval(conds.map((c) => c!.blendSeconds)),
      kmeansSeconds: interval(conds.map((c) => c!.kmeansSeconds)),
      finalLoss: interval(conds.map((c) => c!.finalLoss).filter(finite)),
    };
  }
  const keys: Array<{ name: MethodName; withDC: boolean; round: number }> = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const m of r.methods) {
      const k = `${m.name}|${armOf(m.withDC)}|${m.round}`;
      if (!seen.has(k)) {
        seen.add(k);
        keys.push({ name: m.name, withDC: m.withDC, round: m.round });
      }
    }
  }
  for (const key of keys) {
    const bySeed: Array<{
      seed: number;
      m: ExperimentResult['methods'][number];
      ref?: ExperimentResult['methods'][number];
    }> = [];
    for (const r of results) {
      const m = r.methods.find((x) => x.name === key.name && x.withDC === key.withDC && x.round === key.round);
      if (!m) continue;
      const ref = r.methods.find((x) => x.name === 'Retrain' && x.withDC === key.withDC && x.round === key.round);
      bySeed.push({ seed: r.spec.seed, m, ref });
    }
    const metrics: MethodAggregate['metrics'] = {};
    for (const k of SEED_METRICS) {
      const v = bySeed.map((s) => s.m.metrics[k]).filter(finite);
      if (v.length) metrics[k] = interval(v);
    }
    const out: MethodAggregate = {
      ...key,
      seeds: bySeed.map((s) => s.seed),
      metrics,
      unlearnSeconds: interval(bySeed.map((s) => s.m.unlearnSeconds)),
      overheadSeconds: interval(bySeed.map((s) => s.m.overheadSeconds)),
    };
    if (key.name !== 'Retrain' && bySeed.some((s) => s.ref)) {
      const gap: NonNullable<MethodAggregate['gapToRetrain']> = {};
      for (const k of GAP_METRICS) {
        const a: Record<string, number> = {},
          b: Record<string, number> = {};
        for (const s of bySeed) {
          const x = s.m.metrics[k],
            y = s.ref?.metrics[k];
          if (finite(x) && finite(y)) {
            a[s.seed] = x;
            b[s.seed] = y;
          }
        }
        if (Object.keys(a).length) gap[k] = pairedInterval(a, b);
      }
      out.gapToRetrain = gap;
    }
    agg.methods.push(out);
  }
  return agg;
}

/** The original models' metrics over seeds, and their gaps to Retrain (w/o DC, round 0) paired by seed. */
function aggregateOriginal(results: ExperimentResult[]): OriginalAggregate | undefined {
  const withM = results.filter((r) => r.pretrain.metrics);
  if (!withM.length) return undefined;
  const metrics: OriginalAggregate['metrics'] = {};
  for (const k of SEED_METRICS) {
    const v = withM.map((r) => r.pretrain.metrics![k]).filter(finite);
    if (v.length) metrics[k] = interval(v);
  }
  const out: OriginalAggregate = { seeds: withM.map((r) => r.spec.seed), metrics };
  const gap: NonNullable<OriginalAggregate['gapToRetrain']> = {};
  for (const k of GAP_METRICS) {
    const a: Record<string, number> = {},
      b: Record<string, number> = {};
    for (const r of withM) {
      const ref = r.methods.find((x) => x.name === 'Retrain' && !x.withDC && x.round === 0);
      const x = r.pretrain.metrics![k],
        y = ref?.metrics[k];
      if (finite(x) && finite(y)) {
        a[r.spec.seed] = x;
        b[r.spec.seed] = y;
      }
    }
    if (Object.keys(a).length) gap[k] = pairedInterval(a, b);
  }
  if (Object.keys(gap).length) out.gapToRetrain = gap;
  return out;
}

/**
 * The intervals as a Markdown table: one row per method and arm, mean ± 95 % half-width (n), and the paired gaps
 * to Retrain with "within noise" where their interval covers 0. (A view of `aggregate`; the JSON is the record.)
 */
export function seedsMarkdown(agg: SeedsAggregate): string {
  const f = (iv: Interval | undefined, d = 1) => (iv ? formatInterval(iv, d) : '–');
  const g = (iv: Interval | undefined) => {
    if (!iv || iv.n === 0) return '–';
    const s = (iv.mean >= 0 ? '+' : '') + formatInterval(iv, 1);
    return coversZero(iv) ? `${s}, within noise` : s;
  };
  const lines = [
    `Seeds ${agg.seeds.join(', ')} (n = ${agg.seeds.length}); mean ± half-width of the 95 % Student-t interval. ` +
      'Gaps to Retrain are per seed (same split, same original model); "within noise" = the interval covers 0. ' +
      `${MIA_GAP_NOTE}.`,
    '',
    '| method | arm | retain | forget | test | MIA (± its SE, mean) | MIA (filtered) | forget − Retrain | MIA (filtered) − Retrain | seconds |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const o = agg.original;
  if (o) {
    const se = o.metrics.miaSe ? ` (SE ${o.metrics.miaSe.mean.toFixed(1)})` : '';
    lines.push(
      `| ${ORIGINAL_ROW} | – | ${f(o.metrics.retainAcc)} | ${f(o.metrics.forgetAcc)} | ${f(o.metrics.testAcc)} | ` +
        `${f(o.metrics.mia)}${se} | ${f(o.metrics.miaFiltered)} | ${g(o.gapToRetrain?.forgetAcc)} | ` +
        `${g(o.gapToRetrain?.miaFiltered)} | – |`,
    );
  }
  for (const m of agg.methods) {
    const se = m.metrics.miaSe ? ` (SE ${m.metrics.miaSe.mean.toFixed(1)})` : '';
    const note = miaClassArtefact(m) ? ` (${MIA_CLASS_ARTEFACT})` : '';
    const arm = armLabel(armOf(m.withDC));
    lines.push(
      `| ${m.name}${m.round ? ` r${m.round}` : ''} | ${arm} | ${f(m.metrics.retainAcc)} | ` +
        `${f(m.metrics.forgetAcc)} | ${f(m.metrics.testAcc)} | ${f(m.metrics.mia)}${se}${note} | ${f(m.metrics.miaFiltered)} | ` +
        `${g(m.gapToRetrain?.forgetAcc)} | ${g(m.gapToRetrain?.miaFiltered)} | ${f(m.unlearnSeconds)} |`,
    );
  }
  return lines.join('\n');
}

/** One CSV line per method × arm × round × metric of an aggregate (long format: one interval per line). */
export const SEEDS_CSV_COLUMNS: readonly string[] = [
  'method',
  'withDC',
  'round',
  'metric',
  'mean',
  'ci95Lo',
  'ci95Hi',
  'n',
  'values',
  'gapMean',
  'gapCi95Lo',
  'gapCi95Hi',
  'gapN',
  'gapWithinNoise',
  'seeds',
  'note',
];

const csvNum = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : String(x));

/** The `note` of the `miaFiltered` line of the intervals CSV, where it carries the MIA's gap to Retrain. */
export const MIA_GAP_SHORT = 'the MIA gap to Retrain (swapped branch filtered to the forget labels; docs/mia.md)';

/**
 * The intervals of a multi-seed run as CSV (results-format.md "Intervals"): for every metric its mean, 95 % interval
 * bounds, n and per-seed values (space-separated), and for the gap metrics the paired gap to Retrain the same way
 * with `gapWithinNoise` = true when its interval covers 0 (empty when n < 2: no interval to tell). `note`:
 * `MIA_CLASS_ARTEFACT` (metrics.ts; docs/paper-notes.md §10 C9) on a `mia` line whose paper score came from the
 * unfiltered swapped branch; on the `miaFiltered` line, that its gap is the MIA's gap to Retrain.
 */
export function seedsCsv(agg: SeedsAggregate): string {
  const lines = [SEEDS_CSV_COLUMNS.join(',')];
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const o = agg.original;
  const originalLines: Array<{
    name: string;
    withDC: boolean;
    round: number;
    seeds: number[];
    metrics: Partial<Record<SeedMetric, Interval>>;
    gapToRetrain?: Partial<Record<GapMetric, Interval>>;
    unlearnSeconds?: Interval;
    overheadSeconds?: Interval;
  }> = o ? [{ name: ORIGINAL_ROW, withDC: false, round: 0, ...o }] : [];
  for (const m of [...originalLines, ...agg.methods]) {
    const rows: Array<[string, Interval]> = [
      ...SEED_METRICS.filter((k) => m.metrics[k]).map((k) => [k, m.metrics[k]!] as [string, Interval]),
      ...(m.unlearnSeconds ? [['unlearnSeconds', m.unlearnSeconds] as [string, Interval]] : []),
      ...(m.overheadSeconds ? [['overheadSeconds', m.overheadSeconds] as [string, Interval]] : []),
    ];
    for (const [k, iv] of rows) {
      const gap = m.gapToRetrain?.[k as GapMetric];
      const noise = gap && gap.n >= 2 ? String(coversZero(gap)) : '';
      lines.push(
        [
          quote(m.name),
          String(m.withDC),
          String(m.round),
          k,
          csvNum(iv.mean),
          csvNum(iv.ci95[0]),
          csvNum(iv.ci95[1]),
          String(iv.n),
          iv.values.join(' '),
          csvNum(gap?.mean),
          csvNum(gap?.ci95[0]),
          csvNum(gap?.ci95[1]),
          gap ? String(gap.n) : '',
          noise,
          m.seeds.join(' '),
          quote(
            k === 'mia' && miaClassArtefact({ metrics: m.metrics }) ? MIA_CLASS_ARTEFACT : k === 'miaFiltered' && gap ? MIA_GAP_SHORT : '',
          ),
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A gap in words: "+3.2 ± 1.1 (n = 3)", with ", within noise" when its interval covers 0; '' when absent. */
export function gapText(iv: Interval | undefined, digits = 1): string {
  if (!iv || iv.n === 0) return '';
  const s = (iv.mean >= 0 ? '+' : '') + formatInterval(iv, digits);
  return iv.n >= 2 && coversZero(iv) ? `${s}, within noise` : s;
}
