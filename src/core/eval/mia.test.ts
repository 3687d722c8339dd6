import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { LabError } from '../types';
import { bootstrapAucSe, liraMia, liraMiaScore, lossLrMia, paperMia } from './mia';
import { auc } from './logreg';

function gaussian(rng: Rng, n: number, mu: number): Float64Array {
  return Float64Array.from({ length: n }, () => mu + rng.normal());
}
const labelsOf = (n: number, C: number) => Int32Array.from({ length: n }, (_, i) => i % C);

describe('liraMiaScore (spec §7.2 step 2)', () => {
  it('perfectly separable φ → 100', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => 10 + i * 0.1);
    const b = Float64Array.from({ length: 80 }, (_, i) => -10 - i * 0.1);
    // A = forget (label 0 in the CV) has high φ, B has low φ: the LR learns a negative slope → AUC 1
    expect(liraMiaScore(a, labelsOf(50, 10), b, labelsOf(80, 10), new Rng(0))).toBe(100);
  });

  it('identical distributions → near 50', () => {
    const rng = new Rng(11);
    const s = liraMiaScore(
      gaussian(rng, 1000, 0),
      labelsOf(1000, 10),
      gaussian(rng, 1000, 0),
      labelsOf(1000, 10),
      new Rng(1),
    );
    expect(Math.abs(s - 50)).toBeLessThan(6);
  });

  it('class-filters B to the labels of A and truncates to m = min sizes', () => {
    // A has only class 0 with φ = 5; B has class 0 (φ = 5, indistinguishable) and class 1 (φ = −5, would separate)
    const a = new Float64Array(20).fill(5);
    const phiB = Float64Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 5 : -5));
    const labB = Int32Array.from({ length: 100 }, (_, i) => i % 2);
    const s = liraMiaScore(a, new Int32Array(20), phiB, labB, new Rng(0));
    expect(s).toBe(50); // all features equal after filtering → every score ties → AUC ½
  });

  it('is deterministic in the rng and refuses too-small sets', () => {
    const rng = new Rng(2);
    const a = gaussian(rng, 60, 0.5),
      b = gaussian(rng, 90, 0);
    const la = labelsOf(60, 3),
      lb = labelsOf(90, 3);
    expect(liraMiaScore(a, la, b, lb, new Rng(4))).toBe(liraMiaScore(a, la, b, lb, new Rng(4)));
    expect(() => liraMiaScore(a.slice(0, 3), la.slice(0, 3), b, lb, new Rng(4))).toThrow(LabError);
  });
});

describe('paperMia (swap-at-42)', () => {
  it('no swap when s₁ > 42', () => {
    const rng = new Rng(3);
    const r = paperMia(gaussian(rng, 300, 1), labelsOf(300, 10), gaussian(rng, 300, 0), labelsOf(300, 10), new Rng(0));
    expect(r.direct).toBeGreaterThan(42);
    expect(r.swapped).toBeNull();
    expect(r.score).toBe(r.direct);
  });

  it('swaps when s₁ ≤ 42 and returns max(s₁, s₂)', () => {
    // identical φ multisets on both sides, few samples: CV of a 1-D LR on no signal gives a sub-50 AUC
    // (the artefact the rule folds upward); with this seed s₁ = 28
    const v = Float64Array.from({ length: 10 }, (_, i) => i);
    const r = paperMia(v, labelsOf(10, 10), v, labelsOf(10, 10), new Rng(0));
    expect(r.direct).toBeLessThanOrEqual(42);
    expect(r.swapped).not.toBeNull();
    expect(r.score).toBe(Math.max(r.direct, r.swapped!));
  });

  it('swapped branch uses all of D_te_eval unfiltered and all of D_f (spec §10 C9)', () => {
    // class forgetting: forget = class 0 only; test has classes 0..9.
    const forget = Float64Array.from({ length: 30 }, (_, i) => (i % 2 ? 4 : -4));
    const test = Float64Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? 0.001 * i : 20));
    const lt = labelsOf(300, 10);
    const r = paperMia(forget, new Int32Array(30), test, lt, new Rng(0));
    // direct: B' = class-0 test only (φ ≈ 0) → no 1-D separation → ≤ 42 → swap; swapped A = all test (φ = 20 mostly)
    expect(r.direct).toBeLessThanOrEqual(42);
    expect(r.swapped).toBeGreaterThan(60);
  });
});

describe('paperMia: the filtered swapped branch (the variant behind gaps to Retrain)', () => {
  // Class forgetting, constructed φ (no noise): a model that never saw class 0 gives its unseen train images (D_f)
  // and its unseen test images the SAME confidences (φ evenly spread in [−6, 0)); the nine trained classes are
  // confident (φ in [5, 6)). Nothing tells D_f from unseen data, so an honest membership score is ≈ 50.
  const n = 50;
  const C = 10;
  const forget = Float64Array.from({ length: n }, (_, i) => -6 + (6 * i) / n);
  const labelsTest = Int32Array.from({ length: n * C }, (_, i) => i % C);
  const test = Float64Array.from(labelsTest, (y, i) => (y === 0 ? forget[Math.floor(i / C)] : 5 + (i % 7) / 7));

  it('class forgetting: unfiltered swapped ≈ 95 (the paper score, kept), filtered ≈ 50', () => {
    const r = paperMia(forget, new Int32Array(n), test, labelsTest, new Rng(0));
    expect(r.direct).toBeLessThanOrEqual(42); // deterministic here: the swap fires
    expect(r.swapped).toBeGreaterThan(90); // the whole test split (all classes) vs the forget class: "which class"
    expect(r.score).toBe(r.swapped); // the paper's MIA is unchanged
    expect(r.branch).toBe('swapped');
    expect(r.swappedFiltered).not.toBeNull();
    expect(Math.abs(r.swappedFiltered! - 50)).toBeLessThan(10);
    expect(r.filtered).toBe(Math.max(r.direct, r.swappedFiltered!));
    expect(Math.abs(r.filtered - 50)).toBeLessThan(10);
  });

  it('the filtered branch compares D_f with the test images of its own labels only', () => {
    // same run with the other classes' test images removed beforehand: the filtered score must not change
    const keep = [...labelsTest.keys()].filter((i) => labelsTest[i] === 0);
    const only0 = paperMia(
      forget,
      new Int32Array(n),
      Float64Array.from(keep, (i) => test[i]),
      new Int32Array(keep.length),
      new Rng(0),
    );
    const r = paperMia(forget, new Int32Array(n), test, labelsTest, new Rng(0));
    expect(r.direct).toBe(only0.direct); // the direct branch filters too
    expect(r.swappedFiltered).toBe(only0.swapped); // = the paper's swapped branch on the filtered test side
    expect(only0.filtered).toBe(r.filtered);
  });

  it('equals the paper score when the filter keeps every test image (uniform forgetting) or s₁ > 42', () => {
    const v = Float64Array.from({ length: 10 }, (_, i) => i);
    const r = paperMia(v, labelsOf(10, 10), v, labelsOf(10, 10), new Rng(0));
    expect(r.swapped).not.toBeNull();
    expect(r.swappedFiltered).toBe(r.swapped);
    expect(r.filtered).toBe(r.score);
    const rng = new Rng(3);
    const d = paperMia(gaussian(rng, 300, 1), labelsOf(300, 10), gaussian(rng, 300, 0), labelsOf(300, 10), new Rng(0));
    expect(d.swappedFiltered).toBeNull();
    expect(d.filtered).toBe(d.score);
  });
});

describe('lossLrMia', () => {
  it('separable losses → 100, identical → ≈ 50', () => {
    const rng = new Rng(9);
    const f = Float64Array.from({ length: 100 }, () => rng.uniform(0, 0.1));
    const t = Float64Array.from({ length: 150 }, () => rng.uniform(1, 2));
    expect(lossLrMia(f, labelsOf(100, 10), t, labelsOf(150, 10), new Rng(0))).toBe(100);
    const g1 = Float64Array.from({ length: 1000 }, () => rng.uniform(0, 1));
    const g2 = Float64Array.from({ length: 1000 }, () => rng.uniform(0, 1));
    const s = lossLrMia(g1, labelsOf(1000, 10), g2, labelsOf(1000, 10), new Rng(0));
    expect(Math.abs(s - 50)).toBeLessThan(6);
  });
  it('class filter restricts the test side to forget labels', () => {
    // test class 1 would be trivially separable; forget = class 0
    const f = new Float64Array(50).fill(0.5);
    const t = Float64Array.from({ length: 100 }, (_, i) => (i % 2 ? 9 : 0.5));
    const lt = Int32Array.from({ length: 100 }, (_, i) => i % 2);
    expect(lossLrMia(f, new Int32Array(50), t, lt, new Rng(0))).toBeLessThanOrEqual(50);
    expect(lossLrMia(f, new Int32Array(50), t, lt, new Rng(0), { classFilter: false })).toBeGreaterThan(70);
  });
});

describe('MIA bootstrap standard error (issue 10 item 2)', () => {
  it('the O(m) resampled AUC equals a brute-force bootstrap with the same draws', () => {
    const rng = new Rng(21);
    const m = 40;
    // scores with ties: rounded to 1 decimal
    const scores = Float64Array.from(
      { length: 2 * m },
      (_, i) => Math.round(10 * ((i >= m ? 0.7 : 0) + rng.normal())) / 10,
    );
    const B = 50;
    const fast = bootstrapAucSe(scores, m, new Rng(5), B);
    const draw = new Rng(5);
    const vals: number[] = [];
    for (let r = 0; r < B; r++) {
      const s: number[] = [],
        y: number[] = [];
      for (let i = 0; i < m; i++) {
        const a = draw.int(m),
          b = m + draw.int(m);
        s.push(scores[a]);
        y.push(0);
        s.push(scores[b]);
        y.push(1);
      }
      vals.push(auc(s, y));
    }
    const mu = vals.reduce((a, b) => a + b, 0) / B;
    const sd = Math.sqrt(vals.reduce((a, v) => a + (v - mu) ** 2, 0) / (B - 1));
    expect(fast).toBeCloseTo(sd, 12);
  });

  it('agrees with the Hanley–McNeil standard error and shrinks like 1/√m', () => {
    // Hanley & McNeil (1982): SE² = [A(1−A) + (m−1)(Q1 − A²) + (m−1)(Q2 − A²)] / m², Q1 = A/(2−A), Q2 = 2A²/(1+A),
    // for m per side. At m = 300 and A ≈ 0.76 (unit shift): SE ≈ 0.0196 (≈ 2 AUC points); at m = 30: ≈ 0.062.
    const hm = (A: number, m: number) => {
      const q1 = A / (2 - A),
        q2 = (2 * A * A) / (1 + A);
      return Math.sqrt((A * (1 - A) + (m - 1) * (q1 - A * A) + (m - 1) * (q2 - A * A)) / (m * m));
    };
    for (const m of [30, 300]) {
      const rng = new Rng(m);
      const r = liraMia(gaussian(rng, m, 1), labelsOf(m, 10), gaussian(rng, m, 0), labelsOf(m, 10), new Rng(0));
      expect(r.perSide).toBe(m);
      const ref = 100 * hm(r.score / 100, m);
      expect(r.se).toBeGreaterThan(0.75 * ref);
      expect(r.se).toBeLessThan(1.33 * ref);
    }
  });

  it('paperMia reports the SE of the branch its score comes from; bootstrap 0 turns it off', () => {
    const rng = new Rng(3);
    const a = gaussian(rng, 300, 1),
      b = gaussian(rng, 300, 0);
    const r = paperMia(a, labelsOf(300, 10), b, labelsOf(300, 10), new Rng(0));
    expect(r.se).toBeGreaterThan(0);
    expect(r.perSide).toBe(300);
    expect(r.score).toBe(liraMiaScore(a, labelsOf(300, 10), b, labelsOf(300, 10), new Rng(0).fork('direct')));
    expect(Number.isNaN(paperMia(a, labelsOf(300, 10), b, labelsOf(300, 10), new Rng(0), { bootstrap: 0 }).se)).toBe(
      true,
    );
  });
});
