import { describe, expect, it } from 'vitest';
import type { MethodResult, RunEvent } from '../core/runner/contracts';
import { armKey, emptyRun, endRunningStages, histogram, progressFraction, reduceRun, resultsCsv, summaryRows } from './runState';

const metrics = (x: number) => ({ retainAcc: x, forgetAcc: x / 2, testAcc: x - 1, mia: 50 + x / 10, lossMia: 50 });
const result = (name: MethodResult['name'], withDC: boolean, x: number): MethodResult => ({
  name, withDC, round: 0, unlearnSeconds: x / 10, overheadSeconds: withDC ? 1 : 0, metrics: metrics(x), curve: [],
});

describe('run reducer', () => {
  it('tracks stages with progress, ETA and completion', () => {
    let s = emptyRun();
    s = reduceRun(s, { kind: 'stage', stage: 'pretrain', status: 'start' }, 0);
    s = reduceRun(s, { kind: 'progress', progress: { stage: 'pretrain', epoch: 0, epochs: 2, step: 5, steps: 10, imgPerSec: 120 } }, 10_000);
    expect(s.stages[0].fraction).toBeCloseTo(0.25);
    expect(s.stages[0].etaSeconds).toBeCloseTo(30);
    expect(s.imgPerSec).toBe(120);
    s = reduceRun(s, { kind: 'stage', stage: 'pretrain', status: 'end', seconds: 40 }, 40_000);
    expect(s.stages[0]).toMatchObject({ status: 'done', fraction: 1, seconds: 40 });
  });

  it('marks running stages stopped after a cancel', () => {
    let s = reduceRun(emptyRun(), { kind: 'stage', stage: 'unlearn', status: 'start', label: 'CF' });
    s = endRunningStages(s, 'stopped');
    expect(s.stages[0].status).toBe('stopped');
    let t = reduceRun(emptyRun(), { kind: 'stage', stage: 'pretrain', status: 'start' });
    t = reduceRun(t, { kind: 'stage', stage: 'pretrain', status: 'end', seconds: 2 }, Date.now(), true);
    expect(t.stages[0]).toMatchObject({ status: 'stopped', seconds: 2 });
  });

  it('builds curves per method/arm, replacing repeated epochs', () => {
    const ev = (epoch: number, v: number): RunEvent => ({ kind: 'epoch', method: 'CF', withDC: true, round: 0, epoch, metrics: { forgetAcc: v } });
    let s = emptyRun();
    for (const e of [ev(2, 20), ev(1, 10), ev(2, 22)]) s = reduceRun(s, e);
    expect(s.curves[armKey('CF', true)]).toEqual([{ epoch: 1, forgetAcc: 10 }, { epoch: 2, forgetAcc: 22 }]);
  });

  it('keeps one result per method × arm × round and lays rows out like the paper', () => {
    let s = emptyRun();
    const events: RunEvent[] = [
      { kind: 'method-result', result: result('A-CF', false, 80) },
      { kind: 'method-result', result: result('Retrain', false, 70) },
      { kind: 'method-result', result: result('A-CF', true, 78) },
      { kind: 'method-result', result: result('A-CF', false, 81) },
    ];
    for (const e of events) s = reduceRun(s, e);
    expect(s.methods).toHaveLength(3);
    const rows = summaryRows(s.methods);
    expect(rows.map((r) => r.method)).toEqual(['Retrain', 'A-CF']);
    expect(rows[1].without?.metrics.retainAcc).toBe(81);
    expect(rows[1].with?.metrics.retainAcc).toBe(78);
    const csv = resultsCsv(s.methods).trim().split('\n');
    expect(csv[0]).toMatch(/^method,withDC,round,mia/);
    expect(csv).toHaveLength(4);
  });

  it('collects A-CF terms, prototypes and logs', () => {
    let s = emptyRun();
    s = reduceRun(s, { kind: 'acf-terms', method: 'A-CF', withDC: false, step: 1, ce2: 0.1, mmd: 2 });
    s = reduceRun(s, { kind: 'prototypes', iter: 3, items: [] });
    s = reduceRun(s, { kind: 'log', level: 'warn', message: 'x' });
    expect(s.acfTerms[armKey('A-CF', false)]).toHaveLength(1);
    expect(s.prototypeIter).toBe(3);
    expect(s.logs[0].message).toBe('x');
  });

  it('progressFraction clamps odd inputs', () => {
    expect(progressFraction({ stage: 'unlearn', epoch: 5, epochs: 2, step: 99, steps: 10 })).toBe(1);
    expect(progressFraction({ stage: 'unlearn', epoch: 0, epochs: 0, step: 0, steps: 0 })).toBe(0);
  });

  it('histogram normalises each sample', () => {
    const h = histogram([0, 0, 1], [1], 2);
    expect(h.reduce((a, b) => a + b.a, 0)).toBeCloseTo(1);
    expect(h.reduce((a, b) => a + b.b, 0)).toBeCloseTo(1);
    expect(histogram([], [])).toEqual([]);
  });
});
