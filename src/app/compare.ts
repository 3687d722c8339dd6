/**
 * Runs as first-class objects (issue 14 item 1), pure and DOM-free: a run (one result per seed, a multi-seed
 * experiment being one run with its seeds grouped), its settings in one line, the side-by-side metric rows of
 * several runs with differences against a reference run, and the comparison file (export / import back whole).
 *
 * Differences: per metric and method/arm, run − reference. Paired (per seed, `pairedInterval`) when the two runs
 * share seeds; otherwise unpaired — a Welch interval when both runs have ≥ 2 seeds, the plain difference with
 * "n = 1, no interval" when either has one. "within noise" when a 95 % interval covers 0.
 */
import type { ExperimentResult, MethodResult, MetricDef } from '../core/lite';
import {
  checkImportedResult,
  coversZero,
  describeDifference,
  interval,
  metricPoint,
  metricsFor,
  pairedInterval,
  welchInterval,
  type Interval,
} from '../core/lite';

export type RunSource = 'this tab' | 'recent' | 'imported';

export interface LabRun {
  id: string;
  name: string;
  source: RunSource;
  /** ISO time the run finished (or was imported) */
  at: string;
  /** the page preset it ran under, when known */
  preset?: string | null;
  /** one result per seed, in seed order (seeds distinct) */
  seeds: ExperimentResult[];
}

/** The metrics of the side-by-side table: the ONE metric table's table view (src/core/metrics.ts). */
export const COMPARE_METRICS: MetricDef[] = metricsFor('table');
/** The metrics with per-epoch curves. */
export const CURVE_METRICS: MetricDef[] = metricsFor('curve');

export const armName = (withDC: boolean) => (withDC ? 'w/ DC' : 'w/o DC');

export function seedsOf(run: LabRun): number[] {
  return run.seeds.map((r) => r.spec.seed);
}

/** The default name of a run: settings that tell runs apart, short. */
export function defaultRunName(seeds: ExperimentResult[], preset?: string | null): string {
  const ex = seeds[0];
  if (!ex) return 'empty run';
  const s = ex.spec;
  const seedText = seeds.length > 1 ? `seeds ${seeds.map((r) => r.spec.seed).join(',')}` : `seed ${s.seed}`;
  return `${preset ?? s.dataset} · ${s.forget.mode} · ×${s.unlearn.epochScale} · ${seedText}`;
}

/** The settings at a glance: dataset, model, forget mode, preset, seeds, methods. */
export function runSummary(run: LabRun): string {
  const ex = run.seeds[0];
  if (!ex) return 'no results';
  const s = ex.spec;
  const forget =
    s.forget.mode === 'uniform'
      ? `uniform ${Math.round(s.forget.fraction * 100)}%`
      : `class ${ex.split.forgetClass ?? s.forget.class ?? '?'}`;
  const methods = [...new Set(ex.methods.map((m) => m.name))].join(', ');
  const seeds = seedsOf(run);
  return [
    s.dataset,
    `${s.model.arch} w${s.model.width}`,
    forget,
    `preset ${run.preset ?? 'custom'}`,
    seeds.length > 1 ? `seeds ${seeds.join(', ')}` : `seed ${seeds[0]}`,
    methods,
  ].join(' · ');
}

/** The settings in detail (for the run's expander): label → value. */
export function runDetails(run: LabRun): Array<[string, string]> {
  const ex = run.seeds[0];
  if (!ex) return [];
  const s = ex.spec;
  return [
    ['dataset', `${s.dataset}, ${s.trainPerClass || 'all'} train / ${s.testPerClass || 'all'} test per class`],
    ['model', `${s.model.arch}, width ${s.model.width}`],
    [
      'forget',
      s.forget.mode === 'uniform'
        ? `uniform, fraction ${s.forget.fraction}`
        : `class ${ex.split.forgetClass ?? s.forget.class ?? 'drawn from seed'}`,
    ],
    ['preset', run.preset ?? 'custom'],
    ['seeds', seedsOf(run).join(', ')],
    ['methods', s.unlearn.methods.join(', ')],
    ['arms', s.unlearn.arms],
    ['epoch scale', String(s.unlearn.epochScale)],
    ['pretrain', `${s.pretrain.epochs} epochs, lr ${s.pretrain.lr}, batch ${s.pretrain.batchSize}`],
    ['condense', s.condense.enabled ? `IPC ${s.condense.ipc}, ${s.condense.iterations} iterations` : 'off'],
    ['rounds', String(s.rounds)],
    ['hyper-parameters', Object.keys(s.unlearn.hparams).length ? JSON.stringify(s.unlearn.hparams) : 'defaults'],
    ['backend', [...new Set(run.seeds.map((r) => r.env.backend))].join(', ')],
    [
      'started',
      run.seeds
        .map((r) => r.env.startedAt)
        .filter(Boolean)
        .join(', ') || '–',
    ],
    ['source', run.source],
  ];
}

// ---- side-by-side rows ------------------------------------------------------------------------------------

/** A method's arm in the last round of a run: the row key of the side-by-side table. */
export interface RowKey {
  method: string;
  withDC: boolean;
}
export const rowKeyId = (k: RowKey) => `${k.method}|${armName(k.withDC)}`;

function lastRound(ex: ExperimentResult): number {
  return Math.max(0, ...ex.methods.map((m) => m.round));
}

function methodOf(ex: ExperimentResult, k: RowKey): MethodResult | undefined {
  const r = lastRound(ex);
  return ex.methods.find((m) => m.name === k.method && m.withDC === k.withDC && m.round === r);
}

/** The rows (method × arm) present in any of `runs`, first appearance first. */
export function rowKeys(runs: LabRun[]): RowKey[] {
  const out: RowKey[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    for (const ex of run.seeds) {
      const r = lastRound(ex);
      for (const m of ex.methods) {
        const k = { method: m.name, withDC: m.withDC };
        if (m.round !== r || seen.has(rowKeyId(k))) continue;
        seen.add(rowKeyId(k));
        out.push(k);
      }
    }
  }
  return out;
}

/** One metric of one row in one run, per seed (seed → value; seeds without it are left out). */
export function perSeed(run: LabRun, k: RowKey, def: MetricDef): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ex of run.seeds) {
    const m = methodOf(ex, k);
    const v = m ? metricPoint(m, def) : undefined;
    if (v !== undefined && Number.isFinite(v)) out[String(ex.spec.seed)] = v;
  }
  return out;
}

/** A metric of one row in one run: the interval over its seeds (n = 0 when absent). */
export function runValue(run: LabRun, k: RowKey, def: MetricDef): Interval {
  const v = Object.values(perSeed(run, k, def));
  return v.length ? interval(v) : { mean: NaN, ci95: [NaN, NaN], n: 0, values: [] };
}

export interface Difference {
  kind: 'paired' | 'unpaired' | 'none';
  /** run − reference (mean), with its 95 % interval where there is one */
  interval: Interval;
  /** paired: the shared seeds; unpaired: the two runs' seed counts */
  nA: number;
  nB: number;
  withinNoise: boolean;
  text: string;
}

/** run − reference for one metric of one row: paired over shared seeds, unpaired otherwise. */
export function difference(run: LabRun, ref: LabRun, k: RowKey, def: MetricDef): Difference | null {
  const a = perSeed(run, k, def),
    b = perSeed(ref, k, def);
  const na = Object.keys(a).length,
    nb = Object.keys(b).length;
  if (!na || !nb) return null;
  const digits = def.digits;
  const shared = Object.keys(a).filter((s) => s in b);
  if (shared.length >= 2 || (shared.length === 1 && na === 1 && nb === 1)) {
    const iv = pairedInterval(a, b);
    const over = `paired over seed${shared.length > 1 ? 's' : ''} ${shared.join(', ')}`;
    const text = `${describeDifference(iv, digits)} · ${over}`;
    return { kind: 'paired', interval: iv, nA: shared.length, nB: shared.length, withinNoise: coversZero(iv), text };
  }
  const av = Object.values(a),
    bv = Object.values(b);
  if (na >= 2 && nb >= 2) {
    const iv = welchInterval(av, bv);
    const f = (x: number) => x.toFixed(digits);
    const noise = iv.ci95[0] <= 0 && iv.ci95[1] >= 0;
    const text =
      `${iv.mean >= 0 ? '+' : ''}${f(iv.mean)} [${f(iv.ci95[0])}, ${f(iv.ci95[1])}] · unpaired (Welch), ` +
      `n = ${na} vs ${nb}${noise ? ' — within noise (95 % interval covers 0)' : ''}`;
    return { kind: 'unpaired', interval: iv, nA: na, nB: nb, withinNoise: noise, text };
  }
  const d = interval(av).mean - interval(bv).mean;
  const iv: Interval = { mean: d, ci95: [NaN, NaN], n: 1, values: [d] };
  const text = `${d >= 0 ? '+' : ''}${d.toFixed(digits)} · unpaired, no interval (n = ${na} vs ${nb})`;
  return { kind: 'none', interval: iv, nA: na, nB: nb, withinNoise: false, text };
}

// ---- overlay curves ---------------------------------------------------------------------------------------

/** Dash patterns per run (index in the selection); the first run is solid. */
export const RUN_DASHES = [undefined, '6 3', '2 2', '10 4 2 4', '1 4', '12 6'] as const;
export const runDash = (i: number) => RUN_DASHES[i % RUN_DASHES.length];

/**
 * Chart rows for the overlay of `runs` on one metric: one row per epoch, one column per run × method × arm
 * (`${runIndex}|${method}|${arm}`), the mean over the run's seeds at that epoch.
 */
export function overlayRows(
  runs: LabRun[],
  metric: MetricDef,
): {
  rows: Array<Record<string, number>>;
  series: Array<{ key: string; run: number; method: string; withDC: boolean }>;
} {
  const byEpoch = new Map<number, Record<string, number>>();
  const series: Array<{ key: string; run: number; method: string; withDC: boolean }> = [];
  runs.forEach((run, i) => {
    for (const k of rowKeys([run])) {
      const key = `${i}|${k.method}|${armName(k.withDC)}`;
      const sums = new Map<number, number[]>();
      for (const ex of run.seeds) {
        for (const p of methodOf(ex, k)?.curve ?? []) {
          const v = (p as Record<string, unknown>)[metric.id];
          if (typeof v === 'number' && Number.isFinite(v)) sums.set(p.epoch, [...(sums.get(p.epoch) ?? []), v]);
        }
      }
      if (!sums.size) continue;
      series.push({ key, run: i, method: k.method, withDC: k.withDC });
      for (const [epoch, vs] of sums) {
        const row = byEpoch.get(epoch) ?? { epoch };
        row[key] = vs.reduce((a, b) => a + b, 0) / vs.length;
        byEpoch.set(epoch, row);
      }
    }
  });
  return { rows: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch), series };
}

// ---- grouping seeds ---------------------------------------------------------------------------------------

/** The spec without its seed: runs whose results agree on this are seeds of one experiment. */
function settingsKey(ex: ExperimentResult): string {
  const { seed: _s, seeds: _ss, ...rest } = ex.spec;
  return JSON.stringify(rest);
}

/**
 * Group runs that differ only in their seed into one multi-seed run. Throws (with the reason) when the settings
 * differ or a seed appears twice.
 */
export function groupSeeds(runs: LabRun[], id: string, at: string): LabRun {
  const all = runs.flatMap((r) => r.seeds);
  if (runs.length < 2) throw new Error('select at least two runs to group as seeds');
  const key = settingsKey(all[0]);
  const odd = runs.find((r) => r.seeds.some((ex) => settingsKey(ex) !== key));
  if (odd) throw new Error(`“${odd.name}” has other settings than “${runs[0].name}” (besides the seed)`);
  const seeds = all.map((r) => r.spec.seed);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new Error(`seed ${dup} appears in more than one selected run`);
  const sorted = [...all].sort((a, b) => a.spec.seed - b.spec.seed);
  const preset = runs.every((r) => r.preset === runs[0].preset) ? runs[0].preset : null;
  return { id, name: defaultRunName(sorted, preset), source: runs[0].source, at, preset, seeds: sorted };
}

// ---- the comparison file ----------------------------------------------------------------------------------

export const COMPARISON_KIND = 'unlearning-lab.comparison';
export const COMPARISON_VERSION = 1;

export interface ComparisonFile {
  kind: typeof COMPARISON_KIND;
  version: number;
  exportedAt: string;
  /** id of the reference run (one of `runs`) or null */
  reference: string | null;
  runs: LabRun[];
}

export function comparisonFile(
  runs: LabRun[],
  reference: string | null,
  at = new Date().toISOString(),
): ComparisonFile {
  return {
    kind: COMPARISON_KIND,
    version: COMPARISON_VERSION,
    exportedAt: at,
    reference: reference && runs.some((r) => r.id === reference) ? reference : null,
    runs,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const short = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** A CLI multi-seed result (`{spec, seeds, perSeed, aggregate}`, src/cli/experiment.ts) as a one-run comparison. */
function multiSeedAsComparison(raw: Record<string, unknown>): Record<string, unknown> {
  const perSeed = raw.perSeed as unknown[];
  const first = isObj(perSeed[0]) && isObj(perSeed[0].env) ? perSeed[0].env.startedAt : undefined;
  const id = `multi-seed-${typeof first === 'string' ? first.replace(/\W/g, '') : 'import'}`.slice(0, 100);
  return {
    kind: COMPARISON_KIND,
    version: COMPARISON_VERSION,
    reference: null,
    runs: [{ id, name: '', seeds: perSeed }],
  };
}

/**
 * Read a comparison file back (or a CLI multi-seed result, as one run with its seeds grouped): every run's every
 * seed checked with core's `checkImportedResult`. Throws an Error naming where the problem is
 * (`comparison.runs[1].seeds[0]…`); nothing is half-imported.
 */
export function parseComparison(text: string, maxChars: number): ComparisonFile {
  if (text.length > maxChars) {
    throw new Error(
      `comparison: the file is ${(text.length / 2 ** 20).toFixed(1)} MB, larger than the ` +
        `${(maxChars / 2 ** 20).toFixed(0)} MB limit`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`comparison: not valid JSON (${short((e as Error).message, 120)})`);
  }
  if (!isObj(raw)) throw new Error('comparison: expected a JSON object');
  if (raw.kind === undefined && Array.isArray(raw.perSeed)) raw = multiSeedAsComparison(raw);
  if (!isObj(raw)) throw new Error('comparison: expected a JSON object');
  if (raw.kind !== COMPARISON_KIND) {
    throw new Error(
      `comparison.kind: expected "${COMPARISON_KIND}" (a file from “Export comparison”)` +
        (Array.isArray(raw.methods) ? '; this looks like a single result — use “Import result JSON”' : ''),
    );
  }
  if (raw.version !== COMPARISON_VERSION) {
    throw new Error(
      `comparison.version: expected ${COMPARISON_VERSION}, got ${short(JSON.stringify(raw.version) ?? 'nothing', 40)}`,
    );
  }
  if (!Array.isArray(raw.runs) || raw.runs.length === 0) throw new Error('comparison.runs: expected a non-empty list');
  if (raw.runs.length > 200) throw new Error(`comparison.runs: ${raw.runs.length} runs, at most 200`);
  const ids = new Set<string>();
  const runs: LabRun[] = raw.runs.map((r: unknown, i: number) => {
    const at = `comparison.runs[${i}]`;
    if (!isObj(r)) throw new Error(`${at}: expected an object`);
    if (typeof r.id !== 'string' || !r.id || r.id.length > 100) throw new Error(`${at}.id: expected a short string`);
    if (ids.has(r.id)) throw new Error(`${at}.id: "${short(r.id, 40)}" appears twice`);
    ids.add(r.id);
    if (typeof r.name !== 'string' || r.name.length > 200)
      throw new Error(`${at}.name: expected a string (≤ 200 characters)`);
    if (!Array.isArray(r.seeds) || r.seeds.length === 0)
      throw new Error(`${at}.seeds: expected a non-empty list of results`);
    const seeds = r.seeds.map((s: unknown, j: number) => {
      try {
        return checkImportedResult(s);
      } catch (e) {
        throw new Error(`${at}.seeds[${j}]: ${(e as Error).message}`);
      }
    });
    const seedNums = seeds.map((s: ExperimentResult) => s.spec.seed);
    const dup = seedNums.find((s: number, k: number) => seedNums.indexOf(s) !== k);
    if (dup !== undefined) throw new Error(`${at}.seeds: seed ${dup} appears twice`);
    return {
      id: r.id,
      name: r.name || defaultRunName(seeds),
      source: 'imported' as const,
      at: typeof r.at === 'string' ? short(r.at, 40) : '',
      preset: typeof r.preset === 'string' ? short(r.preset, 40) : null,
      seeds,
    };
  });
  const reference = typeof raw.reference === 'string' && ids.has(raw.reference) ? raw.reference : null;
  if (raw.reference !== null && raw.reference !== undefined && reference === null) {
    throw new Error('comparison.reference: not the id of one of its runs');
  }
  return {
    kind: COMPARISON_KIND,
    version: COMPARISON_VERSION,
    exportedAt: typeof raw.exportedAt === 'string' ? short(raw.exportedAt, 40) : '',
    reference,
    runs,
  };
}
