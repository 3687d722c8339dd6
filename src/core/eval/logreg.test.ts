import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { auc, crossValPredictProba, fitLogReg1D, logRegGradient, logRegObjective, stratifiedKFold } from './logreg';

describe('fitLogReg1D', () => {
  it('closed case: symmetric data → b = 0 and the penalised gradient vanishes', () => {
    // x = ±1 with labels 1/0 repeated; by symmetry b = 0 and w solves w/C = n·(1 − σ(w))
    const x = [1, 1, 1, -1, -1, -1, 1, -1];
    const y = [1, 1, 0, 0, 0, 1, 1, 0];
    const m = fitLogReg1D(x, y);
    expect(m.converged).toBe(true);
    expect(m.b).toBeCloseTo(0, 10);
    // stationarity: w + Σ (σ(w x_i) − y_i) x_i = 0; here 6 "agreeing" and 2 "disagreeing" points
    const sig = (t: number) => 1 / (1 + Math.exp(-t));
    const resid = m.w + 6 * (sig(m.w) - 1) + 2 * sig(m.w);
    expect(Math.abs(resid)).toBeLessThan(1e-9);
    // the closed case solved independently by bisection
    let lo = 0,
      hi = 10;
    for (let i = 0; i < 200; i++) {
      const w = (lo + hi) / 2;
      if (w + 6 * (sig(w) - 1) + 2 * sig(w) < 0) lo = w;
      else hi = w;
    }
    expect(m.w).toBeCloseTo(lo, 9);
    const [gw, gb] = logRegGradient(x, y, m.w, m.b);
    expect(Math.abs(gw)).toBeLessThan(1e-9);
    expect(Math.abs(gb)).toBeLessThan(1e-9);
  });

  it('perfectly separable data has a finite penalised optimum with zero gradient', () => {
    const rng = new Rng(5);
    const x: number[] = [],
      y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const c = i % 2;
      y.push(c);
      x.push((c ? 3 : -2) + rng.uniform(0, 1));
    }
    const m = fitLogReg1D(x, y);
    expect(m.converged).toBe(true);
    const [gw, gb] = logRegGradient(x, y, m.w, m.b);
    expect(Math.hypot(gw, gb)).toBeLessThan(1e-7);
    // it is a minimum: small perturbations do not decrease the objective
    const f0 = logRegObjective(x, y, m.w, m.b);
    for (const [dw, db] of [
      [1e-3, 0],
      [-1e-3, 0],
      [0, 1e-3],
      [0, -1e-3],
    ]) {
      expect(logRegObjective(x, y, m.w + dw, m.b + db)).toBeGreaterThanOrEqual(f0);
    }
  });

  it('handles a single-class training set without blowing up', () => {
    const m = fitLogReg1D([0.1, 0.2, 0.3], [1, 1, 1]);
    expect(Number.isFinite(m.w) && Number.isFinite(m.b)).toBe(true);
    expect(m.b).toBeGreaterThan(3);
  });
});

describe('stratifiedKFold', () => {
  it('balances every class across folds, deterministically', () => {
    const y = Array.from({ length: 103 }, (_, i) => (i < 40 ? 0 : 1));
    const f = stratifiedKFold(y, 5, new Rng(1));
    expect(f).toEqual(stratifiedKFold(y, 5, new Rng(1)));
    for (let k = 0; k < 5; k++) {
      const c0 = y.filter((v, i) => v === 0 && f[i] === k).length;
      const c1 = y.filter((v, i) => v === 1 && f[i] === k).length;
      expect(c0).toBe(8);
      expect(c1 === 12 || c1 === 13).toBe(true);
    }
  });
});

describe('auc', () => {
  it('Mann–Whitney with ties counted ½', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // pairs: (pos 0.4 vs neg 0.1, 0.4) → 1 + ½ ; (pos 0.7 vs both) → 2  ⇒ 3.5/4
    expect(auc([0.1, 0.4, 0.4, 0.7], [0, 0, 1, 1])).toBe(0.875);
  });
  it('out-of-fold predictions are in (0,1)', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const p = crossValPredictProba(x, y, stratifiedKFold(y, 5, new Rng(0)));
    expect(Array.from(p).every((v) => v > 0 && v < 1)).toBe(true);
    expect(auc(p, y)).toBe(1);
  });
});

describe('numeric guards (issue 12)', () => {
  it('throws a clear error on NaN or infinite features instead of spinning', () => {
    const y = [1, 0, 1, 0, 1, 0];
    expect(() => fitLogReg1D([0.1, NaN, 0.3, 0.2, 0.5, 0.1], y)).toThrow(/fitLogReg1D: feature 1 of 6 is NaN/);
    expect(() => fitLogReg1D([0.1, 0.2, Infinity, 0.2, 0.5, 0.1], y)).toThrow(/feature 2 of 6 is Infinity/);
    const folds = stratifiedKFold(y, 2, new Rng(1));
    expect(() => crossValPredictProba([NaN, NaN, NaN, NaN, NaN, NaN], y, folds)).toThrow(/is NaN/);
    expect(() => auc([0.1, NaN, 0.3], [1, 0, 1])).toThrow(/auc: score 1 of 3 is NaN/);
  });

  it('finite but huge features fail with a message, and all-equal labels still fit (ridge loop bounded)', () => {
    expect(() => fitLogReg1D([1e200, -1e200, 1e200, -1e200], [1, 0, 1, 0])).toThrow(/fitLogReg1D/);
    const m = fitLogReg1D([0.1, 0.2, 0.3], [1, 1, 1]);
    expect(Number.isFinite(m.w) && Number.isFinite(m.b)).toBe(true);
    expect(() => fitLogReg1D([1, 2], [1, 0], { maxIter: Infinity })).toThrow(/maxIter/);
  });
});
