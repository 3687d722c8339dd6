import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../worker/protocol';
import { DEFAULT_SPEC } from '../../core/lite';
import { MAX_IMPORT_BYTES } from './history';
import { FakeWorker } from './fake-worker.test-util';
import { createLabStore } from './index';

const flush = () => new Promise((r) => setTimeout(r, 0));
const backend: BackendInfo = { backend: 'cpu', pref: 'cpu', reasons: [], versions: {} };

function started() {
  const workers: FakeWorker[] = [];
  const store = createLabStore();
  store.getState().startWorker(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  return { store, workers };
}

const result = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    spec: { dataset: 'synthetic' },
    env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 1 },
    split: { trainSize: 10, retainSize: 9, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
    pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
    methods: [
      {
        name: 'A-CF',
        withDC: false,
        round: 0,
        unlearnSeconds: 1,
        overheadSeconds: 0,
        curve: [],
        metrics: { retainAcc: 1, forgetAcc: 2, testAcc: 3, mia: 4, lossMia: 5 },
      },
    ],
    ...over,
  });

describe('lab store', () => {
  it('boots the worker: init, then the settings as a spec', async () => {
    const { store, workers } = started();
    const w = workers[0];
    expect(w.posted.map((m) => m.kind)).toEqual(['init']);
    expect(store.getState().queued).toBe(1);
    w.reply({ kind: 'ready', backend });
    w.reply({ kind: 'done', id: w.last('init')!.id, result: { kind: 'init', backend }, seconds: 0 });
    await flush();
    expect(store.getState().workerReady).toBe(true);
    expect(w.posted.map((m) => m.kind)).toEqual(['init', 'setSpec']);
  });

  it('sends the Training workers setting with init, keeps it across presets, and restarts the worker on a change', async () => {
    const { store, workers } = started();
    expect(workers[0].posted[0]).toMatchObject({ kind: 'init', workers: 0 });
    store.getState().applyPreset('smoke');
    expect(store.getState().params.workers).toBe(0);
    store.getState().setParam('workers', 2);
    await flush();
    expect(workers.length).toBe(2);
    expect(workers[1].posted[0]).toMatchObject({ kind: 'init', workers: 2 });
    store.getState().applyPreset('quick');
    expect(store.getState().params.workers).toBe(2);
  });

  it('stores are independent (no module-level singletons)', () => {
    const a = started();
    const b = started();
    expect(a.store.getState().client).not.toBe(b.store.getState().client);
    a.store.getState().notify('info', 'only in a');
    expect(b.store.getState().notices).toEqual([]);
  });

  it('restarts a crashed worker, and stops after three crashes in a minute', async () => {
    const { store, workers } = started();
    workers[0].crash('boom');
    await flush();
    expect(store.getState().notices.map((n) => n.title)).toEqual(['The compute worker was restarted']);
    expect(workers[1].posted.map((m) => m.kind)).toEqual(['init']);
    workers[1].crash('boom');
    workers[2].crash('boom');
    await flush();
    expect(store.getState().notices.map((n) => n.title)).toEqual(['The compute worker keeps crashing']);
    expect(store.getState().workerRestarts).toBe(3);
    expect(workers[3].posted).toEqual([]);
  });

  it('refuses a result file over the size cap before reading it', async () => {
    const { store } = started();
    let read = false;
    const file = { name: 'big.json', size: MAX_IMPORT_BYTES + 1, text: async () => ((read = true), result()) };
    await store.getState().importResultFile(file);
    expect(read).toBe(false);
    const n = store.getState().notices.find((x) => x.testId === 'import-error');
    expect(n?.lines[0]).toMatch(/^big\.json is 50\.0 MB; result files larger than 50\.0 MB are not read\.$/);
    expect(store.getState().viewingImport).toBeNull();
  });

  it('shows a valid imported result and rejects one with metrics: null', async () => {
    const { store } = started();
    await store.getState().importResultFile({ name: 'ok.json', size: 100, text: async () => result() });
    expect(store.getState().viewingImport).toBe('imported JSON');
    expect(store.getState().run.methods).toHaveLength(1);
    const bad = JSON.parse(result()) as { methods: Array<{ metrics: unknown }> };
    bad.methods[0].metrics = null;
    store.getState().importResultJson(JSON.stringify(bad));
    expect(store.getState().notices.find((x) => x.testId === 'import-error')?.lines).toEqual([
      'result.methods[0].metrics: must be an object, got null',
    ]);
    expect(store.getState().run.methods[0].metrics.forgetAcc).toBe(2);
  });
});

describe('Compare over seeds', () => {
  const experiment = (seed: number, cf: number, retrain: number) => {
    const m = (name: string, forgetAcc: number) => ({
      name,
      withDC: false,
      round: 0,
      unlearnSeconds: 1,
      overheadSeconds: 0,
      curve: [],
      metrics: { retainAcc: 90, forgetAcc, testAcc: 70, mia: 55, miaSe: 2.5, lossMia: 50 },
    });
    const r = JSON.parse(result()) as Record<string, unknown>;
    return {
      ...r,
      spec: { ...DEFAULT_SPEC, dataset: 'synthetic', seed },
      methods: [m('Retrain', retrain), m('CF', cf)],
    };
  };

  it('runs the core seeds driver: one setSpec + unlearn per seed, then intervals with paired gaps', async () => {
    const { store, workers } = started();
    const w = workers[0];
    w.reply({ kind: 'ready', backend });
    w.reply({ kind: 'done', id: w.last('init')!.id, result: { kind: 'init', backend }, seconds: 0 });
    await flush();
    w.reply({ kind: 'done', id: w.last('setSpec')!.id, result: { kind: 'ok' }, seconds: 0 });
    await flush();
    store.getState().setParam('seed', 5);
    store.getState().setParam('seeds', 2);
    const count = (kind: string) => w.posted.filter((m) => m.kind === kind).length;
    const setSpecs0 = count('setSpec');
    store.getState().compare();
    const forget = [
      [60, 50],
      [70, 52],
    ];
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 20 && count('setSpec') < setSpecs0 + i + 1; k++) await flush();
      const set = w.last('setSpec') as unknown as { id: number; spec: { seed: number; seeds: number } };
      expect(set.spec.seed).toBe(5 + i);
      expect(set.spec.seeds).toBe(1);
      w.reply({ kind: 'done', id: set.id, result: { kind: 'ok' }, seconds: 0 });
      await flush();
      for (let k = 0; k < 20 && count('unlearn') < i + 1; k++) await flush();
      const un = w.last('unlearn')!;
      const ex = experiment(5 + i, forget[i][0], forget[i][1]);
      w.reply({
        kind: 'done',
        id: un.id,
        result: { kind: 'unlearn', methods: ex.methods, experiment: ex } as never,
        seconds: 0,
      });
      for (let k = 0; k < 20 && (store.getState().run.multi?.perSeed.length ?? 0) < i + 1; k++) await flush();
      // ONE run in the runs list for the whole Compare, holding the seeds finished so far (issue 22 item 3)
      expect(store.getState().runs).toHaveLength(1);
      expect(store.getState().runs[0].seeds.map((x) => x.spec.seed)).toEqual([5, 6].slice(0, i + 1));
    }
    for (let k = 0; k < 20 && store.getState().busy; k++) await flush();
    const multi = store.getState().run.multi!;
    expect(multi.planned).toEqual([5, 6]);
    expect(multi.current).toBeNull();
    expect(multi.perSeed).toHaveLength(2);
    const cf = multi.aggregate!.methods.find((m) => m.name === 'CF')!;
    expect(cf.metrics.forgetAcc!.values).toEqual([60, 70]);
    expect(cf.gapToRetrain!.forgetAcc!.values).toEqual([10, 18]);
    expect(store.getState().busy).toBeNull();
    expect(store.getState().notices.filter((n) => n.level === 'error')).toEqual([]);
  });
});

describe('links with autorun (issue 22 item 4)', () => {
  it('a link that needed a notice holds autorun back and offers a button instead', () => {
    const store = createLabStore();
    expect(store.getState().loadUrl('?preset=smoke&autorun=1&bogus=1')).toEqual({ autorun: false });
    const s = store.getState();
    expect(s.autorunPending).toBe(false);
    expect(s.notices.map((n) => n.testId)).toEqual(['url-notice', 'autorun-held']);
    const held = s.notices.find((n) => n.testId === 'autorun-held');
    expect(held?.action?.label).toBe('Start Compare');
  });

  it('a clean link runs, keeps autorun pending until Compare starts, then drops it', () => {
    const store = createLabStore();
    expect(store.getState().loadUrl('?preset=smoke&autorun=1&view=attack&method=CF~with')).toEqual({ autorun: true });
    const s = store.getState();
    expect(s.notices).toEqual([]);
    expect(s.autorunPending).toBe(true);
    expect(s.place).toEqual({ top: 'inspect', inspect: 'attack' });
    expect(s.selectedMethod).toBe('CF|with|0');
    s.autorunStarted();
    expect(store.getState().autorunPending).toBe(false);
    // the copied link carries the preset, the view and the method, never autorun
    const link = new URL(store.getState().copyLink());
    expect(link.searchParams.get('preset')).toBe('smoke');
    expect(link.searchParams.get('view')).toBe('attack');
    expect(link.searchParams.get('method')).toBe('CF~with');
    expect(link.searchParams.has('autorun')).toBe(false);
  });

  it('keeps the base preset in the link after a setting is changed', () => {
    const store = createLabStore();
    store.getState().loadUrl('?preset=smoke');
    store.getState().setParam('seed', 5);
    expect(store.getState().preset).toBeNull(); // the settings no longer match the preset…
    const link = new URL(store.getState().copyLink());
    expect(link.searchParams.get('preset')).toBe('smoke'); // …but the link still starts from it
    expect(link.searchParams.get('seed')).toBe('5');
  });
});
