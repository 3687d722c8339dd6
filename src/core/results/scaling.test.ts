import { describe, expect, it } from 'vitest';
import {
  drawsPerForget,
  extrapolateGap,
  memorisationNote,
  originalPoint,
  scalingGaps,
  scalingPointsOf,
  scalingSizeSpec,
  scalingThresholds,
  type ScalingPoint,
} from './scaling';
import { getPreset } from '../presets';

const m = (forgetAcc: number, mia: number) => ({ forgetAcc, retainAcc: 90, testAcc: 50, mia });

/** One seed of one size: Retrain, CF, and an A-CF whose gaps shrink with passes as given. */
function seedPoints(size: number, seed: number, acfGap: (p: number) => number, noise: number): ScalingPoint[] {
  const ctx = { size, seed, retainSize: size * 9, forgetSize: size, originalTrainAcc: 99 };
  const re = 60 + noise;
  const curve = [1, 2, 4, 8].map((p) => ({ epoch: p, seconds: p, ...m(re + acfGap(p), 50 + acfGap(p)) }));
  return [
    originalPoint(m(100, 80), ctx),
    ...scalingPointsOf({ method: 'Retrain', epochs: 100 }, { metrics: m(re, 50), unlearnSeconds: 100, curve: [] }, 200, ctx),
    ...scalingPointsOf({ method: 'CF', epochs: 50 }, { metrics: m(99, 78), unlearnSeconds: 50, curve: [] }, 100, ctx),
    ...scalingPointsOf(
      { method: 'A-CF', epochs: 16 },
      { metrics: m(re + acfGap(16), 50 + acfGap(16)), unlearnSeconds: 16, curve },
      32,
      ctx,
    ),
  ];
}

describe('the scaling study summary (issue 20 item 5)', () => {
  it('one memorisation threshold and wording', () => {
    expect(memorisationNote(98)).toBe('original memorises (train 98.0 %)');
    expect(memorisationNote(80.14)).toBe('original does not memorise (train 80.1 %)');
  });

  it('draws per forget image: min(4B, |D_f|) a step — the paper’s 704 steps over 5,000 forget images ≈ 36', () => {
    expect(drawsPerForget(704, 5000)).toBeCloseTo(36.04, 2);
    expect(drawsPerForget(688, 300)).toBeCloseTo(587.1, 1);
    expect(drawsPerForget(10, 150)).toBe(10); // fewer forget images than a sample: each drawn every step
  });

  it('the size spec: a memorising original, no condensation, 10 % uniform', () => {
    const s = scalingSizeSpec(getPreset('bench').spec, 150, 2);
    expect(s.trainPerClass).toBe(150);
    expect(s.seed).toBe(2);
    expect(s.pretrain.targetTrainAcc).toBe(98);
    expect(s.condense.enabled).toBe(false);
    expect(s.forget).toEqual({ mode: 'uniform', class: null, fraction: 0.1 });
  });

  it('gaps paired by seed; the smallest budget within noise on forget AND MIA; CPU ratios per seed', () => {
    const noise = [0, 3, -2];
    // gaps 20, 10, 5, 2.5, 1.25 + a per-seed wobble; within noise only where the wobble dominates
    const pts = noise.flatMap((z, seed) => seedPoints(150, seed, (p) => 20 / p + (seed - 1) * 3, z));
    const rows = scalingGaps(pts);
    const acf4 = rows.find((r) => r.method === 'A-CF' && r.passes === 4)!;
    expect(acf4.n).toBe(3);
    expect(acf4.gaps.forgetAcc.mean).toBeCloseTo(5, 10);
    expect(acf4.gaps.forgetAcc.values).toEqual([2, 5, 8]);
    // CPU: the 16-pass run measured 32 s, checkpoints prorated; Retrain 200 s, CF 100 s
    expect(acf4.cpuVsRetrain!.mean).toBeCloseTo(8 / 200, 10);
    expect(acf4.cpuVsCf!.mean).toBeCloseTo(8 / 100, 10);
    expect(rows.find((r) => r.method === 'Original')!.gaps.forgetAcc.values).toEqual(noise.map((z) => 40 - z));
    const [t] = scalingThresholds(rows);
    // gaps 20+w, 10+w, 5+w, 2.5+w, 1.25+w with w ∈ {−3, 0, 3}: the interval first covers 0 at 4 passes
    expect(t.passes).toBe(4);
    expect(t.n).toBe(3);
  });

  it('not reached when the gap never covers 0; no verdict from one seed', () => {
    const far = [0, 1, 2].flatMap((seed) => seedPoints(150, seed, () => 10 + seed * 0.1, 0));
    expect(scalingThresholds(scalingGaps(far))[0].passes).toBeNull();
    const one = seedPoints(150, 0, () => 0, 0);
    const [t] = scalingThresholds(scalingGaps(one));
    expect(t.passes).toBeNull();
    expect(t.note).toMatch(/fewer than 2 seeds/);
  });

  it('extrapolation: an exact line in log10(retain) is recovered; too few sizes give none', () => {
    // gap = 30 − 10·log10(retain): at 45,000 retain images 30 − 10·4.653 = −16.53
    const pts = [150, 300, 600].flatMap((size) =>
      [0, 1].flatMap((seed) => seedPoints(size, seed, () => 30 - 10 * Math.log10(size * 9), 0)),
    );
    const e = extrapolateGap(pts, 1, 'forgetAcc')!;
    expect(e.sizes).toEqual([150, 300, 600]);
    expect(e.slope).toBeCloseTo(-10, 8);
    expect(e.predicted).toBeCloseTo(30 - 10 * Math.log10(45_000), 8);
    expect(e.ci95[1] - e.ci95[0]).toBeLessThan(1e-6);
    expect(extrapolateGap(pts.filter((p) => p.size === 150), 1, 'forgetAcc')).toBeNull();
  });
});
