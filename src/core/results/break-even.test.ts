import { describe, expect, it } from 'vitest';
import type { CondenseResult, ExperimentResult, MethodResult } from '../contracts';
import { breakEven, breakEvenParts, formatBreakEven } from './break-even';
import { buildClaims, claimsMarkdown, LAB_MEASURE } from './claims';
import { DEFAULT_SPEC, mergeSpec, validateSpec } from '../presets';

const run = (name: string, withDC: boolean, unlearnSeconds: number): MethodResult => ({
  name: name as MethodResult['name'],
  withDC,
  round: 0,
  unlearnSeconds,
  overheadSeconds: 0,
  curve: [],
  metrics: { retainAcc: 90, testAcc: 70, forgetAcc: 80, mia: 50, lossMia: 50 },
});
const condense = (kmeansSeconds: number, blendSeconds: number): CondenseResult => ({
  ipc: 10,
  round: 0,
  kmeansSeconds,
  partitionSeconds: 1,
  blendSeconds,
  retainSize: 100,
  reducedRetainSize: 50,
  freeClusters: 5,
  residualImages: 45,
  emptyClusters: 0,
  clusterSizes: [],
  finalLoss: 0,
});
const cell = (seed: number, mode: 'class' | 'uniform', km: number, blend: number, wo: number, w: number) =>
  ({
    spec: validateSpec(
      mergeSpec(DEFAULT_SPEC, { seed, forget: { mode, class: mode === 'class' ? 0 : null, fraction: 0.1 } }),
    ),
    env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 0 },
    split: { trainSize: 0, retainSize: 0, forgetSize: 0, testUsedSize: 0, testEvalSize: 0, forgetClass: null },
    pretrain: { seconds: 0, testAcc: 0, trainAcc: 0, reused: false },
    condense: condense(km, blend),
    methods: [run('A-CF', false, wo), run('A-CF', true, w), run('CF', false, 2 * wo), run('CF', true, 2 * w)],
  }) as ExperimentResult;

describe('break-even number of requests', () => {
  it('R* = k-means ÷ (saving − Blend cost), by hand', () => {
    // k-means 30 s once; Blend 5 + partition 1 = 6 s per request; unlearning 20 s w/o, 8 s w/ → saving 12 s
    // → net 6 s per request → R* = 30 / 6 = 5 requests.
    const p = breakEvenParts(cell(0, 'uniform', 30, 5, 20, 8), 'A-CF')!;
    expect(p).toEqual({ oneTime: 30, blend: 6, saving: 12 });
    const b = breakEven([p]);
    expect(b.requests).toBeCloseTo(5, 12);
    expect(Number.isNaN(b.ci95[0])).toBe(true);
    expect(formatBreakEven(b)).toMatch(/^5\.0 requests \(pays off from request 5\) \(n = 1;/);
  });

  it('"never" when the saving does not exceed Blend\'s cost; a factor scales the saving', () => {
    const p = breakEvenParts(cell(0, 'uniform', 30, 5, 10, 8), 'A-CF')!; // saving 2 < 6
    expect(breakEven([p]).requests).toBe(Infinity);
    expect(formatBreakEven(breakEven([p]))).toMatch(/^never/);
    // ×10 (a method read at 10× its epochs): saving 20, net 14 → 30/14
    const q = breakEvenParts(cell(0, 'uniform', 30, 5, 10, 8), 'A-CF', 10)!;
    expect(breakEven([q]).requests).toBeCloseTo(30 / 14, 12);
    expect(breakEvenParts({ ...cell(0, 'uniform', 30, 5, 10, 8), condense: undefined }, 'A-CF')).toBeNull();
  });

  it('the interval combines the k-means and net-saving t-intervals; "never" as its upper end when net may be ≤ 0', () => {
    // nets 6, 7, 8 (mean 7, sd 1, t(0.975, 2) = 4.3027 → ±2.484): all positive → finite interval
    const parts = [6, 7, 8].map((net) => ({ oneTime: 30, blend: 6, saving: 6 + net }));
    const b = breakEven(parts);
    const h = (4.302652729911275 * 1) / Math.sqrt(3);
    expect(b.requests).toBeCloseTo(30 / 7, 10);
    expect(b.ci95[0]).toBeCloseTo(30 / (7 + h), 8);
    expect(b.ci95[1]).toBeCloseTo(30 / (7 - h), 8);
    // nets 1, 7, 13: interval of net crosses 0 → upper end never
    const wide = breakEven([1, 7, 13].map((net) => ({ oneTime: 30, blend: 6, saving: 6 + net })));
    expect(wide.ci95[1]).toBe(Infinity);
    expect(formatBreakEven(wide)).toContain('– never, n = 3');
    // nets −5, −4, −3: the whole interval of net below 0 (upper −4 + 2.48) → never, whole interval
    const none = breakEven([-5, -4, -3].map((net) => ({ oneTime: 30, blend: 6, saving: 6 + net })));
    expect(none.requests).toBe(Infinity);
    expect(none.ci95).toEqual([Infinity, Infinity]);
    expect(formatBreakEven(none)).toMatch(/^never \(95 %: never, n = 3;/);
  });

  it('is a row of the claims table per method, labelled a lab measure (no verdict), CF read at the paper epochs', () => {
    const cells: Record<string, ExperimentResult> = {};
    [0, 1, 2].forEach((s) => {
      cells[`single-uniform-seed${s}`] = cell(s, 'uniform', 30, 5, 20 + s, 8);
      cells[`single-class-seed${s}`] = cell(s, 'class', 30, 5, 10, 8);
    });
    const claims = buildClaims({ experiments: cells, condensation: [] });
    const rows = claims.filter((c) => c.id === 'R*');
    expect(rows.map((r) => r.reproduces)).toEqual([LAB_MEASURE, LAB_MEASURE]);
    const acf = rows.find((r) => r.claim.includes('A-CF'))!;
    // A-CF uniform nets 6, 7, 8 → 30/7 = 4.3; class saving 2 < 6 → never
    expect(acf.ours).toMatch(/uniform: 4\.3 requests/);
    expect(acf.ours).toMatch(/class: never/);
    expect(acf.ours).not.toContain('extrapolated');
    expect(acf.n).toBe(6);
    const cf = rows.find((r) => r.claim.includes('for CF'))!;
    expect(cf.setting).toContain('extrapolated');
    expect(claimsMarkdown(claims)).toContain(`| ${LAB_MEASURE} |`);
  });
});
