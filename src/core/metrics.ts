/**
 * The lab's results vocabulary: ONE table of the metrics a method result carries. The Markdown report, the CSV,
 * the page's summary table and curves, and the JSON pruning all read this table, so adding a metric means adding
 * its row here (and computing it, in src/core/eval/evaluate.ts + the `Metrics` type), nothing else.
 *
 * tfjs-free and importing only types, so the page's main thread and every layer of the core may use it.
 *
 * A metric's value is a plain number for one seed, or an interval over seeds (results-format.md "Intervals"):
 * `{ mean, ci95: [lo, hi], n, values }`. Views take `pointOf(v)` for display and sorting.
 */
import type { Metrics } from './types';

/** A metric summarised over seeds (results-format.md "Intervals"). */
export interface Interval {
  mean: number;
  /** two-sided 95 % Student-t interval of the mean over seeds */
  ci95: [number, number];
  n: number;
  values: number[];
}

export type MetricValue = number | Interval;

/** The per-model metrics (in `MethodResult.metrics`) and the per-run timings (fields of `MethodResult`). */
export type ModelMetricId = keyof Metrics;
export type TimingMetricId = 'unlearnSeconds' | 'overheadSeconds';
export type MetricId = ModelMetricId | TimingMetricId;

/**
 * Which way is better: `higher`/`lower`, or `reference` = the closer to the reference model (Retrain, same arm)
 * the better (forgetting should look like never having trained on the forget set).
 */
export type MetricDirection = 'higher' | 'lower' | 'reference';

export interface MetricDef {
  id: MetricId;
  /** short column label (tables, CSV documentation) */
  label: string;
  /** longer label (chart tabs, tooltips) */
  longLabel: string;
  unit: '%' | 's' | 'n';
  /** digits shown in tables */
  digits: number;
  direction: MetricDirection;
  /**
   * How a metric is summarised. `seeds`: over seeds, a mean with a 95 % interval (results-format.md).
   * `gap`: tables show the difference to the reference method (Retrain) in the same arm, computed per seed.
   */
  summary: { seeds: 'mean-ci95'; gap: boolean };
  /** where the value lives: `MethodResult.metrics[id]` or `MethodResult[id]` */
  source: 'metrics' | 'timing';
  /** absent for some results (e.g. only in class forgetting); views drop the column when no result has it */
  optional?: boolean;
  /** views that show it besides the CSV and JSON (which carry every metric) */
  views: { report: boolean; table: boolean; curve: boolean };
  description: string;
}

/** The table. Order = column order of the report, the CSV and the summary table. */
export const METRICS: readonly MetricDef[] = [
  {
    id: 'mia',
    label: 'MIA',
    longLabel: 'MIA',
    unit: '%',
    digits: 2,
    direction: 'reference',
    // no gap: in class forgetting its swapped branch can measure class, not membership (docs/mia.md); gaps use miaFiltered
    summary: { seeds: 'mean-ci95', gap: false },
    source: 'metrics',
    views: { report: true, table: true, curve: true },
    description: 'LR-MIA on logit-confidence, AUC % (paper §7.2; ≈50 = forget set indistinguishable from unseen data)',
  },
  {
    id: 'miaFiltered',
    label: 'MIA (filtered)',
    longLabel: 'MIA, swapped branch filtered to the forget labels',
    unit: '%',
    digits: 2,
    direction: 'reference',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    optional: true,
    views: { report: true, table: true, curve: false },
    description:
      "the paper's MIA with the swapped branch's test side filtered to the forget set's labels (a lab variant, " +
      'equal to MIA in uniform forgetting); the gap to Retrain of the MIA is computed from it (docs/mia.md)',
  },
  {
    id: 'lossMia',
    label: 'Loss-MIA',
    longLabel: 'Loss-MIA',
    unit: '%',
    digits: 1,
    direction: 'reference',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    views: { report: true, table: false, curve: false },
    description: 'accuracy % of a logistic regression on per-example losses, forget vs unseen test (≈50 ideal)',
  },
  {
    id: 'retainAcc',
    label: 'Retain',
    longLabel: 'Retain acc',
    unit: '%',
    digits: 1,
    direction: 'higher',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    views: { report: true, table: true, curve: true },
    description: 'accuracy % on the retain set',
  },
  {
    id: 'forgetAcc',
    label: 'Forget',
    longLabel: 'Forget acc',
    unit: '%',
    digits: 1,
    direction: 'reference',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    views: { report: true, table: true, curve: true },
    description: "accuracy % on the forget set (Retrain's value is the target)",
  },
  {
    id: 'testAcc',
    label: 'Test',
    longLabel: 'Test acc',
    unit: '%',
    digits: 1,
    direction: 'higher',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    views: { report: true, table: true, curve: true },
    description: 'accuracy % on the evaluation part of the test set',
  },
  {
    id: 'testAccRetained',
    label: 'Test (retained cls)',
    longLabel: 'Test acc (retained classes)',
    unit: '%',
    digits: 1,
    direction: 'higher',
    summary: { seeds: 'mean-ci95', gap: true },
    source: 'metrics',
    optional: true,
    views: { report: true, table: false, curve: false },
    description: 'class forgetting only: test accuracy % over the retained classes (spec §10 C8)',
  },
  {
    id: 'miaSe',
    label: 'MIA SE',
    longLabel: 'MIA bootstrap standard error',
    unit: '%',
    digits: 2,
    direction: 'lower',
    summary: { seeds: 'mean-ci95', gap: false },
    source: 'metrics',
    optional: true,
    views: { report: false, table: false, curve: false },
    description: 'bootstrap standard error of the MIA over samples (AUC points; see eval/mia.ts)',
  },
  {
    id: 'miaPerSide',
    label: 'MIA n/side',
    longLabel: 'MIA samples per side',
    unit: 'n',
    digits: 0,
    direction: 'higher',
    summary: { seeds: 'mean-ci95', gap: false },
    source: 'metrics',
    optional: true,
    views: { report: false, table: false, curve: false },
    description: 'examples per side (forget vs unseen) of the MIA comparison',
  },
  {
    id: 'unlearnSeconds',
    label: 'Unlearn s',
    longLabel: 'Unlearning time',
    unit: 's',
    digits: 1,
    direction: 'lower',
    summary: { seeds: 'mean-ci95', gap: false },
    source: 'timing',
    views: { report: false, table: false, curve: false },
    description: 'seconds of unlearning (wall clock)',
  },
  {
    id: 'overheadSeconds',
    label: 'Overhead s',
    longLabel: 'Condensation overhead',
    unit: 's',
    digits: 1,
    direction: 'lower',
    summary: { seeds: 'mean-ci95', gap: false },
    source: 'timing',
    views: { report: false, table: false, curve: false },
    description: 'w/ DC: seconds of k-means, partition and Blend charged to the method (0 without DC)',
  },
];

export const METRIC_BY_ID: ReadonlyMap<MetricId, MetricDef> = new Map(METRICS.map((m) => [m.id, m]));

export function metricDef(id: MetricId): MetricDef {
  const d = METRIC_BY_ID.get(id);
  if (!d) throw new Error(`unknown metric ${JSON.stringify(id)}`);
  return d;
}

/** The metrics a view shows, in table order. */
export function metricsFor(view: keyof MetricDef['views']): MetricDef[] {
  return METRICS.filter((m) => m.views[view]);
}

/** The per-model metrics (those kept in `MethodResult.metrics`). */
export const MODEL_METRICS: readonly MetricDef[] = METRICS.filter((m) => m.source === 'metrics');

/** What a metric is read from: a method result's shape, structurally (no runner import). */
export interface MetricCarrier {
  metrics: Partial<Record<ModelMetricId, MetricValue>>;
  unlearnSeconds?: MetricValue;
  overheadSeconds?: MetricValue;
}

export function isInterval(v: unknown): v is Interval {
  return typeof v === 'object' && v !== null && typeof (v as Interval).mean === 'number';
}

/** The value of metric `def` in a result, undefined when absent. */
export function metricValue(r: MetricCarrier, def: MetricDef): MetricValue | undefined {
  const v = def.source === 'metrics' ? r.metrics[def.id as ModelMetricId] : r[def.id as TimingMetricId];
  return v === undefined || v === null ? undefined : v;
}

/** The point value (the number, or an interval's mean); undefined when absent. */
export function pointOf(v: MetricValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : v.mean;
}

/** Where a value that differs from the paper's is marked, and why (the MIA's class artefact, docs/mia.md). */
export const MIA_CLASS_ARTEFACT = 'class artefact, spec §10 C9';
export const MIA_GAP_NOTE =
  "MIA gaps to Retrain use MIA (filtered): the paper's swapped branch with its test side filtered to the forget " +
  'labels — a deliberate departure from the reference code, whose unfiltered branch (spec §10 C9) measures the ' +
  'class of an image, not its membership, in class forgetting';

/**
 * Whether a result's paper MIA came from the unfiltered swapped branch where filtering would have changed it (spec
 * §10 C9): in class forgetting the value then says which class an image is, not whether the model trained on it.
 * Told by `mia` ≠ `miaFiltered` (for intervals: in any seed); false when the result lacks `miaFiltered` (older
 * results: unknown).
 */
export function miaClassArtefact(r: MetricCarrier): boolean {
  const a = r.metrics.mia,
    b = r.metrics.miaFiltered;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const va = typeof a === 'number' ? [a] : a.values,
    vb = typeof b === 'number' ? [b] : b.values;
  if (va.length !== vb.length) return pointOf(a) !== pointOf(b);
  return va.some((x, i) => Number.isFinite(x) && Number.isFinite(vb[i]) && x !== vb[i]);
}

/** The point value of metric `def` in a result. */
export function metricPoint(r: MetricCarrier, def: MetricDef): number | undefined {
  return pointOf(metricValue(r, def));
}

const IS_MODEL_METRIC = new Set<string>(MODEL_METRICS.map((d) => d.id));

/**
 * The per-model metrics of an evaluation as plain JSON: the JSON pruning of results. Keeps exactly the metrics
 * of the table, in the evaluation's own key order, and drops everything else (per-example losses, MIA details);
 * optional metrics only when present.
 */
export function pickMetrics(m: Metrics): Metrics {
  const out: Partial<Record<ModelMetricId, number>> = {};
  for (const [k, v] of Object.entries(m)) {
    if (IS_MODEL_METRIC.has(k) && v !== undefined) out[k as ModelMetricId] = v as number;
  }
  return out as Metrics;
}
