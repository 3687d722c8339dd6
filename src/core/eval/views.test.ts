import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { auc } from './logreg';
import { liraMia, paperMia, MIA_SWAP_THRESHOLD } from './mia';
import {
  argmaxRows,
  attackView,
  confusionMatrix,
  downsampleRoc,
  perClassAccuracy,
  rocArea,
  rocCurve,
  ROC_MAX_POINTS,
} from './views';

const gauss = (rng: Rng, n: number, mu: number) => Float64Array.from({ length: n }, () => mu + rng.normal());

function expectMonotoneRoc(roc: ReadonlyArray<readonly [number, number]>): void {
  expect(roc[0]).toEqual([0, 0]);
  expect(roc[roc.length - 1]).toEqual([1, 1]);
  for (let i = 1; i < roc.length; i++) {
    expect(roc[i][0]).toBeGreaterThanOrEqual(roc[i - 1][0]);
    expect(roc[i][1]).toBeGreaterThanOrEqual(roc[i - 1][1]);
  }
}

describe('confusion matrix and per-class accuracy', () => {
  it('rows sum to the class counts; the diagonal share is the per-class accuracy; consistent with overall', () => {
    const rng = new Rng(5);
    const C = 4,
      n = 203;
    const labels = Int32Array.from({ length: n }, () => rng.int(C));
    const logits = Float32Array.from({ length: n * C }, () => rng.normal());
    const pred = argmaxRows(logits, n, C);
    const m = confusionMatrix(pred, labels, C);
    const counts = new Array(C).fill(0);
    for (const y of labels) counts[y]++;
    expect(m.map((r) => r.reduce((a, b) => a + b, 0))).toEqual(counts);
    const acc = perClassAccuracy(m);
    let correct = 0;
    for (let i = 0; i < n; i++) if (pred[i] === labels[i]) correct++;
    // overall accuracy = per-class accuracies weighted by class counts
    const weighted = acc.reduce<number>((s, a, c) => s + (a ?? 0) * counts[c], 0) / n;
    expect(weighted).toBeCloseTo((100 * correct) / n, 10);
    for (let c = 0; c < C; c++) expect(acc[c]).toBeCloseTo((100 * m[c][c]) / counts[c], 10);
  });

  it('a class without samples has null accuracy; out-of-range labels are refused', () => {
    const m = confusionMatrix([0, 0, 2], [0, 1, 1], 3);
    expect(perClassAccuracy(m)).toEqual([100, 0, null]);
    expect(() => confusionMatrix([0], [3], 3)).toThrow(/outside/);
  });
});

describe('ROC curve', () => {
  it('monotone from (0,0) to (1,1); trapezoid area = the AUC with ties ½ (before the swap rule)', () => {
    const rng = new Rng(9);
    // coarse scores → many ties, to exercise the ½ rule
    const pos = Array.from(gauss(rng, 400, 0.7), (x) => Math.round(x * 4) / 4);
    const neg = Array.from(gauss(rng, 300, 0), (x) => Math.round(x * 4) / 4);
    const roc = rocCurve(pos, neg);
    expectMonotoneRoc(roc);
    const labels = [...pos.map(() => 1), ...neg.map(() => 0)];
    expect(rocArea(roc)).toBeCloseTo(auc([...pos, ...neg], labels), 12);
  });

  it('downsampled to ≤ 101 points: still monotone, ends kept, area within 0.005', () => {
    const rng = new Rng(10);
    const roc = rocCurve(gauss(rng, 3000, 0.5), gauss(rng, 3000, 0));
    expect(roc.length).toBeGreaterThan(1000);
    const small = downsampleRoc(roc);
    expect(small.length).toBeLessThanOrEqual(ROC_MAX_POINTS);
    expect(small.length).toBeGreaterThan(50);
    expectMonotoneRoc(small);
    expect(Math.abs(rocArea(small) - rocArea(roc))).toBeLessThan(0.005);
  });

  it('the attack view of liraMia: its ROC area ×100 is the branch score (direct: positives = test side)', () => {
    const rng = new Rng(3);
    const phiF = gauss(rng, 200, 1.0),
      phiT = gauss(rng, 150, 0);
    const lf = new Int32Array(200),
      lt = new Int32Array(150);
    const r = liraMia(phiF, lf, phiT, lt, new Rng(4), { bootstrap: 0 });
    const full = rocCurve(r.oof.b, r.oof.a);
    expect(100 * rocArea(full)).toBeCloseTo(r.score, 9);
    const v = attackView('direct', r.oof.a, r.oof.b, r.score);
    expect(v.positive).toBe('test');
    expect(v.forgetScores.length).toBe(150); // m = min(200, 150) per side
    expect(v.testScores.length).toBe(150);
    expectMonotoneRoc(v.roc);
    expect(Math.abs(100 * rocArea(v.roc) - r.score)).toBeLessThan(0.5);
  });

  it('paperMia after the swap at 42: the view comes from the swapped branch (positives = forget)', () => {
    // same-distribution φ on small sides: out-of-fold AUCs scatter around 50, some seeds give s₁ ≤ 42 and s₂ > s₁
    const rng = new Rng(21);
    let res = null as ReturnType<typeof paperMia> | null;
    for (let t = 0; t < 40 && !res; t++) {
      const phiF = gauss(rng, 30, 0),
        phiT = gauss(rng, 30, 0);
      const r = paperMia(phiF, new Int32Array(30), phiT, new Int32Array(30), new Rng(t), { bootstrap: 0 });
      if (r.swapped !== null && r.branch === 'swapped') res = r;
    }
    expect(res).not.toBeNull();
    const r = res!;
    expect(r.direct).toBeLessThanOrEqual(MIA_SWAP_THRESHOLD);
    expect(r.score).toBe(r.swapped);
    const v = attackView(r.branch, r.oof.a, r.oof.b, r.score);
    expect(v.branch).toBe('swapped');
    expect(v.positive).toBe('forget');
    expect(100 * rocArea(rocCurve(r.oof.b, r.oof.a))).toBeCloseTo(r.score, 9);
    expect(100 * rocArea(v.roc)).toBeCloseTo(v.auc, 3); // ≤ 101 points here: not downsampled, rounded to 1e-6
  });
});
