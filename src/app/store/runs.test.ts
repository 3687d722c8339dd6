import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../../core/lite';
import { checkImportedResult, metricDef, pairedInterval, tQuantile, welchInterval } from '../../core/lite';
import {
  difference,
  groupSeeds,
  overlayRows,
  parseComparison,
  rowKeys,
  runSummary,
  runValue,
  type LabRun,
} from '../compare';
import { createLabStore } from './index';
import { capRuns } from './runs';

/** A checked result of one seed: CF and Retrain w/o DC with the given forget accuracies (and a short curve). */
function result(seed: number, forgetAcc: number, opts: { epochScale?: number; retrainForget?: number } = {}) {
  const m = (name: string, f: number) => ({
    name,
    withDC: false,
    round: 0,
    unlearnSeconds: 1,
    overheadSeconds: 0,
    metrics: { retainAcc: 90, forgetAcc: f, testAcc: 60, mia: 55, lossMia: 52 },
    curve: [
      { epoch: 1, forgetAcc: f + 10 },
      { epoch: 2, forgetAcc: f },
    ],
    losses: { forget: [1, 2], test: [3] },
  });
  return checkImportedResult({
    spec: {
      dataset: 'synthetic',
      seed,
      forget: { mode: 'uniform', fraction: 0.1 },
      unlearn: { epochScale: opts.epochScale ?? 1 },
    },
    env: { backend: 'wasm', versions: {}, startedAt: `2026-11-29T00:00:0${seed}.000Z`, seconds: 1 },
    split: { trainSize: 10, retainSize: 9, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
    pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
    methods: [m('Retrain', opts.retrainForget ?? 50), m('CF', forgetAcc)],
  });
}

const run = (id: string, seeds: ExperimentResult[], preset: string | null = 'smoke'): LabRun => ({
  id,
  name: id,
  source: 'recent',
  at: '',
  preset,
  seeds,
});

const forget = metricDef('forgetAcc');
const CF = { method: 'CF', withDC: false };

/** An in-memory localStorage for the persistence tests. */
class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

describe('comparison maths (compare.ts)', () => {
  it('summarises a run in one line and groups seeds into one run', () => {
    const g = groupSeeds([run('a', [result(1, 30)]), run('b', [result(0, 20)])], 'g', 'now');
    expect(g.seeds.map((s) => s.spec.seed)).toEqual([0, 1]);
    expect(runSummary(g)).toBe(
      'synthetic · convnet3 w' +
        g.seeds[0].spec.model.width +
        ' · uniform 10% · preset smoke · seeds 0, 1 · Retrain, CF',
    );
    expect(runValue(g, CF, forget)).toMatchObject({ mean: 25, n: 2 });
    expect(() => groupSeeds([run('a', [result(0, 30)]), run('b', [result(0, 20)])], 'g', 'now')).toThrow(/seed 0/);
    expect(() =>
      groupSeeds([run('a', [result(0, 30)]), run('b', [result(1, 20, { epochScale: 2 })])], 'g', 'now'),
    ).toThrow(/other settings/);
  });

  it('pairs differences over shared seeds', () => {
    const a = run('a', [result(0, 30), result(1, 34), result(2, 29)]);
    const ref = run('ref', [result(0, 20), result(1, 21), result(2, 22)]);
    const d = difference(a, ref, CF, forget)!;
    expect(d.kind).toBe('paired');
    const expected = pairedInterval([30, 34, 29], [20, 21, 22]);
    expect(d.interval.mean).toBeCloseTo(expected.mean, 12);
    expect(d.interval.ci95[0]).toBeCloseTo(expected.ci95[0], 12);
    expect(d.withinNoise).toBe(false);
    expect(d.text).toMatch(/^\+10\.0 \[.*\], n = 3 · paired over seeds 0, 1, 2$/);
    // a difference whose interval covers 0 says so in words
    const noisy = run('n', [result(0, 25), result(1, 15), result(2, 23)]);
    const dn = difference(noisy, ref, CF, forget)!;
    expect(dn.withinNoise).toBe(true);
    expect(dn.text).toContain('within noise');
  });

  it('is unpaired (Welch) when the runs share no seeds, and says "no interval" for single seeds', () => {
    const a = run('a', [result(0, 30), result(1, 34)]);
    const b = run('b', [result(5, 20), result(6, 23), result(7, 21)]);
    const d = difference(a, b, CF, forget)!;
    expect(d.kind).toBe('unpaired');
    // Welch by hand: means 32 and 21.333; variances 8/2 and 2.333/3
    const va = 8 / 2,
      vb = 7 / 3 / 3;
    const df = (va + vb) ** 2 / (va ** 2 / 1 + vb ** 2 / 2);
    const h = tQuantile(0.975, df) * Math.sqrt(va + vb);
    expect(d.interval.mean).toBeCloseTo(32 - 64 / 3, 10);
    expect(d.interval.ci95[1] - d.interval.mean).toBeCloseTo(h, 10);
    expect(d.text).toContain('unpaired (Welch), n = 2 vs 3');
    expect(welchInterval([1, 2], [1, 2]).ci95[0]).toBeLessThan(0);
    const single = difference(run('s', [result(3, 30)]), b, CF, forget)!;
    expect(single.kind).toBe('none');
    expect(single.text).toMatch(/unpaired, no interval \(n = 1 vs 3\)/);
    // one shared seed, one seed each: a paired single difference
    const one = difference(run('x', [result(0, 30)]), run('y', [result(0, 26)]), CF, forget)!;
    expect(one.kind).toBe('paired');
    expect(one.text).toMatch(/^\+4\.0 \(n = 1, no interval\)/);
  });

  it('overlays curves: one series per run × method × arm, seeds averaged per epoch', () => {
    const a = run('a', [result(0, 30), result(1, 40)]);
    const b = run('b', [result(0, 20)]);
    const { rows, series } = overlayRows([a, b], forget);
    expect(series.map((s) => s.key)).toEqual(['0|Retrain|w/o DC', '0|CF|w/o DC', '1|Retrain|w/o DC', '1|CF|w/o DC']);
    expect(rows).toEqual([
      { epoch: 1, '0|Retrain|w/o DC': 60, '0|CF|w/o DC': 45, '1|Retrain|w/o DC': 60, '1|CF|w/o DC': 30 },
      { epoch: 2, '0|Retrain|w/o DC': 50, '0|CF|w/o DC': 35, '1|Retrain|w/o DC': 50, '1|CF|w/o DC': 20 },
    ]);
    expect(rowKeys([a, b])).toEqual([{ method: 'Retrain', withDC: false }, CF]);
  });

  it('refuses a bad comparison file with the place of the problem', () => {
    const good = { kind: 'unlearning-lab.comparison', version: 1, reference: 'a', runs: [run('a', [result(0, 1)])] };
    expect(parseComparison(JSON.stringify(good), 1e7).runs[0].source).toBe('imported');
    const bad = JSON.parse(JSON.stringify(good));
    bad.runs[0].seeds[0].methods[1].metrics = null;
    expect(() => parseComparison(JSON.stringify(bad), 1e7)).toThrow(
      'comparison.runs[0].seeds[0]: result.methods[1].metrics: must be an object, got null',
    );
    expect(() => parseComparison('{"methods": []}', 1e7)).toThrow(/single result/);
    // a CLI multi-seed result is one run with its seeds grouped
    const multi = { spec: {}, seeds: [0, 1], perSeed: [result(0, 30), result(1, 31)], aggregate: {} };
    const one = parseComparison(JSON.stringify(multi), 1e7);
    expect(one.runs).toHaveLength(1);
    expect(one.runs[0].seeds.map((x) => x.spec.seed)).toEqual([0, 1]);
    expect(one.runs[0].name).toMatch(/seeds 0,1$/);
    multi.perSeed[1] = result(0, 3);
    expect(() => parseComparison(JSON.stringify(multi), 1e7)).toThrow('comparison.runs[0].seeds: seed 0 appears twice');
    expect(() => parseComparison('nope', 1e7)).toThrow(/not valid JSON/);
    expect(() => parseComparison(JSON.stringify({ ...good, reference: 'zz' }), 1e7)).toThrow(/comparison\.reference/);
    expect(() => parseComparison('x'.repeat(100), 50)).toThrow(/limit/);
  });
});

describe('runs slice', () => {
  let saved: unknown;
  beforeEach(() => {
    saved = (globalThis as { localStorage?: unknown }).localStorage;
    (globalThis as { localStorage?: unknown }).localStorage = new MemStorage();
  });
  afterEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = saved;
  });

  it('names runs, renames, selects, pins a reference, and persists it all', () => {
    const store = createLabStore();
    const s = () => store.getState();
    const a = s().addRun(result(0, 30), { preset: 'smoke' });
    const b = s().addRun(result(0, 20, { epochScale: 2 }), { preset: 'smoke' });
    const names = ['smoke · uniform · ×2 · seed 0', 'smoke · uniform · ×1 · seed 0'];
    expect(s().runs.map((r) => r.name)).toEqual(names);
    expect(s().runs[0].seeds[0].methods[0].losses).toBeUndefined();
    s().renameRun(a, '  my   baseline ');
    expect(s().runs.find((r) => r.id === a)!.name).toBe('my baseline');
    s().renameRun(a, '   ');
    expect(s().runs.find((r) => r.id === a)!.name).toBe('smoke · uniform · ×1 · seed 0');
    s().renameRun(a, 'baseline');
    s().toggleRunSelected(b);
    s().pinReference(a);
    expect(s().selectedRuns).toEqual([b, a]);
    expect(s().referenceRun).toBe(a);
    // another store (a reload) reads the same back
    const again = createLabStore().getState();
    expect(again.runs.map((r) => r.name)).toEqual([s().runs[0].name, 'baseline']);
    expect(again.selectedRuns).toEqual([b, a]);
    expect(again.referenceRun).toBe(a);
    s().removeRun(a);
    expect(s().referenceRun).toBeNull();
    expect(s().selectedRuns).toEqual([b]);
  });

  it('keeps finished runs of the tab as runs (remember) and caps the stored list', () => {
    const store = createLabStore();
    store.getState().remember(result(0, 30));
    expect(store.getState().runs).toHaveLength(1);
    expect(store.getState().runs[0].id).toBe(store.getState().recent[0].id);
    expect(store.getState().runs[0].source).toBe('this tab');
    const many = Array.from({ length: 30 }, (_, i) => run(`r${i}`, [result(0, i)]));
    const capped = capRuns({ runs: many, selected: ['r0', 'r29'], reference: 'r29' }, 5);
    expect(capped.runs.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r29']);
    expect(capped.selected).toEqual(['r0', 'r29']);
    const bySize = capRuns({ runs: many, selected: [], reference: null }, 100, JSON.stringify(many[0]).length * 3);
    expect(bySize.runs.length).toBeLessThan(3);
    expect(bySize.runs[0].id).toBe('r0');
  });

  it('exports a comparison and imports it back whole; a bad file leaves the runs as they were', () => {
    const store = createLabStore();
    const s = () => store.getState();
    const a = s().addRun(result(0, 30));
    const b = s().addRun(result(1, 20));
    s().renameRun(b, 'second');
    s().toggleRunSelected(a);
    s().toggleRunSelected(b);
    s().pinReference(b);
    const text = s().exportComparison()!;
    const before = s().runs.filter((r) => [a, b].includes(r.id));
    s().removeAllRuns();
    expect(s().runs).toEqual([]);
    const bad = JSON.parse(text);
    bad.runs[1].seeds[0].split = 'x';
    expect(s().importComparisonText(JSON.stringify(bad))).toBe(false);
    expect(s().notices.find((n) => n.testId === 'runs-error')?.lines[0]).toMatch(
      /^comparison\.runs\[1\]\.seeds\[0\]: /,
    );
    expect(s().runs).toEqual([]);
    expect(s().importComparisonText(text)).toBe(true);
    expect(s().runs.map((r) => [r.id, r.name])).toEqual(before.reverse().map((r) => [r.id, r.name]));
    expect(s().runs.every((r) => r.source === 'imported')).toBe(true);
    expect(s().selectedRuns).toEqual([a, b]);
    expect(s().referenceRun).toBe(b);
    expect(s().runs.map((r) => r.seeds)).toEqual([a, b].map((id) => before.find((r) => r.id === id)!.seeds));
    expect(s().notices.find((n) => n.testId === 'runs-error')).toBeUndefined();
  });

  it('groups selected runs as seeds of one run (or says why not)', () => {
    const store = createLabStore();
    const s = () => store.getState();
    const a = s().addRun(result(0, 30));
    const b = s().addRun(result(1, 20));
    s().toggleRunSelected(a);
    s().toggleRunSelected(b);
    s().pinReference(a);
    s().groupSelectedAsSeeds();
    expect(s().runs).toHaveLength(1);
    expect(s().runs[0].seeds.map((x) => x.spec.seed)).toEqual([0, 1]);
    expect(s().referenceRun).toBe(s().runs[0].id);
    const c = s().addRun(result(0, 10, { epochScale: 3 }));
    s().toggleRunSelected(c);
    s().groupSelectedAsSeeds();
    expect(s().notices.find((n) => n.testId === 'runs-error')?.lines[0]).toMatch(/other settings/);
    expect(s().runs).toHaveLength(2);
  });
});
