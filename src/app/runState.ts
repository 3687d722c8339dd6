/**
 * Run view state derived from the worker's RunEvents: a pure reducer (unit-tested, DOM-free). Everything the
 * charts, tables and galleries show comes from here, i.e. from the run itself.
 */
import type {
  CondenseResult,
  ExperimentResult,
  ForgetSampleView,
  MethodName,
  MethodResult,
  PrototypeView,
  RunEvent,
} from '../core/lite';
import type { Metrics, Progress, StageName } from '../core/lite';
import type { SeedsAggregate } from '../core/lite';
import type { Arm, ExperimentSpec } from '../core/lite';
import { armOf, galleryKey, isWithDC, parseGalleryKey, specChange } from '../core/lite';

export interface StageView {
  stage: StageName;
  label?: string;
  status: 'running' | 'done' | 'stopped' | 'failed';
  startedAt: number;
  seconds?: number;
  progress?: Progress;
  /** 0..1 */
  fraction: number;
  etaSeconds?: number;
}

export type CurvePoint = { epoch: number } & Partial<Metrics>;

export interface RunView {
  /** stages in order of appearance; a stage key = stage + label */
  stages: StageView[];
  /** `armKey(method, withDC, round)` → per-epoch metrics */
  curves: Record<string, CurvePoint[]>;
  pretrainCurve: CurvePoint[];
  /** A-AMU's two loss terms per step (unweighted) and the run's λ, per method/arm key */
  acfTerms: Record<string, AcfTermPoint[]>;
  condenseLoss: Array<{ round: number; iter: number; loss: number }>;
  clusters: Extract<RunEvent, { kind: 'clusters' }> | null;
  prototypes: PrototypeView[];
  prototypeIter: number;
  /** latest forget-sample confidences (original model vs each method, cumulative) */
  forgetSamples: ForgetSampleView[];
  forgetSamplesRound: number;
  methods: MethodResult[];
  condense: CondenseResult | null;
  experiment: ExperimentResult | null;
  /** the original model's record as soon as it is ready (event `pretrain-result`), else the experiment's */
  pretrain: ExperimentResult['pretrain'] | null;
  logs: Array<{ at: number; level: 'info' | 'warn'; message: string }>;
  /** images/s of the latest progress report */
  imgPerSec: number | null;
  imgPerSecStage: string | null;
  /** a Compare over ≥ 2 seeds (spec.seeds): the seeds planned, the finished ones and their aggregate */
  multi: MultiSeedView | null;
  /**
   * the experiment every row of this view belongs to (the spec its commands ran with); null = not known (empty,
   * imported or recent run): the next command starts a fresh view (`startRun`)
   */
  spec: ExperimentSpec | null;
}

/** The page's view of a multi-seed Compare (src/core/results/seeds.ts runSeeds; the table shows `aggregate`). */
export interface MultiSeedView {
  planned: number[];
  /** the seed running now (null when finished or stopped) */
  current: number | null;
  perSeed: ExperimentResult[];
  /** intervals over the finished seeds (null before the first one finishes) */
  aggregate: SeedsAggregate | null;
}

export function emptyRun(): RunView {
  return {
    stages: [],
    curves: {},
    pretrainCurve: [],
    acfTerms: {},
    condenseLoss: [],
    clusters: null,
    prototypes: [],
    prototypeIter: 0,
    forgetSamples: [],
    forgetSamplesRound: 0,
    methods: [],
    condense: null,
    experiment: null,
    pretrain: null,
    logs: [],
    imgPerSec: null,
    imgPerSecStage: null,
    multi: null,
    spec: null,
  };
}

/**
 * The view a command with `spec` starts from. The same experiment (contracts.ts `specChange`: no method output made
 * stale, e.g. Condense then Unlearn) goes on in the same view; any other starts an empty view — rows, curves, bars,
 * views, the finished experiment — so no table ever holds rows of two experiments and no gap is computed across
 * them. (A finished run stays in the Runs panel, labelled.) What the session keeps is kept: the original model's
 * record when the model is unchanged, the condensation when its rounds are.
 */
export function startRun(s: RunView, spec: ExperimentSpec): RunView {
  const change = specChange(s.spec, spec);
  if (!change.outputs) return { ...s, spec };
  if (change.staleMethods && !s.multi) return dropMethodRows(s, spec, change.staleMethods);
  const fresh: RunView = { ...emptyRun(), spec };
  if (s.spec && !change.original) {
    fresh.pretrain = s.pretrain;
    fresh.pretrainCurve = s.pretrainCurve;
  }
  if (s.spec && !change.rounds) {
    fresh.condense = s.condense;
    fresh.condenseLoss = s.condenseLoss;
    fresh.clusters = s.clusters;
    fresh.prototypes = s.prototypes;
    fresh.prototypeIter = s.prototypeIter;
  }
  return fresh;
}

/**
 * The same experiment with some methods' rows stale (a hyper-parameter of theirs changed, or they joined or left the
 * method list): their rows, curves, loss terms and gallery confidences go; every other row stays, as the session
 * keeps those methods' outputs (contracts.ts specChange `staleMethods`).
 */
function dropMethodRows(s: RunView, spec: ExperimentSpec, stale: readonly string[]): RunView {
  const gone = new Set(stale);
  const keep = <T>(rec: Record<string, T>) =>
    Object.fromEntries(Object.entries(rec).filter(([k]) => !gone.has(parseArmKey(k).method)));
  const methods = s.methods.filter((m) => !gone.has(m.name));
  return {
    ...s,
    spec,
    methods,
    curves: keep(s.curves),
    acfTerms: keep(s.acfTerms),
    forgetSamples: s.forgetSamples.map((g) => ({
      ...g,
      byMethod: Object.fromEntries(Object.entries(g.byMethod).filter(([k]) => !gone.has(parseGalleryKey(k).method))),
    })),
    experiment: s.experiment
      ? { ...s.experiment, spec, methods: s.experiment.methods.filter((m) => !gone.has(m.name)) }
      : null,
  };
}

/** Key of one method's arm in one round ("CF|with|0"); `withDC` is the result field, the key spells the `Arm`. */
export function armKey(method: MethodName | string, withDC: boolean, round = 0): string {
  return `${method}|${armOf(withDC)}|${round}`;
}

export function parseArmKey(key: string): { method: string; arm: Arm; round: number } {
  const [method, arm, round] = key.split('|');
  return { method, arm: armOf(arm === 'with'), round: Number(round) || 0 };
}

function stageId(stage: StageName, label?: string): string {
  return label ? `${stage}:${label}` : stage;
}

/** Fraction done of a progress report: `epoch` is 1-based (epoch 1 of `epochs`), `step` counts finished steps. */
export function progressFraction(p: Progress): number {
  const steps = Math.max(1, p.steps);
  const epochs = Math.max(1, p.epochs);
  const done = Math.max(0, Math.min(p.epoch, epochs) - 1); // epochs finished before this one
  const f = (done * steps + Math.min(p.step, steps)) / (epochs * steps);
  return Math.max(0, Math.min(1, f));
}

function upsertMethod(list: MethodResult[], r: MethodResult): MethodResult[] {
  const i = list.findIndex((m) => m.name === r.name && m.withDC === r.withDC && m.round === r.round);
  if (i < 0) return [...list, r];
  const out = list.slice();
  out[i] = r;
  return out;
}

const MAX_LOGS = 200;
/** One step of an A-AMU method: (mean retain CE)², MMD² (both unweighted) and the λ weighting MMD² in the loss. */
export interface AcfTermPoint {
  step: number;
  ce2: number;
  mmd: number;
  lambda: number;
}

/**
 * The A-CF terms chart's rows: ce2 and λ·MMD² (the term as it enters the loss, λ from the run's resolved
 * hyper-parameters) per step; `lambda` is the λ for the legend (null if it changed within the series).
 */
export function acfChartRows(points: AcfTermPoint[]): {
  rows: Array<{ step: number; ce2: number; lambdaMmd: number }>;
  lambda: number | null;
} {
  const rows = points.map((p) => ({ step: p.step, ce2: p.ce2, lambdaMmd: p.lambda * p.mmd }));
  const lambdas = new Set(points.map((p) => p.lambda));
  return { rows, lambda: lambdas.size === 1 ? points[0].lambda : null };
}

const MAX_TERMS = 2000;

/**
 * Apply one event. `stopping`: the user pressed Stop, so stages that end now were cut short (the session
 * still reports their end, from a `finally`).
 */
export function reduceRun(s: RunView, e: RunEvent, now: number = Date.now(), stopping = false): RunView {
  switch (e.kind) {
    case 'stage': {
      const id = stageId(e.stage, e.label);
      if (e.status === 'start') {
        const v: StageView = { stage: e.stage, label: e.label, status: 'running', startedAt: now, fraction: 0 };
        const others = s.stages.filter((x) => stageId(x.stage, x.label) !== id);
        return { ...s, stages: [...others, v] };
      }
      return {
        ...s,
        stages: s.stages.map((x) =>
          stageId(x.stage, x.label) !== id || x.status !== 'running'
            ? x
            : stopping
              ? { ...x, status: 'stopped', seconds: e.seconds ?? (now - x.startedAt) / 1000, etaSeconds: undefined }
              : { ...x, status: 'done', seconds: e.seconds ?? (now - x.startedAt) / 1000, fraction: 1, etaSeconds: 0 },
        ),
      };
    }
    case 'progress': {
      const p = e.progress;
      const fraction = progressFraction(p);
      // a progress report belongs to the latest running stage of its kind (its label is a sub-step, e.g. a class)
      let idx = -1;
      for (let i = s.stages.length - 1; i >= 0; i--) {
        const x = s.stages[i];
        if (x.stage === p.stage && x.status === 'running') {
          idx = i;
          break;
        }
      }
      const stages = s.stages.slice();
      if (idx < 0) {
        stages.push({
          stage: p.stage,
          label: p.label,
          status: 'running',
          startedAt: now,
          progress: p,
          fraction,
          etaSeconds: p.etaSeconds,
        });
      } else {
        const x = stages[idx];
        const elapsed = (now - x.startedAt) / 1000;
        const eta = p.etaSeconds ?? (fraction > 0.02 ? (elapsed * (1 - fraction)) / fraction : undefined);
        stages[idx] = { ...x, progress: p, fraction, etaSeconds: eta };
      }
      return {
        ...s,
        stages,
        imgPerSec: p.imgPerSec ?? s.imgPerSec,
        imgPerSecStage: p.imgPerSec !== undefined ? `${p.stage}${p.label ? ` · ${p.label}` : ''}` : s.imgPerSecStage,
      };
    }
    case 'epoch': {
      const point: CurvePoint = { epoch: e.epoch, ...e.metrics };
      if (e.method === 'pretrain')
        return { ...s, pretrainCurve: [...s.pretrainCurve.filter((x) => x.epoch !== e.epoch), point] };
      const key = armKey(e.method, e.withDC, e.round);
      const prev = (s.curves[key] ?? []).filter((x) => x.epoch !== e.epoch);
      return { ...s, curves: { ...s.curves, [key]: [...prev, point].sort((a, b) => a.epoch - b.epoch) } };
    }
    case 'condense-iter':
      return {
        ...s,
        condenseLoss: [
          ...s.condenseLoss.filter((x) => !(x.round === e.round && x.iter === e.iter)),
          { round: e.round, iter: e.iter, loss: e.loss },
        ],
      };
    case 'clusters':
      return { ...s, clusters: e };
    case 'prototypes':
      return { ...s, prototypes: e.items, prototypeIter: e.iter };
    case 'acf-terms': {
      const key = armKey(e.method, e.withDC);
      const prev = s.acfTerms[key] ?? [];
      const next = [...prev, { step: e.step, ce2: e.ce2, mmd: e.mmd, lambda: e.lambda }];
      return {
        ...s,
        acfTerms: { ...s.acfTerms, [key]: next.length > MAX_TERMS ? next.slice(next.length - MAX_TERMS) : next },
      };
    }
    case 'method-result':
      return { ...s, methods: upsertMethod(s.methods, e.result) };
    case 'condense-result':
      return { ...s, condense: e.result };
    case 'pretrain-result':
      return { ...s, pretrain: e.result };
    case 'forget-samples':
      return { ...s, forgetSamples: e.items, forgetSamplesRound: e.round };
    case 'log': {
      const logs = [...s.logs, { at: now, level: e.level, message: e.message }];
      return { ...s, logs: logs.length > MAX_LOGS ? logs.slice(logs.length - MAX_LOGS) : logs };
    }
  }
}

/** Mark running stages as stopped/failed when a command ends abnormally. */
export function endRunningStages(s: RunView, status: 'stopped' | 'failed'): RunView {
  if (!s.stages.some((x) => x.status === 'running')) return s;
  return { ...s, stages: s.stages.map((x) => (x.status === 'running' ? { ...x, status, etaSeconds: undefined } : x)) };
}

/** Merge a full experiment result (from `done` or an imported JSON) into the view. */
export function withExperiment(s: RunView, ex: ExperimentResult): RunView {
  let methods = s.methods;
  for (const m of ex.methods) methods = upsertMethod(methods, m);
  const curves = { ...s.curves };
  for (const m of ex.methods) {
    const key = armKey(m.name, m.withDC, m.round);
    if (m.curve?.length && !curves[key]?.length) curves[key] = m.curve;
  }
  const pretrain = Number.isFinite(ex.pretrain.testAcc) ? ex.pretrain : s.pretrain;
  return { ...s, experiment: ex, pretrain, methods, curves, condense: ex.condense ?? s.condense };
}

/** A view built only from an imported result JSON. */
export function runFromExperiment(ex: ExperimentResult): RunView {
  return withExperiment(emptyRun(), ex);
}

// ---- table rows (paper layout) -------------------------------------------------------------------------

export interface SummaryRow {
  method: MethodName;
  without?: MethodResult;
  with?: MethodResult;
}

/** One row per method (first round shown unless `round` given), w/o DC | w/ DC side by side. */
export function summaryRows(methods: MethodResult[], round?: number): SummaryRow[] {
  const r = round ?? Math.max(0, ...methods.map((m) => m.round));
  const rows = new Map<MethodName, SummaryRow>();
  for (const m of methods) {
    if (m.round !== r) continue;
    const row = rows.get(m.name) ?? { method: m.name };
    row[armOf(m.withDC)] = m;
    rows.set(m.name, row);
  }
  // Retrain first (reference), then in order of appearance
  return [...rows.values()].sort((a, b) => (a.method === 'Retrain' ? -1 : b.method === 'Retrain' ? 1 : 0));
}

/** Histogram of two samples on shared bins (for forget-vs-test loss). */
export function histogram(a: number[], b: number[], bins = 30): Array<{ x: number; a: number; b: number }> {
  const all = [...a, ...b].filter(Number.isFinite);
  if (all.length === 0) return [];
  const lo = all.reduce((m, v) => Math.min(m, v), Infinity);
  let hi = all.reduce((m, v) => Math.max(m, v), -Infinity);
  if (hi - lo < 1e-9) hi = lo + 1;
  const w = (hi - lo) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ x: lo + (i + 0.5) * w, a: 0, b: 0 }));
  const put = (v: number, k: 'a' | 'b', n: number) => {
    if (!Number.isFinite(v)) return;
    const i = Math.min(bins - 1, Math.floor((v - lo) / w));
    out[i][k] += 1 / n;
  };
  for (const v of a) put(v, 'a', a.length);
  for (const v of b) put(v, 'b', b.length);
  return out;
}

// ---- forget-sample gallery ------------------------------------------------------------------------------

// a forget sample's `byMethod` is keyed by core's `galleryKey(method, arm)` ("A-CF|w/ DC"), as the session writes it

/** Method arms with confidences on the forget samples, in order of appearance, Retrain first. */
export function galleryMethodKeys(items: ForgetSampleView[]): string[] {
  const keys: string[] = [];
  for (const it of items) for (const k of Object.keys(it.byMethod)) if (!keys.includes(k)) keys.push(k);
  const retrain = keys.filter((k) => parseGalleryKey(k).method === 'Retrain');
  return [...retrain, ...keys.filter((k) => parseGalleryKey(k).method !== 'Retrain')];
}

/**
 * The arm the gallery shows: the selected one (an `armKey` from the store, or a gallery key) when it has
 * confidences, else A-CF (w/ DC first), else the first non-Retrain arm, else Retrain, else null.
 */
export function pickGalleryMethod(keys: string[], selected: string | null | undefined): string | null {
  if (selected) {
    if (keys.includes(selected)) return selected;
    const a = parseArmKey(selected);
    const k = galleryKey(a.method, a.arm);
    if (keys.includes(k)) return k;
  }
  for (const k of [galleryKey('A-CF', 'with'), galleryKey('A-CF', 'without')]) if (keys.includes(k)) return k;
  return keys.find((k) => parseGalleryKey(k).method !== 'Retrain') ?? keys[0] ?? null;
}

/** Retrain's arm to compare with `method`: the same arm if it ran, else the other one. */
export function pickGalleryReference(keys: string[], method: string | null): string | null {
  const arm: Arm = method ? parseGalleryKey(method).arm : 'without';
  const same = galleryKey('Retrain', arm);
  const other = galleryKey('Retrain', armOf(!isWithDC(arm)));
  return keys.includes(same) ? same : keys.includes(other) ? other : null;
}

export type GallerySort = 'hardest' | 'easiest' | 'original' | 'position';

export interface GalleryRow {
  item: ForgetSampleView;
  /** true-label confidence of the chosen method / of Retrain (undefined when that arm has not run) */
  method?: number;
  reference?: number;
  /** original − method (how much confidence the unlearning removed); undefined without the method */
  drop?: number;
}

/**
 * Rows of the forget gallery. `hardest`: smallest confidence drop first (the samples the method failed to
 * forget); `easiest`: largest drop first; `original`: most confident originally first; `position`: forget-set
 * order. Rows without the method's value go last (in position order).
 */
export function galleryRows(
  items: ForgetSampleView[],
  method: string | null,
  reference: string | null,
  sort: GallerySort,
): GalleryRow[] {
  const rows: GalleryRow[] = items.map((item) => {
    const m = method ? item.byMethod[method] : undefined;
    const r = reference ? item.byMethod[reference] : undefined;
    return { item, method: m, reference: r, drop: m === undefined ? undefined : item.original - m };
  });
  const byPos = (a: GalleryRow, b: GalleryRow) => a.item.pos - b.item.pos;
  const missingLast = (cmp: (a: GalleryRow, b: GalleryRow) => number) => (a: GalleryRow, b: GalleryRow) => {
    if (a.drop === undefined || b.drop === undefined)
      return a.drop === undefined ? (b.drop === undefined ? byPos(a, b) : 1) : -1;
    return cmp(a, b) || byPos(a, b);
  };
  switch (sort) {
    case 'hardest':
      return rows.sort(missingLast((a, b) => a.drop! - b.drop!));
    case 'easiest':
      return rows.sort(missingLast((a, b) => b.drop! - a.drop!));
    case 'original':
      return rows.sort((a, b) => b.item.original - a.item.original || byPos(a, b));
    case 'position':
      return rows.sort(byPos);
  }
}
