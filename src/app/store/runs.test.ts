import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentResult } from '../../core/lite';
import { metricDef, pairedInterval, tQuantile, welchInterval } from '../../core/lite';
import {
  defaultRunName,
  difference,
  differenceBasis,
  experimentMismatch,
  groupSeeds,
  overlayRows,
  parseComparison,
  rowKeys,
  runSummary,
  runValue,
  splitSeeds,
  type LabRun,
} from '../compare';
import { createLabStore } from './index';
import { capRuns } from './runs';
import { MemStorage, result, run } from './runs.fixture';

const forget = metricDef('forgetAcc');
const CF = { method: 'CF', withDC: false };

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

describe('default names (issue 22 item 3)', () => {
  it('differ whenever the settings differ, and say how in words', () => {
    const variants: Array<[string, ExperimentResult]> = [
      ['smoke · uniform 10% · seed 0', result(0, 1)],
      ['smoke · uniform 20% · seed 0', result(0, 1, { fraction: 0.2 })],
      ['smoke · class 3 · seed 0', result(0, 1, { forgetClass: 3 })],
      ['smoke · class 5 (drawn) · seed 0', result(0, 1, { forgetClass: null, drawn: 5 })],
      ['smoke · uniform 10% · epochs ×0.04 · seed 0', result(0, 1, { epochScale: 0.04 })],
      ['smoke · uniform 10% · Pretrain epochs 3 · seed 0', result(0, 1, { pretrainEpochs: 3 })],
      ['smoke · uniform 10% · Retrain, CF · seed 0', result(0, 1, { methods: ['Retrain', 'CF'] })],
      ['smoke · uniform 10% · CF lr 0.02 · seed 0', result(0, 1, { hparams: { CF: { cf_lr: 0.02 } } })],
      ['smoke · uniform 10% · seed 1', result(1, 1)],
    ];
    for (const [name, ex] of variants) expect(defaultRunName([ex], 'smoke')).toBe(name);
    expect(new Set(variants.map(([, ex]) => defaultRunName([ex], 'smoke'))).size).toBe(variants.length);
    // the same settings and seed: the same name (it is the same experiment)
    expect(defaultRunName([result(0, 99)], 'smoke')).toBe(variants[0][0]);
    // several seeds
    expect(defaultRunName([result(0, 1), result(1, 1)], 'smoke')).toBe('smoke · uniform 10% · seeds 0,1');
  });

  it('sum up many differences with a tag of the settings, still different per setting', () => {
    const many = (lr: number) =>
      result(0, 1, {
        trainPerClass: 30,
        epochScale: 0.5,
        pretrainEpochs: 3,
        methods: ['Retrain', 'CF'],
        hparams: { CF: { cf_lr: lr } },
      });
    const a = defaultRunName([many(0.02)], 'smoke');
    const b = defaultRunName([many(0.03)], 'smoke');
    expect(a).toMatch(
      /^smoke · uniform 10% · Train images \/ class 30 · Pretrain epochs 3 · Retrain, CF · \+2 more #[0-9a-f]{6} · seed 0$/,
    );
    expect(b).not.toBe(a);
    // custom settings (no preset): the dataset first, differences to the default settings
    expect(defaultRunName([result(0, 1)], null)).toMatch(/^synthetic · uniform 10% · .* · seed 0$/);
  });
});

describe('is it the same experiment? (experimentMismatch)', () => {
  it('names the data, forget setting or original model that differ, and nothing for other settings', () => {
    const base = run('ref', [result(0, 20)]);
    expect(experimentMismatch(run('x', [result(0, 30, { epochScale: 0.04 })]), base)).toEqual([]);
    expect(experimentMismatch(run('x', [result(5, 30)]), base)).toEqual([]);
    expect(experimentMismatch(run('x', [result(0, 30, { forgetClass: 3 })]), base)).toEqual([
      'forget setting: class 3 here, uniform 10% in the reference',
    ]);
    expect(experimentMismatch(run('x', [result(0, 30, { trainPerClass: 30 })]), base)).toEqual([
      'data: synthetic, 30 train / 40 test per class here, synthetic, 40 train / 40 test per class in the reference',
    ]);
    expect(experimentMismatch(run('x', [result(0, 30, { pretrainEpochs: 3 })]), base)).toEqual([
      expect.stringMatching(
        /^original model: convnet3 w8, 3 epochs .* here, convnet3 w8, 2 epochs .* in the reference$/,
      ),
    ]);
  });

  it('never pairs runs of different experiments, and never says "paired" for them', () => {
    const uniform = run('u', [result(0, 20)]);
    const cls = run('c', [result(0, 60, { forgetClass: null, drawn: 4 })]);
    const d = difference(cls, uniform, CF, forget)!;
    expect(d.kind).toBe('mismatch');
    expect(d.interval.mean).toBe(40);
    expect(d.text).toBe('+40.0 · different experiments, no interval (n = 1 vs 1)');
    expect(d.text).not.toMatch(/paired/i);
    expect(differenceBasis(cls, uniform, false)).not.toMatch(/paired/i);
    // over seeds: Welch, still without "paired"
    const c2 = run('c2', [result(0, 60, { forgetClass: 3 }), result(1, 64, { forgetClass: 3 })]);
    const u2 = run('u2', [result(0, 20), result(1, 22)]);
    const w = difference(c2, u2, CF, forget)!;
    expect(w.kind).toBe('mismatch');
    expect(w.text).toMatch(/^\+41\.0 \[.*\] · different experiments, Welch interval, n = 2 vs 2$/);
    expect(w.text).not.toMatch(/paired/i);
    // the same experiment over the same seed is paired
    expect(difference(run('e', [result(0, 30, { epochScale: 0.04 })]), uniform, CF, forget)!.kind).toBe('paired');
  });

  it('gives each difference in one short line for the table cell', () => {
    const a = run('a', [result(0, 30), result(1, 34), result(2, 29)]);
    const ref = run('ref', [result(0, 20), result(1, 21), result(2, 22)]);
    const d = difference(a, ref, CF, forget)!;
    expect(d.short).toMatch(/^\+10\.0 ± \d+\.\d$/);
    expect(difference(run('x', [result(0, 26)]), run('y', [result(0, 30)]), CF, forget)!.short).toBe('-4.0');
  });
});

describe('grouping keeps the names given', () => {
  it('one given name names the group; several are joined; default names give the default name', () => {
    const named = (id: string, name: string | null, ex: ExperimentResult): LabRun => ({
      ...run(id, [ex]),
      name: name ?? defaultRunName([ex], 'smoke'),
      named: name !== null,
    });
    const g1 = groupSeeds([named('a', 'baseline', result(0, 1)), named('b', null, result(1, 1))], 'g', 'now');
    expect(g1).toMatchObject({ name: 'baseline', named: true });
    const g2 = groupSeeds([named('a', 'first', result(0, 1)), named('b', 'second', result(1, 1))], 'g', 'now');
    expect(g2.name).toBe('first + second');
    const g3 = groupSeeds([named('a', null, result(0, 1)), named('b', null, result(1, 1))], 'g', 'now');
    expect(g3).toMatchObject({ name: 'smoke · uniform 10% · seeds 0,1', named: false });
    // split back: one run per seed, the given name kept with the seed
    expect(splitSeeds(g1).map((r) => [r.id, r.name])).toEqual([
      ['g~s0', 'baseline · seed 0'],
      ['g~s1', 'baseline · seed 1'],
    ]);
    expect(splitSeeds(g3).map((r) => r.name)).toEqual(['smoke · uniform 10% · seed 0', 'smoke · uniform 10% · seed 1']);
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
    vi.useRealTimers();
  });

  it('names runs, renames (a given name is marked), selects, pins a reference', () => {
    const store = createLabStore();
    const s = () => store.getState();
    const a = s().addRun(result(0, 30), { preset: 'smoke' });
    const b = s().addRun(result(0, 20, { epochScale: 2 }), { preset: 'smoke' });
    const names = ['smoke · uniform 10% · epochs ×2 · seed 0', 'smoke · uniform 10% · seed 0'];
    expect(s().runs.map((r) => r.name)).toEqual(names);
    expect(s().runs[0].seeds[0].methods[0].losses).toBeUndefined();
    s().renameRun(a, '  my   baseline ');
    expect(s().runs.find((r) => r.id === a)).toMatchObject({ name: 'my baseline', named: true });
    s().renameRun(a, '   ');
    expect(s().runs.find((r) => r.id === a)).toMatchObject({ name: 'smoke · uniform 10% · seed 0', named: false });
    s().renameRun(a, 'baseline');
    s().toggleRunSelected(b);
    s().pinReference(a);
    expect(s().selectedRuns).toEqual([b, a]);
    expect(s().referenceRun).toBe(a);
    s().removeRun(a);
    expect(s().referenceRun).toBeNull();
    expect(s().selectedRuns).toEqual([b]);
  });

  it('keeps finished runs of the tab with a link to their settings (remember), and caps the list', () => {
    const store = createLabStore();
    store.getState().loadUrl('?preset=smoke&es=0.04');
    store.getState().remember(result(0, 30, { epochScale: 0.04 }));
    expect(store.getState().runs).toHaveLength(1);
    expect(store.getState().runs[0]).toMatchObject({
      source: 'this tab',
      preset: 'smoke',
      name: 'smoke · uniform 10% · epochs ×0.04 · seed 0',
    });
    expect(store.getState().runs[0].search).toMatch(/^\?preset=smoke&.*es=0\.04/);
    const many = Array.from({ length: 30 }, (_, i) => run(`r${i}`, [result(0, i)]));
    const capped = capRuns({ runs: many, selected: ['r0', 'r29'], reference: 'r29' }, 5);
    expect(capped.runs.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r29']);
    expect(capped.selected).toEqual(['r0', 'r29']);
  });

  it('a multi-seed Compare keeps ONE run, updated as each seed finishes (a rename during it is kept)', () => {
    const store = createLabStore();
    const s = () => store.getState();
    s().saveSeedsRun('multi', [result(5, 60)], { preset: 'smoke' });
    expect(s().runs).toHaveLength(1);
    expect(s().runs[0].name).toBe('smoke · uniform 10% · seed 5');
    s().saveSeedsRun('multi', [result(5, 60), result(6, 70)], { preset: 'smoke' });
    expect(s().runs).toHaveLength(1);
    expect(s().runs[0]).toMatchObject({ id: 'multi', name: 'smoke · uniform 10% · seeds 5,6' });
    s().renameRun('multi', 'two seeds');
    s().saveSeedsRun('multi', [result(5, 60), result(6, 70), result(7, 65)]);
    expect(s().runs[0]).toMatchObject({ name: 'two seeds', named: true });
    expect(s().runs[0].seeds.map((x) => x.spec.seed)).toEqual([5, 6, 7]);
    // removed while the Compare goes on: a later seed does not bring it back
    s().removeRun('multi');
    s().saveSeedsRun('multi', [result(5, 60), result(6, 70), result(7, 65), result(8, 61)]);
    expect(s().runs).toEqual([]);
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
    expect(s().runs.map((r) => [r.id, r.name, r.named])).toEqual(before.reverse().map((r) => [r.id, r.name, r.named]));
    expect(s().runs.every((r) => r.source === 'imported')).toBe(true);
    expect(s().selectedRuns).toEqual([a, b]);
    expect(s().referenceRun).toBe(b);
    expect(s().runs.map((r) => r.seeds)).toEqual([a, b].map((id) => before.find((r) => r.id === id)!.seeds));
    expect(s().notices.find((n) => n.testId === 'runs-error')).toBeUndefined();
  });

  it('groups selected runs as seeds keeping the names given (or says why not), and undoes it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = createLabStore();
    const s = () => store.getState();
    const a = s().addRun(result(0, 30), { preset: 'smoke' });
    const b = s().addRun(result(1, 20), { preset: 'smoke' });
    s().renameRun(a, 'baseline');
    s().toggleRunSelected(a);
    s().toggleRunSelected(b);
    s().pinReference(a);
    s().groupSelectedAsSeeds();
    expect(s().runs).toHaveLength(1);
    expect(s().runs[0]).toMatchObject({ name: 'baseline', named: true });
    expect(s().runs[0].seeds.map((x) => x.spec.seed)).toEqual([0, 1]);
    expect(s().referenceRun).toBe(s().runs[0].id);
    expect(s().runsUndo?.text).toBe('Grouped 2 runs as the seeds of “baseline”');
    s().undoRunsChange();
    expect(s().runs.map((r) => r.id)).toEqual([b, a]);
    expect(s().runs.find((r) => r.id === a)?.name).toBe('baseline');
    expect(s().referenceRun).toBe(a);
    s().groupSelectedAsSeeds();
    const g = s().runs[0].id;
    // split back into one run per seed
    s().splitRun(g);
    expect(s().runs.map((r) => r.name)).toEqual(['baseline · seed 0', 'baseline · seed 1']);
    expect(s().referenceRun).toBe(`${g}~s0`);
    const c = s().addRun(result(0, 10, { epochScale: 3 }));
    s().toggleRunSelected(c);
    s().groupSelectedAsSeeds();
    expect(s().notices.find((n) => n.testId === 'runs-error')?.lines[0]).toMatch(/other settings/);
    expect(s().runs).toHaveLength(3);
  });

  it('shows a kept run in the Run view (several seeds: the table over seeds)', () => {
    const store = createLabStore();
    const s = () => store.getState();
    s().saveSeedsRun('m', [result(0, 60), result(1, 70)], { preset: 'smoke' });
    s().openRun('m');
    expect(s().place.top).toBe('run');
    expect(s().viewingImport).toBe('the run “smoke · uniform 10% · seeds 0,1”');
    expect(s().run.multi?.planned).toEqual([0, 1]);
    expect(s().run.multi?.aggregate?.methods.find((m) => m.name === 'CF')?.metrics.forgetAcc?.mean).toBe(65);
    expect(s().run.methods.find((m) => m.name === 'CF')?.metrics.forgetAcc).toBe(70);
  });
});
