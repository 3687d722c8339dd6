/** The Audit view's data: reading an audit.json, and the scatter, ROC, resolution and gallery builders. */
import { describe, expect, it } from 'vitest';
import { AUDIT_PRESETS, analyseAuditMethod, planAudit, type AuditMethodReport } from '../core/lite';
import {
  auditJsonOf,
  docFromJob,
  galleryIndicesOf,
  galleryRows,
  logGrid,
  parseAuditJson,
  parseAuditText,
  resolutionOf,
  rocCurves,
  scatterData,
  thresholdAt,
  type AuditRow,
} from './audit-data';

/** A report whose pairs are given by hand (the rest of its fields only need to be plausible). */
function handReport(
  pairs: Array<{ c: number; llr: number; phi: number; member: boolean }>,
  seps: Array<number | null>,
) {
  const members = pairs.filter((p) => p.member).length;
  return {
    method: 'CF',
    shadows: 8,
    targets: 2,
    candidates: seps.length,
    skipped: 0,
    members,
    nonMembers: pairs.length - members,
    auc: 0.5,
    aucCi: [0.4, 0.6],
    tpr: [0.01, 0.05],
    tprCi: [
      [0, 0.2],
      [0, 0.3],
    ],
    flagged: false,
    atChance: true,
    separation: [0, 0, 0, 0, 0, 0, 0],
    scoreRange: [0, 1],
    scoreHist: { members: [], nonMembers: [] },
    mostExposed: [],
    population: {
      auc: 0.5,
      aucCi: [0.4, 0.6],
      tpr: [0.01, 0.05],
      tprCi: [
        [0, 0.2],
        [0, 0.3],
      ],
    },
    perCandidate: { index: seps.map((_, e) => 100 + e), label: seps.map((_, e) => e % 3), separation: seps },
    pairs: {
      candidate: pairs.map((p) => p.c),
      target: pairs.map((_, k) => k % 2),
      member: pairs.map((p) => (p.member ? '1' : '0')).join(''),
      llr: pairs.map((p) => p.llr),
      phi: pairs.map((p) => p.phi),
    },
    retain: null,
  } as AuditMethodReport;
}

/** An audit.json as `npm run audit` writes it, from the core's own analysis of simulated φ records. */
function cliJson() {
  const settings = {
    ...AUDIT_PRESETS['audit-smoke'].settings,
    poolPerClass: 20,
    shadows: 8,
    targets: 4,
    bootstrap: 50,
  };
  const labels = Array.from({ length: 10 * 20 }, (_, i) => i % 10);
  const plan = planAudit(labels, 10, settings, 0);
  // seeded standard normals (Box–Muller on a small LCG): the test needs noise, not the core's Rng
  let state = 12345;
  const unif = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  const noise = { normal: () => Math.sqrt(-2 * Math.log(unif())) * Math.cos(2 * Math.PI * unif()) };
  const phi = new Map<string, number[]>();
  const phiOf = (m: { id: string; half: Int32Array; forget: Int32Array }, method: string) => {
    const k = `${m.id}|${method}`;
    if (!phi.has(k)) {
      const half = new Set(m.half);
      const forgot = new Set(m.forget);
      const keep = method === 'Original' ? 1 : method === 'Retrain' ? 0 : 0.5;
      phi.set(
        k,
        Array.from(plan.pool, (_, p) => (half.has(p) ? (forgot.has(p) ? 2 * keep : 2) : 0) + noise.normal()),
      );
    }
    return phi.get(k)!;
  };
  const reports = ['Original', 'CF', 'Retrain'].map((method) => ({
    seed: 0,
    report: analyseAuditMethod(plan, method, phiOf),
  }));
  return JSON.parse(
    JSON.stringify({
      createdAt: '2026-12-07T00:00:00Z',
      command: 'npm run audit',
      settings,
      fprs: [0.01, 0.05],
      missing: [],
      reports,
    }),
  );
}

describe('reading an audit.json', () => {
  it('reads the CLI’s output with every report detailed', () => {
    const doc = parseAuditJson(cliJson(), 'audit.json');
    expect(doc.detailed).toBe(true);
    expect(doc.seeds).toEqual([0]);
    expect(doc.rows.map((r) => r.method)).toEqual(['Original', 'CF', 'Retrain']);
    expect(doc.data).toEqual({ id: 'synthetic', trainPerClass: 20, testPerClass: 8 });
    expect(doc.command).toBe('npm run audit');
  });

  it('names the place of the first problem', () => {
    const bad = (edit: (j: ReturnType<typeof cliJson>) => void) => {
      const j = cliJson();
      edit(j);
      return () => parseAuditJson(j, 'audit.json');
    };
    expect(bad((j) => (j.reports[1].report.pairs.llr[5] = null))).toThrow(
      'audit.json.reports[1].report.pairs.llr[5]: expected a number, got null',
    );
    expect(bad((j) => (j.reports[0].report.pairs.member += '1'))).toThrow(
      /reports\[0\]\.report\.pairs\.member: expected \d+ characters/,
    );
    expect(bad((j) => (j.reports[0].report.pairs.candidate[0] = 10_000))).toThrow(
      /pairs\.candidate\[0\]: expected a number in \[0, \d+\]/,
    );
    expect(bad((j) => (j.settings.shadows = 1))).toThrow(
      /audit.json.settings: .*audit.shadows: an integer in \[2, 1024\], got 1/,
    );
    expect(bad((j) => (j.reports[2].report.auc = 1.5))).toThrow(
      'audit.json.reports[2].report.auc: expected a number in [0, 1], got 1.5',
    );
    expect(() => parseAuditJson([], 'x.json')).toThrow(/x.json: expected a JSON object/);
    expect(() => parseAuditText('{', 'x.json')).toThrow(/x.json: not valid JSON/);
  });

  it('an exported audit reads back the same', () => {
    const doc = parseAuditJson(cliJson(), 'audit.json');
    const back = parseAuditText(auditJsonOf(doc), 'exported.json');
    expect(back.rows).toEqual(doc.rows);
    expect(back.settings).toEqual(doc.settings);
    expect(back.command).toBe('npm run audit');
  });

  it('reads an older audit.json without pairs as not detailed', () => {
    const j = cliJson();
    for (const r of j.reports) {
      delete r.report.pairs;
      delete r.report.perCandidate;
      delete r.report.population;
    }
    const doc = parseAuditJson(j, 'old.json');
    expect(doc.detailed).toBe(false);
    expect(galleryRows(doc.rows)).toEqual([]);
  });

  it('a job of this browser reads the same as its reports', () => {
    const j = cliJson();
    const doc = docFromJob({
      jobId: 'j',
      preset: 'audit-smoke',
      seed: 0,
      settings: j.settings,
      data: { id: 'synthetic', trainPerClass: 20, testPerClass: 8, source: 'synthetic', classes: [] },
      reports: j.reports.map((r: AuditRow) => ({ method: r.report!.method, report: r.report })),
      records: { computed: 1, reused: 0, total: 1 },
      seconds: 1,
      images: { indices: [], labels: [], classes: [], data: new Uint8ClampedArray() },
    });
    expect(doc.origin).toBe('live');
    expect(doc.rows.map((r) => r.seed)).toEqual([0, 0, 0]);
    expect(doc.detailed).toBe(true);
  });
});

describe('the scatter', () => {
  // 4 member pairs, 6 non-member pairs
  const r = handReport(
    [
      { c: 0, llr: 5, phi: 5, member: true }, // both attacks flag it
      { c: 1, llr: 5, phi: -1, member: true }, // only the per-example attack
      { c: 2, llr: -1, phi: 5, member: true }, // only the population attack
      { c: 3, llr: -1, phi: -1, member: true }, // neither
      { c: 0, llr: 0, phi: 0, member: false },
      { c: 1, llr: 1, phi: 1, member: false },
      { c: 2, llr: 2, phi: 3, member: false },
      { c: 3, llr: 3, phi: 2, member: false },
      { c: 0, llr: -2, phi: -2, member: false },
      { c: 1, llr: -3, phi: -3, member: false },
    ],
    [1, 2, 3, 4],
  );
  it('thresholds at the FPR from the non-members, and tallies where the attacks disagree', () => {
    // fpr 0.2 of 6 non-members: ⌊1.2⌋ = 1 may pass, so the threshold is the 2nd largest non-member score
    expect(thresholdAt([0, 1, 2, 3, -2, -3], 0.2)).toBe(2);
    const s = scatterData(r, 0.2);
    expect(s.threshold).toEqual({ llr: 2, phi: 2 });
    expect(s.members).toEqual({ both: 1, perExampleOnly: 1, populationOnly: 1, neither: 1, total: 4 });
    // one false positive each: llr 3 (phi 2 is not > 2) and phi 3 (llr 2 is not > 2)
    expect(s.nonMembers).toEqual({ both: 0, perExampleOnly: 1, populationOnly: 1, neither: 4, total: 6 });
    expect(s.points).toHaveLength(10);
    expect(s.points[1]).toEqual({ x: -1, y: 5, member: true, index: 101, label: 1, target: 1 });
  });

  it('at an FPR below 1/N nothing non-member passes', () => {
    const s = scatterData(r, 0.05);
    expect(s.threshold).toEqual({ llr: 3, phi: 3 });
    expect(s.nonMembers.neither).toBe(6);
  });
});

describe('the ROC on log axes', () => {
  it('runs from 1/N to 1 on a log grid, with TPR 0 at the floor', () => {
    const g = logGrid(0.001, 10);
    expect(g[0]).toBeCloseTo(0.001, 12);
    expect(g.at(-1)).toBe(1);
    expect(g).toHaveLength(31);
    // the per-example attack separates perfectly; the population attack ranks every member below every non-member
    const pairs = [
      ...[1, 2, 3, 4].map((v, c) => ({ c, llr: 10 + v, phi: -10 - v, member: true })),
      ...Array.from({ length: 20 }, (_, k) => ({ c: k % 4, llr: k / 10, phi: k / 10, member: false })),
    ];
    const roc = rocCurves(handReport(pairs, [1, 1, 1, 1]));
    expect(roc.minFpr).toBe(1 / 20);
    expect(roc.tprFloor).toBe(1 / 8);
    expect(roc.perExample[0]).toEqual({ fpr: 1 / 20, tpr: 1 });
    expect(roc.perExample.every((p) => p.tpr === 1)).toBe(true);
    expect(roc.population[0]).toEqual({ fpr: 1 / 20, tpr: 1 / 8 });
    expect(roc.population.at(-1)).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < roc.population.length; i++)
      expect(roc.population[i].tpr).toBeGreaterThanOrEqual(roc.population[i - 1].tpr);
  });
});

describe('resolution', () => {
  it('says when no non-member pair can pass at 1 % FPR, and the width of the TPR@1 % interval', () => {
    const r = handReport(
      [
        { c: 0, llr: 0, phi: 0, member: true },
        ...Array.from({ length: 50 }, () => ({ c: 0, llr: 0, phi: 0, member: false })),
      ],
      [1],
    );
    const res = resolutionOf(r);
    expect(res.atOnePercent).toBe(0);
    expect(res.minFpr).toBe(1 / 50);
    expect(res.tpr1Width).toBeCloseTo(0.2, 12);
    expect(res.text).toMatch(/1\/50 = 2\.00 %; at 1 % FPR not one non-member pair may be flagged/);
    expect(res.text).toMatch(/\[0\.0 %, 20\.0 %\] \(20\.0 percentage points wide\)/);
    const big = resolutionOf({ ...r, nonMembers: 450 });
    expect(big.atOnePercent).toBe(4);
    expect(big.text).toMatch(/lets 4 non-member pairs through/);
  });
});

describe('the gallery', () => {
  it('shows each method’s most exposed candidates with Retrain’s separation of the same image, Retrain last', () => {
    const pairs = [
      { c: 0, llr: 4, phi: 0, member: true },
      { c: 0, llr: 2, phi: 0, member: true },
      { c: 1, llr: 1, phi: 0, member: false },
    ];
    const cf = handReport(pairs, [3, null, 1, 2]);
    const retrain = { ...handReport(pairs, [0.1, 0.2, -0.3, 0.4]), method: 'Retrain' };
    const rows = galleryRows(
      [
        { seed: 0, method: 'Retrain', report: retrain },
        { seed: 0, method: 'CF', report: cf },
        { seed: 0, method: 'A-CF', error: 'no targets' },
      ],
      2,
    );
    expect(rows.map((r) => r.method)).toEqual(['CF', 'Retrain']);
    expect(rows[0].items).toEqual([
      { index: 100, label: 0, separation: 3, retrain: 0.1, memberLlr: 3 },
      { index: 103, label: 0, separation: 2, retrain: 0.4, memberLlr: null },
    ]);
    expect(rows[1].items.map((i) => i.index)).toEqual([103, 101]);
    expect(galleryIndicesOf(rows)).toEqual([100, 103, 101]);
  });
});
