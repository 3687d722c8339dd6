import { describe, expect, it } from 'vitest';
import { acfEpochList, cfWarmup, summariseTradeoff, tradeoffRunSpec, type TradeoffPoint } from './tradeoff';
import { getPreset } from './presets';

describe('trade-off plan', () => {
  it('A-CF epochs: the fixed list plus the count nearest the paper\'s 704 steps', () => {
    // bench, 10 % uniform: 2,700 retain → ⌈2700/64⌉ = 43 steps/epoch; 704/43 = 16.37 → 16 (already in the list)
    expect(acfEpochList(2700)).toEqual([1, 2, 4, 8, 16]);
    // quick-class: 2,700 retain too; reference: 45,000 → 704 steps/epoch → 1
    expect(acfEpochList(45000)).toEqual([1, 2, 4, 8, 16]);
    // 900 retain (old bench) → 15 steps/epoch → 704/15 = 46.9 → 47
    expect(acfEpochList(900)).toEqual([1, 2, 4, 8, 16, 47]);
  });
  it('CF warm-up scales the paper\'s WarmCos(5, 50) to the budget', () => {
    expect([1, 2, 5, 10, 25, 50].map(cfWarmup)).toEqual([0, 0, 1, 1, 3, 5]);
  });
  it('run specs: one method, w/o DC, paper epoch scale, curves only for A-CF checkpoints', () => {
    const base = getPreset('bench').spec;
    const a = tradeoffRunSpec(base, 'A-CF', 16);
    expect(a.unlearn).toMatchObject({ methods: ['A-CF'], arms: 'without', epochScale: 1, hparams: { 'A-CF': { acf_epochs: 16 } } });
    expect(a.curves).toBe(true);
    const c = tradeoffRunSpec(base, 'CF', 25);
    expect(c.unlearn.hparams).toEqual({ CF: { cf_epochs: 25, cf_warmup: 3 } });
    expect(c.curves).toBe(false);
    expect(tradeoffRunSpec(base, 'Retrain', 100).unlearn.hparams).toEqual({ Retrain: { retrain_epochs: 100, retrain_warmup: 5 } });
  });
  it('summary: one row per method and budget, intervals over seeds', () => {
    const p = (method: 'A-CF' | 'CF', epochs: number, seed: number, forgetAcc: number): TradeoffPoint => ({
      method, epochs, steps: epochs * 43, seed, forgetAcc, retainAcc: 90, testAcc: 60, mia: 55, miaSe: 2, seconds: epochs, source: 'run',
    });
    const rows = summariseTradeoff([p('CF', 5, 0, 80), p('A-CF', 1, 0, 70), p('CF', 5, 1, 84), p('A-CF', 1, 1, 72)]);
    expect(rows.map((r) => `${r.method}:${r.epochs}:${r.n}`)).toEqual(['A-CF:1:2', 'CF:5:2']);
    expect(rows[1].forgetAcc.mean).toBe(82);
  });
});
