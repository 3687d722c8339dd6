import { describe, expect, it } from 'vitest';
import type { WorkerLike } from '../../worker/client';
import type { BackendInfo, WorkerToApp } from '../../worker/protocol';
import { MAX_IMPORT_BYTES } from './history';
import { createLabStore } from './index';

class FakeWorker implements WorkerLike {
  posted: Array<Record<string, unknown>> = [];
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  postMessage(msg: unknown): void {
    this.posted.push(msg as Record<string, unknown>);
  }
  terminate(): void {}
  reply(data: WorkerToApp): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault() {} } as unknown as ErrorEvent);
  }
  last(kind: string) {
    return this.posted.filter((m) => m.kind === kind).at(-1) as { id: number } | undefined;
  }
}

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

const result = (over: Record<string, unknown> = {}) => JSON.stringify({
  spec: { dataset: 'synthetic' },
  env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 1 },
  split: { trainSize: 10, retainSize: 9, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: 0 },
  pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
  methods: [{ name: 'A-CF', withDC: false, round: 0, unlearnSeconds: 1, overheadSeconds: 0, curve: [],
    metrics: { retainAcc: 1, forgetAcc: 2, testAcc: 3, mia: 4, lossMia: 5 } }],
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
