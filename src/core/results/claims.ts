/**
 * The paper's claims (docs/paper-notes.md §9) next to our numbers. Pure: takes the finished cells of `reproduce`,
 * returns rows. Verdicts come from intervals over seeds (issue 10 item 7, src/core/stats.ts):
 *  - a value claim (the paper measured V) with a tolerance t stated in the row *reproduces* when our whole 95 %
 *    t-interval lies within V ± t (an interval wider than the band cannot confirm it), *does not* when it misses
 *    V ± t, else *inconclusive*; without a tolerance it reproduces when V lies inside the interval;
 *  - a threshold / direction claim (faster than, within 5 pp of) *reproduces* when the whole interval is on the
 *    claimed side, *does not* when it is wholly on the other, and is *inconclusive* otherwise;
 *  - one seed (n = 1) can only be *indicative* (with the side its single value falls on); 'n/a' = not measured;
 *  - a quality claim that the untouched Original (`pretrain.metrics`, no unlearning) also passes is *vacuous at this
 *    setting*, never *reproduces* (issue 20 item 2): the setting cannot tell unlearning from doing nothing;
 *  - a claim the lab cannot measure (no SVHN / CINIC-10 offline, ResNet-18 needs a GPU, no multi-round cell yet…) has
 *    a row all the same: *not computable here*, with the reason in `rule`.
 * Rows over cells whose original does not memorise (train accuracy < MEMORISES_TRAIN_ACC) say so in their setting.
 */
import type { ExperimentResult, MethodResult } from '../contracts';
import type { Metrics } from '../types';
import type { BenchRow } from './bench-rows';
import { METHOD_CARDS } from '../methods/registry';
import { epochsOf, paperSpecFor } from './budgets';
import { MEMORISES_TRAIN_ACC, memorisationNote } from './memorisation';
import { breakEven, breakEvenParts, formatBreakEven } from './break-even';
import {
  directionVerdict,
  formatInterval,
  interval,
  valueVerdict,
  verdictText,
  type Interval,
  type VerdictResult,
} from '../stats';

export interface CellResults {
  experiments: Record<string, ExperimentResult>;
  /** rows of the reproduction's own (subset-scale) condensation cell */
  condensation: BenchRow[];
  /** rows of `npm run bench` (results/bench.json) — the full-data measurements, when available */
  bench?: BenchRow[];
  /** cells timed while other jobs shared the cores (`reproduce --jobs N`): left out of every speed claim */
  sharedCores?: string[];
}

/** Verdicts of the claims table: the interval verdicts, plus the two labels of issue 20 items 2 and 3. */
export const VACUOUS = 'vacuous at this setting';
export const NOT_COMPUTABLE = 'not computable here';
/** The row of the methods in the cells that are not in the paper (cards with `beyondPaper`): they enter no claim. */
export const NOT_IN_PAPER = 'not in the paper';
/** A number the lab adds for the researcher (the break-even request count): no claim of the paper, no verdict. */
export const LAB_MEASURE = 'lab measure';
export type ClaimVerdict =
  | VerdictResult['verdict']
  | typeof VACUOUS
  | typeof NOT_COMPUTABLE
  | typeof NOT_IN_PAPER
  | typeof LAB_MEASURE;
/** A verdict of the claims table (an interval verdict, or one of the two labels) with its rule. */
export type ClaimVerdictResult = Omit<VerdictResult, 'verdict'> & { verdict: ClaimVerdict };

export interface Claim {
  /** the row number in docs/paper-notes.md §9 ('15b', '20-gap': further checks of the same row) */
  id: number | string;
  claim: string;
  paper: string;
  ours: string;
  setting: string;
  /** interval-based verdict (see the module comment) */
  reproduces: ClaimVerdict;
  /** n = 1: which side the single value falls on */
  leaning?: 'reproduces' | 'does not';
  /** seeds / measurements behind the verdict */
  n: number;
  /** the rule applied, in words */
  rule: string;
  source: string;
}

const fmt = (iv: Interval, d = 1, unit = '') => formatInterval(iv, d, unit);

function cellsOf(c: CellResults, prefix: string): Array<[string, ExperimentResult]> {
  return Object.entries(c.experiments).filter(([id]) => id.startsWith(prefix));
}
function method(r: ExperimentResult, name: string, withDC: boolean, round = 0): MethodResult | undefined {
  return r.methods.find((m) => m.name === name && m.withDC === withDC && m.round === round);
}
function sumRounds(r: ExperimentResult, name: string, withDC: boolean, withOverhead: boolean): number {
  return r.methods
    .filter((m) => m.name === name && m.withDC === withDC)
    .reduce((a, m) => a + m.unlearnSeconds + (withOverhead ? m.overheadSeconds : 0), 0);
}
const finite = (x: number) => Number.isFinite(x);

/**
 * "; original does not memorise (train 94.4 %)" when the cells' originals train below MEMORISES_TRAIN_ACC
 * (memorisation.ts, one wording everywhere; "train ≤ X %" over several originals); '' when every original memorises.
 */
export function memoNote(cells: Array<[string, ExperimentResult]>): string {
  const below = cells.map(([, r]) => r.pretrain.trainAcc).filter((t) => !(t >= MEMORISES_TRAIN_ACC));
  if (!below.length) return '';
  // several originals: the highest train accuracy among them ("train ≤ X %")
  const top = below.some((t) => !Number.isFinite(t)) ? NaN : Math.max(...below);
  const note = memorisationNote(top);
  return `; ${new Set(below).size > 1 ? note.replace('(train ', '(train ≤ ') : note}`;
}

/** A passing verdict: reproduces, or (n = 1) indicative leaning reproduces. */
const passes = (v: VerdictResult) =>
  v.verdict === 'reproduces' || (v.verdict === 'indicative' && v.leaning === 'reproduces');

/**
 * Issue 20 item 2: a claim that the untouched Original also passes is *vacuous at this setting*. `v` is the method's
 * verdict, `orig` the same rule applied to the Original's metrics; the verdict stands otherwise.
 */
export function vacuousUnlessDiscriminating(
  v: VerdictResult,
  orig: VerdictResult,
  origText: string,
): ClaimVerdictResult {
  if (!passes(v) || !passes(orig)) return v;
  return {
    verdict: VACUOUS,
    rule: `${v.rule}; the Original (no unlearning) also passes: ${origText}` };
}

/**
 * A speed verdict from the bench's interleaved-repeat rows, used when no cell was timed on quiet cores: one seed and
 * one setting, so *indicative* at best, leaning 'reproduces' when every row's whole range of per-repeat ratios is on
 * the claimed side (ratio > 1), 'does not' when every range is wholly on the other; otherwise (or with < 3 repeats,
 * or no such rows) n/a.
 */
export function benchSpeedVerdict(rows: Array<BenchRow | undefined>): VerdictResult | null {
  const rule = 'bench rows: the whole range of ≥ 3 interleaved repeats > 1× (one seed: indicative)';
  if (!rows.length || rows.some((r) => !r?.range || (r.repeats ?? 0) < 3)) return null;
  const ranges = rows.map((r) => r!.range!);
  if (ranges.every(([lo]) => lo > 1)) return { verdict: 'indicative', leaning: 'reproduces', rule };
  if (ranges.every(([, hi]) => hi <= 1)) return { verdict: 'indicative', leaning: 'does not', rule };
  return { verdict: 'inconclusive', rule };
}
const benchKind = (r: BenchRow) =>
  r.range && (r.repeats ?? 0) >= 1
    ? `median of ${r.repeats} interleaved repeats, range ${r.range[0].toFixed(2)}–${r.range[1].toFixed(2)}×`
    : 'single measurement';
/** runtime reduction % (1 − fast/slow) from a speed-up ratio slow/fast */
const reduction = (ratio: number) => 100 * (1 - 1 / ratio);
/** "; bench (single round, median of 3 repeats): class 93.5 %, uniform 92.1 %" — or nothing without such rows */
function benchReductions(rows: Array<BenchRow | undefined>): string {
  const have = rows.filter((r): r is BenchRow => !!r);
  if (!have.length) return '';
  const parts = have.map((r) => {
    const mode = r.id.split('.').pop();
    const rng = r.range ? ` (${reduction(r.range[0]).toFixed(1)}–${reduction(r.range[1]).toFixed(1)} %)` : '';
    return `${mode} ${reduction(r.value).toFixed(1)} %${rng}`;
  });
  return `; bench rows (single round, ${benchKind(have[0]).replace(/, range.*$/, '')}): ${parts.join(', ')}`;
}
const benchSources = (rows: Array<BenchRow | undefined>) =>
  rows
    .filter((r): r is BenchRow => !!r)
    .map((r) => `; ${r.id}`)
    .join('');
/** Both verdicts must reproduce; either failing fails; otherwise inconclusive (n = 1: indicative). */
function both(a: VerdictResult, b: VerdictResult): VerdictResult {
  const rule = `${a.rule} and ${b.rule}`;
  if (a.verdict === 'n/a' || b.verdict === 'n/a') return { verdict: 'n/a', rule };
  if (a.verdict === 'indicative' || b.verdict === 'indicative') {
    return {
      verdict: 'indicative',
      leaning: a.leaning === 'reproduces' && b.leaning === 'reproduces' ? 'reproduces' : 'does not',
      rule,
    };
  }
  if (a.verdict === 'reproduces' && b.verdict === 'reproduces') return { verdict: 'reproduces', rule };
  if (a.verdict === 'does not' || b.verdict === 'does not') return { verdict: 'does not', rule };
  return { verdict: 'inconclusive', rule };
}
function verdictFields(v: ClaimVerdictResult, n: number): Pick<Claim, 'reproduces' | 'leaning' | 'n' | 'rule'> {
  return { reproduces: v.verdict, ...(v.leaning ? { leaning: v.leaning } : {}), n, rule: v.rule };
}
/** approximate methods of the single-round tables (Retrain is the reference, not a competitor), from the cards */
const APPROXIMATE: string[] = METHOD_CARDS.filter((m) => m.approximate && m.paperTables.single && !m.beyondPaper).map(
  (m) => m.name,
);

/** What every claim function reads: the cells by kind, how to name their setting and sources, and the seeds. */
interface ClaimContext {
  c: CellResults;
  single: (mode: 'class' | 'uniform') => Array<[string, ExperimentResult]>;
  multi: Array<[string, ExperimentResult]>;
  src: (cells: Array<[string, unknown]>) => string;
  settingOf: (cells: Array<[string, ExperimentResult]>) => string;
  /** single-round cells of both modes */
  both2: Array<[string, ExperimentResult]>;
  shared: Set<string>;
  timed: <T>(cells: Array<[string, T]>) => Array<[string, T]>;
  timedNote: string;
  perSeed: (f: (r: ExperimentResult) => number, cells?: Array<[string, ExperimentResult]>) => number[];
  partialSeeds: (f: (r: ExperimentResult) => number, d?: number, cells?: Array<[string, ExperimentResult]>) => string;
}

function claimContext(c: CellResults): ClaimContext {
  const single = (mode: 'class' | 'uniform') => cellsOf(c, `single-${mode}-`);
  const multi = cellsOf(c, 'multi-');
  const src = (cells: Array<[string, unknown]>) => cells.map(([id]) => `cells/${id}.json`).join(', ') || '–';
  const settingOf = (cells: Array<[string, ExperimentResult]>) => {
    const s = cells[0]?.[1].spec;
    return s
      ? `${s.dataset} ${s.trainPerClass || 'all'}/class, ${s.model.arch} w${s.model.width}, epochs ×${s.unlearn.epochScale}, IPC ${s.condense.ipc}, n = ${cells.length}${memoNote(cells)}`
      : '–';
  };
  const both2 = [...single('class'), ...single('uniform')];
  // speed claims use only cells timed alone on the machine (not alongside other jobs of `reproduce --jobs N`)
  const shared = new Set(c.sharedCores ?? []);
  const timed = <T>(cells: Array<[string, T]>) => cells.filter(([id]) => !shared.has(id));
  const timedNote = shared.size ? `; ${shared.size} cell(s) timed on shared cores left out` : '';
  /**
   * One value per seed: the mean over that seed's class and uniform cells (the paper averages its settings). A seed
   * with a value in only one mode is left out — one mode is not the average of both — and listed by `partialSeeds`.
   */
  const perSeed = (f: (r: ExperimentResult) => number, cells = both2): number[] => {
    const by = new Map<number, Map<string, number>>();
    for (const [, r] of cells) {
      const v = f(r);
      if (!finite(v)) continue;
      const m = by.get(r.spec.seed) ?? new Map<string, number>();
      m.set(r.spec.forget.mode, v);
      by.set(r.spec.seed, m);
    }
    return [...by.values()].filter((m) => m.size === 2).map((m) => [...m.values()].reduce((a, b) => a + b, 0) / m.size);
  };
  /** "; left out (one mode only): seed 0 uniform 39.5" — the seeds perSeed drops, with their single-mode values */
  const partialSeeds = (f: (r: ExperimentResult) => number, d = 1, cells = both2): string => {
    const modes = new Map<number, string[]>();
    for (const [, r] of cells) {
      const v = f(r);
      if (finite(v))
        modes.set(r.spec.seed, [...(modes.get(r.spec.seed) ?? []), `${r.spec.forget.mode} ${v.toFixed(d)}`]);
    }
    const part = [...modes].filter(([, v]) => v.length === 1).map(([seed, v]) => `seed ${seed} ${v[0]}`);
    return part.length ? `; left out (one mode only, not an average of both): ${part.join(', ')}` : '';
  };
  return { c, single, multi, src, settingOf, both2, shared, timed, timedNote, perSeed, partialSeeds };
}

/**
 * 1: the average reduced retain set (value claim, tolerance 10 pp: the ratio depends on k-means cluster sizes).
 * The size reading: the paper's own sizes (20.0 % class, 60.2 % uniform; claims 12, 14) average 40.1 %, so its
 * "44 % reduction" only fits |D_r^red| / |D_r|, which is what is compared here (not 1 − that share).
 */
function claimRetainReduction({ src, settingOf, both2, perSeed, partialSeeds }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const red = (r: ExperimentResult) => (r.condense ? (100 * r.condense.reducedRetainSize) / r.condense.retainSize : NaN);
    const iv = interval(perSeed(red));
    const v = valueVerdict(iv, 44, 10);
    claims.push({
      id: 1,
      claim:
        "Average reduced retain set by Blend, size reading: the reduced retain set as % of the retain set (the paper's own sizes 20.0 % / 60.2 % average 40.1 %, so its 44 % is a size, not a reduction; tolerance ±10 pp)",
      paper: '44%',
      ours: fmt(iv, 1, '%'),
      setting: `per seed the mean of its class and uniform cells; ${settingOf(both2)}${partialSeeds(red)}`,
      ...verdictFields(v, iv.n),
      source: src(both2),
    });
  }
  return claims;
}

/** 12, 14: reduced retain sizes (value claims; the full-data bench row when present, else the cells) */
function claimReducedRetainSizes({ c, single, src, settingOf }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  for (const [id, mode, paper, tol] of [
    [12, 'class', 20.0, 0.5],
    [14, 'uniform', 60.2, 10],
  ] as const) {
    const cells = single(mode);
    const iv = interval(
      cells
        .map(([, r]) => r.condense)
        .filter(Boolean)
        .map((x) => (100 * x!.reducedRetainSize) / x!.retainSize),
    );
    const rowId = mode === 'class' ? 'reduced_retain.class_ipc1000_pct' : 'reduced_retain.uniform10_ipc1000_pct';
    const full = (c.bench ?? []).find((r) => r.id === rowId) ?? c.condensation.find((r) => r.id === rowId);
    const basis = full ? interval([full.value]) : iv;
    const v = valueVerdict(basis, paper, tol);
    const ours =
      (full ? `${full.value.toFixed(1)}% (${full.setting})` : '') +
      (iv.n ? `${full ? '; cells: ' : ''}${fmt(iv, 1, '%')}` : '');
    claims.push({
      id,
      claim: `CIFAR-10 ${mode === 'class' ? 'class removal' : '10% uniform'}: reduced retain size (tolerance ±${tol} pp)`,
      paper: `${paper}% of retain`,
      ours: ours || '–',
      setting: full ? 'IPC 1000, full CIFAR-10 (one measurement)' : settingOf(cells),
      ...verdictFields(v, basis.n),
      source: full ? 'bench row ' + rowId : src(cells),
    });
  }
  return claims;
}

/** 16, 17: A-CF vs CF speed (direction: faster, ratio > 1; per-seed ratios — single timings per cell) */
function claimAcfSpeed({ c, single, src, settingOf, timed, timedNote }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  for (const [id, mode, paper] of [
    [16, 'class', 7.6],
    [17, 'uniform', 7.4],
  ] as const) {
    const cells = timed(single(mode));
    const iv = interval(
      cells
        .map(([, r]) => {
          const a = method(r, 'A-CF', false),
            f = method(r, 'CF', false);
          return a && f ? f.unlearnSeconds / a.unlearnSeconds : NaN;
        })
        .filter(finite),
    );
    // the bench's row (interleaved repeats, median and range) is quoted next to the cells' single timings, and
    // gives the (indicative) verdict when no cell was timed on quiet cores
    const rep = (c.bench ?? []).find((r) => r.id === `unlearn.acf_vs_cf_speedup.${mode}`);
    const fromBench = iv.n === 0 ? benchSpeedVerdict([rep]) : null;
    const v = fromBench ?? directionVerdict(iv, '>', 1);
    const repText = rep ? `; bench row ${rep.id} (${benchKind(rep)}): ${rep.value.toFixed(2)}×` : '';
    claims.push({
      id,
      claim: `A-CF faster than CF, w/o DC, ${mode} forgetting (CF seconds ÷ A-CF seconds)`,
      paper: `${paper}× (CIFAR-10 R18, GPU)`,
      ours: `${fmt(iv, 1, '×')} (cells)${repText}`,
      setting:
        `${settingOf(cells)}; verdict from ${fromBench ? 'the bench row (no cell was timed on quiet cores)' : "the cells' ratios: one timing per cell (a single measurement each, not interleaved repeats)"}` +
        `${timedNote}${rep ? `; the bench row: ${rep.setting}${rep.note ? ` — ${rep.note}` : ''}` : ''}`,
      ...verdictFields(v, fromBench ? 1 : iv.n),
      source: src(cells) + (rep ? `; ${rep.id}` : ''),
    });
  }
  return claims;
}

/** 4: A-AMU runtime reduction single / multi (direction: > 0) */
function claimAamuRuntime({ c, multi, src, both2, timed, timedNote, perSeed, partialSeeds }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const red = (r: ExperimentResult) => {
      const a = method(r, 'A-CF', false),
        f = method(r, 'CF', false);
      return a && f ? 100 * (1 - a.unlearnSeconds / f.unlearnSeconds) : NaN;
    };
    const singleRed = interval(perSeed(red, timed(both2)));
    const partial = partialSeeds(red, 1, timed(both2));
    const multiRed = interval(
      timed(multi)
        .flatMap(([, r]) =>
          [
            ['A-CF', 'CF'],
            ['A-SCRUB', 'SCRUB'],
            ['A-L1-Sparse', 'L1-Sparse'],
          ].map(([a, b]) => {
            const ta = sumRounds(r, a, false, false),
              tb = sumRounds(r, b, false, false);
            return tb > 0 && ta > 0 ? 100 * (1 - ta / tb) : NaN;
          }),
        )
        .filter(finite),
    );
    const rows = (['class', 'uniform'] as const).map((m) =>
      (c.bench ?? []).find((r) => r.id === `unlearn.acf_vs_cf_speedup.${m}`),
    );
    const fromBench = singleRed.n === 0 ? benchSpeedVerdict(rows) : null;
    const v = fromBench ?? directionVerdict(singleRed, '>', 0);
    const benchText = benchReductions(rows);
    claims.push({
      id: 4,
      claim:
        'A-AMU runtime reduction vs its base method, single / multi-round (verdict: single round > 0; per seed the mean of both modes)',
      paper: '76.82% / 51.83%',
      ours: `${fmt(singleRed, 1, '%')} / ${fmt(multiRed, 1, '%')}${benchText}`,
      setting:
        'single: A-CF vs CF; multi: A-CF/CF, A-SCRUB/SCRUB, A-L1/L1 summed over 3 rounds; ' +
        `single timings (one measurement per cell, not interleaved repeats)${timedNote}${partial}` +
        (fromBench ? '; single-round verdict from the bench rows (no cell was timed on quiet cores)' : ''),
      ...verdictFields(v, fromBench ? 1 : singleRed.n),
      source: src(timed([...both2, ...multi])) + benchSources(rows),
    });
  }
  return claims;
}

/** 5: end-to-end speed-up Blend + A-AMU (direction: > 0) */
function claimEndToEnd({ c, multi, src, both2, timed, timedNote, perSeed, partialSeeds }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const e2e = (r: ExperimentResult) => {
      const a = method(r, 'A-CF', true),
        f = method(r, 'CF', false);
      return a && f ? 100 * (1 - (a.unlearnSeconds + a.overheadSeconds) / f.unlearnSeconds) : NaN;
    };
    const e2e1 = interval(perSeed(e2e, timed(both2)));
    const partial = partialSeeds(e2e, 1, timed(both2));
    const e2e2 = interval(
      timed(multi)
        .map(([, r]) => {
          const ta = sumRounds(r, 'A-CF', true, true),
            tb = sumRounds(r, 'CF', false, false);
          return ta > 0 && tb > 0 ? 100 * (1 - ta / tb) : NaN;
        })
        .filter(finite),
    );
    const rows = (['class', 'uniform'] as const).map((m) =>
      (c.bench ?? []).find((r) => r.id === `unlearn.acf_dc_end_to_end_vs_cf_speedup.${m}`),
    );
    const fromBench = e2e1.n === 0 ? benchSpeedVerdict(rows) : null;
    const v = fromBench ?? directionVerdict(e2e1, '>', 0);
    const benchText = benchReductions(rows);
    claims.push({
      id: 5,
      claim:
        'End-to-end speed-up (Blend + A-CF incl. condensation overhead) vs CF, single / multi-round (verdict: single round > 0)',
      paper: '84.61% / 54.45%',
      ours: `${fmt(e2e1, 1, '%')} / ${fmt(e2e2, 1, '%')}${benchText}`,
      setting:
        'A-CF w/ DC (unlearning + k-means + partition + Blend) vs CF w/o DC; per seed the mean of both modes; ' +
        `single timings (one measurement per cell, not interleaved repeats)${timedNote}${partial}` +
        (fromBench ? '; single-round verdict from the bench rows (no cell was timed on quiet cores)' : ''),
      ...verdictFields(v, fromBench ? 1 : e2e1.n),
      source: src(timed([...both2, ...multi])) + benchSources(rows),
    });
  }
  return claims;
}

/** 13, 15: Retrain with Blend: faster (time change < 0) and less accurate (test change < 0), paired per seed */
function claimRetrainWithBlend({ single, src, settingOf, timed, timedNote }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  for (const [id, mode, paperT, paperAcc] of [
    [13, 'class', -75.7, -17.9],
    [15, 'uniform', -37.8, -6.2],
  ] as const) {
    const cells = single(mode);
    const dt = interval(
      timed(cells)
        .map(([, r]) => {
          const a = method(r, 'Retrain', true),
            b = method(r, 'Retrain', false);
          return a && b ? 100 * (a.unlearnSeconds / b.unlearnSeconds - 1) : NaN;
        })
        .filter(finite),
    );
    const dacc = interval(
      cells
        .map(([, r]) => {
          const a = method(r, 'Retrain', true),
            b = method(r, 'Retrain', false);
          return a && b ? a.metrics.testAcc - b.metrics.testAcc : NaN;
        })
        .filter(finite),
    );
    const v = both(directionVerdict(dt, '<', 0), directionVerdict(dacc, '<', 0));
    claims.push({
      id,
      claim: `Retraining with Blend, ${mode === 'class' ? 'class removal' : '10% uniform'}: time falls, test accuracy falls`,
      paper: `${paperT}% time, ${paperAcc} pp test`,
      ours: `${fmt(dt, 1, '%')} time, ${fmt(dacc, 1, ' pp')} test`,
      setting: settingOf(cells) + timedNote,
      ...verdictFields(v, dt.n),
      source: src(cells),
    });
  }
  return claims;
}

/** 15b: Retrain MIA ≈ 50 (value claim, tolerance ±5) */
function claimRetrainMia({ single, src, settingOf }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const cells = single('uniform');
    const iv = interval(cells.map(([, r]) => method(r, 'Retrain', false)?.metrics.mia ?? NaN).filter(finite));
    const se = cells.map(([, r]) => method(r, 'Retrain', false)?.metrics.miaSe ?? NaN).filter(finite);
    const v = valueVerdict(iv, 50, 5);
    claims.push({
      id: '15b',
      claim: 'Retrain MIA ≈ 50 (10% uniform, w/o DC; tolerance ±5)',
      paper: '50.47',
      ours: fmt(iv, 2) + (se.length ? ` (bootstrap SE ${interval(se).mean.toFixed(1)})` : ''),
      setting: settingOf(cells),
      ...verdictFields(v, iv.n),
      source: src(cells),
    });
  }
  return claims;
}

/** 20: A-CF within 5 pp of the best-in-class approximate method (highest retain / test, forget acc and MIA closest to Retrain's), per seed the largest of the four shortfalls; then the gap to Retrain as its own row */
function claimAcfNearBest({ single, src, settingOf }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  for (const mode of ['class', 'uniform'] as const) {
    const cells = single(mode);
    // the shortfall of a model's metrics: A-CF's, or the untouched Original's (pretrain.metrics) as a control
    const shortfallOf = (pick: (r: ExperimentResult) => Pick<Metrics, 'retainAcc' | 'testAcc' | 'forgetAcc' | 'mia'> | undefined) =>
      cells.map(([, r]) => {
        const a = pick(r),
          ref = method(r, 'Retrain', false);
        const others = APPROXIMATE.map((n) => method(r, n, false)).filter((m): m is MethodResult => !!m);
        if (!a || !ref || others.length < 2) return NaN;
        const best = (f: (m: MethodResult) => number) => Math.max(...others.map(f));
        const closest = (k: 'forgetAcc' | 'mia') =>
          Math.min(...others.map((m) => Math.abs(m.metrics[k] - ref.metrics[k])));
        return Math.max(
          best((m) => m.metrics.retainAcc) - a.retainAcc,
          best((m) => m.metrics.testAcc) - a.testAcc,
          Math.abs(a.forgetAcc - ref.metrics.forgetAcc) - closest('forgetAcc'),
          Math.abs(a.mia - ref.metrics.mia) - closest('mia'),
        );
      });
    const iv = interval(shortfallOf((r) => method(r, 'A-CF', false)?.metrics).filter(finite));
    const ivO = interval(shortfallOf((r) => r.pretrain.metrics).filter(finite));
    const origText = `Original shortfall ${fmt(ivO, 1, ' pp')}`;
    const v = vacuousUnlessDiscriminating(directionVerdict(iv, '<=', 5), directionVerdict(ivO, '<=', 5), origText);
    claims.push({
      id: 20,
      claim: `A-CF within 5 pp of the best approximate method (${mode}; retain/test: highest; forget acc/MIA: closest to Retrain; largest shortfall of the four)`,
      paper: '≤ 5 pp',
      ours: `shortfall ${fmt(iv, 1, ' pp')}${ivO.n ? `; ${origText}` : ''}`,
      setting: `${settingOf(cells)}; approximate methods: ${APPROXIMATE.join(', ')}`,
      ...verdictFields(v, iv.n),
      source: src(cells),
    });
    // the lab's own gap (not the paper's claim): its MIA is the filtered variant (docs/mia.md); results without it
    // count only in uniform forgetting, where the two are the same score
    const gapMia = (x: Pick<MethodResult, 'metrics'>) => x.metrics.miaFiltered ?? (mode === 'uniform' ? x.metrics.mia : NaN);
    const gapOf = (pick: (r: ExperimentResult) => Pick<MethodResult, 'metrics'> | undefined) =>
      interval(
        cells
          .map(([, r]) => {
            const a = pick(r),
              b = method(r, 'Retrain', false);
            return a && b
              ? Math.max(Math.abs(a.metrics.forgetAcc - b.metrics.forgetAcc), Math.abs(gapMia(a) - gapMia(b)))
              : NaN;
          })
          .filter(finite),
      );
    const gap = gapOf((r) => method(r, 'A-CF', false));
    const gapO = gapOf((r) => (r.pretrain.metrics ? { metrics: r.pretrain.metrics } : undefined));
    const origGap = `Original (no unlearning) ${fmt(gapO, 1, ' pp')}`;
    const vg = vacuousUnlessDiscriminating(directionVerdict(gap, '<=', 5), directionVerdict(gapO, '<=', 5), origGap);
    claims.push({
      id: '20-gap',
      claim: `A-CF gap to Retrain (${mode}): larger of |forget acc − Retrain| and |MIA (filtered) − Retrain| — a stricter reading than the paper's claim`,
      paper: '(not claimed)',
      ours: `${fmt(gap, 1, ' pp')}${gapO.n ? `; ${origGap}` : ''}`,
      setting: settingOf(cells),
      ...verdictFields(vg, gap.n),
      source: src(cells),
    });
  }
  return claims;
}

/** 3: Blend vs DM speed — the full-data measurement (npm run bench) only; the subset cell is context */
function claimBlendVsDm({ c }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const full = (c.bench ?? []).find((r) => r.id === 'blend.vs_dm_speedup');
    const sub = c.condensation.find((r) => r.id === 'blend.vs_dm_speedup');
    const v = full
      ? directionVerdict(interval([full.value]), '>=', 1000)
      : { verdict: 'n/a' as const, rule: 'needs the full-data bench row blend.vs_dm_speedup (results/bench.json)' };
    claims.push({
      id: 3,
      claim: "Blend speed vs DM at the paper's iteration counts (full CIFAR-10; verdict: ≥ 1000×)",
      paper: '≈1500×',
      ours:
        (full ? `${full.value.toFixed(0)}× (full data)` : '–') +
        (sub ? `; subset cell ${sub.value.toFixed(0)}× (not used for the verdict)` : ''),
      setting: full?.setting ?? '–',
      ...verdictFields(v, full ? 1 : 0),
      source: full ? 'results/bench.json' : '–',
    });
  }
  return claims;
}

/** 8: IPC-10 test accuracy ordering Blend ≥ random real; DM's iteration count stated */
function claimIpc10Accuracy({ c }: ClaimContext): Claim[] {
  const claims: Claim[] = [];
  {
    const rows = c.bench?.some((r) => r.id === 'blend.ipc10_test_acc') ? c.bench : c.condensation;
    const row = (id: string) => rows.find((r) => r.id === id);
    const b = row('blend.ipc10_test_acc'),
      d = row('dm.ipc10_test_acc'),
      rr = row('random.ipc10_test_acc');
    const dmIters = d?.setting.match(/after ([\d,]+) iterations/)?.[1];
    const v =
      b && rr
        ? directionVerdict(interval([b.value - rr.value]), '>=', 0)
        : { verdict: 'n/a' as const, rule: 'needs Blend and random-real rows' };
    claims.push({
      id: 8,
      claim:
        'Test accuracy of ConvNet trained on IPC-10 CIFAR-10 (Blend / DM / random real); verdict: Blend ≥ random real',
      paper: 'Blend 35.03%, DM 32.2% (20,000 iterations), random ≈26%',
      ours: b
        ? `Blend ${b.value.toFixed(1)}%, DM ${d ? `${d.value.toFixed(1)}% after ${dmIters ?? '?'} iterations (paper 20,000)` : '–'}, random ${rr?.value.toFixed(1) ?? '–'}%`
        : '–',
      setting: b?.setting ?? '–',
      ...verdictFields(v, b ? 1 : 0),
      source: b ? (rows === c.bench ? 'results/bench.json' : 'cells/condensation-ipc10.json') : '–',
    });
  }
  return claims;
}

/**
 * Speed rows over cells: the verdict from the cells timed alone; when every cell shared its cores, their values are
 * quoted as context ("shared cores, not used") and the verdict is n/a.
 */
function timedSplit(
  x: ClaimContext,
  cells: Array<[string, ExperimentResult]>,
  f: (r: ExperimentResult) => number,
  d = 1,
  unit = '%',
): { iv: Interval; context: string; cells: Array<[string, ExperimentResult]> } {
  const timedCells = x.timed(cells);
  const iv = interval(timedCells.map(([, r]) => f(r)).filter(finite));
  const sharedIv = interval(cells.filter(([id]) => x.shared.has(id)).map(([, r]) => f(r)).filter(finite));
  const context =
    iv.n === 0 && sharedIv.n ? `; cells timed on shared cores (not used for the verdict): ${fmt(sharedIv, d, unit)}` : '';
  return { iv, context, cells: timedCells };
}

/**
 * 2: Blend's pre-processing overhead (k-means + partition + Blend, the with-DC arm's `overheadSeconds`) as a share of
 * the unlearning it serves: CF with DC at the paper's CF epochs (50). Where the cell ran CF at a scaled budget, its
 * time at the paper's epochs is extrapolated from the measured per-epoch time (seconds × paper epochs ÷ our epochs)
 * and the row says "extrapolated". Value claim, tolerance ±5 pp (the share depends on hardware and data size).
 */
function claimBlendOverheadShare(x: ClaimContext): Claim[] {
  const { both2, src, settingOf } = x;
  const cf = (r: ExperimentResult) => {
    const ours = epochsOf(r.spec, 'CF', 'cf_epochs'),
      paper = epochsOf(paperSpecFor(r.spec), 'CF', 'cf_epochs');
    return { ours, paper, factor: ours && paper ? paper / ours : NaN };
  };
  const share = (r: ExperimentResult, part: 'all' | 'blend') => {
    const m = method(r, 'CF', true);
    const { factor } = cf(r);
    if (!m || !finite(factor) || !(m.unlearnSeconds > 0)) return NaN;
    const over = part === 'all' ? m.overheadSeconds : (r.condense?.blendSeconds ?? NaN);
    return (100 * over) / (m.unlearnSeconds * factor);
  };
  const all = timedSplit(x, both2, (r) => share(r, 'all'));
  const blend = interval(all.cells.map(([, r]) => share(r, 'blend')).filter(finite));
  const budgets = [...new Set(both2.map(([, r]) => cf(r)).map((b) => `${b.ours} → ${b.paper}`))];
  const extrapolated = both2.some(([, r]) => cf(r).factor !== 1);
  const v = valueVerdict(all.iv, 7.5, 5);
  return [
    {
      id: 2,
      claim:
        "Blend pre-processing overhead (k-means + partition + Blend) as a share of the unlearning it serves: CF with DC at the paper's 50 epochs (tolerance ±5 pp)",
      paper: '≈7.5%',
      ours:
        `${fmt(all.iv, 1, '%')}${blend.n ? ` (Blend alone ${fmt(blend, 1, '%')})` : ''}` +
        `${extrapolated ? ' (extrapolated)' : ''}${all.context}`,
      setting:
        (extrapolated
          ? `extrapolated: CF's measured per-epoch time × the paper's epochs (CF epochs ${budgets.join(', ')}); `
          : "measured at the paper's CF epochs; ") + `both modes pooled; ${settingOf(both2)}${x.timedNote}`,
      ...verdictFields(v, all.iv.n),
      source: src(all.cells),
    },
  ];
}

/**
 * 18, 19: A-CF + Blend end to end (unlearning + k-means + partition + Blend) against A-CF alone, % change per cell.
 * A-CF runs its paper budget (one epoch) at every preset, so nothing is extrapolated. Direction claims: the paper
 * finds the combination faster for class removal (−8.4 %) and slower for 10 % uniform (+14.2 %).
 */
function claimAcfBlendTotal(x: ClaimContext): Claim[] {
  return (
    [
      [18, 'class', '69.4 s vs 75.8 s (−8.4%)', '<'],
      [19, 'uniform', '87.1 s vs 76.2 s (+14.2%, slower)', '>'],
    ] as const
  ).map(([id, mode, paper, op]) => {
    const cells = x.single(mode);
    const change = (r: ExperimentResult) => {
      const w = method(r, 'A-CF', true),
        wo = method(r, 'A-CF', false);
      return w && wo && wo.unlearnSeconds > 0
        ? 100 * ((w.unlearnSeconds + w.overheadSeconds) / wo.unlearnSeconds - 1)
        : NaN;
    };
    const t = timedSplit(x, cells, change);
    const v = directionVerdict(t.iv, op, 0);
    return {
      id,
      claim: `A-CF + Blend total (incl. k-means, partition, Blend) vs A-CF alone, ${mode === 'class' ? 'class removal' : '10% uniform'}: ${op === '<' ? 'faster' : 'slower'} (% change)`,
      paper,
      ours: `${fmt(t.iv, 1, '%')}${t.context}`,
      setting: `A-CF at its paper budget (one epoch over the retain set); ${x.settingOf(cells)}${x.timedNote}`,
      ...verdictFields(v, t.iv.n),
      source: x.src(t.cells),
    };
  });
}

/**
 * R*: the break-even number of unlearning requests (src/core/results/break-even.ts), per forgetting mode, for A-CF
 * at its paper budget (measured) and for CF read at the paper's 50 epochs (its measured per-epoch saving × the
 * paper's epochs, labelled extrapolated). Cells timed on shared cores are left out. Not a claim of the paper: the row
 * carries the label "lab measure" and no verdict.
 */
function claimBreakEven(x: ClaimContext): Claim[] {
  const rows: Claim[] = [];
  for (const name of ['A-CF', 'CF'] as const) {
    const parts: string[] = [];
    const used: Array<[string, ExperimentResult]> = [];
    let extrapolated = false;
    let sharedOnly = false;
    for (const mode of ['class', 'uniform'] as const) {
      // cells timed alone; when every cell shared its cores, those (labelled) rather than nothing
      const alone = x.timed(x.single(mode));
      const cells = alone.length ? alone : x.single(mode);
      sharedOnly ||= !alone.length && cells.length > 0;
      const factorOf = (r: ExperimentResult) => {
        if (name === 'A-CF') return 1;
        const ours = epochsOf(r.spec, 'CF', 'cf_epochs'),
          paper = epochsOf(paperSpecFor(r.spec), 'CF', 'cf_epochs');
        return ours && paper ? paper / ours : NaN;
      };
      const withParts = cells
        .map(([id, r]) => [id, r, breakEvenParts(r, name, factorOf(r))] as const)
        .filter((t) => t[2] !== null);
      if (!withParts.length) continue;
      extrapolated ||= withParts.some(([, r]) => factorOf(r) !== 1);
      used.push(...withParts.map(([id, r]) => [id, r] as [string, ExperimentResult]));
      parts.push(`${mode}: ${formatBreakEven(breakEven(withParts.map((t) => t[2]!)))}`);
    }
    rows.push({
      id: 'R*',
      claim:
        `Break-even number of unlearning requests for ${name} with DC: k-means (paid once per dataset) ÷ (per-request ` +
        "unlearning saving − per-request Blend + partition); 'never' when the saving does not exceed Blend's cost",
      paper: '–',
      ours: parts.length
        ? parts.join('; ') +
          (extrapolated ? ' (extrapolated)' : '') +
          (sharedOnly ? ' (timed on shared cores: every cell of a mode shared its cores)' : '')
        : '–',
      setting:
        (name === 'CF'
          ? "CF's saving read at the paper's 50 epochs: measured per-epoch saving × the paper's epochs (extrapolated); "
          : 'A-CF at its paper budget (one epoch over the retain set), measured; ') +
        `interval: k-means interval ÷ net-saving interval (docs/claims.md); ${x.settingOf(used)}${x.timedNote}`,
      reproduces: LAB_MEASURE,
      n: used.length,
      rule: 'not a claim of the paper: a number the lab adds (issue 20 item 3)',
      source: x.src(used),
    });
  }
  return rows;
}

/** The reason the multi-round rows give when no multi-round cell has finished. */
const NO_MULTI =
  'no multi-round cell of this plan has finished (`npm run reproduce -- --preset quick --seeds 3 --only multi-` runs them)';
/** The paper's multi-round experiments are on CINIC-10 with ResNet-18; the lab's run on CIFAR-10 with its preset model. */
const MULTI_DEVIATION = 'CIFAR-10, not the paper\'s CINIC-10 (not available offline) nor its ResNet-18';

/**
 * 25–30: the multi-round claims (§4.5), from the multi-round cells: each a direction read on per-cell values; the
 * speed rows use only cells timed alone. Without multi-round cells, "not computable here yet".
 */
function claimMultiRound(x: ClaimContext): Claim[] {
  const { multi } = x;
  const rounds = (r: ExperimentResult) => [...new Set(r.methods.map((m) => m.round))].sort((a, b) => a - b);
  const last = (r: ExperimentResult) => Math.max(...rounds(r));
  const total = (m: MethodResult | undefined) => (m ? m.unlearnSeconds + m.overheadSeconds : NaN);
  type Row = {
    id: number;
    claim: string;
    paper: string;
    f: (r: ExperimentResult) => number;
    op: '>' | '>=' | '<' | '<=';
    threshold: number;
    unit: string;
    speed: boolean;
  };
  const rows: Row[] = [
    {
      id: 25,
      claim: 'SCRUB w/o DC loses test accuracy over the rounds (original − last round, pp; collapse read as > 20 pp)',
      paper: '73.5% → 18.6% (−54.9 pp)',
      f: (r) => r.pretrain.testAcc - (method(r, 'SCRUB', false, last(r))?.metrics.testAcc ?? NaN),
      op: '>',
      threshold: 20,
      unit: ' pp',
      speed: false,
    },
    {
      id: 26,
      claim: 'SCRUB round-0 MIA rises with DC (with − without)',
      paper: '51.58% → 62.48%',
      f: (r) => (method(r, 'SCRUB', true)?.metrics.mia ?? NaN) - (method(r, 'SCRUB', false)?.metrics.mia ?? NaN),
      op: '>',
      threshold: 0,
      unit: '',
      speed: false,
    },
    {
      id: 27,
      claim: "Blend shortens CF's unlearning time over all rounds (% change with DC, overhead excluded)",
      paper: '−4 to −8%',
      f: (r) => 100 * (sumRounds(r, 'CF', true, false) / sumRounds(r, 'CF', false, false) - 1),
      op: '<',
      threshold: 0,
      unit: '%',
      speed: true,
    },
    {
      id: 28,
      claim: 'Round 0, w/o DC: A-CF faster than CF (CF seconds ÷ A-CF seconds)',
      paper: '671.5 s vs 2556.6 s (3.8×); A-SCRUB 1.5× faster than SCRUB',
      f: (r) => (method(r, 'CF', false)?.unlearnSeconds ?? NaN) / (method(r, 'A-CF', false)?.unlearnSeconds ?? NaN),
      op: '>',
      threshold: 1,
      unit: '×',
      speed: true,
    },
    {
      id: 29,
      claim: 'Round 0: A-CF with DC (total incl. overhead) slower than A-CF without (% change)',
      paper: '779.2 s vs 671.5 s (+16.0%)',
      f: (r) => 100 * (total(method(r, 'A-CF', true)) / total(method(r, 'A-CF', false)) - 1),
      op: '>',
      threshold: 0,
      unit: '%',
      speed: true,
    },
    {
      id: 30,
      claim: 'A-CF with DC: runtime (incl. overhead) falls from round 0 to the last round (% change)',
      paper: '−30.2% (round 0 → round 2)',
      f: (r) => 100 * (total(method(r, 'A-CF', true, last(r))) / total(method(r, 'A-CF', true, 0)) - 1),
      op: '<',
      threshold: 0,
      unit: '%',
      speed: true,
    },
  ];
  return rows.map((row) => {
    if (!multi.length) {
      return notComputable(row.id, row.claim, row.paper, `${NO_MULTI}; the paper's setting: CINIC-10, ResNet-18`);
    }
    const t = row.speed
      ? timedSplit(x, multi, row.f, row.id === 28 ? 2 : 1, row.unit)
      : { iv: interval(multi.map(([, r]) => row.f(r)).filter(finite)), context: '', cells: multi };
    const v = directionVerdict(t.iv, row.op, row.threshold);
    const rs = [...new Set(multi.map(([, r]) => rounds(r).length))].join(', ');
    return {
      id: row.id,
      claim: row.claim,
      paper: row.paper,
      ours: `${fmt(t.iv, row.id === 28 ? 2 : 1, row.unit)}${t.context}`,
      setting: `${MULTI_DEVIATION}; ${rs} rounds; ${x.settingOf(multi)}${row.speed ? x.timedNote : ''}`,
      ...verdictFields(v, t.iv.n),
      source: x.src(t.cells),
    };
  });
}

function notComputable(id: number, claim: string, paper: string, reason: string): Claim {
  return {
    id,
    claim,
    paper,
    ours: '–',
    setting: reason,
    reproduces: NOT_COMPUTABLE,
    n: 0,
    rule: reason,
    source: '–',
  };
}

/** The rows of docs/paper-notes.md §9 the lab cannot measure, each with its reason (issue 20 item 3). */
function claimsOutOfReach(): Claim[] {
  return [
    notComputable(
      6,
      'Blend condensation time, CIFAR-10, IPC 2 and 10, ConvNet',
      '8–18 s (0.13–0.31 min)',
      "no committed measurement times Blend alone at IPC 2 and 10 on full CIFAR-10 (results/bench.json holds Blend's speed ratio to DM, claim 3); the paper's seconds are RTX 3070 seconds",
    ),
    notComputable(
      7,
      'GM / DM / IDM condensation time',
      '≈75–300 min',
      "GM and IDM are not implemented; DM's time at the paper's 20,000 iterations enters only as claim 3's ratio",
    ),
    notComputable(
      9,
      'Trainable parameters at IPC 10 (derived in the spec, not stated in the paper)',
      'Blend 50,000 vs DM 307,200',
      'not a measurement: spec §3.2 arithmetic (one blending weight per training image vs IPC × classes × 3 × 32 × 32 pixels), nothing to reproduce',
    ),
    notComputable(
      10,
      'SVHN class removal: reduced retain size',
      '2.2% of retain',
      'no SVHN offline (the lab ships CIFAR-10 only)',
    ),
    notComputable(
      11,
      'SVHN class removal, Pruning total time and accuracy',
      '647.4 s → 23.7 s (−96.3%); −3.9 pp test; MIA +2.4',
      'no SVHN offline (the lab ships CIFAR-10 only)',
    ),
    notComputable(
      21,
      "IPC of the paper's table captions",
      '1000 / 500 / 100 IPC (captions disagree)',
      "a statement about the paper's tables, not a measurement; the lab's IPC per preset is in the budget table",
    ),
    notComputable(
      22,
      'CINIC-10 ResNet-18 over-fit',
      '99.98% train / 73.16% test',
      'no CINIC-10 offline, and pretraining ResNet-18 to 99.98 % train accuracy needs a GPU',
    ),
    notComputable(
      23,
      'Selective condensation (v2) vs raw retain (v7), CINIC-10',
      'time 63.8% of raw; free-retain acc ≈75%; MIA at baseline',
      'no CINIC-10 offline (the experiment is defined on it, with ResNet-18: needs a GPU)',
    ),
    notComputable(
      24,
      'Blend one-time overhead, multi-round CINIC-10 (IPC 800)',
      '95.6 s',
      'no CINIC-10 offline; the multi-round cells here run on CIFAR-10 (their overhead is in claims 29–30)',
    ),
  ];
}

/**
 * The methods of these cells that are not in the paper (cards with `beyondPaper`, docs/modern-baselines.md): one row
 * saying so, with each method's source, so every claims report marks them; no claim reads their results. No row when
 * no cell ran one.
 */
function methodsNotInPaper({ c }: ClaimContext): Claim[] {
  const cells = Object.entries(c.experiments);
  const beyond = METHOD_CARDS.filter((m) => m.beyondPaper && cells.some(([, r]) => r.methods.some((x) => x.name === m.name)));
  if (!beyond.length) return [];
  const names = beyond.map((m) => `${m.name} (${m.beyondPaper!.source})`).join('; ');
  const from = cells.filter(([, r]) => r.methods.some((x) => beyond.some((m) => m.name === x.name)));
  const rule = 'a modern baseline beyond the paper: its results are in the cell reports, and no claim of the paper reads them';
  return [
    {
      id: '–',
      claim: `Methods not in the paper: ${names}`,
      paper: '–',
      ours: 'results in the cell reports only',
      setting: 'docs/modern-baselines.md',
      reproduces: NOT_IN_PAPER,
      n: 0,
      rule,
      source: from.map(([id]) => `cells/${id}.json`).join(', '),
    },
  ];
}

/** The claims of docs/paper-notes.md §9 in report order, one small function per row (or pair of rows). */
const CLAIM_TABLE: ReadonlyArray<(x: ClaimContext) => Claim[]> = [
  claimRetainReduction,
  claimBlendOverheadShare,
  claimReducedRetainSizes,
  claimAcfSpeed,
  claimAcfBlendTotal,
  claimBreakEven,
  claimAamuRuntime,
  claimEndToEnd,
  claimRetrainWithBlend,
  claimRetrainMia,
  claimAcfNearBest,
  claimBlendVsDm,
  claimIpc10Accuracy,
  claimMultiRound,
  claimsOutOfReach,
  methodsNotInPaper,
];

export function buildClaims(c: CellResults): Claim[] {
  const x = claimContext(c);
  return CLAIM_TABLE.flatMap((f) => f(x));
}

export function claimsMarkdown(claims: Claim[]): string {
  const lines = [
    'Verdicts from 95 % t-intervals over seeds: a value claim with a stated tolerance reproduces when our whole ' +
      "interval lies within the paper's value ± the tolerance (a wider interval cannot confirm it: inconclusive), " +
      "without one when the paper's value is inside our interval; a direction / threshold claim when the whole interval is on " +
      'the claimed side, does not when wholly on the other, inconclusive otherwise; n = 1 can only be indicative. ' +
      `"${VACUOUS}": the untouched Original (no unlearning) passes the same rule. "${NOT_COMPUTABLE}": the reason is in the row.` +
      (claims.some((c) => c.reproduces === NOT_IN_PAPER)
        ? ` "${NOT_IN_PAPER}": methods beyond the paper (docs/modern-baselines.md), outside every claim.`
        : '') +
      (claims.some((c) => c.reproduces === LAB_MEASURE)
        ? ` "${LAB_MEASURE}": a number the lab adds (row R*, the break-even number of requests), no claim of the paper.`
        : ''),
    '',
    '| # | claim (paper §9) | paper | ours | setting | n | verdict | from |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of claims) {
    const v =
      c.reproduces === VACUOUS ||
      c.reproduces === NOT_COMPUTABLE ||
      c.reproduces === NOT_IN_PAPER ||
      c.reproduces === LAB_MEASURE
        ? c.reproduces
        : verdictText({ verdict: c.reproduces, leaning: c.leaning, rule: c.rule });
    lines.push(`| ${c.id} | ${c.claim} | ${c.paper} | ${c.ours} | ${c.setting} | ${c.n} | ${v} | ${c.source} |`);
  }
  return lines.join('\n');
}
