import { describe, expect, it } from 'vitest';
import { fmtMedianRange, medianRange, speedRows, timingRepeats } from './timing';

describe('interleaved timing repeats', () => {
  it('runs methods in rotation and forms ratios within each repeat (median and range)', async () => {
    const order: string[] = [];
    // a machine that slows down over time: repeat r costs (1 + r) × the method's base seconds
    const base: Record<string, number> = { 'A-CF': 2, CF: 10, Retrain: 30 };
    let clock = 0;
    const res = await timingRepeats(
      ['A-CF', 'CF', 'Retrain'],
      async (m, r) => {
        order.push(`${m}${r}`);
        const s = base[m] * (1 + r);
        clock += s / 2; // half of the wall time is this process's CPU
        return { wallSeconds: s };
      },
      {
        repeats: 3,
        ratioPairs: [
          ['CF', 'A-CF'],
          ['Retrain', 'A-CF'],
        ],
        cpuSeconds: () => clock,
      },
    );
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
  it('CPU seconds reported by runOnce (exactly the timed span) win over the clock around the call', async () => {
    let clock = 0;
    const res = await timingRepeats(
      ['A-CF', 'CF'],
      async (m) => {
        clock += 100; // evaluation etc. around the timed span: must not count
        return { wallSeconds: m === 'CF' ? 8 : 2, cpuSeconds: m === 'CF' ? 12 : 3 };
      },
      { repeats: 3, ratioPairs: [['CF', 'A-CF']], cpuSeconds: () => clock },
    );
    expect(res.ratios['CF/A-CF'].cpu.median).toBe(4);
    expect(res.methods.CF.cpu.median).toBe(12);
  });

  it('speedRows: the bench rows quote the median wall ratio and say so, with range and CPU (fake clock)', async () => {
    // wall seconds per repeat: A-CF 2, 2, 4; CF 10, 12, 12; Retrain 30, 30, 60 → CF/A-CF 5, 6, 3; Retrain/A-CF 15, 15, 15
    const wall: Record<string, number[]> = { 'A-CF': [2, 2, 4], CF: [10, 12, 12], Retrain: [30, 30, 60] };
    const t = await timingRepeats(
      ['A-CF', 'CF', 'Retrain'],
      async (m, r) => ({ wallSeconds: wall[m][r], cpuSeconds: wall[m][r] * 2 }),
      {
        repeats: 3,
        ratioPairs: [
          ['CF', 'A-CF'],
          ['Retrain', 'A-CF'],
        ],
      },
    );
    const [cf, re] = speedRows(t, 'uniform', 'bench preset');
    expect(cf.id).toBe('unlearn.acf_vs_cf_speedup.uniform');
    expect(cf.value).toBe(5);
    expect(cf.note).toContain(
      'value = median of the per-repeat wall-clock ratio CF/A-CF, median 5.00× (range 3.00–6.00, 3 repeats)',
    );
    expect(cf.note).toContain('process CPU seconds ratio median 5.00×');
    expect(cf.setting).toContain('3 interleaved repeats');
    expect(re.id).toBe('unlearn.acf_vs_retrain_speedup.uniform');
    expect(re.value).toBe(15);
    expect(fmtMedianRange(medianRange([NaN]))).toBe('–');
  });

  it('resumes by whole repeats: a complete earlier repeat is reused, a partial one runs again in full', async () => {
    const runs: string[] = [];
    const persisted: number[][] = [];
    const previous = [
      { method: 'A-CF', repeat: 0, wallSeconds: 2, cpuSeconds: 4, loadBefore: 0.1 },
      { method: 'CF', repeat: 0, wallSeconds: 10, cpuSeconds: 20, loadBefore: 0.2 },
      // repeat 1 was interrupted after A-CF: it must not be paired with a CF from another sitting
      { method: 'A-CF', repeat: 1, wallSeconds: 99, cpuSeconds: 99 },
    ];
    const t = await timingRepeats(
      ['A-CF', 'CF'],
      async (m, r) => {
        runs.push(`${m}${r}`);
        return { wallSeconds: m === 'CF' ? 12 : 3, cpuSeconds: m === 'CF' ? 24 : 6, loadBefore: 1.5 };
      },
      {
        repeats: 3,
        ratioPairs: [['CF', 'A-CF']],
        previous,
        onRepeat: (samples, r) => {
          persisted.push([r, samples.length]);
        },
      },
    );
    expect(runs).toEqual(['A-CF1', 'CF1', 'A-CF2', 'CF2']);
    // repeat 0 reused (ratio 5), repeats 1 and 2 new (ratio 4): the stale 99 s A-CF is gone
    expect(t.ratios['CF/A-CF'].wall.values).toEqual([5, 4, 4]);
    expect(t.samples.filter((s) => s.wallSeconds === 99)).toEqual([]);
    expect(persisted).toEqual([
      [1, 4],
      [2, 6],
    ]);
    const [row] = speedRows(
      await timingRepeats(['A-CF', 'CF', 'Retrain'], async () => ({ wallSeconds: 1, loadBefore: 0.25 }), {
        ratioPairs: [
          ['CF', 'A-CF'],
          ['Retrain', 'A-CF'],
        ],
      }),
      'class',
      'x',
    );
    expect(row.note).toContain('1-min load average before the runs 0.25–0.25');
  });
});
