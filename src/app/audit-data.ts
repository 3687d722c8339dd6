/**
 * The Audit view's data (issue 21 item 4; docs/audit.md "On the page"): an audit as the page shows it — from a job
 * run in this browser, from an `audit.json` of `npm run audit` loaded into the page, or from the committed one — and
 * the builders of its panels: the scatter of the per-example score against the population score, the ROC on log
 * axes, the gallery of the most exposed candidates next to Retrain, and how little the audit can resolve.
 *
 * The population score paired with each (target, candidate) pair is φ = log(p_y / (1 − p_y)) of the target on the
 * candidate: the paper's MIA feature. A population attack puts one threshold on it for every example; the loss
 * −log p_y = log(1 + e^−φ) orders the pairs the same way, so it is also the loss-based attack. The per-example
 * score is U-LiRA's likelihood ratio log N(φ; in) − log N(φ; out) with that candidate's own Gaussians.
 *
 * Pure (no React, no DOM); unit-tested in audit-data.test.ts.
 */
import {
  AUDIT_FPRS,
  AUDIT_GAME,
  checkAuditSettings,
  empiricalRoc,
  tprAtFpr,
  type AuditMethodReport,
  type AuditSettings,
  type RocPoint,
} from '../core/lite';
import type { AuditDataRef, AuditJobResult } from '../worker/protocol';

/** One method's report of one seed (or why there is none). */
export interface AuditRow {
  seed: number;
  method: string;
  report?: AuditMethodReport;
  error?: string;
}

/** An audit as the view shows it. */
export interface AuditDoc {
  origin: 'live' | 'file' | 'committed';
  /** where it comes from, in words (a file name, or this browser's job) */
  label: string;
  createdAt?: string;
  command?: string;
  settings: AuditSettings;
  /** the images it was played on (the gallery asks the worker for them) */
  data: AuditDataRef;
  notice?: string;
  seeds: number[];
  rows: AuditRow[];
  /** records that were not finished when it was written (a partial audit.json) */
  missing: string[];
  /** whether every report carries pairs, per-candidate scores and the population attack (audit.json before them: no) */
  detailed: boolean;
}

/** The largest audit.json the view reads (the committed default is well under it). */
export const MAX_AUDIT_JSON_CHARS = 50_000_000;

/** The data reference of settings: the synthetic one as `npm run audit` generates it (seed 0, 8 test per class). */
export function dataRefOf(s: AuditSettings): AuditDataRef {
  return s.dataset === 'synthetic'
    ? { id: 'synthetic', trainPerClass: s.poolPerClass, testPerClass: 8 }
    : { id: s.dataset };
}

/** A finished job of this browser as a doc. */
export function docFromJob(r: AuditJobResult, startedAt?: number): AuditDoc {
  return {
    origin: 'live',
    label: `this browser (preset ${r.preset}, seed ${r.seed})`,
    ...(startedAt ? { createdAt: new Date(startedAt).toISOString() } : {}),
    settings: r.settings,
    data:
      r.data.id === 'synthetic'
        ? { id: 'synthetic', trainPerClass: r.data.trainPerClass, testPerClass: r.data.testPerClass }
        : { id: r.data.id },
    ...(r.notice ? { notice: r.notice } : {}),
    seeds: [r.seed],
    rows: r.reports.map((x) => ({ seed: r.seed, ...x })),
    missing: [],
    detailed: r.reports.every((x) => !x.report || isDetailed(x.report)),
  };
}

const isDetailed = (r: Partial<AuditMethodReport>) => !!(r.pairs && r.perCandidate && r.population);

// ---- reading an audit.json --------------------------------------------------------------------------------------

class Bad extends Error {}
type J = Record<string, unknown>;

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const got = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

function num(v: unknown, where: string, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi)
    throw new Bad(`${where}: expected a number${Number.isFinite(lo) ? ` in [${lo}, ${hi}]` : ''}, got ${got(v)}`);
  return v;
}
function int(v: unknown, where: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
  const n = num(v, where, lo, hi);
  if (!Number.isInteger(n)) throw new Bad(`${where}: expected an integer, got ${got(v)}`);
  return n;
}
function arr(v: unknown, where: string, len?: number): unknown[] {
  if (!Array.isArray(v)) throw new Bad(`${where}: expected a list, got ${got(v)}`);
  if (len !== undefined && v.length !== len) throw new Bad(`${where}: expected ${len} entries, got ${v.length}`);
  return v;
}
const nums = (v: unknown, where: string, len?: number) => arr(v, where, len).map((x, i) => num(x, `${where}[${i}]`));
const ci = (v: unknown, where: string): [number, number] => {
  const [a, b] = arr(v, where, 2).map((x, i) => (x === null ? NaN : num(x, `${where}[${i}]`)));
  return [a, b];
};

function checkReport(v: unknown, where: string, fprs: number): AuditMethodReport {
  if (!isObj(v)) throw new Bad(`${where}: expected an object`);
  if (typeof v.method !== 'string' || !v.method) throw new Bad(`${where}.method: expected a method name`);
  num(v.auc, `${where}.auc`, 0, 1);
  ci(v.aucCi, `${where}.aucCi`);
  nums(v.tpr, `${where}.tpr`, fprs);
  arr(v.tprCi, `${where}.tprCi`, fprs).forEach((c, i) => ci(c, `${where}.tprCi[${i}]`));
  const members = int(v.members, `${where}.members`, 1);
  const nonMembers = int(v.nonMembers, `${where}.nonMembers`, 1);
  int(v.shadows, `${where}.shadows`, 0);
  int(v.targets, `${where}.targets`, 0);
  if (v.population !== undefined) {
    const p = v.population;
    if (!isObj(p)) throw new Bad(`${where}.population: expected an object`);
    num(p.auc, `${where}.population.auc`, 0, 1);
    ci(p.aucCi, `${where}.population.aucCi`);
    nums(p.tpr, `${where}.population.tpr`, fprs);
    arr(p.tprCi, `${where}.population.tprCi`, fprs).forEach((c, i) => ci(c, `${where}.population.tprCi[${i}]`));
  }
  let nCand = -1;
  if (v.perCandidate !== undefined) {
    const c = v.perCandidate;
    if (!isObj(c)) throw new Bad(`${where}.perCandidate: expected an object`);
    nCand = arr(c.index, `${where}.perCandidate.index`).length;
    arr(c.index, `${where}.perCandidate.index`).forEach((x, i) => int(x, `${where}.perCandidate.index[${i}]`));
    arr(c.label, `${where}.perCandidate.label`, nCand).forEach((x, i) => int(x, `${where}.perCandidate.label[${i}]`));
    arr(c.separation, `${where}.perCandidate.separation`, nCand).forEach((x, i) => {
      if (x !== null) num(x, `${where}.perCandidate.separation[${i}]`);
    });
  }
  if (v.pairs !== undefined) {
    const p = v.pairs;
    if (!isObj(p)) throw new Bad(`${where}.pairs: expected an object`);
    if (nCand < 0) throw new Bad(`${where}.pairs: needs perCandidate next to it`);
    const n = members + nonMembers;
    arr(p.candidate, `${where}.pairs.candidate`, n).forEach((x, i) =>
      int(x, `${where}.pairs.candidate[${i}]`, 0, nCand - 1),
    );
    arr(p.target, `${where}.pairs.target`, n).forEach((x, i) => int(x, `${where}.pairs.target[${i}]`));
    if (typeof p.member !== 'string' || !/^[01]*$/.test(p.member) || p.member.length !== n)
      throw new Bad(`${where}.pairs.member: expected ${n} characters 0 or 1`);
    const m = [...p.member].filter((c) => c === '1').length;
    if (m !== members) throw new Bad(`${where}.pairs.member: ${m} member pairs, the report says ${members}`);
    nums(p.llr, `${where}.pairs.llr`, n);
    nums(p.phi, `${where}.pairs.phi`, n);
  }
  return v as unknown as AuditMethodReport;
}

/**
 * Reads an audit.json (`npm run audit`'s output, or one exported from this page): checks every field the view uses
 * and throws an Error naming the place of the first problem (`audit.json: reports[2].report.pairs.llr[7]: …`).
 */
export function parseAuditJson(json: unknown, label: string, origin: 'file' | 'committed' = 'file'): AuditDoc {
  const where = label;
  try {
    if (!isObj(json)) throw new Bad(`${where}: expected a JSON object (an audit.json of npm run audit)`);
    if (!isObj(json.settings)) throw new Bad(`${where}.settings: missing (is this an audit.json of npm run audit?)`);
    let settings: AuditSettings;
    try {
      settings = checkAuditSettings(json.settings as unknown as AuditSettings);
    } catch (e) {
      throw new Bad(`${where}.settings: ${(e as Error).message}`);
    }
    if (!['cifar10', 'svhn', 'synthetic'].includes(settings.dataset))
      throw new Bad(`${where}.settings.dataset: expected cifar10, svhn or synthetic, got ${got(settings.dataset)}`);
    const fprs = json.fprs === undefined ? AUDIT_FPRS.length : nums(json.fprs, `${where}.fprs`).length;
    if (fprs !== AUDIT_FPRS.length || (Array.isArray(json.fprs) && json.fprs.some((f, i) => f !== AUDIT_FPRS[i])))
      throw new Bad(`${where}.fprs: expected ${JSON.stringify(AUDIT_FPRS)}`);
    const rows: AuditRow[] = arr(json.reports, `${where}.reports`).map((r, i) => {
      const w = `${where}.reports[${i}]`;
      if (!isObj(r)) throw new Bad(`${w}: expected an object`);
      const seed = int(r.seed, `${w}.seed`);
      if (r.report !== undefined) {
        const report = checkReport(r.report, `${w}.report`, fprs);
        return { seed, method: report.method, report };
      }
      if (typeof r.error !== 'string') throw new Bad(`${w}: needs a report or an error`);
      return { seed, method: r.error.split(':')[0] || '?', error: r.error };
    });
    if (!rows.some((r) => r.report)) throw new Bad(`${where}.reports: no method has a report`);
    const missing = json.missing === undefined ? [] : arr(json.missing, `${where}.missing`).map(String);
    return {
      origin,
      label,
      ...(typeof json.createdAt === 'string' ? { createdAt: json.createdAt } : {}),
      ...(typeof json.command === 'string' ? { command: json.command } : {}),
      settings,
      data: dataRefOf(settings),
      seeds: [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b),
      rows,
      missing,
      detailed: rows.every((r) => !r.report || isDetailed(r.report)),
    };
  } catch (e) {
    if (e instanceof Bad) throw new Error(e.message);
    throw e;
  }
}

/** Parses the text of a dropped or chosen audit.json (size-capped), naming the file in every error. */
export function parseAuditText(text: string, name: string): AuditDoc {
  if (text.length > MAX_AUDIT_JSON_CHARS)
    throw new Error(`${name}: ${text.length} characters, more than the ${MAX_AUDIT_JSON_CHARS} an audit.json may have`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
  return parseAuditJson(json, name);
}

/**
 * An audit as an audit.json in `npm run audit`'s format (what `parseAuditJson` reads back): its settings, the FPRs
 * and every report, with where it came from.
 */
export function auditJsonOf(doc: AuditDoc, now = new Date()): string {
  return JSON.stringify(
    {
      createdAt: doc.createdAt ?? now.toISOString(),
      command: doc.command ?? `the page's Audit view: ${doc.label}`,
      game: AUDIT_GAME,
      settings: doc.settings,
      fprs: AUDIT_FPRS,
      missing: doc.missing,
      ...(doc.notice ? { notice: doc.notice } : {}),
      reports: doc.rows.map((r) => (r.report ? { seed: r.seed, report: r.report } : { seed: r.seed, error: r.error })),
    },
    null,
    1,
  );
}

// ---- panels -----------------------------------------------------------------------------------------------------

/** The pairs of a report, decoded. */
export function pairsOf(r: AuditMethodReport) {
  const p = r.pairs;
  return p.llr.map((llr, k) => ({
    llr,
    phi: p.phi[k],
    member: p.member[k] === '1',
    target: p.target[k],
    index: r.perCandidate.index[p.candidate[k]],
    label: r.perCandidate.label[p.candidate[k]],
  }));
}

/**
 * The score above which an attack flags at most `fpr` of the non-member pairs: with N of them and k = ⌊fpr·N⌋, the
 * (k+1)-th largest non-member score (flagging is "score > threshold").
 */
export function thresholdAt(nonMemberScores: number[], fpr: number): number {
  const s = [...nonMemberScores].sort((a, b) => b - a);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.floor(fpr * s.length))];
}

export interface ScatterData {
  points: Array<{ x: number; y: number; member: boolean; index: number; label: number; target: number }>;
  fpr: number;
  /** per-example (LLR) and population (φ) thresholds at `fpr`, from the non-member pairs */
  threshold: { llr: number; phi: number };
  /** the member pairs (targets that unlearned the candidate) by which attack flags them at `fpr` */
  members: { both: number; perExampleOnly: number; populationOnly: number; neither: number; total: number };
  /** the same for the non-member pairs (false positives; each attack flags at most ⌊fpr·N⌋) */
  nonMembers: { both: number; perExampleOnly: number; populationOnly: number; neither: number; total: number };
}

/** The scatter: one point per (target, candidate) pair, x = population score φ, y = the per-example LLR. */
export function scatterData(r: AuditMethodReport, fpr = 0.05): ScatterData {
  const pairs = pairsOf(r);
  const non = pairs.filter((p) => !p.member);
  const threshold = {
    llr: thresholdAt(
      non.map((p) => p.llr),
      fpr,
    ),
    phi: thresholdAt(
      non.map((p) => p.phi),
      fpr,
    ),
  };
  const tally = (ps: typeof pairs) => {
    const t = { both: 0, perExampleOnly: 0, populationOnly: 0, neither: 0, total: ps.length };
    for (const p of ps) {
      const a = p.llr > threshold.llr,
        b = p.phi > threshold.phi;
      if (a && b) t.both++;
      else if (a) t.perExampleOnly++;
      else if (b) t.populationOnly++;
      else t.neither++;
    }
    return t;
  };
  return {
    points: pairs.map((p) => ({
      x: p.phi,
      y: p.llr,
      member: p.member,
      index: p.index,
      label: p.label,
      target: p.target,
    })),
    fpr,
    threshold,
    members: tally(pairs.filter((p) => p.member)),
    nonMembers: tally(non),
  };
}

/** FPRs from `lo` to 1, `n` per decade on a log scale (the ROC's grid). */
export function logGrid(lo: number, perDecade = 24): number[] {
  const out: number[] = [];
  const a = Math.log10(lo);
  const steps = Math.max(1, Math.ceil(-a * perDecade));
  for (let i = 0; i <= steps; i++) out.push(i === 0 ? lo : i === steps ? 1 : 10 ** (a + (-a * i) / steps));
  return out;
}

export interface RocCurves {
  /** the smallest non-zero FPR these pairs can show: 1 / non-member pairs */
  minFpr: number;
  /** TPR 0 is drawn here (a log axis has no 0): half of 1 / member pairs */
  tprFloor: number;
  perExample: RocPoint[];
  population: RocPoint[];
}

/**
 * Both attacks' ROC on a log grid of FPRs from 1/N (N non-member pairs) to 1, the TPR at each grid FPR interpolated
 * between the empirical ROC's vertices as the report's TPRs are (tprAtFpr); TPR 0 is raised to `tprFloor`.
 */
export function rocCurves(r: AuditMethodReport): RocCurves {
  const pairs = pairsOf(r);
  const member = pairs.map((p) => p.member);
  const minFpr = 1 / r.nonMembers;
  const tprFloor = 1 / (2 * r.members);
  const grid = logGrid(minFpr);
  const curve = (scores: number[]) => {
    const roc = empiricalRoc(scores, member);
    return grid.map((fpr) => ({ fpr, tpr: Math.max(tprFloor, tprAtFpr(roc, fpr)) }));
  };
  return {
    minFpr,
    tprFloor,
    perExample: curve(pairs.map((p) => p.llr)),
    population: curve(pairs.map((p) => p.phi)),
  };
}

export interface Resolution {
  members: number;
  nonMembers: number;
  /** 1 / non-member pairs */
  minFpr: number;
  /** non-member pairs above the threshold at 1 % FPR: ⌊0.01 · N⌋ */
  atOnePercent: number;
  /** the TPR at 1 % FPR and the width of its 95 % interval */
  tpr1: number;
  tpr1Ci: [number, number];
  tpr1Width: number;
  text: string;
}

const pct = (x: number, d = 1) => (Number.isFinite(x) ? `${(100 * x).toFixed(d)} %` : '–');

/** How little an audit can resolve: its pair counts, the smallest FPR it can show, the width of the TPR@1 % interval. */
export function resolutionOf(r: AuditMethodReport): Resolution {
  const N = r.nonMembers;
  const atOne = Math.floor(0.01 * N);
  const [lo, hi] = r.tprCi[0];
  const width = hi - lo;
  const text =
    `${r.members} member and ${N} non-member pairs (${r.candidates} candidates × ${r.targets} targets, ` +
    `${r.shadows} shadows): the smallest FPR it can show is 1/${N} = ${pct(1 / N, 2)}; ` +
    (atOne === 0
      ? 'at 1 % FPR not one non-member pair may be flagged, so the TPR there is interpolated from (0, 0) to the first ' +
        'vertex of the ROC — it says very little; '
      : `at 1 % FPR the threshold lets ${atOne} non-member pair${atOne === 1 ? '' : 's'} through; `) +
    `TPR at 1 % FPR ${pct(r.tpr[0])} with a 95 % interval [${pct(lo)}, ${pct(hi)}] (${(100 * width).toFixed(1)} ` +
    'percentage points wide).';
  return {
    members: r.members,
    nonMembers: N,
    minFpr: 1 / N,
    atOnePercent: atOne,
    tpr1: r.tpr[0],
    tpr1Ci: [lo, hi],
    tpr1Width: width,
    text,
  };
}

export interface GalleryItem {
  index: number;
  label: number;
  /** the candidate's separation after this method, and after Retrain (null: not attacked, or no Retrain) */
  separation: number;
  retrain: number | null;
  /** the per-example score on the targets that unlearned it (mean), null when no target did */
  memberLlr: number | null;
}

export interface GalleryRow {
  method: string;
  items: GalleryItem[];
}

/**
 * The gallery of one seed: for every method, its `k` most exposed candidates (largest separation of their in and out
 * Gaussians) with the same candidate's separation after Retrain next to it; Retrain's own row last.
 */
export function galleryRows(rows: AuditRow[], k = 8): GalleryRow[] {
  const found = rows.find((r) => r.method === 'Retrain')?.report;
  const retrain = found && isDetailed(found) ? found : undefined;
  const retrainSep = new Map<number, number | null>();
  retrain?.perCandidate.index.forEach((idx, e) => retrainSep.set(idx, retrain.perCandidate.separation[e]));
  const ordered = [...rows.filter((r) => r.method !== 'Retrain'), ...rows.filter((r) => r.method === 'Retrain')];
  return ordered
    .filter((r): r is AuditRow & { report: AuditMethodReport } => !!r.report && isDetailed(r.report))
    .map(({ method, report }) => {
      const llrSum = new Map<number, { s: number; n: number }>();
      for (const p of pairsOf(report)) {
        if (!p.member) continue;
        const a = llrSum.get(p.index) ?? { s: 0, n: 0 };
        llrSum.set(p.index, { s: a.s + p.llr, n: a.n + 1 });
      }
      const c = report.perCandidate;
      const items = c.index
        .map((index, e) => ({ index, label: c.label[e], sep: c.separation[e] }))
        .filter((x): x is { index: number; label: number; sep: number } => x.sep !== null)
        .sort((a, b) => b.sep - a.sep)
        .slice(0, k)
        .map((x) => {
          const m = llrSum.get(x.index);
          return {
            index: x.index,
            label: x.label,
            separation: x.sep,
            retrain: retrain ? (retrainSep.get(x.index) ?? null) : null,
            memberLlr: m ? m.s / m.n : null,
          };
        });
      return { method, items };
    });
}

/** The dataset indices the gallery shows (every row's). */
export function galleryIndicesOf(rows: GalleryRow[]): number[] {
  return [...new Set(rows.flatMap((r) => r.items.map((i) => i.index)))];
}

/** The reading of a report against the known outcomes (flagged: TPR@1 % ≥ 5 × FPR; at chance: intervals hold the FPR). */
export function readingOf(r: AuditMethodReport): string {
  return r.flagged ? 'flagged (TPR@1 % ≥ 5 × FPR)' : r.atChance ? 'at chance' : 'neither';
}
