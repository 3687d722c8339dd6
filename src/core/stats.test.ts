import { describe, expect, it } from 'vitest';
import {
  bootstrapSe,
  coversZero,
  describeDifference,
  directionVerdict,
  interval,
  pairedInterval,
  tCdf,
  tQuantile,
  valueVerdict,
  welchInterval,
} from './stats';
import { Rng } from './rng';

describe('Student t', () => {
  it('quantiles match the printed two-sided 95 % table (t_{0.975, df})', () => {
    // Standard t table (e.g. Fisher & Yates; any statistics textbook), two-sided 95 %:
    // df 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 9: 2.262, 29: 2.045, 100: 1.984; df → ∞: 1.960.
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [4, 2.7764],
      [9, 2.2622],
      [29, 2.0452],
      [100, 1.984],
      [1e6, 1.96],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
  });
  it('CDF: symmetric, t(1) is Cauchy', () => {
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π; F(1) = 0.75 exactly.
    expect(tCdf(1, 1)).toBeCloseTo(0.75, 10);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(tCdf(-2, 7) + tCdf(2, 7)).toBeCloseTo(1, 12);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-tQuantile(0.975, 4), 10);
  });
});

describe('interval', () => {
  it('three seeds, computed by hand', () => {
    // values 46.0, 47.9, 48.0: mean = 141.9 / 3 = 47.3; deviations −1.3, 0.6, 0.7; squares 1.69 + 0.36 + 0.49 = 2.54;
    // variance 2.54 / 2 = 1.27; sd = √1.27 = 1.126943; se = sd / √3 = 0.650641; t_{0.975,2} = 4.302653;
    // half-width = 4.302653 × 0.650641 = 2.799481 → [44.500519, 50.099481].
    const iv = interval([46.0, 47.9, 48.0]);
    expect(iv.n).toBe(3);
    expect(iv.values).toEqual([46.0, 47.9, 48.0]);
    expect(iv.mean).toBeCloseTo(47.3, 10);
    expect(iv.ci95[0]).toBeCloseTo(44.500519, 5);
    expect(iv.ci95[1]).toBeCloseTo(50.099481, 5);
  });
  it('one seed: the mean, no interval', () => {
    const iv = interval([51.2]);
    expect(iv).toMatchObject({ mean: 51.2, n: 1 });
    expect(Number.isNaN(iv.ci95[0])).toBe(true);
  });
  it('rejects a missing measurement instead of averaging it away', () => {
    expect(() => interval([1, NaN])).toThrow(/non-finite/);
  });
});

describe('paired gaps to Retrain', () => {
  it('per-seed differences, computed by hand', () => {
    // method 53, 50, 58, 60 vs Retrain 50, 45, 54, 52 (same seeds) → differences 3, 5, 4, 8; mean 5;
    // squared deviations 4 + 0 + 1 + 9 = 14; variance 14 / 3 = 4.6667; sd = 2.160247; se = sd / 2 = 1.080123;
    // t_{0.975,3} = 3.182446; half-width = 3.437435 → [1.562565, 8.437435]: does not cover 0.
    const iv = pairedInterval([53, 50, 58, 60], [50, 45, 54, 52]);
    expect(iv.mean).toBeCloseTo(5, 10);
    expect(iv.ci95[0]).toBeCloseTo(1.562565, 5);
    expect(iv.ci95[1]).toBeCloseTo(8.437435, 5);
    expect(coversZero(iv)).toBe(false);
    expect(describeDifference(iv)).not.toMatch(/within noise/);
  });
  it('pairs by seed key, not by position', () => {
    // seed 2 only on one side is dropped: differences (seed 0) 10 − 7 = 3, (seed 1) 4 − 5 = −1
    const iv = pairedInterval({ 0: 10, 1: 4, 2: 99 }, { 1: 5, 0: 7 });
    expect(iv.values).toEqual([3, -1]);
  });
  it('a difference whose interval covers 0 is labelled within noise', () => {
    // differences 1, −1, 2: mean 0.667, sd 1.5275, half-width 4.303 × 0.8819 = 3.79 → covers 0
    const iv = pairedInterval([1, -1, 2], [0, 0, 0]);
    expect(coversZero(iv)).toBe(true);
    expect(describeDifference(iv)).toMatch(/within noise/);
  });
});

describe('bootstrap standard error', () => {
  it('of a mean approaches sd/√n (sd with denominator n)', () => {
    // 0..99: population sd = √((100² − 1) / 12) = 28.866; the bootstrap SE of the mean → 28.866 / 10 = 2.887
    const x = Array.from({ length: 100 }, (_, i) => i);
    const se = bootstrapSe(
      100,
      (idx) => {
        let s = 0;
        for (const i of idx) s += x[i];
        return s / idx.length;
      },
      new Rng(1),
      2000,
    );
    expect(se).toBeGreaterThan(2.887 * 0.9);
    expect(se).toBeLessThan(2.887 * 1.1);
  });
  it('is seeded', () => {
    const f = (idx: Int32Array) => idx[0];
    expect(bootstrapSe(50, f, new Rng(3))).toBe(bootstrapSe(50, f, new Rng(3)));
  });
});

describe('verdicts', () => {
  const iv = interval([46.0, 47.9, 48.0]); // [44.50, 50.10]
  it('value claims: inside the interval, inside the tolerance band, outside both', () => {
    expect(valueVerdict(iv, 50.0).verdict).toBe('reproduces'); // 50.0 ∈ [44.50, 50.10]
    expect(valueVerdict(iv, 51.0).verdict).toBe('does not'); // 51.0 > 50.10, no tolerance
    expect(valueVerdict(iv, 52.0, 8).verdict).toBe('reproduces'); // [44.5, 50.1] ⊂ [44, 60]
    expect(valueVerdict(iv, 56.0, 8).verdict).toBe('inconclusive'); // band [48, 64] cuts the interval
    expect(valueVerdict(iv, 70.0, 5).verdict).toBe('does not'); // band [65, 75] misses it
    // an interval wider than the tolerance band cannot confirm the claim, even when it contains the paper's value
    expect(valueVerdict(iv, 47.0, 2).verdict).toBe('inconclusive'); // 47 ∈ [44.5, 50.1], but ⊄ [45, 49]
  });
  it('direction claims: whole interval on the claimed side, wholly on the other, or straddling', () => {
    expect(directionVerdict(iv, '>', 44).verdict).toBe('reproduces');
    expect(directionVerdict(iv, '>', 51).verdict).toBe('does not');
    expect(directionVerdict(iv, '>', 48).verdict).toBe('inconclusive');
    expect(directionVerdict(iv, '<=', 50.5).verdict).toBe('reproduces');
  });
  it('one seed can only be indicative; no data is n/a', () => {
    const one = interval([4.0]);
    expect(directionVerdict(one, '<=', 5)).toMatchObject({ verdict: 'indicative', leaning: 'reproduces' });
    expect(valueVerdict(one, 20, 1)).toMatchObject({ verdict: 'indicative', leaning: 'does not' });
    expect(valueVerdict(null, 20).verdict).toBe('n/a');
  });
});

describe('welchInterval (the only unpaired interval; the page compares runs with it)', () => {
  it("matches SciPy's Welch t-test interval (ttest_ind(equal_var=False).confidence_interval())", () => {
    const iv = welchInterval([1, 2, 3], [4, 5, 6, 7]);
    expect(iv.mean).toBeCloseTo(-3.5, 12);
    expect(iv.ci95[0]).toBeCloseTo(-5.731711481338788, 6);
    expect(iv.ci95[1]).toBeCloseTo(-1.2682885186612123, 6);
    expect(iv.n).toBe(3);
  });

  it('gives no interval with one value on a side, and a zero-width one with no spread', () => {
    expect(welchInterval([1], [2, 3]).ci95.every(Number.isNaN)).toBe(true);
    expect(welchInterval([2, 2], [1, 1]).ci95).toEqual([1, 1]);
  });
});
