import { describe, expect, it } from 'vitest';
import type { ForgetSampleView, MethodResult, RunEvent } from '../core/lite';
import {
  acfChartRows,
  armKey,
  emptyRun,
  endRunningStages,
  galleryMethodKeys,
  galleryRows,
  histogram,
  pickGalleryMethod,
  pickGalleryReference,
  progressFraction,
  reduceRun,
  parseArmKey,
  startRun,
  summaryRows,
} from './runState';
import { DEFAULT_SPEC, mergeSpec, resultsCsv, validateSpec } from '../core/lite';

const metrics = (x: number) => ({ retainAcc: x, forgetAcc: x / 2, testAcc: x - 1, mia: 50 + x / 10, lossMia: 50 });
const result = (name: MethodResult['name'], withDC: boolean, x: number): MethodResult => ({
  name,
  withDC,
  round: 0,
  unlearnSeconds: x / 10,
  overheadSeconds: withDC ? 1 : 0,
  metrics: metrics(x),
  curve: [],
});

describe('run reducer', () => {
  it('tracks stages with progress, ETA and completion', () => {
    let s = emptyRun();
    s = reduceRun(s, { kind: 'stage', stage: 'pretrain', status: 'start' }, 0);
    s = reduceRun(
      s,
      { kind: 'progress', progress: { stage: 'pretrain', epoch: 0, epochs: 2, step: 5, steps: 10, imgPerSec: 120 } },
      10_000,
    );
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
    const ev = (epoch: number, v: number): RunEvent => ({
      kind: 'epoch',
      method: 'CF',
      withDC: true,
      round: 0,
      epoch,
      metrics: { forgetAcc: v },
    });
    let s = emptyRun();
    for (const e of [ev(2, 20), ev(1, 10), ev(2, 22)]) s = reduceRun(s, e);
    expect(s.curves[armKey('CF', true)]).toEqual([
      { epoch: 1, forgetAcc: 10 },
      { epoch: 2, forgetAcc: 22 },
    ]);
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
    const csv = resultsCsv([{ methods: s.methods }])
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^method,withDC,round,mia/);
    expect(csv).toHaveLength(4);
  });

  it('collects A-CF terms, prototypes and logs', () => {
    let s = emptyRun();
    s = reduceRun(s, { kind: 'acf-terms', method: 'A-CF', withDC: false, step: 1, ce2: 0.1, mmd: 2, lambda: 34 });
    s = reduceRun(s, { kind: 'prototypes', iter: 3, items: [] });
    s = reduceRun(s, { kind: 'log', level: 'warn', message: 'x' });
    expect(s.acfTerms[armKey('A-CF', false)]).toHaveLength(1);
    expect(s.prototypeIter).toBe(3);
    expect(s.logs[0].message).toBe('x');
  });

  it("the A-CF terms chart plots λ·MMD² with the run's λ, and says which λ", () => {
    let s = emptyRun();
    s = reduceRun(s, { kind: 'acf-terms', method: 'A-CF', withDC: true, step: 0, ce2: 0.5, mmd: 0.25, lambda: 34 });
    s = reduceRun(s, { kind: 'acf-terms', method: 'A-CF', withDC: true, step: 1, ce2: 0.4, mmd: 0.5, lambda: 34 });
    const chart = acfChartRows(s.acfTerms[armKey('A-CF', true)]);
    expect(chart.rows).toEqual([
      { step: 0, ce2: 0.5, lambdaMmd: 8.5 },
      { step: 1, ce2: 0.4, lambdaMmd: 17 },
    ]);
    expect(chart.lambda).toBe(34);
    s = reduceRun(s, { kind: 'acf-terms', method: 'A-CF', withDC: true, step: 2, ce2: 0.4, mmd: 1, lambda: 2 });
    const mixed = acfChartRows(s.acfTerms[armKey('A-CF', true)]);
    expect(mixed.rows[2].lambdaMmd).toBe(2);
    expect(mixed.lambda).toBeNull();
  });

  it('progressFraction reads Progress.epoch as 1-based', () => {
    expect(progressFraction({ stage: 'unlearn', epoch: 1, epochs: 2, step: 0, steps: 10 })).toBe(0);
    expect(progressFraction({ stage: 'unlearn', epoch: 1, epochs: 2, step: 5, steps: 10 })).toBe(0.25);
    expect(progressFraction({ stage: 'unlearn', epoch: 2, epochs: 2, step: 5, steps: 10 })).toBe(0.75);
    expect(progressFraction({ stage: 'unlearn', epoch: 2, epochs: 2, step: 10, steps: 10 })).toBe(1);
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

describe('forget-sample gallery', () => {
  const img = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  const sample = (pos: number, original: number, byMethod: Record<string, number> = {}): ForgetSampleView => ({
    pos,
    label: pos % 10,
    image: img,
    original,
    byMethod,
  });

  it('keeps the latest forget-samples event (original first, then cumulative per method)', () => {
    let s = emptyRun();
    expect(s.forgetSamples).toEqual([]);
    s = reduceRun(s, { kind: 'forget-samples', round: 0, items: [sample(0, 0.9), sample(3, 0.8)] });
    expect(s.forgetSamples.map((x) => x.original)).toEqual([0.9, 0.8]);
    expect(s.forgetSamples[0].byMethod).toEqual({});
    const later = [
      sample(0, 0.9, { 'Retrain|w/o DC': 0.2, 'CF|w/o DC': 0.5 }),
      sample(3, 0.8, { 'Retrain|w/o DC': 0.3, 'CF|w/o DC': 0.1 }),
    ];
    const before = s;
    s = reduceRun(s, { kind: 'forget-samples', round: 0, items: later });
    expect(s.forgetSamples).toBe(later);
    expect(s.forgetSamplesRound).toBe(0);
    expect(before.forgetSamples).toHaveLength(2); // pure: the previous view is untouched
    expect(before.forgetSamples[0].byMethod).toEqual({});
    // other parts of the view are unaffected
    expect(s.methods).toEqual([]);
    expect(s.stages).toEqual([]);
  });

  it('picks the method and the Retrain reference, and sorts by confidence drop', () => {
    const items = [
      sample(0, 0.9, { 'Retrain|w/ DC': 0.2, 'CF|w/ DC': 0.5, 'A-CF|w/ DC': 0.3 }),
      sample(1, 0.8, { 'Retrain|w/ DC': 0.3, 'CF|w/ DC': 0.1, 'A-CF|w/ DC': 0.7 }),
      sample(2, 0.7, { 'Retrain|w/ DC': 0.1, 'CF|w/ DC': 0.6 }),
    ];
    const keys = galleryMethodKeys(items);
    expect(keys[0]).toBe('Retrain|w/ DC');
    expect(new Set(keys)).toEqual(new Set(['Retrain|w/ DC', 'CF|w/ DC', 'A-CF|w/ DC']));
    expect(pickGalleryMethod(keys, null)).toBe('A-CF|w/ DC');
    expect(pickGalleryMethod(keys, armKey('CF', true, 0))).toBe('CF|w/ DC');
    expect(pickGalleryMethod(keys, armKey('CF', false, 0))).toBe('A-CF|w/ DC'); // not run: falls back
    expect(pickGalleryMethod([], null)).toBeNull();
    expect(pickGalleryReference(keys, 'CF|w/ DC')).toBe('Retrain|w/ DC');
    expect(pickGalleryReference(keys, 'CF|w/o DC')).toBe('Retrain|w/ DC'); // other arm when the same did not run
    expect(pickGalleryReference(['CF|w/ DC'], 'CF|w/ DC')).toBeNull();
    expect(pickGalleryReference(['Retrain|w/o DC'], 'CF|w/ DC')).toBe('Retrain|w/o DC');

    const hardest = galleryRows(items, 'A-CF|w/ DC', 'Retrain|w/ DC', 'hardest');
    expect(hardest.map((r) => r.item.pos)).toEqual([1, 0, 2]); // drops 0.1, 0.6; #2 has no A-CF value → last
    expect(hardest[0].drop).toBeCloseTo(0.1);
    expect(hardest[0].reference).toBe(0.3);
    expect(hardest[2].drop).toBeUndefined();
    expect(galleryRows(items, 'A-CF|w/ DC', null, 'easiest').map((r) => r.item.pos)).toEqual([0, 1, 2]);
    expect(galleryRows(items, 'CF|w/ DC', null, 'hardest').map((r) => r.item.pos)).toEqual([2, 0, 1]); // 0.1, 0.4, 0.7
    expect(galleryRows(items, null, null, 'original').map((r) => r.item.pos)).toEqual([0, 1, 2]);
    expect(galleryRows([...items].reverse(), null, null, 'position').map((r) => r.item.pos)).toEqual([0, 1, 2]);
    expect(items.map((x) => x.pos)).toEqual([0, 1, 2]); // input not reordered
  });
});

describe('arm keys', () => {
  it('spell the Arm and parse back', () => {
    expect(armKey('CF', true, 2)).toBe('CF|with|2');
    expect(parseArmKey(armKey('CF', true, 2))).toEqual({ method: 'CF', arm: 'with', round: 2 });
    expect(parseArmKey(armKey('A-CF', false))).toEqual({ method: 'A-CF', arm: 'without', round: 0 });
  });
});

describe('one view, one experiment (startRun)', () => {
  const classSpec = validateSpec(mergeSpec(DEFAULT_SPEC, { forget: { mode: 'class', class: 4, fraction: 0.1 } }));
  const uniformSpec = validateSpec(mergeSpec(classSpec, { forget: { mode: 'uniform', class: null, fraction: 0.1 } }));
  // a finished class-forgetting run: bars, rows, a condensation and the original model's record
  let classRun = startRun(emptyRun(), classSpec);
  classRun = reduceRun(classRun, { kind: 'stage', stage: 'pretrain', status: 'start' }, 0);
  classRun = reduceRun(classRun, { kind: 'stage', stage: 'pretrain', status: 'end', seconds: 1 }, 1000);
  classRun = reduceRun(classRun, { kind: 'method-result', result: result('Retrain', false, 70) });
  classRun = reduceRun(classRun, { kind: 'method-result', result: result('CF', false, 60) });
  classRun = reduceRun(classRun, {
    kind: 'epoch',
    method: 'CF',
    withDC: false,
    round: 0,
    epoch: 1,
    metrics: metrics(60),
  });
  classRun = {
    ...classRun,
    pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
    condense: { round: 0 } as never,
  };

  it('another forgetting setting starts an empty view: no rows, bars, curves or finished experiment of the last', () => {
    const next = startRun(classRun, uniformSpec);
    expect(next.spec).toBe(uniformSpec);
    expect(next.methods).toEqual([]);
    expect(next.stages).toEqual([]);
    expect(next.curves).toEqual({});
    expect(next.experiment).toBeNull();
    expect(next.condense).toBeNull(); // the split changed: the condensed set is stale
    // the original model is the same (same data, model, seed): its record stays, as the session keeps the model
    expect(next.pretrain).toBe(classRun.pretrain);
  });

  it('the same experiment goes on in the same view (Condense, then Unlearn)', () => {
    const same = startRun(classRun, validateSpec(mergeSpec(classSpec, {})));
    expect(same.methods).toHaveLength(2);
    expect(same.stages).toHaveLength(1);
  });

  it('another seed or model is another experiment; an imported view (spec unknown) is never merged', () => {
    expect(startRun(classRun, validateSpec(mergeSpec(classSpec, { seed: 1 }))).pretrain).toBeNull();
    expect(startRun(classRun, validateSpec(mergeSpec(classSpec, { model: { width: 16 } }))).methods).toEqual([]);
    expect(startRun({ ...classRun, spec: null }, classSpec).methods).toEqual([]);
  });

  it("a method's own hyper-parameter drops only that method's rows and curves; the others stay", () => {
    const hp = validateSpec(mergeSpec(classSpec, { unlearn: { hparams: { CF: { cf_epochs: 3 } } } }));
    const next = startRun(classRun, hp);
    expect(next.spec).toBe(hp);
    expect(next.methods.map((m) => m.name)).toEqual(['Retrain']);
    expect(Object.keys(classRun.curves).some((k) => k.startsWith('CF|'))).toBe(true);
    expect(Object.keys(next.curves).some((k) => k.startsWith('CF|'))).toBe(false);
    expect(next.pretrain).toBe(classRun.pretrain);
    expect(next.condense).toBe(classRun.condense);
  });
});
