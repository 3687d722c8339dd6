/**
 * Per-class and attack views of one model's final evaluation (issue 14 item 2): the confusion matrix on the
 * test-eval set, per-class test and forget accuracy, and the paper MIA's out-of-fold attack scores with their ROC
 * curve. Pure array math on logits and scores already computed by evaluateModel / paperMia (tfjs-free).
 */
import { LabError } from '../types';
import type { AttackView, PerClassView } from '../contracts';

/** ROC points kept in a result (first and last included). */
export const ROC_MAX_POINTS = 101;
/** Decimals kept for the attack scores written into a result (they are probabilities in [0, 1]). */
export const ATTACK_SCORE_DECIMALS = 4;

/** Row-major argmax of each row of `logits` [n × C]. */
export function argmaxRows(logits: ArrayLike<number>, n: number, C: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * C;
    let best = 0;
    for (let j = 1; j < C; j++) if (logits[off + j] > logits[off + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** C × C counts: rows = true class, columns = predicted class. */
export function confusionMatrix(pred: ArrayLike<number>, labels: ArrayLike<number>, C: number): number[][] {
  if (pred.length !== labels.length) {
    throw new LabError(`${pred.length} predictions but ${labels.length} labels`, 'confusionMatrix');
  }
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i],
      p = pred[i];
    if (!(y >= 0 && y < C && p >= 0 && p < C)) {
      throw new LabError(`label ${y} or prediction ${p} outside 0..${C - 1}`, 'confusionMatrix');
    }
    m[y][p]++;
  }
  return m;
}

/** Accuracy % per true class from a confusion matrix; null for a class with no samples. */
export function perClassAccuracy(confusion: number[][]): Array<number | null> {
  return confusion.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? null : (100 * row[c]) / n;
  });
}

/**
 * The full ROC curve of `pos` (positives) vs `neg` scores: one point per distinct threshold, from (0, 0) to (1, 1),
 * as [false-positive rate, true-positive rate]; tied scores move both rates in one step, so the trapezoid area is
 * exactly the AUC with ties counted ½ (logreg.ts `auc`).
 */
export function rocCurve(pos: ArrayLike<number>, neg: ArrayLike<number>): Array<[number, number]> {
  const nP = pos.length,
    nN = neg.length;
  if (nP === 0 || nN === 0) throw new LabError(`ROC needs both sides (positives ${nP}, negatives ${nN})`, 'rocCurve');
  const all: Array<[number, number]> = [];
  for (let i = 0; i < nP; i++) all.push([pos[i], 1]);
  for (let i = 0; i < nN; i++) all.push([neg[i], 0]);
  for (const [s] of all) if (!Number.isFinite(s)) throw new LabError(`score ${s} is not finite`, 'rocCurve');
  all.sort((a, b) => b[0] - a[0]);
  const pts: Array<[number, number]> = [[0, 0]];
  let tp = 0,
    fp = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) {
      if (all[j][1] === 1) tp++;
      else fp++;
      j++;
    }
    pts.push([fp / nN, tp / nP]);
    i = j;
  }
  return pts;
}

/** Trapezoid area under ROC points (sorted by fpr, as rocCurve returns them). */
export function rocArea(points: ReadonlyArray<readonly [number, number]>): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) {
    a += ((points[i][0] - points[i - 1][0]) * (points[i][1] + points[i - 1][1])) / 2;
  }
  return a;
}

/**
 * At most `max` points of a ROC curve, the first and last kept, chosen evenly along the curve's L1 length
 * (fpr + tpr goes 0 → 2). A monotone staircase between two kept points differs from their chord by at most half
 * the box they span, so with segments of L1 length ≈ 0.02 (max = 101) the area moves by well under 0.005.
 */
export function downsampleRoc(points: Array<[number, number]>, max = ROC_MAX_POINTS): Array<[number, number]> {
  if (points.length <= max) return points.map((p) => [p[0], p[1]]);
  if (max < 2) throw new LabError(`max must be ≥ 2, got ${max}`, 'downsampleRoc');
  const out: Array<[number, number]> = [points[0]];
  const len = (p: readonly [number, number]) => p[0] + p[1];
  let k = 1;
  for (let i = 1; i < points.length - 1 && out.length < max - 1; i++) {
    const target = (2 * k) / (max - 1);
    if (len(points[i]) >= target) {
      out.push(points[i]);
      while (k < max - 1 && (2 * k) / (max - 1) <= len(points[i])) k++;
    }
  }
  out.push(points[points.length - 1]);
  return out.map((p) => [p[0], p[1]]);
}

const roundTo = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * The attack view of the paper MIA's reporting branch. `aScores`/`bScores` are the out-of-fold probabilities of
 * class 1 (side B') for sides A (class 0) and B' of that branch: direct branch A = forget, B' = test-eval, so the
 * positive side is 'test'; swapped branch (s₁ ≤ 42) A = test-eval, B' = forget, so the positive side is 'forget'.
 * The ROC treats the positive side as positives; its full-curve area ×100 is the reported `mia` exactly.
 */
export function attackView(
  branch: 'direct' | 'swapped',
  aScores: ArrayLike<number>,
  bScores: ArrayLike<number>,
  score: number,
): AttackView {
  const forget = branch === 'direct' ? aScores : bScores;
  const test = branch === 'direct' ? bScores : aScores;
  const positive = branch === 'direct' ? 'test' : 'forget';
  const roc = rocCurve(branch === 'direct' ? test : forget, branch === 'direct' ? forget : test);
  const d = ATTACK_SCORE_DECIMALS;
  return {
    branch,
    positive,
    auc: score,
    forgetScores: Array.from(forget, (x) => roundTo(x, d)),
    testScores: Array.from(test, (x) => roundTo(x, d)),
    roc: downsampleRoc(roc).map(([f, t]) => [roundTo(f, 6), roundTo(t, 6)]),
  };
}

/** Per-class view from predictions: test accuracy per class (test-eval), forget accuracy per class. */
export function perClassView(
  testConfusion: number[][],
  forgetPred: ArrayLike<number>,
  forgetLabels: ArrayLike<number>,
  C: number,
): PerClassView {
  return {
    testAcc: perClassAccuracy(testConfusion),
    forgetAcc: perClassAccuracy(confusionMatrix(forgetPred, forgetLabels, C)),
  };
}
