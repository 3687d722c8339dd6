import { describe, expect, it } from 'vitest';
import { medianRange, timingRepeats } from './timing';

describe('interleaved timing repeats', () => {
  it('runs methods in rotation and forms ratios within each repeat (median and range)', async () => {
    const order: string[] = [];
    // a machine that slows down over time: repeat r costs (1 + r) × the method's base seconds
    const base: Record<string, number> = { 'A-CF': 2, CF: 10, Retrain: 30 };
    let clock = 0;
    const res = await timingRepeats(['A-CF', 'CF', 'Retrain'], async (m, r) => {
      order.push(`${m}${r}`);
      const s = base[m] * (1 + r);
      clock += s / 2; // half of the wall time is this process's CPU
      return { wallSeconds: s };
    }, { repeats: 3, ratioPairs: [['CF', 'A-CF'], ['Retrain', 'A-CF']], cpuSeconds: () => clock });
    expect(order).toEqual(['A-CF0', 'CF0', 'Retrain0', 'A-CF1', 'CF1', 'Retrain1', 'A-CF2', 'CF2', 'Retrain2']);
    // per repeat CF/A-CF = 10(1+r) / 2(1+r) = 5 exactly: the drift cancels because both ran in the same phase
    expect(res.ratios['CF/A-CF'].wall).toMatchObject({ median: 5, min: 5, max: 5 });
    expect(res.ratios['Retrain/A-CF'].cpu.median).toBeCloseTo(15, 10);
    // A-CF wall seconds 2, 4, 6 → median 4, range [2, 6]
    expect(res.methods['A-CF'].wall).toMatchObject({ median: 4, min: 2, max: 6 });
  });
  it('median of an even count is the mean of the middle two', () => {
    expect(medianRange([4, 1, 3, 2]).median).toBe(2.5);
  });
});
