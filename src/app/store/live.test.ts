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

describe('live mode in the store', () => {
  it('a forget-fraction change reruns the approximate methods first, then Retrain, and times the first number', async () => {
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
});
