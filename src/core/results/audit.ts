/**
 * The per-example unlearning audit (issue 21 items 1–3; docs/audit.md): its settings and presets, the plan (pool,
 * shadow and target halves, the seed's candidates and forget sets) and the analysis of the φ records into the report.
 * tfjs-free: the driver that trains and unlearns the models is src/core/audit/, the CLI `npm run audit`.
 *
 * The game: a target model either was trained on a candidate example and then unlearned it, or never saw it; the
 * attacker must tell which. U-LiRA (Hayes et al. 2024): per candidate, a Gaussian over φ of the shadows that were
 * trained on it and then unlearned it ("in"), one over the shadows that never saw it ("out"), and a likelihood-ratio
 * test on target models trained apart from the shadows.
 */
import type { DatasetId, ModelConfig } from '../types';
import { LabError } from '../types';
import type { ExperimentSpec, HParamValue, MethodName } from '../contracts';
import { Rng } from '../rng';
import {
  bootstrapOverExamples,
  distribution,
  fitGaussians,
  histogram,
  isAtChance,
  isFlagged,
  llrScore,
  separation,
  separationSe,
  type ScoredPair,
} from './audit-stats';

/**
 * 'Original' (no unlearning), a registered method, its condensed arm ('A-CF w/ DC': the method on the reduced retain
 * set of a condensation run per model), or a method the caller supplies (tests: the planted leak).
 */
export type AuditMethod = 'Original' | MethodName | (string & {});

/** The suffix of a method's condensed (w/ DC) arm in the audit, as the lab names the arm elsewhere. */
export const AUDIT_DC_SUFFIX = ' w/ DC';

/** A method's registry name and arm: 'A-CF w/ DC' → { base: 'A-CF', withDC: true }. */
export function auditArm(method: AuditMethod): { base: string; withDC: boolean } {
  return method.endsWith(AUDIT_DC_SUFFIX)
    ? { base: method.slice(0, -AUDIT_DC_SUFFIX.length), withDC: true }
    : { base: method, withDC: false };
}

/**
 * Condensation of a w/ DC arm, run per model on its half (k-means sub-classes on random-ConvNet features, Blend on
 * the clusters free of its forget set; docs/audit.md). The default keeps the lab's ratio of ≈ 5 images per cluster
 * (IPC 30 for a half of 150 images per class) with width-32 feature nets (as the browser and first-look presets).
 */
export interface AuditCondense {
  ipc: number;
  iterations: number;
  netWidth: number;
  kmeansMaxIter: number;
  lrMode: ExperimentSpec['condense']['lrMode'];
}

export const AUDIT_CONDENSE: AuditCondense = {
  ipc: 30,
  iterations: 12,
  netWidth: 32,
  kmeansMaxIter: 100,
  lrMode: 'paper-regime',
};

export interface AuditSettings {
  dataset: DatasetId;
  /** the pool: this many training images per class (drawn once from `poolSeed`, the same for every audit seed) */
  poolPerClass: number;
  poolSeed: number;
  /** candidates: this fraction of each class of the pool, drawn per audit seed; a model's forget set = candidates ∩ its half */
  candidateFraction: number;
  shadows: number;
  /** target models per audit seed (their halves are drawn from the seed) */
  targets: number;
  model: Pick<ModelConfig, 'arch' | 'width'>;
  /** the original's recipe; `targetTrainAcc` stops it once it memorises */
  pretrain: ExperimentSpec['pretrain'];
  /** the methods' epoch budgets × this (their cards' `scaleEpochs`) */
  epochScale: number;
  hparams: Partial<Record<string, Record<string, HParamValue>>>;
  methods: AuditMethod[];
  /** condensation of the w/ DC arms (absent: AUDIT_CONDENSE) */
  condense?: AuditCondense;
  /** one σ per side pooled over the examples (for few shadows) instead of one per example */
  sharedVariance: boolean;
  /** which shadows give the "out" Gaussian: the method's own (unlearned, never saw the example; default) or the originals */
  outShadows: 'unlearned' | 'original';
  bootstrap: number;
}

export const AUDIT_FPRS = [0.01, 0.05] as const;
/**
 * a retain example's exposure "grew" when its separation rose by more than this many standard errors after
 * unlearning (one-sided; ≈ 2.3 % of examples would pass by chance if the two estimates were independent — they share
 * their shadows, so fewer do)
 */
export const EXPOSURE_GREW_Z = 2;
/** the share of examples a z > 2 rule passes by chance under independent estimates: 1 − Φ(2) */
export const EXPOSURE_CHANCE_SHARE = 0.02275;

const PRETRAIN: ExperimentSpec['pretrain'] = {
  epochs: 60,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  batchSize: 64,
  warmup: 1,
  targetTrainAcc: 98,
};

export interface AuditPreset {
  label: string;
  description: string;
  settings: AuditSettings;
}

export const AUDIT_PRESETS: Record<string, AuditPreset> = {
  audit: {
    label: 'Audit (CIFAR-10, 16 shadows + 4 targets)',
    description:
      'CIFAR-10 pool of 300 images per class, ConvNet-3 w32, each model trained on a random half (1,500 images) ' +
      'until 98 % running train accuracy (cap 60 epochs); 10 % of the pool are candidates; the methods at the ' +
      "`bench` budgets × 0.2 (Retrain 20, CF 10 epochs; A-CF's one pass).",
    settings: {
      dataset: 'cifar10',
      poolPerClass: 300,
      poolSeed: 0,
      candidateFraction: 0.1,
      shadows: 16,
      targets: 4,
      model: { arch: 'convnet3', width: 32 },
      pretrain: PRETRAIN,
      epochScale: 0.2,
      hparams: {},
      methods: ['Original', 'Retrain', 'CF', 'A-CF'],
      sharedVariance: false,
      outShadows: 'unlearned',
      bootstrap: 1000,
    },
  },
  'audit-page': {
    label: 'Audit, page size (CIFAR-10 when present, 8 shadows + 4 targets)',
    description:
      'The page’s default: a CIFAR-10 pool of 100 images per class (synthetic when CIFAR-10 is not available), ' +
      'ConvNet-3 w16, each model trained on a random half (500 images) until 98 % running train accuracy (cap 40 ' +
      'epochs); 20 % of the pool are candidates; 8 shadows with shared variance + 4 targets; the methods at the ' +
      '`bench` budgets × 0.1 (Retrain 10, CF 5 epochs; A-CF one pass). About 6 minutes on two busy cores; it ' +
      'resolves little (see the resolution line).',
    settings: {
      dataset: 'cifar10',
      poolPerClass: 100,
      poolSeed: 0,
      candidateFraction: 0.2,
      shadows: 8,
      targets: 4,
      model: { arch: 'convnet3', width: 16 },
      pretrain: { ...PRETRAIN, epochs: 40 },
      epochScale: 0.1,
      hparams: {},
      methods: ['Original', 'Retrain', 'CF', 'A-CF'],
      sharedVariance: true,
      outShadows: 'unlearned',
      bootstrap: 400,
    },
  },
  'audit-smoke': {
    label: 'Audit smoke (synthetic, seconds)',
    description: 'Synthetic data, 16 images per class, ConvNet-3 w8, 6 shadows + 2 targets, shared variance.',
    settings: {
      dataset: 'synthetic',
      poolPerClass: 16,
      poolSeed: 0,
      candidateFraction: 0.25,
      shadows: 6,
      targets: 2,
      model: { arch: 'convnet3', width: 8 },
      pretrain: { ...PRETRAIN, epochs: 4, batchSize: 32, warmup: 0, targetTrainAcc: 100 },
      epochScale: 0.02,
      hparams: {},
      methods: ['Original', 'Retrain', 'CF', 'A-CF'],
      sharedVariance: true,
      outShadows: 'unlearned',
      bootstrap: 200,
    },
  },
};

export function getAuditPreset(name: string): AuditPreset {
  const p = Object.prototype.hasOwnProperty.call(AUDIT_PRESETS, name) ? AUDIT_PRESETS[name] : undefined;
  if (!p) throw new LabError(`unknown audit preset "${name}" (known: ${Object.keys(AUDIT_PRESETS).join(', ')})`, 'audit');
  return p;
}

/** Checks settings; a LabError names the field. */
export function checkAuditSettings(s: AuditSettings): AuditSettings {
  const bad = (field: string, want: string, got: unknown) =>
    new LabError(`audit.${field}: ${want}, got ${JSON.stringify(got)}`, 'audit');
  const int = (field: keyof AuditSettings, lo: number, hi: number) => {
    const v = s[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(field, `an integer in [${lo}, ${hi}]`, v);
  };
  int('poolPerClass', 2, 5000);
  int('poolSeed', 0, 2 ** 31 - 1);
  int('shadows', 2, 1024);
  int('targets', 1, 256);
  int('bootstrap', 0, 100_000);
  if (!(s.candidateFraction > 0 && s.candidateFraction <= 0.5))
    throw bad('candidateFraction', 'a fraction in (0, 0.5]', s.candidateFraction);
  if (!(s.epochScale > 0 && s.epochScale <= 10)) throw bad('epochScale', 'a number in (0, 10]', s.epochScale);
  if (!Array.isArray(s.methods) || !s.methods.length) throw bad('methods', 'a non-empty list', s.methods);
  if (new Set(s.methods).size !== s.methods.length) throw bad('methods', 'a list without repeats', s.methods);
  if (s.outShadows !== 'unlearned' && s.outShadows !== 'original')
    throw bad('outShadows', '"unlearned" or "original"', s.outShadows);
  if (s.condense !== undefined) {
    const c = s.condense;
    const pos = (f: keyof AuditCondense, hi: number) => {
      const v = c[f];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > hi)
        throw bad(`condense.${f}`, `an integer in [1, ${hi}]`, v);
    };
    pos('ipc', s.poolPerClass);
    pos('iterations', 10_000);
    pos('netWidth', 1024);
    pos('kmeansMaxIter', 10_000);
    if (c.lrMode !== 'paper-polynomial' && c.lrMode !== 'paper-regime')
      throw bad('condense.lrMode', '"paper-polynomial" or "paper-regime"', c.lrMode);
  }
  return s;
}

export interface AuditModelPlan {
  /** 'shadow3' or 'seed0-target1' */
  id: string;
  role: 'shadow' | 'target';
  index: number;
  /** the audit seed of a target; null for shadows (shared by every seed) */
  seed: number | null;
  /** pool positions it is trained on (sorted) */
  half: Int32Array;
  /** pool positions it unlearns: candidates ∩ half (sorted) */
  forget: Int32Array;
}

export interface AuditPlan {
  settings: AuditSettings;
  seed: number;
  numClasses: number;
  /** training-set indices of the pool (pool position p ↔ dataset image pool[p]) */
  pool: Int32Array;
  poolLabels: Int32Array;
  /** pool positions of this seed's candidates (sorted) */
  candidates: Int32Array;
  shadows: AuditModelPlan[];
  targets: AuditModelPlan[];
}

const sorted = (a: ArrayLike<number>) => Int32Array.from(a).sort();

/** Per class, `pick(class positions)` → the chosen ones; stratified draws keep every class's share. */
function stratified(labels: Int32Array, numClasses: number, pick: (pos: number[], c: number) => number[]): Int32Array {
  const out: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const pos: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) pos.push(i);
    out.push(...pick(pos, c));
  }
  return sorted(out);
}

function randomHalf(labels: Int32Array, numClasses: number, rng: Rng): Int32Array {
  return stratified(labels, numClasses, (pos) => Array.from(rng.sample(pos, Math.floor(pos.length / 2))));
}

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const s = new Set(b);
  return a.filter((x) => s.has(x));
}

/**
 * The plan of one audit seed. The pool and the shadows' halves come from `poolSeed` only (so shadows trained for one
 * seed serve every seed); the candidates and the targets' halves from the audit seed.
 */
export function planAudit(
  trainLabels: ArrayLike<number>,
  numClasses: number,
  settings: AuditSettings,
  seed: number,
): AuditPlan {
  checkAuditSettings(settings);
  const poolRng = new Rng(`audit-pool:${settings.poolSeed}`);
  const labelsAll = Int32Array.from(trainLabels);
  const poolSel = stratified(labelsAll, numClasses, (pos, c) => {
    if (pos.length < settings.poolPerClass) {
      throw new LabError(
        `audit pool: class ${c} has ${pos.length} training images, the pool wants ${settings.poolPerClass}`,
        'audit',
      );
    }
    return Array.from(poolRng.fork(`class-${c}`).sample(pos, settings.poolPerClass));
  });
  const pool = poolSel;
  const poolLabels = Int32Array.from(pool, (i) => labelsAll[i]);
  const seedRng = new Rng(`audit:${seed}`);
  const candRng = seedRng.fork('candidates');
  const candidates = stratified(poolLabels, numClasses, (pos) =>
    Array.from(candRng.sample(pos, Math.max(1, Math.round(settings.candidateFraction * pos.length)))),
  );
  const model = (role: 'shadow' | 'target', index: number, rng: Rng): AuditModelPlan => {
    const half = randomHalf(poolLabels, numClasses, rng);
    return {
      id: role === 'shadow' ? `shadow${index}` : `seed${seed}-target${index}`,
      role,
      index,
      seed: role === 'shadow' ? null : seed,
      half,
      forget: intersect(half, candidates),
    };
  };
  return {
    settings,
    seed,
    numClasses,
    pool,
    poolLabels,
    candidates,
    shadows: Array.from({ length: settings.shadows }, (_, k) => model('shadow', k, poolRng.fork(`shadow-${k}`))),
    targets: Array.from({ length: settings.targets }, (_, t) => model('target', t, seedRng.fork(`target-${t}`))),
  };
}

/** Where a record of (model, method) is kept: shadows' originals are shared by every seed, the rest are per seed. */
export function auditRecordId(m: AuditModelPlan, method: AuditMethod, seed: number): string {
  const safe = method.replace(/[^A-Za-z0-9+-]/g, '_');
  if (m.role === 'target') return `${m.id}-${safe}`; // the target's id names its seed
  return method === 'Original' ? `${m.id}-Original` : `seed${seed}-${m.id}-${safe}`;
}

/** φ of one model (after `method`) on every pool image, with what it cost. */
export interface AuditRecord {
  phi: number[];
  /** seconds to train the original (0 when it came from the cache) and to apply the method */
  trainSeconds: number;
  methodSeconds: number;
  /** of `methodSeconds`, the condensation of a w/ DC arm (k-means + partition + Blend on the model's half) */
  condenseSeconds?: number;
  /** the same spans in process CPU seconds (all threads), when the driver had a CPU clock */
  trainCpuSeconds?: number;
  methodCpuSeconds?: number;
  /** running train accuracy the original stopped at, its epochs (absent when cached) */
  trainAcc?: number;
  epochs?: number;
}

export interface AuditMethodReport {
  method: AuditMethod;
  shadows: number;
  targets: number;
  candidates: number;
  /** candidates without an "in" or an "out" shadow (not attacked) */
  skipped: number;
  members: number;
  nonMembers: number;
  auc: number;
  aucCi: [number, number];
  /** per AUDIT_FPRS */
  tpr: number[];
  tprCi: Array<[number, number]>;
  /** known-outcome readings: flagged at 1 % FPR (TPR ≥ 5 × FPR); at chance (each TPR's interval contains its FPR) */
  flagged: boolean;
  atChance: boolean;
  /** per-example: quantiles (DISTRIBUTION_QS) of each candidate's separation of its in and out Gaussians */
  separation: number[];
  /** per-pair LLR scores: histograms over [scoreLo, scoreHi] of members and non-members */
  scoreRange: [number, number];
  scoreHist: { members: number[]; nonMembers: number[] };
  /** the most exposed candidates: pool position, dataset index, label, separation */
  mostExposed: Array<{ pos: number; index: number; label: number; separation: number }>;
  /**
   * The population attack on the same pairs, for comparison (the page's Audit view): one threshold for every
   * example on the target's φ (the paper's MIA feature; the loss −log p_y = log(1 + e^−φ) orders the pairs the
   * same way, so this is also the loss-based attack). Same bootstrap as the per-example attack.
   */
  population: { auc: number; aucCi: [number, number]; tpr: number[]; tprCi: Array<[number, number]> };
  /** every candidate (plan.candidates order): dataset index, label, separation (null: not attacked) */
  perCandidate: { index: number[]; label: number[]; separation: Array<number | null> };
  /**
   * Every attacked (target, candidate) pair: `candidate[k]` indexes perCandidate, `target[k]` the target, `member`
   * has '1' where the target unlearned the candidate and '0' where it never saw it; the per-example attack's LLR
   * and the population score φ of the pair, both rounded to 4 decimals (AUDIT_PAIR_DECIMALS).
   */
  pairs: { candidate: number[]; target: number[]; member: string; llr: number[]; phi: number[] };
  /** retain examples (pool, not candidates): separation (trained vs never) under the Original and after the method */
  retain: {
    examined: number;
    /** Δ separation > EXPOSURE_GREW_Z standard errors */
    grew: number;
    grewShare: number;
    /** examined × EXPOSURE_CHANCE_SHARE: what the rule passes by chance */
    chanceCount: number;
    change: number[];
    top: Array<{ pos: number; index: number; label: number; before: number; after: number }>;
  } | null;
}

type PhiOf = (model: AuditModelPlan, method: AuditMethod) => ArrayLike<number> | null;

/** Decimals kept of each pair's scores and each candidate's separation in the report (audit.json stays small). */
export const AUDIT_PAIR_DECIMALS = 4;
const roundPair = (x: number) => Math.round(x * 10 ** AUDIT_PAIR_DECIMALS) / 10 ** AUDIT_PAIR_DECIMALS;

/** Shadows' φ of `pos` split by membership: in = `inWhen(model)`, out = never trained on it. */
function sides(
  plan: AuditPlan,
  shadows: AuditModelPlan[],
  pos: number,
  phiIn: (m: AuditModelPlan) => ArrayLike<number>,
  phiOut: (m: AuditModelPlan) => ArrayLike<number>,
  inWhen: (m: AuditModelPlan, pos: number) => boolean,
) {
  const vin: number[] = [],
    vout: number[] = [];
  for (const m of shadows) {
    if (inWhen(m, pos)) vin.push(phiIn(m)[pos]);
    else if (!has(m.half, pos)) vout.push(phiOut(m)[pos]);
  }
  return { vin, vout };
}

const has = (a: Int32Array, x: number) => {
  let lo = 0,
    hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === x) return true;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
};

/**
 * The report of one method from the φ records (`phiOf` returns null for a record not finished yet: those models are
 * left out and counted). Needs ≥ 2 shadows and 1 target with records.
 */
export function analyseAuditMethod(plan: AuditPlan, method: AuditMethod, phiOf: PhiOf): AuditMethodReport {
  const s = plan.settings;
  const outMethod: AuditMethod = s.outShadows === 'original' ? 'Original' : method;
  const shadows = plan.shadows.filter((m) => phiOf(m, method) && phiOf(m, outMethod));
  const targets = plan.targets.filter((m) => phiOf(m, method));
  if (shadows.length < 2 || !targets.length) {
    throw new LabError(
      `audit ${method}: ${shadows.length} shadow(s) and ${targets.length} target(s) finished; needs ≥ 2 and ≥ 1`,
      'audit',
    );
  }
  const cands = Array.from(plan.candidates);
  const fits = fitGaussians(
    ...((): [number[][], number[][]] => {
      const ins: number[][] = [],
        outs: number[][] = [];
      for (const pos of cands) {
        const { vin, vout } = sides(
          plan,
          shadows,
          pos,
          (m) => phiOf(m, method)!,
          (m) => phiOf(m, outMethod)!,
          (m, p) => has(m.forget, p),
        );
        ins.push(vin);
        outs.push(vout);
      }
      return [ins, outs];
    })(),
    { sharedVariance: s.sharedVariance },
  );
  const pairs: ScoredPair[] = [];
  const popPairs: ScoredPair[] = [];
  const kept: AuditMethodReport['pairs'] = { candidate: [], target: [], member: '', llr: [], phi: [] };
  const memberBits: string[] = [];
  cands.forEach((pos, e) => {
    const f = fits[e];
    if (!f) return;
    for (const t of targets) {
      const phi = phiOf(t, method)![pos];
      const member = has(t.forget, pos);
      const score = llrScore(phi, f);
      pairs.push({ example: pos, score, member });
      popPairs.push({ example: pos, score: phi, member });
      kept.candidate.push(e);
      kept.target.push(t.index);
      memberBits.push(member ? '1' : '0');
      kept.llr.push(roundPair(score));
      kept.phi.push(roundPair(phi));
    }
  });
  kept.member = memberBits.join('');
  const members = pairs.filter((p) => p.member).length;
  if (!members || members === pairs.length) {
    throw new LabError(`audit ${method}: the targets give ${members} member pairs of ${pairs.length}`, 'audit');
  }
  const boot = bootstrapOverExamples(pairs, AUDIT_FPRS, s.bootstrap, new Rng(`audit:${plan.seed}`).fork(`bootstrap-${method}`));
  const pop = bootstrapOverExamples(
    popPairs,
    AUDIT_FPRS,
    s.bootstrap,
    new Rng(`audit:${plan.seed}`).fork(`bootstrap-population-${method}`),
  );
  const seps = cands.map((_, e) => (fits[e] ? separation(fits[e]) : NaN));
  const scores = pairs.map((p) => p.score).filter(Number.isFinite);
  const q = distribution(scores);
  const lo = q[1],
    hi = q[5] > lo ? q[5] : lo + 1;
  const exposed = cands
    .map((pos, e) => ({ pos, index: plan.pool[pos], label: plan.poolLabels[pos], separation: seps[e] }))
    .filter((x) => Number.isFinite(x.separation))
    .sort((a, b) => b.separation - a.separation)
    .slice(0, 10);
  return {
    method,
    shadows: shadows.length,
    targets: targets.length,
    candidates: cands.length,
    skipped: fits.filter((f) => !f).length,
    members,
    nonMembers: pairs.length - members,
    auc: boot.point.auc,
    aucCi: boot.aucCi,
    tpr: boot.point.tpr,
    tprCi: boot.tprCi,
    flagged: isFlagged(boot.point.tpr[0], AUDIT_FPRS[0]),
    atChance: AUDIT_FPRS.every((f, k) => isAtChance(boot.tprCi[k], f)),
    separation: distribution(seps),
    scoreRange: [lo, hi],
    scoreHist: {
      members: histogram(
        pairs.filter((p) => p.member).map((p) => p.score),
        lo,
        hi,
        20,
      ),
      nonMembers: histogram(
        pairs.filter((p) => !p.member).map((p) => p.score),
        lo,
        hi,
        20,
      ),
    },
    mostExposed: exposed,
    population: { auc: pop.point.auc, aucCi: pop.aucCi, tpr: pop.point.tpr, tprCi: pop.tprCi },
    perCandidate: {
      index: cands.map((pos) => plan.pool[pos]),
      label: cands.map((pos) => plan.poolLabels[pos]),
      separation: seps.map((x) => (Number.isFinite(x) ? roundPair(x) : null)),
    },
    pairs: kept,
    retain: method === 'Original' ? null : retainExposure(plan, method, phiOf),
  };
}

/**
 * Retain examples (pool images that are not candidates, so no model ever unlearns them): the separation of φ between
 * shadows trained on them and shadows that never saw them, under the Original and after `method`. Per example the
 * same shadows on both sides, so the change is the method's.
 */
function retainExposure(plan: AuditPlan, method: AuditMethod, phiOf: PhiOf): AuditMethodReport['retain'] {
  const shadows = plan.shadows.filter((m) => phiOf(m, method) && phiOf(m, 'Original'));
  if (shadows.length < 2) return null;
  const cand = new Set(plan.candidates);
  const pos = Array.from({ length: plan.pool.length }, (_, i) => i).filter((i) => !cand.has(i));
  const fit = (m: AuditMethod) => {
    const ins: number[][] = [],
      outs: number[][] = [];
    for (const p of pos) {
      const { vin, vout } = sides(
        plan,
        shadows,
        p,
        (x) => phiOf(x, m)!,
        (x) => phiOf(x, m)!,
        (x, q) => has(x.half, q),
      );
      ins.push(vin);
      outs.push(vout);
    }
    return fitGaussians(ins, outs, { sharedVariance: plan.settings.sharedVariance });
  };
  const before = fit('Original');
  const after = fit(method);
  const rows = pos
    .map((p, i) => {
      const b = before[i],
        a = after[i];
      return b && a
        ? {
            pos: p,
            index: plan.pool[p],
            label: plan.poolLabels[p],
            before: separation(b),
            after: separation(a),
            seBefore: separationSe(b),
            seAfter: separationSe(a),
          }
        : null;
    })
    .filter((r): r is NonNullable<typeof r> => r !== null);
  const change = rows.map((r) => r.after - r.before);
  const grew = rows.filter((r, i) => change[i] > EXPOSURE_GREW_Z * Math.hypot(r.seBefore, r.seAfter)).length;
  return {
    examined: rows.length,
    grew,
    grewShare: rows.length ? grew / rows.length : NaN,
    chanceCount: rows.length * EXPOSURE_CHANCE_SHARE,
    change: distribution(change),
    top: rows
      .map((r, i) => ({ r, d: change[i] }))
      .sort((a, b) => b.d - a.d)
      .slice(0, 10)
      .map(({ r }) => ({ pos: r.pos, index: r.index, label: r.label, before: r.before, after: r.after })),
  };
}

/** A one-line statement of the game, printed next to the numbers. */
export const AUDIT_GAME =
  'The game: a target model either was trained on a candidate example and then unlearned it, or never saw it; the ' +
  'attacker (per-example likelihood ratio over shadow models, U-LiRA) must tell which. AUC 0.5 and TPR = FPR are ' +
  'chance: the unlearning left nothing an attacker with these shadows can find.';
