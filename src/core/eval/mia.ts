/**
 * Membership-inference scores.
 *
 * 1. The paper's score (`LiRA_MIA` in the reference code, docs/paper-notes.md §7.2). The name is a misnomer: there
 *    are no shadow models and no per-example likelihood ratio. It is a logistic-regression membership classifier
 *    on LiRA's *logit-scaled confidence* feature φ, scored by 5-fold cross-validated ROC-AUC ×100, with the
 *    "≤ 42 → swap roles and take the max" rule. UI name: **"LR-MIA on logit-confidence, AUC%"**.
 *    ≈50 = the attacker cannot tell forget examples from unseen test examples of the same classes.
 * 2. The NeurIPS 2023 unlearning-challenge kit's loss-based score (`lossLrMia`): logistic regression on the
 *    per-example cross-entropy loss, forget vs test, balanced counts, stratified folds, mean accuracy ×100.
 *    UI name: **"Loss-LR MIA accuracy %"**.
 */
import { LabError } from '../types';
import type { Rng } from '../rng';
import { auc, crossValPredictProba, fitLogReg1D, stratifiedKFold } from './logreg';

/** The swap threshold of the reference code: s₁ ≤ 42 → also score with roles swapped and keep the max. */
export const MIA_SWAP_THRESHOLD = 42;

export interface MiaOptions {
  /** cross-validation folds; default 5 */
  folds?: number;
  /**
   * bootstrap resamples for the standard error (default 200; 0 = no SE). What is resampled: the 2m pooled
   * out-of-fold attack scores, each side (A and B') with replacement at its own size m; the AUC is recomputed on
   * every resample. The attack is not refitted, so the SE covers the sampling of the evaluated examples, not
   * the variance of the fitted 1-D logistic regression (which is small: two parameters on 2m points).
   */
  bootstrap?: number;
}

/** Bootstrap resamples of the MIA's standard error unless MiaOptions.bootstrap says otherwise. */
export const MIA_BOOTSTRAP_RESAMPLES = 200;

export interface MiaScore {
  /** 100·AUC */
  score: number;
  /** bootstrap standard error of the score, in AUC points (NaN when bootstrap = 0) */
  se: number;
  /** examples per side (m) */
  perSide: number;
  /** out-of-fold attack probabilities of class 1 (side B'), for side A's m samples and side B''s m samples */
  oof: { a: Float64Array; b: Float64Array };
}

/**
 * `lira_MIA(model, A, B)` of the reference code (docs/paper-notes.md §7.2 step 2), on precomputed φ:
 * B' = the elements of B whose label occurs in A; both sides are shuffled with the rng and truncated to
 * m = min(|A|, |B'|); features φ, membership labels 0 for A and 1 for B'; 1-D logistic regression
 * (L2, C = 1) with stratified 5-fold CV; the pooled out-of-fold probabilities of class 1 give the ROC-AUC;
 * returns 100·AUC. (The reference repeats this 20× with fixed folds — identical values — so once suffices.)
 */
export function liraMiaScore(
  phiA: ArrayLike<number>,
  labelsA: ArrayLike<number>,
  phiB: ArrayLike<number>,
  labelsB: ArrayLike<number>,
  rng: Rng,
  opts: MiaOptions = {},
): number {
  return liraMia(phiA, labelsA, phiB, labelsB, rng, { ...opts, bootstrap: 0 }).score;
}

/** `liraMiaScore` with its bootstrap standard error and the number of examples per side. */
export function liraMia(
  phiA: ArrayLike<number>,
  labelsA: ArrayLike<number>,
  phiB: ArrayLike<number>,
  labelsB: ArrayLike<number>,
  rng: Rng,
  opts: MiaOptions = {},
): MiaScore {
  const k = opts.folds ?? 5;
  if (phiA.length !== labelsA.length || phiB.length !== labelsB.length) {
    throw new LabError('φ and label arrays differ in length', 'liraMiaScore');
  }
  const classesA = new Set<number>();
  for (let i = 0; i < labelsA.length; i++) classesA.add(labelsA[i]);
  const bKeep: number[] = [];
  for (let i = 0; i < labelsB.length; i++) if (classesA.has(labelsB[i])) bKeep.push(i);
  const m = Math.min(phiA.length, bKeep.length);
  if (m < k) {
    throw new LabError(
      `needs at least ${k} examples per side, got |A| = ${phiA.length}, |B'| = ${bKeep.length}`,
      'liraMiaScore',
    );
  }
  const orderA = rng.fork('shuffleA').permutation(phiA.length);
  const orderB = rng.fork('shuffleB').shuffle(Int32Array.from(bKeep));
  const x = new Float64Array(2 * m);
  const y = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) {
    x[i] = phiA[orderA[i]];
    x[m + i] = phiB[orderB[i]];
    y[m + i] = 1;
  }
  const folds = stratifiedKFold(y, k, rng.fork('folds'));
  const proba = crossValPredictProba(x, y, folds);
  const score = 100 * auc(proba, y);
  const B = opts.bootstrap ?? MIA_BOOTSTRAP_RESAMPLES;
  const se = B > 0 ? 100 * bootstrapAucSe(proba, m, rng.fork('bootstrap'), B) : NaN;
  return { score, se, perSide: m, oof: { a: proba.slice(0, m), b: proba.slice(m) } };
}

/**
 * Bootstrap SE of the AUC of `scores` where positions 0..m−1 are class 0 and m..2m−1 class 1: each side is
 * resampled with replacement (m draws each), the AUC (ties ½) recomputed in O(m) per resample from one sort.
 */
export function bootstrapAucSe(scores: ArrayLike<number>, m: number, rng: Rng, resamples: number): number {
  const n = 2 * m;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // tie groups in sorted order
  const groupEnd: number[] = [];
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    groupEnd.push(j);
    i = j + 1;
  }
  const cnt = new Int32Array(n);
  const vals = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    cnt.fill(0);
    for (let i = 0; i < m; i++) {
      cnt[rng.int(m)]++;
      cnt[m + rng.int(m)]++;
    }
    // AUC = P(score of class 1 > score of class 0) + ½ P(equal)
    let negBelow = 0,
      pairs = 0,
      start = 0;
    for (const end of groupEnd) {
      let neg = 0,
        pos = 0;
      for (let t = start; t <= end; t++) {
        const i = order[t];
        if (i < m) neg += cnt[i];
        else pos += cnt[i];
      }
      pairs += pos * (negBelow + 0.5 * neg);
      negBelow += neg;
      start = end + 1;
    }
    vals[r] = pairs / (m * m);
  }
  let mu = 0;
  for (const v of vals) mu += v;
  mu /= resamples;
  let ss = 0;
  for (const v of vals) ss += (v - mu) ** 2;
  return Math.sqrt(ss / (resamples - 1));
}

export interface PaperMiaResult {
  /** the reported score: s₁ if s₁ > 42, else max(s₁, s₂) */
  score: number;
  /** s₁ = lira_MIA(D_f, D_te_eval) */
  direct: number;
  /** s₂ = lira_MIA(D_te_eval, D_f), only computed when s₁ ≤ 42 */
  swapped: number | null;
  /** bootstrap SE of the reported score: that of the branch (s₁ or s₂) the score comes from (MiaOptions.bootstrap) */
  se: number;
  /** examples per side of that branch */
  perSide: number;
  /** the branch the score comes from and its out-of-fold scores (MiaScore.oof): A = forget when 'direct' */
  branch: 'direct' | 'swapped';
  oof: MiaScore['oof'];
  /**
   * The lab's variant (not the paper's): the same rule, but the swapped branch's test side is filtered to the labels
   * of D_f, as the direct branch filters it. s₁ if s₁ > 42, else max(s₁, s₂ᶠ). Equal to `score` whenever the filter
   * keeps the whole test side (uniform forgetting, where D_f holds every class) or the direct branch decides. Used for
   * every gap to Retrain the lab shows (docs/mia.md).
   */
  filtered: number;
  /** s₂ᶠ = lira_MIA(test eval filtered to D_f's labels, D_f), only computed when s₁ ≤ 42 */
  swappedFiltered: number | null;
}

/** The positions of `labels` whose label occurs in `of` (all positions when every label does). */
function positionsWithLabelsOf(labels: ArrayLike<number>, of: ArrayLike<number>): number[] {
  const classes = new Set<number>();
  for (let i = 0; i < of.length; i++) classes.add(of[i]);
  const keep: number[] = [];
  for (let i = 0; i < labels.length; i++) if (classes.has(labels[i])) keep.push(i);
  return keep;
}

const pickAt = (xs: ArrayLike<number>, pos: number[]) => Float64Array.from(pos, (i) => xs[i]);

/**
 * The paper's MIA score `LiRA_MIA(model, D_f, D_te_eval)` (docs/paper-notes.md §7.2 step 3) on precomputed φ:
 * s₁ = liraMiaScore(A = forget, B = test eval, class-filtered to the forget labels). If s₁ > 42 it is the
 * score. Otherwise s₂ = liraMiaScore(A = test eval, B = forget): A is the whole test-eval set (all classes,
 * not class-filtered — docs/paper-notes.md §10 C9, followed as in the code) and B' is then all of D_f; the score is
 * max(s₁, s₂). In class forgetting that unfiltered branch compares the forget class with every other class, so it
 * measures which class an image is, not whether it was trained on (a model that never saw the class can score
 * ≈ 95). `filtered` is the variant whose swapped branch filters the test side to D_f's labels (s₂ᶠ: the swapped
 * branch, same rng fork, run on the filtered test side; no bootstrap): the paper's `score` is kept for the paper's
 * claims, `filtered` feeds the gaps to Retrain.
 */
export function paperMia(
  phiForget: ArrayLike<number>,
  labelsForget: ArrayLike<number>,
  phiTest: ArrayLike<number>,
  labelsTest: ArrayLike<number>,
  rng: Rng,
  opts: MiaOptions = {},
): PaperMiaResult {
  const d = liraMia(phiForget, labelsForget, phiTest, labelsTest, rng.fork('direct'), opts);
  if (d.score > MIA_SWAP_THRESHOLD) {
    return {
      score: d.score,
      direct: d.score,
      swapped: null,
      se: d.se,
      perSide: d.perSide,
      branch: 'direct',
      oof: d.oof,
      filtered: d.score,
      swappedFiltered: null,
    };
  }
  const s = liraMia(phiTest, labelsTest, phiForget, labelsForget, rng.fork('swapped'), opts);
  const best = s.score > d.score ? s : d;
  const keep = positionsWithLabelsOf(labelsTest, labelsForget);
  const swappedFiltered =
    keep.length === labelsTest.length
      ? s.score // the filter keeps every test example: the branch is the paper's own
      : liraMia(pickAt(phiTest, keep), pickAt(labelsTest, keep), phiForget, labelsForget, rng.fork('swapped'), {
          ...opts,
          bootstrap: 0,
        }).score;
  return {
    score: best.score,
    direct: d.score,
    swapped: s.score,
    se: best.se,
    perSide: best.perSide,
    branch: best === s ? 'swapped' : 'direct',
    oof: best.oof,
    filtered: Math.max(d.score, swappedFiltered),
    swappedFiltered,
  };
}

export interface LossMiaOptions {
  /** cross-validation folds; default 5 */
  folds?: number;
  /**
   * keep only test examples whose label occurs in the forget set (as the paper's MIA and docs/paper-notes.md §1.4 do);
   * default true. No-op for uniform forgetting; false = the kit's unfiltered forget-vs-test comparison.
   */
  classFilter?: boolean;
}

/**
 * Loss-based membership inference in the style of the NeurIPS 2023 machine-unlearning challenge kit
 * (`simple_mia`): per-example CE losses of forget (member = 1) vs test (non-member = 0) examples; the larger
 * side is subsampled (seeded) to equal counts; a 1-D logistic regression (sklearn defaults, C = 1) on the raw
 * loss is scored by stratified k-fold CV (the kit uses StratifiedShuffleSplit; folds here) and the mean
 * held-out accuracy ×100 is returned. ≈50 = forget examples look like unseen ones.
 */
export function lossLrMia(
  forgetLosses: ArrayLike<number>,
  forgetLabels: ArrayLike<number>,
  testLosses: ArrayLike<number>,
  testLabels: ArrayLike<number>,
  rng: Rng,
  opts: LossMiaOptions = {},
): number {
  const k = opts.folds ?? 5;
  if (forgetLosses.length !== forgetLabels.length || testLosses.length !== testLabels.length) {
    throw new LabError('loss and label arrays differ in length', 'lossLrMia');
  }
  let testKeep: number[] = Array.from({ length: testLosses.length }, (_, i) => i);
  if (opts.classFilter ?? true) {
    const classes = new Set<number>();
    for (let i = 0; i < forgetLabels.length; i++) classes.add(forgetLabels[i]);
    testKeep = testKeep.filter((i) => classes.has(testLabels[i]));
  }
  const m = Math.min(forgetLosses.length, testKeep.length);
  if (m < k) {
    throw new LabError(
      `needs at least ${k} examples per side, got forget ${forgetLosses.length}, test ${testKeep.length}`,
      'lossLrMia',
    );
  }
  const fPick = rng.fork('forget').sample(
    Array.from({ length: forgetLosses.length }, (_, i) => i),
    m,
  );
  const tPick = rng.fork('test').sample(testKeep, m);
  const x = new Float64Array(2 * m);
  const y = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) {
    x[i] = testLosses[tPick[i]];
    x[m + i] = forgetLosses[fPick[i]];
    y[m + i] = 1;
  }
  const folds = stratifiedKFold(y, k, rng.fork('folds'));
  let accSum = 0;
  for (let f = 0; f < k; f++) {
    const trX: number[] = [],
      trY: number[] = [],
      te: number[] = [];
    for (let i = 0; i < 2 * m; i++) {
      if (folds[i] === f) te.push(i);
      else {
        trX.push(x[i]);
        trY.push(y[i]);
      }
    }
    const model = fitLogReg1D(trX, trY);
    let correct = 0;
    // sklearn predict: class 1 iff the decision function w·x + b > 0
    for (const i of te) if ((model.w * x[i] + model.b > 0 ? 1 : 0) === y[i]) correct++;
    accSum += correct / te.length;
  }
  return (100 * accSum) / k;
}
