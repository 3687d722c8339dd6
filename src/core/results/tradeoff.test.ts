import { describe, expect, it } from 'vitest';
import {
  acfEpochList,
  cfWarmup,
  parseTradeoffFile,
  summariseTradeoff,
  tradeoffGaps,
  sweepTradeoff,
  tradeoffChartData,
  tradeoffPlan,
  tradeoffPointsOf,
  tradeoffRunSpec,
  type TradeoffPoint,
} from './tradeoff';
import { getPreset, mergeSpec, validateSpec } from '../presets';

describe('trade-off plan', () => {
  it("A-CF epochs: the fixed list plus the count nearest the paper's 704 steps", () => {
    // bench, 10 % uniform: 2,700 retain → ⌈2700/64⌉ = 43 steps/epoch; 704/43 = 16.37 → 16 (already in the list)
    expect(acfEpochList(2700)).toEqual([1, 2, 4, 8, 16]);
    // quick-class: 2,700 retain too; reference: 45,000 → 704 steps/epoch → 1
    expect(acfEpochList(45000)).toEqual([1, 2, 4, 8, 16]);
    // 900 retain (old bench) → 15 steps/epoch → 704/15 = 46.9 → 47
    expect(acfEpochList(900)).toEqual([1, 2, 4, 8, 16, 47]);
  });
  it("CF warm-up scales the paper's WarmCos(5, 50) to the budget", () => {
    expect([1, 2, 5, 10, 25, 50].map(cfWarmup)).toEqual([0, 0, 1, 1, 3, 5]);
  });
  it('run specs: one method, w/o DC, paper epoch scale, curves only for A-CF checkpoints', () => {
    const base = getPreset('bench').spec;
    const a = tradeoffRunSpec(base, 'A-CF', 16);
    expect(a.unlearn).toMatchObject({
      methods: ['A-CF'],
      arms: 'without',
      epochScale: 1,
      hparams: { 'A-CF': { acf_epochs: 16 } },
    });
    expect(a.curves).toBe(true);
    const c = tradeoffRunSpec(base, 'CF', 25);
    expect(c.unlearn.hparams).toEqual({ CF: { cf_epochs: 25, cf_warmup: 3 } });
    expect(c.curves).toBe(false);
    expect(tradeoffRunSpec(base, 'Retrain', 100).unlearn.hparams).toEqual({
      Retrain: { retrain_epochs: 100, retrain_warmup: 5 },
    });
  });
  it('summary: one row per method and budget, intervals over seeds', () => {
    const p = (method: 'A-CF' | 'CF', epochs: number, seed: number, forgetAcc: number): TradeoffPoint => ({
      method,
      epochs,
      steps: epochs * 43,
      seed,
      forgetAcc,
      retainAcc: 90,
      testAcc: 60,
      mia: 55,
      miaSe: 2,
      seconds: epochs,
      source: 'run',
    });
    const rows = summariseTradeoff([p('CF', 5, 0, 80), p('A-CF', 1, 0, 70), p('CF', 5, 1, 84), p('A-CF', 1, 1, 72)]);
    expect(rows.map((r) => `${r.method}:${r.epochs}:${r.n}`)).toEqual(['A-CF:1:2', 'CF:5:2']);
    expect(rows[1].forgetAcc.mean).toBe(82);
  });
  it('gaps to Retrain are paired by seed (hand-computed)', () => {
    const q = (method: 'A-CF' | 'Retrain', seed: number, forgetAcc: number, mia: number): TradeoffPoint => ({
      method,
      epochs: method === 'Retrain' ? 100 : 1,
      steps: 43,
      seed,
      forgetAcc,
      retainAcc: 90,
      testAcc: 60,
      // class forgetting: Retrain's paper MIA read 95 through the unfiltered swapped branch; its filtered value is `mia`
      mia: method === 'Retrain' ? 95 : mia,
      miaFiltered: mia,
      seconds: 1,
      source: 'run',
    });
    // seed 0: gaps 10 / 5; seed 1: gaps 14 / 7; seed 2 has no Retrain point and is left out
    const [g] = tradeoffGaps([
      q('Retrain', 0, 50, 50),
      q('A-CF', 0, 60, 55),
      q('Retrain', 1, 40, 48),
      q('A-CF', 1, 54, 55),
      q('A-CF', 2, 99, 99),
    ]);
    expect(g.n).toBe(2);
    expect(g.forgetAcc.mean).toBe(12);
    expect(g.forgetAcc.values).toEqual([10, 14]);
    // t(0.975, 1) = 12.706; sd of [10, 14] = 2.828; half-width = 12.706 · 2.828 / √2 = 25.41
    expect(g.forgetAcc.ci95[1] - g.forgetAcc.mean).toBeCloseTo(25.41, 1);
    expect(g.miaFiltered.mean).toBe(6); // from the filtered variant, not 55 − 95
    expect(g).not.toHaveProperty('mia');
    // an older sweep file (no miaFiltered): no MIA gap at all rather than one from the unfiltered branch
    const old = tradeoffGaps([q('Retrain', 0, 50, 50), q('A-CF', 0, 60, 55)].map(({ miaFiltered: _, ...p }) => p));
    expect(old[0].miaFiltered.n).toBe(0);
    expect(g.testAcc.mean).toBe(0);
  });
});

describe('sweep plan, points and chart shaping (shared by the CLI and the page)', () => {
  it('tradeoffPlan: Retrain, one A-CF run of the largest count, a CF run per budget; cap drops the rest', () => {
    // retain 45,000 → 704 steps per epoch → nearest count to 704 steps = 1
    expect(tradeoffPlan(45_000).runs).toEqual([
      { method: 'Retrain', epochs: 100 },
      { method: 'A-CF', epochs: 16 },
      ...[1, 2, 5, 10, 25, 50].map((epochs) => ({ method: 'CF', epochs })),
    ]);
    const small = tradeoffPlan(900, 2); // 15 steps/epoch → 47 epochs nearest 704, capped away
    expect(small.acfEpochs).toEqual([1, 2]);
    expect(small.runs).toEqual([
      { method: 'Retrain', epochs: 2 },
      { method: 'A-CF', epochs: 2 },
      { method: 'CF', epochs: 1 },
      { method: 'CF', epochs: 2 },
    ]);
    expect(() => tradeoffPlan(900, 0)).toThrow(/cap/);
  });

  it('tradeoffPointsOf: A-CF checkpoints from its curve, the last from the final metrics', () => {
    const m = {
      metrics: { forgetAcc: 70, retainAcc: 80, testAcc: 60, mia: 55, miaSe: 2 },
      unlearnSeconds: 9,
      curve: [
        { epoch: 1, seconds: 4, forgetAcc: 90, retainAcc: 85, testAcc: 62, mia: 60, miaSe: 2.1 },
        { epoch: 2, seconds: 8.5, forgetAcc: 71 },
      ],
    };
    const pts = tradeoffPointsOf({ method: 'A-CF', epochs: 2 }, m, 3, [1, 2], 640);
    expect(pts.map((p) => [p.epochs, p.steps, p.source, p.forgetAcc, p.seconds])).toEqual([
      [1, 10, 'checkpoint', 90, 4],
      [2, 20, 'run', 70, 9],
    ]);
    expect(tradeoffPointsOf({ method: 'CF', epochs: 5 }, m, 3, [1, 2], 640)).toMatchObject([
      { method: 'CF', epochs: 5, steps: 50, seconds: 9, mia: 55 },
    ]);
  });

  const pt = (
    method: 'A-CF' | 'CF' | 'Retrain',
    epochs: number,
    seed: number,
    forgetAcc: number,
    seconds: number,
  ): TradeoffPoint => ({
    method,
    epochs,
    steps: epochs * 10,
    seed,
    forgetAcc,
    retainAcc: 90,
    testAcc: 70,
    mia: 50 + forgetAcc / 10,
    miaSe: 2,
    seconds,
    source: 'run',
  });
  const points = [
    pt('Retrain', 100, 0, 50, 100),
    pt('Retrain', 100, 1, 54, 110),
    pt('Retrain', 100, 2, 52, 90),
    pt('A-CF', 2, 0, 80, 20),
    pt('A-CF', 2, 1, 84, 22),
    pt('A-CF', 1, 0, 90, 10),
    pt('A-CF', 1, 1, 92, 12),
    pt('CF', 5, 0, 88, 30),
  ];

  it('tradeoffChartData: lines per method sorted by seconds, means with intervals; Retrain as a band', () => {
    const d = tradeoffChartData(summariseTradeoff(points), 'forgetAcc');
    expect(d.lines.map((l) => l.method)).toEqual(['A-CF', 'CF']);
    const acf = d.lines[0].points;
    expect(acf.map((p) => [p.epochs, p.x, p.y, p.n])).toEqual([
      [1, 11, 91, 2],
      [2, 21, 82, 2],
    ]);
    // two seeds 80, 84: mean 82, sd 2√2, half-width t_{0.975,1}·2√2/√2 = 12.706205·2 = 25.41241
    expect(acf[1].yLo).toBeCloseTo(82 - 25.41241, 4);
    expect(acf[1].err[1]).toBeCloseTo(25.41241, 4);
    expect(acf[1].perSeed).toEqual([80, 84]);
    // a single seed: no interval, the band collapses to the value
    expect(d.lines[1].points[0]).toMatchObject({ y: 88, yLo: 88, yHi: 88, err: [0, 0], n: 1 });
    // Retrain 50, 54, 52: mean 52, sd 2, half-width 4.302653·2/√3 = 4.968275
    expect(d.retrain!.mean).toBe(52);
    expect(d.retrain!.hi).toBeCloseTo(56.968275, 5);
    expect(d.retrain!.seconds).toBe(100);
    expect(tradeoffChartData(summariseTradeoff(points), 'mia').retrain!.mean).toBeCloseTo(55.2, 10);
  });

  it('parseTradeoffFile reads the CLI JSON shape and says what is wrong where', () => {
    const f = parseTradeoffFile(
      JSON.stringify({ preset: 'bench', mode: 'uniform', seeds: [0, 1, 2], points, summary: [] }),
    );
    expect(f.seeds).toEqual([0, 1, 2]);
    expect(f.summary).toHaveLength(4);
    expect(() => parseTradeoffFile('{')).toThrow(/not JSON/);
    expect(() => parseTradeoffFile('{"points": []}')).toThrow(/empty/);
    const bad = [{ ...points[0], mia: 'x' }];
    expect(() => parseTradeoffFile(JSON.stringify({ points: bad }))).toThrow(
      /points\[0\].*mia must be a finite number/,
    );
    expect(() => parseTradeoffFile(JSON.stringify({ points: [{ ...points[0], method: 'SCRUB' }] }))).toThrow(
      /not A-CF, CF or Retrain/,
    );
  });
});

describe('sweepTradeoff (the page Sweep driver)', () => {
  it("per seed: pretrain, then the plan's runs with their specs; points summarised", async () => {
    const spec = validateSpec(mergeSpec(getPreset('smoke').spec, { seed: 4, seeds: 2 }));
    const calls: string[] = [];
    const file = await sweepTradeoff(
      spec,
      {
        pretrain: async (s, seed) => {
          calls.push(`pre${seed}:${s.seeds}`);
          return 640;
        },
        unlearn: async (s, run, seed) => {
          calls.push(`${seed}:${run.method}${run.epochs}`);
          expect(s.unlearn.methods).toEqual([run.method]);
          expect(s.seed).toBe(seed);
          const e = run.epochs;
          return {
            metrics: { forgetAcc: 100 - e - seed, retainAcc: 90, testAcc: 70, mia: 60 - e, miaSe: 2 },
            unlearnSeconds: e,
            curve: Array.from({ length: e }, (_, i) => ({
              epoch: i + 1,
              seconds: i + 1,
              forgetAcc: 99 - i,
              retainAcc: 90,
              testAcc: 70,
              mia: 59 - i,
            })),
          };
        },
      },
      { cap: 2 },
    );
    expect(calls).toEqual([
      'pre4:1',
      '4:Retrain2',
      '4:A-CF2',
      '4:CF1',
      '4:CF2',
      'pre5:1',
      '5:Retrain2',
      '5:A-CF2',
      '5:CF1',
      '5:CF2',
    ]);
    expect(file.seeds).toEqual([4, 5]);
    // per seed: Retrain 1 + A-CF 2 (checkpoint 1 and the run) + CF 2 = 5 points
    expect(file.points).toHaveLength(10);
    const cf2 = file.summary.find((r) => r.method === 'CF' && r.epochs === 2)!;
    expect(cf2.forgetAcc.values).toEqual([94, 93]);
  });
});
