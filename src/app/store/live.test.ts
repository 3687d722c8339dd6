import { describe, expect, it } from 'vitest';
import { getPreset, mergeSpec } from '../../core/lite';
import type { BackendInfo } from '../../worker/protocol';
import { FakeWorker } from './fake-worker.test-util';
import { createLabStore } from './index';
import { LIVE_DEBOUNCE_MS, liveKind } from './live';

const flush = () => new Promise((r) => setTimeout(r, 0));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backend: BackendInfo = { backend: 'cpu', pref: 'cpu', reasons: [], versions: {} };

describe('liveKind: what a change can be answered with', () => {
  const live = getPreset('live').spec;
  it('forget setting and method knobs keep the original: the methods rerun', () => {
    expect(liveKind(live, mergeSpec(live, { forget: { fraction: 0.2 } }))).toBe('methods');
    expect(liveKind(live, mergeSpec(live, { forget: { mode: 'class', class: 3 } }))).toBe('methods');
    expect(liveKind(live, mergeSpec(live, { unlearn: { hparams: { 'A-CF': { acf_lr: 1e-3 } } } }))).toBe('methods');
  });
  it('seed, data, model, pretraining and k-means are a normal job', () => {
    expect(liveKind(live, mergeSpec(live, { seed: 1 }))).toBe('job');
    expect(liveKind(live, mergeSpec(live, { trainPerClass: 60 }))).toBe('job');
    expect(liveKind(live, mergeSpec(live, { model: { width: 32 } }))).toBe('job');
    expect(liveKind(live, mergeSpec(live, { condense: { ipc: 20 } }))).toBe('job');
    expect(liveKind(null, live)).toBe('job');
  });
  it('with DC, a new split needs a new condensation: a normal job', () => {
    const both = mergeSpec(live, { unlearn: { arms: 'both' } });
    expect(liveKind(both, mergeSpec(both, { forget: { fraction: 0.2 } }))).toBe('job');
  });
});

/** A page with a worker, the live preset and a finished first run (the original model's record), live mode on. */
async function livePage() {
  const store = createLabStore();
  const workers: FakeWorker[] = [];
  store.getState().startWorker(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  const w = workers[0];
  const last = (kind: string) =>
    w.posted.filter((m) => m.kind === kind).at(-1) as { id: number } & Record<string, unknown>;
  const count = (kind: string) => w.posted.filter((m) => m.kind === kind).length;
  w.reply({ kind: 'ready', backend });
  w.reply({ kind: 'done', id: last('init').id, result: { kind: 'init', backend }, seconds: 0 });
  await flush();
  w.reply({ kind: 'done', id: last('setSpec').id, result: { kind: 'ok' }, seconds: 0 });
  await flush();
  store.getState().applyPreset('live');
  await flush();
  if (count('setSpec') > 1) w.reply({ kind: 'done', id: last('setSpec').id, result: { kind: 'ok' }, seconds: 0 });
  // a finished first run: the page holds the original model's record for the live spec
  const spec = (await import('../url')).specOf(store.getState().params);
  store.setState((s) => ({
    run: { ...s.run, spec, pretrain: { seconds: 1, testAcc: 30, trainAcc: 99, reused: false } as never },
  }));
  store.getState().setParam('live', true);
  return { store, w, last, count, spec };
}

describe('live mode in the store', () => {
  it('a forget-fraction change reruns the approximate methods first, then Retrain, and times the first number', async () => {
    const { store, w, last, count, spec } = await livePage();
    expect(count('unlearn')).toBe(0); // a finished run exists: turning live on starts nothing
    const setSpecs = count('setSpec');
    store.getState().setParam('forgetFraction', 0.2);
    store.getState().setParam('forgetFraction', 0.25); // within the debounce: one rerun, for the last value
    await wait(LIVE_DEBOUNCE_MS + 50);
    for (let k = 0; k < 20 && count('setSpec') === setSpecs; k++) await flush();
    expect(count('setSpec')).toBe(setSpecs + 1);
    expect((last('setSpec').spec as { forget: { fraction: number } }).forget.fraction).toBe(0.25);
    w.reply({ kind: 'done', id: last('setSpec').id, result: { kind: 'ok' }, seconds: 0 });
    for (let k = 0; k < 20 && count('unlearn') < 1; k++) await flush();
    const first = last('unlearn') as unknown as { id: number; methods: string[]; arms: string };
    expect(first.methods).not.toContain('Retrain');
    expect([...first.methods].sort()).toEqual(['A-CF', 'CF']);
    expect(store.getState().liveLast).toMatchObject({ knob: 'Forget fraction', fast: true, seconds: null });
    // the first method result is the first updated number
    w.reply({ kind: 'event', id: first.id, event: { kind: 'method-result', result: {} as never } });
    await flush();
    expect(store.getState().liveLast?.seconds).toBeGreaterThanOrEqual(LIVE_DEBOUNCE_MS / 1000 - 0.01);
    const row = (name: string) => ({ name, withDC: false, round: 0, unlearnSeconds: 1, metrics: {}, curve: [] });
    const ex = (names: string[]) => ({
      ...JSON.parse(JSON.stringify({ spec, methods: names.map(row) })),
      split: { forgetClass: null },
      env: { backend: 'cpu' },
      pretrain: {},
    });
    w.reply({
      kind: 'done',
      id: first.id,
      result: { kind: 'unlearn', methods: [], experiment: ex(['A-CF', 'CF']) } as never,
      seconds: 0,
    });
    for (let k = 0; k < 20 && count('unlearn') < 2; k++) await flush();
    const second = last('unlearn') as unknown as { id: number; methods: string[] };
    expect(second.methods).toEqual(['Retrain']);
    // one rerun is one run in the runs list, updated when Retrain finishes (issue 22 item 3)
    expect(store.getState().runs).toHaveLength(1);
    w.reply({
      kind: 'done',
      id: second.id,
      result: { kind: 'unlearn', methods: [], experiment: ex(['A-CF', 'CF', 'Retrain']) } as never,
      seconds: 0,
    });
    for (let k = 0; k < 20 && store.getState().busy; k++) await flush();
    expect(store.getState().runs).toHaveLength(1);
    expect(store.getState().runs[0].seeds[0].methods.map((m) => m.name)).toEqual(['A-CF', 'CF', 'Retrain']);
  });

  it("a method's own knob reruns only that method; the other rows stay (Retrain's too)", async () => {
    const { store, w, last, count, spec } = await livePage();
    const methods = store.getState().params.methods as string[];
    expect(methods).toEqual(expect.arrayContaining(['A-CF', 'CF', 'Retrain']));
    const row = (name: string) =>
      ({ name, withDC: false, round: 0, unlearnSeconds: 1, metrics: {}, curve: [] }) as never;
    store.setState((s) => ({ run: { ...s.run, methods: methods.map(row) } }));
    for (const [knob, method] of [
      ['hp.CF.cf_epochs', 'CF'],
      ['hp.Retrain.retrain_epochs', 'Retrain'],
    ] as const) {
      const setSpecs = count('setSpec'),
        unlearns = count('unlearn');
      store.getState().setParam(knob, 3);
      await wait(LIVE_DEBOUNCE_MS + 50);
      for (let k = 0; k < 20 && count('setSpec') === setSpecs; k++) await flush();
      // the row of the changed method goes at once; the others stay while it reruns
      expect(
        store
          .getState()
          .run.methods.map((m) => m.name)
          .sort(),
      ).toEqual(methods.filter((m) => m !== method).sort());
      w.reply({ kind: 'done', id: last('setSpec').id, result: { kind: 'ok' }, seconds: 0 });
      for (let k = 0; k < 20 && count('unlearn') === unlearns; k++) await flush();
      expect((last('unlearn') as unknown as { methods: string[] }).methods).toEqual([method]);
      expect(store.getState().liveLast).toMatchObject({ fast: true });
      const experiment = {
        ...JSON.parse(JSON.stringify({ spec: store.getState().run.spec ?? spec, methods: methods.map(row) })),
        split: { forgetClass: null },
        env: { backend: 'cpu' },
        pretrain: {},
      };
      w.reply({
        kind: 'done',
        id: last('unlearn').id,
        result: { kind: 'unlearn', methods: [], experiment },
        seconds: 0,
      });
      for (let k = 0; k < 20 && store.getState().busy; k++) await flush();
      expect(count('unlearn')).toBe(unlearns + 1);
    }
  });
});
