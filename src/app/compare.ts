/**
 * Runs as first-class objects (issue 14 item 1, issue 22 item 3), pure and DOM-free: a run (one result per seed, a
 * multi-seed experiment being one run with its seeds grouped), its default name (the settings that set it apart from
 * its preset, so runs with other settings never share a default name), its settings in one line, the side-by-side
 * metric rows of several runs with differences against a reference run, and the comparison file (export / import
 * back whole).
 *
 * Differences: per metric and method/arm, run − reference. Paired (per seed, `pairedInterval`) when the two runs
 * are the same experiment (`experimentMismatch` finds no difference in data, forget setting or original model) and
 * share seeds; otherwise unpaired — a Welch interval when both runs have ≥ 2 seeds, the plain difference with
 * "n = 1, no interval" when either has one. Runs of different experiments are never matched seed by seed: their
 * difference says "different experiments" and the page warns above the table. "within noise" when a 95 % interval
 * covers 0.
 */
import type { ExperimentResult, ExperimentSpec, MethodResult, MetricDef } from '../core/lite';
import {
  DEFAULT_SPEC,
  PRESETS,
  checkImportedResult,
  coversZero,
  describeDifference,
  halfWidth,
  interval,
  metricPoint,
  metricsFor,
  pairedInterval,
  welchInterval,
  type Interval,
} from '../core/lite';
import { PARAMS, formatValue, paramsFromSpec, specFromParams, type ParamDef, type ParamValue } from './params';

export type RunSource = 'this tab' | 'recent' | 'imported';

export interface LabRun {
  id: string;
  name: string;
  source: RunSource;
  /** ISO time the run finished (or was imported) */
  at: string;
  /** the page preset it ran under (the one its settings started from), when known */
  preset?: string | null;
  /** one result per seed, in seed order (seeds distinct) */
  seeds: ExperimentResult[];
  /** the name was given by someone (renamed, or kept from grouped runs); absent/false = the default name */
  named?: boolean;
  /** the settings it ran with as a query string (`?…`, a link to them), for runs of this page */
  search?: string;
}

/** The metrics of the side-by-side table: the ONE metric table's table view (src/core/metrics.ts). */
export const COMPARE_METRICS: MetricDef[] = metricsFor('table');
/** The metrics with per-epoch curves. */
export const CURVE_METRICS: MetricDef[] = metricsFor('curve');

export const armName = (withDC: boolean) => (withDC ? 'w/ DC' : 'w/o DC');

export function seedsOf(run: LabRun): number[] {
  return run.seeds.map((r) => r.spec.seed);
}

// ---- default names ----------------------------------------------------------------------------------------

/** JSON with sorted object keys and without undefined fields: equal for equal settings whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The settings of a spec without its seed(s): runs agreeing on this are seeds of one experiment. */
export function settingsOf(spec: ExperimentSpec): string {
  const { seed: _s, seeds: _ss, ...rest } = spec;
  return canonicalJson(rest);
}

/** A short stable tag of a text (FNV-1a, 6 hex digits): tells apart settings that the name's words do not show. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h >>> 8).toString(16).padStart(6, '0');
}

/** The base a run's name is written against: its preset's spec, or the default spec for custom settings. */
function baseSpec(preset: string | null | undefined): ExperimentSpec {
  return preset && Object.prototype.hasOwnProperty.call(PRESETS, preset) ? PRESETS[preset].spec : DEFAULT_SPEC;
}

const pct = (f: number) => `${+(f * 100).toFixed(4)}%`;

/** The forget request in words: "uniform 10%", "class 3", "class 3 (drawn)", "class drawn per seed", "× 3 rounds". */
export function forgetText(seeds: ExperimentResult[]): string {
  const ex = seeds[0];
  const f = ex.spec.forget;
  let t: string;
  if (f.mode === 'uniform') t = `uniform ${pct(f.fraction)}`;
  else if (f.class !== null && f.class !== undefined) t = `class ${f.class}`;
  else {
    const drawn = [...new Set(seeds.map((s) => s.split.forgetClass))];
    t = drawn.length === 1 && drawn[0] !== null ? `class ${drawn[0]} (drawn)` : 'class drawn per seed';
  }
  return ex.spec.rounds > 1 ? `${t} × ${ex.spec.rounds} rounds` : t;
}

/** Settings the name shows elsewhere (seed, forget mode) or that are not part of an experiment (the device). */
const NOT_A_NAME_PART = new Set(['seed', 'seeds', 'forgetMode', 'backend', 'workers', 'softwareGpu']);
/** At most this many differing settings are spelled out; more are summed up as "+N more" with a tag. */
const MAX_NAME_PARTS = 4;

function partText(p: ParamDef, v: ParamValue): string {
  if (p.name === 'methods') return (v as string[]).join(', ');
  if (p.name === 'epochScale') return `epochs ×${String(v)}`;
  if (p.type === 'enum') {
    const label = p.options.find((o) => o.value === v)?.label ?? String(v);
    return p.name === 'arms' ? label : `${p.label} ${label}`;
  }
  if (p.type === 'bool') return `${p.label} ${v ? 'on' : 'off'}`;
  return `${p.label} ${formatValue(p, v)}`;
}

/**
 * The settings of `spec` that differ from its preset's (or, custom, from the default spec), in words
 * ("epochs ×0.04", "CF lr 0.01", "Retrain, CF"), in the parameter table's order. `complete` is false when the spec
 * differs from its base in something the parameter table does not hold (a name then carries a tag of the settings).
 */
export function settingsParts(
  spec: ExperimentSpec,
  preset: string | null | undefined,
): { parts: string[]; complete: boolean } {
  const base = baseSpec(preset);
  const mine = paramsFromSpec(spec);
  const theirs = paramsFromSpec(base);
  const custom = base === DEFAULT_SPEC;
  const parts: string[] = [];
  for (const p of PARAMS) {
    if (!p.path || NOT_A_NAME_PART.has(p.name)) continue;
    if (custom && p.name === 'dataset') continue; // the name starts with it
    if (p.name === 'forgetFraction' && spec.forget.mode === 'uniform') continue; // in the forget text
    if (p.name === 'forgetClass' && spec.forget.mode === 'class') continue;
    if (p.name === 'rounds') continue; // in the forget text
    if (canonicalJson(mine[p.name]) === canonicalJson(theirs[p.name])) continue;
    parts.push(partText(p, mine[p.name]));
  }
  const rebuilt = { ...specFromParams(mine, base), seed: spec.seed, seeds: spec.seeds };
  return { parts, complete: settingsOf(rebuilt) === settingsOf(spec) };
}

/**
 * The default name of a run: its preset (or dataset), the forget request, every setting that differs from the
 * preset's, and the seed(s) — "smoke · uniform 10% · CF · epochs ×0.04 · seed 0". Two runs whose settings differ
 * get different names: what the words do not show (more than four differences, or a setting outside the
 * parameter table) is summed up with a tag of the settings ("+2 more #3fa1c2").
 */
export function defaultRunName(seeds: ExperimentResult[], preset?: string | null): string {
  const ex = seeds[0];
  if (!ex) return 'empty run';
  const s = ex.spec;
  const { parts, complete } = settingsParts(s, preset);
  const tag = `#${shortHash(settingsOf(s))}`;
  let shown = parts;
  if (parts.length > MAX_NAME_PARTS) {
    shown = [...parts.slice(0, MAX_NAME_PARTS - 1), `+${parts.length - MAX_NAME_PARTS + 1} more ${tag}`];
  } else if (!complete) shown = [...parts, tag];
  const seedText = seeds.length > 1 ? `seeds ${seeds.map((r) => r.spec.seed).join(',')}` : `seed ${s.seed}`;
  const base = preset && Object.prototype.hasOwnProperty.call(PRESETS, preset) ? preset : s.dataset;
  return [base, forgetText(seeds), ...shown, seedText].join(' · ').slice(0, 200);
}

/** The default name runs had before issue 22 (it left out most settings): recognised when runs are migrated. */
export function legacyDefaultRunName(seeds: ExperimentResult[], preset?: string | null): string {
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
    ['dataset', dataText(ex)],
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

// ---- is it the same experiment? -----------------------------------------------------------------------------

function dataText(ex: ExperimentResult): string {
  const s = ex.spec;
  return `${s.dataset}, ${s.trainPerClass || 'all'} train / ${s.testPerClass || 'all'} test per class`;
}

function forgetSetting(ex: ExperimentResult): string {
  const f = ex.spec.forget;
  const t =
    f.mode === 'uniform'
      ? `uniform ${pct(f.fraction)}`
      : f.class === null
        ? 'class drawn from the seed'
        : `class ${f.class}`;
  return ex.spec.rounds > 1 ? `${t}, ${ex.spec.rounds} rounds` : t;
}

function originalModel(ex: ExperimentResult): string {
  const { model, pretrain } = ex.spec;
  const target = pretrain.targetTrainAcc !== undefined ? `, stop at ${pretrain.targetTrainAcc}% train` : '';
  const trained =
    `${model.arch} w${model.width}, ${pretrain.epochs} epochs lr ${pretrain.lr} batch ${pretrain.batchSize} ` +
    `momentum ${pretrain.momentum} wd ${pretrain.weightDecay} warm-up ${pretrain.warmup}${target}`;
  const shipped = ex.pretrain.shipped ? `, shipped ${ex.pretrain.shipped.sha256.slice(0, 12)}` : '';
  return `${trained}${shipped}`;
}

/**
 * How `run` and `ref` are not the same experiment: one line per way they differ in data (dataset, images per
 * class), forget setting (mode, fraction or class, rounds; and for a class drawn from the seed, the class each
 * shared seed drew) or original model (architecture, pretraining, a shipped model's hash). Empty = the same
 * experiment (they may still differ in seeds and in the unlearning settings, which is what a comparison is for).
 */
export function experimentMismatch(run: LabRun, ref: LabRun): string[] {
  const a = run.seeds[0],
    b = ref.seeds[0];
  if (!a || !b) return [];
  const out: string[] = [];
  const check = (what: string, f: (ex: ExperimentResult) => string) => {
    const va = f(a),
      vb = f(b);
    if (va !== vb) out.push(`${what}: ${va} here, ${vb} in the reference`);
  };
  check('data', dataText);
  check('forget setting', forgetSetting);
  if (!out.some((l) => l.startsWith('forget setting'))) {
    const byRef = new Map(ref.seeds.map((ex) => [ex.spec.seed, ex.split.forgetClass]));
    const drew = run.seeds.filter((ex) => byRef.has(ex.spec.seed) && byRef.get(ex.spec.seed) !== ex.split.forgetClass);
    if (drew.length) {
      const ex = drew[0];
      out.push(
        `forget setting: seed ${ex.spec.seed} forgets class ${ex.split.forgetClass} here, ` +
          `class ${byRef.get(ex.spec.seed)} in the reference`,
      );
    }
  }
  check('original model', originalModel);
  return out;
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
  /** paired per seed; unpaired (no shared seeds); none (unpaired, a single value on a side); mismatch (different experiments) */
  kind: 'paired' | 'unpaired' | 'none' | 'mismatch';
  /** run − reference (mean), with its 95 % interval where there is one */
  interval: Interval;
  /** paired: the shared seeds; unpaired: the two runs' seed counts */
  nA: number;
  nB: number;
  withinNoise: boolean;
  /** in full: the interval, n and how it was taken ("… · paired over seeds 0, 1") */
  text: string;
  /** one line for a table cell: "+4.0", "+4.0 ± 2.1" (the 95 % half-width) */
  short: string;
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

function shortText(iv: Interval, digits: number): string {
  const h = halfWidth(iv);
  return Number.isFinite(h) ? `${signed(iv.mean, digits)} ± ${h.toFixed(digits)}` : signed(iv.mean, digits);
}

/**
 * run − reference for one metric of one row: paired over shared seeds, unpaired otherwise. `sameExperiment: false`
 * (the runs differ in data, forget setting or original model, `experimentMismatch`): never matched seed by seed —
 * the text says "different experiments" and has no "paired" in it.
 */
export function difference(
  run: LabRun,
  ref: LabRun,
  k: RowKey,
  def: MetricDef,
  sameExperiment = experimentMismatch(run, ref).length === 0,
): Difference | null {
  const a = perSeed(run, k, def),
    b = perSeed(ref, k, def);
  const na = Object.keys(a).length,
    nb = Object.keys(b).length;
  if (!na || !nb) return null;
  const digits = def.digits;
  const shared = Object.keys(a).filter((s) => s in b);
  if (sameExperiment && (shared.length >= 2 || (shared.length === 1 && na === 1 && nb === 1))) {
    const iv = pairedInterval(a, b);
    const over = `paired over seed${shared.length > 1 ? 's' : ''} ${shared.join(', ')}`;
    const text = `${describeDifference(iv, digits)} · ${over}`;
    return {
      kind: 'paired',
      interval: iv,
      nA: shared.length,
      nB: shared.length,
      withinNoise: coversZero(iv),
      text,
      short: shortText(iv, digits),
    };
  }
  const av = Object.values(a),
    bv = Object.values(b);
  const f = (x: number) => x.toFixed(digits);
  if (na >= 2 && nb >= 2) {
    const iv = welchInterval(av, bv);
    const noise = iv.ci95[0] <= 0 && iv.ci95[1] >= 0;
    const how = sameExperiment ? 'unpaired (Welch)' : 'different experiments, Welch interval';
    const text =
      `${signed(iv.mean, digits)} [${f(iv.ci95[0])}, ${f(iv.ci95[1])}] · ${how}, ` +
      `n = ${na} vs ${nb}${noise ? ' — within noise (95 % interval covers 0)' : ''}`;
    const kind = sameExperiment ? 'unpaired' : 'mismatch';
    return { kind, interval: iv, nA: na, nB: nb, withinNoise: noise, text, short: shortText(iv, digits) };
  }
  const d = interval(av).mean - interval(bv).mean;
  const iv: Interval = { mean: d, ci95: [NaN, NaN], n: 1, values: [d] };
  const how = sameExperiment ? 'unpaired, no interval' : 'different experiments, no interval';
  const text = `${signed(d, digits)} · ${how} (n = ${na} vs ${nb})`;
  const kind = sameExperiment ? 'none' : 'mismatch';
  return { kind, interval: iv, nA: na, nB: nb, withinNoise: false, text, short: signed(d, digits) };
}

/**
 * How the differences of `run` to `ref` are taken, in a few words for the run's row: "paired over seed 0",
 * "unpaired (Welch), n = 2 vs 3", "unpaired, no interval", or, for different experiments, "different experiment:
 * not matched by seed".
 */
export function differenceBasis(run: LabRun, ref: LabRun, sameExperiment: boolean): string {
  if (!sameExperiment) return 'different experiment: not matched by seed';
  const a = seedsOf(run),
    b = new Set(seedsOf(ref));
  const shared = a.filter((s) => b.has(s));
  if (shared.length >= 2 || (shared.length === 1 && a.length === 1 && b.size === 1))
    return `paired over seed${shared.length > 1 ? 's' : ''} ${shared.join(', ')}`;
  if (a.length >= 2 && b.size >= 2) return `unpaired (Welch), n = ${a.length} vs ${b.size}`;
  return `unpaired, no interval (n = ${a.length} vs ${b.size})`;
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

/** The names given to `runs` (renamed, or kept from an earlier grouping), each once, in order. */
function givenNames(runs: LabRun[]): string[] {
  return [...new Set(runs.filter((r) => r.named).map((r) => r.name))];
}

/**
 * Group runs that differ only in their seed into one multi-seed run. Throws (with the reason) when the settings
 * differ or a seed appears twice. The names given to the runs are kept: one given name becomes the group's name,
 * several are joined with " + "; runs that only had default names get the default name of the group.
 */
export function groupSeeds(runs: LabRun[], id: string, at: string): LabRun {
  const all = runs.flatMap((r) => r.seeds);
  if (runs.length < 2) throw new Error('select at least two runs to group as seeds');
  const key = settingsOf(all[0].spec);
  const odd = runs.find((r) => r.seeds.some((ex) => settingsOf(ex.spec) !== key));
  if (odd) throw new Error(`“${odd.name}” has other settings than “${runs[0].name}” (besides the seed)`);
  const seeds = all.map((r) => r.spec.seed);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new Error(`seed ${dup} appears in more than one selected run`);
  const sorted = [...all].sort((a, b) => a.spec.seed - b.spec.seed);
  const preset = runs.every((r) => r.preset === runs[0].preset) ? runs[0].preset : null;
  const given = givenNames(runs);
  const search = runs.find((r) => r.search)?.search;
  return {
    id,
    name: given.length ? given.join(' + ').slice(0, 200) : defaultRunName(sorted, preset),
    named: given.length > 0,
    source: runs[0].source,
    at,
    preset,
    seeds: sorted,
    ...(search ? { search } : {}),
  };
}

/**
 * A multi-seed run split into one run per seed (the inverse of `groupSeeds`): a given name is kept with the seed
 * appended ("baseline · seed 1"); ids are `${run.id}~s${seed}`.
 */
export function splitSeeds(run: LabRun): LabRun[] {
  return run.seeds.map((ex) => ({
    id: `${run.id}~s${ex.spec.seed}`.slice(0, 100),
    name: run.named ? `${run.name} · seed ${ex.spec.seed}`.slice(0, 200) : defaultRunName([ex], run.preset),
    named: !!run.named,
    source: run.source,
    at: run.at,
    preset: run.preset,
    seeds: [ex],
    ...(run.search ? { search: run.search } : {}),
  }));
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
    const preset = typeof r.preset === 'string' ? short(r.preset, 40) : null;
    // a name is the default one when the file says so, or when it is empty or a default name of this or an
    // earlier version (then it is written anew, so runs with other settings never share it)
    const named =
      typeof r.named === 'boolean'
        ? r.named && !!r.name
        : !!r.name && r.name !== defaultRunName(seeds, preset) && r.name !== legacyDefaultRunName(seeds, preset);
    const search = typeof r.search === 'string' && /^\?[^\s]{0,4000}$/.test(r.search) ? r.search : undefined;
    const run: LabRun = {
      id: r.id,
      name: named ? r.name : defaultRunName(seeds, preset),
      named,
      source: 'imported' as const,
      at: typeof r.at === 'string' ? short(r.at, 40) : '',
      preset,
      seeds,
    };
    if (search) run.search = search;
    return run;
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
