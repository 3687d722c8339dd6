/** The audit's statistics against values computed by hand (docs/audit.md). */
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import {
  attackStats,
  bootstrapOverExamples,
  distribution,
  empiricalRoc,
  fitGaussians,
  histogram,
  isAtChance,
  isFlagged,
  llrScore,
  logitConfidence,
  median,
  rocAuc,
  sampleSd,
  separation,
  tprAtFpr,
  type ScoredPair,
} from './audit-stats';
import { AUDIT_PRESETS, analyseAuditMethod, auditRecordId, checkAuditSettings, planAudit } from './audit';

describe('logitConfidence', () => {
  it('is log(p_y / (1 − p_y)) = z_y − logsumexp of the other logits', () => {
    // p = e² / (e² + 2) ⇒ p / (1 − p) = e² / 2
    const phi = logitConfidence([2, 0, 0, 0, 1, 0], [0, 1], 3);
    expect(phi[0]).toBeCloseTo(2 - Math.log(2), 12);
    expect(phi[1]).toBeCloseTo(1 - Math.log(2), 12);
  });
  it('stays finite where the softmax saturates', () => {
    const phi = logitConfidence([1000, 0, -1000, 0], [0, 0], 2);
    expect(phi[0]).toBe(1000);
    expect(phi[1]).toBe(-1000);
  });
  it('refuses mismatched shapes and labels out of range', () => {
    expect(() => logitConfidence([0, 0, 0], [0], 2)).toThrow(/3 logits for 1 labels/);
    expect(() => logitConfidence([0, 0], [2], 2)).toThrow(/label 2 of row 0/);
  });
});

describe('Gaussian fits and the likelihood ratio', () => {
  it('median and the n − 1 standard deviation', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
  it('fits per example: median and σ of each side', () => {
    const [f] = fitGaussians([[1, 2, 3]], [[0, 0, 2]], { sharedVariance: false });
    expect(f).toMatchObject({ muIn: 2, sdIn: 1, nIn: 3, muOut: 0, nOut: 3, pooledIn: false });
    expect(f!.sdOut).toBeCloseTo(Math.sqrt(4 / 3), 12);
  });
  it('shared variance pools each side over examples around their own centres', () => {
    // in: deviations ±1 around 2 and around 6 → pooled s² = (2 + 2) / 2 = 2; out: s² = 0.5 and 4.5 → 2.5
    const fits = fitGaussians(
      [
        [1, 3],
        [5, 7],
      ],
      [
        [0, 1],
        [0, 3],
      ],
      { sharedVariance: true },
    );
    expect(fits[0]!.sdIn).toBeCloseTo(Math.sqrt(2), 12);
    expect(fits[1]!.sdIn).toBeCloseTo(Math.sqrt(2), 12);
    expect(fits[0]!.sdOut).toBeCloseTo(Math.sqrt(2.5), 12);
  });
  it('an example with one value on a side takes the pooled σ; none on a side is not attacked', () => {
    const fits = fitGaussians([[1, 3], [5], []], [[0, 2], [0, 2], [1]], { sharedVariance: false });
    expect(fits[1]).toMatchObject({ muIn: 5, pooledIn: true, pooledOut: false });
    expect(fits[1]!.sdIn).toBeCloseTo(Math.sqrt(2), 12);
    expect(fits[2]).toBeNull();
  });
  it('LLR = log N(x; in) − log N(x; out)', () => {
    const f = { muIn: 2, sdIn: 1, nIn: 2, muOut: 0, sdOut: 1, nOut: 2 };
    expect(llrScore(2, f)).toBeCloseTo(2, 12); // 0 − (−2²/2)
    expect(llrScore(1, f)).toBeCloseTo(0, 12);
    // unequal σ: log(σ_out/σ_in) − (x−μ_in)²/2σ_in² + (x−μ_out)²/2σ_out²
    const g = { muIn: 0, sdIn: 2, nIn: 2, muOut: 0, sdOut: 1, nOut: 2 };
    expect(llrScore(1, g)).toBeCloseTo(Math.log(1 / 2) - 1 / 8 + 1 / 2, 12);
    expect(separation(f)).toBeCloseTo(2, 12);
  });
});

describe('ROC, AUC and TPR at a given FPR', () => {
  const scores = [0.9, 0.8, 0.7, 0.6];
  const member = [true, false, true, false];
  it('the empirical ROC, its area and interpolated TPRs', () => {
    const roc = empiricalRoc(scores, member);
    expect(roc).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocAuc(roc)).toBeCloseTo(0.75, 12); // Mann–Whitney: 3 of 4 (member, non-member) pairs ordered
    expect(tprAtFpr(roc, 0)).toBe(0.5);
    expect(tprAtFpr(roc, 0.25)).toBe(0.5);
    expect(tprAtFpr(roc, 0.5)).toBe(1);
    expect(tprAtFpr(roc, 0.75)).toBe(1);
  });
  it('ties enter together (AUC ½ for a constant score) and interpolation is linear', () => {
    const roc = empiricalRoc([1, 1, 1, 1], [true, false, true, false]);
    expect(roc).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocAuc(roc)).toBe(0.5);
    expect(tprAtFpr(roc, 0.01)).toBeCloseTo(0.01, 12);
    expect(tprAtFpr(roc, 0.05)).toBeCloseTo(0.05, 12);
  });
  it('refuses one-class labels and NaN scores', () => {
    expect(() => empiricalRoc([1, 2], [true, true])).toThrow(/positives and negatives/);
    expect(() => empiricalRoc([NaN, 2], [true, false])).toThrow(/NaN/);
  });
});

describe('bootstrap over examples', () => {
  const pairs: ScoredPair[] = [];
  const rng = new Rng('pairs');
  for (let e = 0; e < 40; e++)
    for (let t = 0; t < 4; t++) {
      const member = (e + t) % 2 === 0;
      pairs.push({ example: e, member, score: rng.normal() + (member ? 1 : 0) });
    }
  it('is seeded, brackets the point estimate and is [1, 1] for a perfect attack', () => {
    const a = bootstrapOverExamples(pairs, [0.01, 0.05], 200, new Rng('b'));
    const b = bootstrapOverExamples(pairs, [0.01, 0.05], 200, new Rng('b'));
    expect(a).toEqual(b);
    expect(a.point).toEqual(attackStats(pairs, [0.01, 0.05]));
    expect(a.aucCi[0]).toBeLessThan(a.point.auc);
    expect(a.aucCi[1]).toBeGreaterThan(a.point.auc);
    expect(a.resamples).toBe(200);
    const perfect = pairs.map((p) => ({ ...p, score: p.member ? 10 + p.score : p.score - 10 }));
    const c = bootstrapOverExamples(perfect, [0.01], 50, new Rng('b'));
    expect(c.aucCi).toEqual([1, 1]);
    expect(c.tprCi[0]).toEqual([1, 1]);
  });
  it('the known-outcome readings', () => {
    expect(isFlagged(0.05, 0.01)).toBe(true);
    expect(isFlagged(0.049, 0.01)).toBe(false);
    expect(isAtChance([0.0, 0.03], 0.01)).toBe(true);
    expect(isAtChance([0.02, 0.3], 0.01)).toBe(false);
  });
  it('distribution quantiles and histograms', () => {
    expect(distribution([4, 0, 2, 1, 3])).toEqual([0, 0.2, 1, 2, 3, 3.8, 4]);
    expect(histogram([0, 0.5, 0.99, 1, 5, -3], 0, 1, 2)).toEqual([2, 4]);
  });
});

describe('the audit plan', () => {
  const labels = Array.from({ length: 400 }, (_, i) => i % 4);
  const settings = { ...AUDIT_PRESETS['audit-smoke'].settings, poolPerClass: 40, shadows: 4, targets: 2 };
  it('draws the pool and the shadows from the pool seed, the candidates and targets from the audit seed', () => {
    const a = planAudit(labels, 4, settings, 0);
    const b = planAudit(labels, 4, settings, 1);
    expect(a.pool).toEqual(b.pool);
    expect(a.shadows.map((m) => Array.from(m.half))).toEqual(b.shadows.map((m) => Array.from(m.half)));
    expect(Array.from(a.candidates)).not.toEqual(Array.from(b.candidates));
    expect(Array.from(a.targets[0].half)).not.toEqual(Array.from(b.targets[0].half));
    expect(a.candidates.length).toBe(4 * 10); // 25 % of 40 per class
    for (const m of [...a.shadows, ...a.targets]) {
      expect(m.half.length).toBe(80); // half of every class
      for (let c = 0; c < 4; c++) expect(Array.from(m.half).filter((p) => a.poolLabels[p] === c).length).toBe(20);
      const half = new Set(m.half);
      const cand = new Set(a.candidates);
      expect(Array.from(m.forget)).toEqual(Array.from(m.half).filter((p) => cand.has(p)));
      expect(Array.from(m.forget).every((p) => half.has(p))).toBe(true);
    }
    expect(planAudit(labels, 4, settings, 0)).toEqual(a);
    expect(auditRecordId(a.shadows[1], 'Original', 0)).toBe('shadow1-Original');
    expect(auditRecordId(a.shadows[1], 'NegGrad+', 3)).toBe('seed3-shadow1-NegGrad+');
    expect(auditRecordId(a.targets[0], 'A-CF', 0)).toBe('seed0-target0-A-CF');
  });
  it('refuses a pool larger than a class and bad settings, naming the field', () => {
    expect(() => planAudit(labels, 4, { ...settings, poolPerClass: 101 }, 0)).toThrow(/class 0 has 100/);
    expect(() => checkAuditSettings({ ...settings, shadows: 1 })).toThrow(/audit.shadows/);
    expect(() => checkAuditSettings({ ...settings, candidateFraction: 0.8 })).toThrow(/candidateFraction/);
  });

  it('analysis: φ that follows training membership is flagged, φ that ignores it is at chance', () => {
    const plan = planAudit(labels, 4, { ...settings, shadows: 16, targets: 8, bootstrap: 200 }, 0);
    const noise = new Rng('phi');
    const phis = new Map<string, number[]>();
    const phiOf = (leak: number, retained = 3) => (m: { id: string; half: Int32Array; forget: Int32Array }, method: string) => {
      const k = `${leak}|${retained}|${m.id}|${method}`;
      if (!phis.has(k)) {
        const inHalf = new Set(m.half);
        const forgot = new Set(m.forget);
        // an "unlearned" model keeps `leak` of the training signal on what it forgot; the Original keeps all of it
        phis.set(
          k,
          Array.from(plan.pool, (_, p) => {
            const kept = method === 'Original' ? 3 : retained;
            const trained = inHalf.has(p) ? (method === 'Original' ? 3 : forgot.has(p) ? 3 * leak : kept) : 0;
            return trained + noise.normal() + (p % 7) * 0.3;
          }),
        );
      }
      return phis.get(k)!;
    };
    const leaky = analyseAuditMethod(plan, 'Original', phiOf(1));
    expect(leaky.flagged).toBe(true);
    expect(leaky.auc).toBeGreaterThan(0.9);
    const clean = analyseAuditMethod(plan, 'CF', phiOf(0));
    expect(clean.flagged).toBe(false);
    expect(clean.atChance).toBe(true);
    expect(clean.auc).toBeLessThan(0.65);
    expect(clean.members + clean.nonMembers).toBe(plan.candidates.length * 8 - 0);
    // retain examples keep their training signal before and after: no growth beyond noise for most of them
    expect(clean.retain!.examined).toBe(plan.pool.length - plan.candidates.length);
    expect(clean.retain!.grew).toBeLessThan(3 * clean.retain!.chanceCount);
    // a method that doubles what the retain examples give away: most of them are found to have grown
    const onion = analyseAuditMethod(plan, 'CF', phiOf(0, 6));
    expect(onion.retain!.grewShare).toBeGreaterThan(0.5);
    expect(onion.atChance).toBe(true);
  });
});
