/**
 * What the audit report carries for the page's Audit view (docs/audit.md "On the page"): every attacked pair with the
 * per-example LLR and the population score φ, each candidate's separation, and the population attack's statistics
 * on the same pairs; and the `audit-page` preset's plan.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { AUDIT_PRESETS, analyseAuditMethod, checkAuditSettings, planAudit, type AuditModelPlan } from './audit';
import { attackStats } from './audit-stats';

const labels = Array.from({ length: 400 }, (_, i) => i % 4);
const settings = {
  ...AUDIT_PRESETS['audit-smoke'].settings,
  poolPerClass: 40,
  shadows: 16,
  targets: 6,
  bootstrap: 200,
};

/**
 * φ of a model on every pool image: a per-example baseline `spread · (p mod 7)` (some examples are easy, some hard,
 * whoever trained on them) plus `effect` where the model was trained on the example and did not unlearn it, plus
 * noise. A per-example attack subtracts the baseline; a population attack cannot.
 */
function phiMaker(plan: ReturnType<typeof planAudit>, effect: number, spread: number) {
  const noise = new Rng('phi-report');
  const cache = new Map<string, number[]>();
  return (m: AuditModelPlan, method: string) => {
    const k = `${m.id}|${method}`;
    if (!cache.has(k)) {
      const half = new Set(m.half);
      cache.set(
        k,
        Array.from(plan.pool, (_, p) => (half.has(p) ? effect : 0) + spread * (p % 7) + 0.5 * noise.normal()),
      );
    }
    return cache.get(k)!;
  };
}

describe('the audit report for the page', () => {
  const plan = planAudit(labels, 4, settings, 0);

  it('keeps every pair with its LLR and φ, consistent with the report’s counts and statistics', () => {
    const r = analyseAuditMethod(plan, 'Original', phiMaker(plan, 2, 1));
    const n = r.members + r.nonMembers;
    expect(r.pairs.llr.length).toBe(n);
    expect(r.pairs.phi.length).toBe(n);
    expect(r.pairs.candidate.length).toBe(n);
    expect(r.pairs.target.length).toBe(n);
    expect(r.pairs.member).toMatch(/^[01]+$/);
    expect([...r.pairs.member].filter((c) => c === '1').length).toBe(r.members);
    // membership of each kept pair is the target's forget set
    r.pairs.candidate.forEach((e, k) => {
      const pos = plan.candidates[e];
      const t = plan.targets[r.pairs.target[k]];
      expect(r.pairs.member[k] === '1').toBe(Array.from(t.forget).includes(pos));
    });
    const member = [...r.pairs.member].map((c) => c === '1');
    const ulira = attackStats(
      r.pairs.llr.map((score, k) => ({ example: r.pairs.candidate[k], score, member: member[k] })),
      [0.01, 0.05],
    );
    const pop = attackStats(
      r.pairs.phi.map((score, k) => ({ example: r.pairs.candidate[k], score, member: member[k] })),
      [0.01, 0.05],
    );
    // rounding to 4 decimals moves the AUC by at most the odd tie
    expect(ulira.auc).toBeCloseTo(r.auc, 3);
    expect(pop.auc).toBeCloseTo(r.population.auc, 3);
    expect(r.population.aucCi[0]).toBeLessThanOrEqual(r.population.auc);
    expect(r.population.aucCi[1]).toBeGreaterThanOrEqual(r.population.auc);
    // every candidate, aligned with the plan
    expect(r.perCandidate.index).toEqual(Array.from(plan.candidates, (p) => plan.pool[p]));
    expect(r.perCandidate.label).toEqual(Array.from(plan.candidates, (p) => plan.poolLabels[p]));
    const top = r.mostExposed[0];
    const e = r.perCandidate.index.indexOf(top.index);
    expect(r.perCandidate.separation[e]).toBeCloseTo(top.separation, 4);
  });

  it('a per-example baseline hides membership from the population attack but not from the per-example one', () => {
    const r = analyseAuditMethod(plan, 'Original', phiMaker(plan, 1.5, 3));
    expect(r.auc).toBeGreaterThan(0.85);
    expect(r.population.auc).toBeLessThan(r.auc - 0.15);
    // with no baseline the two attacks see the same thing
    const flat = analyseAuditMethod(plan, 'Original', phiMaker(plan, 1.5, 0));
    expect(Math.abs(flat.population.auc - flat.auc)).toBeLessThan(0.06);
  });

  it('the page preset is a valid plan with more non-member pairs than 1 / 1 % FPR', () => {
    const s = checkAuditSettings(AUDIT_PRESETS['audit-page'].settings);
    expect(s.sharedVariance).toBe(true);
    const cifarLike = Array.from({ length: 10 * 500 }, (_, i) => i % 10);
    const p = planAudit(cifarLike, 10, s, 0);
    const nonMembers = p.targets.reduce((a, t) => a + p.candidates.length - t.forget.length, 0);
    expect(nonMembers).toBeGreaterThan(100);
  });
});
