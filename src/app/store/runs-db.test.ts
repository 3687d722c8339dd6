import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { legacyDefaultRunName } from '../compare';
import { createLabStore } from './index';
import { LEGACY_RECENT_KEY, LEGACY_RUNS_KEY, RUNS_DB_NAME, openRunsDb } from './runs-db';
import { DEFAULT_RUNS_CAP, RUNS_CHANNEL, UNDO_MS } from './runs';
import { MemStorage, result } from './runs.fixture';

/** A store whose runs list has been read (from this test's fresh IndexedDB and `storage`). */
async function loaded(storage: MemStorage = new MemStorage()) {
  const store = createLabStore();
  await store.getState().loadRuns({ storage });
  return store;
}

describe('the runs list in IndexedDB', () => {
  let testNo = 0;
  beforeEach(() => {
    // a fresh, empty IndexedDB for every test
    globalThis.indexedDB = new IDBFactory();
    // and a channel of its own: the stores of earlier tests (other databases) must not hear this test's tabs
    const name = `${RUNS_CHANNEL}-test-${++testNo}`;
    vi.stubGlobal(
      'BroadcastChannel',
      class extends BroadcastChannel {
        constructor(_: string) {
          super(name);
        }
      },
    );
  });

  it('keeps 500 runs across a reload: same ids, order, names, results, selection and reference', async () => {
    const store = await loaded();
    const s = () => store.getState();
    expect(s().runsStorage).toEqual({ kind: 'indexeddb' });
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) s().addRun(result(i, i % 100, { big: true }), { preset: 'smoke' });
    await s().runsSaved();
    const tWrite = performance.now() - t0;
    expect(s().runs).toHaveLength(500);
    s().renameRun(s().runs[10].id, 'run ten');
    s().toggleRunSelected(s().runs[3].id);
    s().pinReference(s().runs[499].id);
    await s().runsSaved();

    const t1 = performance.now();
    const again = await loaded();
    const tRead = performance.now() - t1;
    const a = again.getState();
    expect(a.runs.map((r) => r.id)).toEqual(s().runs.map((r) => r.id));
    expect(a.runs.map((r) => r.name)).toEqual(s().runs.map((r) => r.name));
    expect(a.runs[10]).toMatchObject({ name: 'run ten', named: true });
    // every result comes back as stored (structured clone: NaN and all)
    expect(a.runs.map((r) => r.seeds)).toEqual(s().runs.map((r) => r.seeds));
    expect(a.selectedRuns).toEqual([s().runs[3].id, s().runs[499].id]);
    expect(a.referenceRun).toBe(s().runs[499].id);
    // the default names of runs with other settings (here: the seed) all differ
    expect(new Set(a.runs.map((r) => r.name)).size).toBe(500);
    console.log(`500 runs: written in ${tWrite.toFixed(0)} ms, read back in ${tRead.toFixed(0)} ms (fake-indexeddb)`);
  });

  it('caps the list (the oldest go first, never the reference), the cap is kept, and lowering it can be undone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const store = await loaded();
      const s = () => store.getState();
      expect(s().runsCap).toBe(DEFAULT_RUNS_CAP);
      const ids = Array.from({ length: 30 }, (_, i) => s().addRun(result(i, i)));
      s().pinReference(ids[0]); // the oldest
      s().setRunsCap(5); // below the minimum: clamped to 10
      expect(s().runsCap).toBe(10);
      expect(s().runs).toHaveLength(10);
      expect(s().runs.map((r) => r.id)).toEqual([...ids.slice(21).reverse(), ids[0]]);
      expect(s().runsUndo?.text).toBe('Dropped the 20 oldest runs to keep at most 10');
      await s().runsSaved();
      expect((await loaded()).getState()).toMatchObject({ runsCap: 10, referenceRun: ids[0] });
      s().undoRunsChange();
      expect(s().runsCap).toBe(DEFAULT_RUNS_CAP);
      expect(s().runs.map((r) => r.id)).toEqual([...ids].reverse());
      expect(s().runsUndo).toBeNull();
      await s().runsSaved();
      expect((await loaded()).getState().runs).toHaveLength(30);
      // a new run over the cap drops the oldest unpinned run (no undo for that: the cap says so)
      s().setRunsCap(30);
      const extra = s().addRun(result(99, 1));
      expect(s().runs).toHaveLength(30);
      expect(s().runs[0].id).toBe(extra);
      expect(s().runs.some((r) => r.id === ids[1])).toBe(false);
      expect(s().runs.some((r) => r.id === ids[0])).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('undoes a removal (one run or all) within UNDO_MS, also in storage; afterwards it is gone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const store = await loaded();
      const s = () => store.getState();
      const [a, b, c] = [0, 1, 2].map((i) => s().addRun(result(i, i), { preset: 'smoke' }));
      s().toggleRunSelected(a);
      s().pinReference(b);
      s().removeAllRuns();
      expect(s().runs).toEqual([]);
      expect(s().runsUndo?.text).toBe('Removed 3 runs');
      await s().runsSaved();
      expect((await loaded()).getState().runs).toEqual([]);
      vi.advanceTimersByTime(UNDO_MS - 100);
      s().undoRunsChange();
      expect(s().runs.map((r) => r.id)).toEqual([c, b, a]);
      expect(s().selectedRuns).toEqual([a, b]);
      expect(s().referenceRun).toBe(b);
      await s().runsSaved();
      expect((await loaded()).getState().runs.map((r) => r.id)).toEqual([c, b, a]);

      s().removeRun(b);
      expect(s().runsUndo?.text).toBe('Removed “smoke · uniform 10% · seed 1”');
      expect(s().referenceRun).toBeNull();
      vi.advanceTimersByTime(UNDO_MS + 1);
      expect(s().runsUndo).toBeNull();
      s().undoRunsChange(); // too late: nothing happens
      expect(s().runs.map((r) => r.id)).toEqual([c, a]);
      await s().runsSaved();
      expect((await loaded()).getState().runs.map((r) => r.id)).toEqual([c, a]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('moves the runs localStorage kept into IndexedDB once, then removes them there', async () => {
    const ls = new MemStorage();
    const old = result(0, 30);
    const renamed = result(1, 20, { epochScale: 2 });
    // the list of the earlier version: one default-named run (its old default name), one renamed, and one corrupt
    ls.setItem(
      LEGACY_RUNS_KEY,
      JSON.stringify({
        runs: [
          {
            id: 'a',
            name: legacyDefaultRunName([old], 'smoke'),
            source: 'this tab',
            at: '2026-01-02',
            preset: 'smoke',
            seeds: [old],
          },
          { id: 'b', name: 'my baseline', source: 'imported', at: '2026-01-01', preset: 'smoke', seeds: [renamed] },
          { id: 'c', name: 'broken', seeds: [] },
        ],
        selected: ['b', 'zz'],
        reference: 'b',
      }),
    );
    // a recent run also in the list gives it its settings link; one only there becomes a run
    const recent = (id: string, ex = old) => ({
      id,
      at: '2026-01-03',
      label: 'x',
      search: `?preset=smoke&seed=${id}`,
      backend: 'wasm',
      result: ex,
    });
    ls.setItem(LEGACY_RECENT_KEY, JSON.stringify([recent('a'), recent('r', result(3, 3))]));

    const store = await loaded(ls);
    const s = store.getState();
    expect(s.runs.map((r) => r.id)).toEqual(['a', 'b', 'r']);
    // the old default name is replaced by the new one (it tells settings apart); a given name is kept
    expect(s.runs[0]).toMatchObject({ named: false, source: 'recent', search: '?preset=smoke&seed=a' });
    expect(s.runs[0].name).toBe('smoke · uniform 10% · seed 0');
    expect(s.runs[1]).toMatchObject({ name: 'my baseline', named: true, source: 'imported' });
    expect(s.selectedRuns).toEqual(['b']);
    expect(s.referenceRun).toBe('b');
    expect(s.notices.find((n) => n.testId === 'runs-dropped')?.lines).toEqual(['stored run 3: no results (seeds)']);
    expect(s.notices.find((n) => n.testId === 'runs-migrated')?.title).toBe(
      'Moved 3 runs from localStorage to IndexedDB',
    );
    // gone from localStorage, there in IndexedDB
    expect(ls.getItem(LEGACY_RUNS_KEY)).toBeNull();
    expect(ls.getItem(LEGACY_RECENT_KEY)).toBeNull();
    const again = await loaded(ls);
    expect(again.getState().runs.map((r) => [r.id, r.name])).toEqual(s.runs.map((r) => [r.id, r.name]));
    expect(again.getState().notices.find((n) => n.testId === 'runs-migrated')).toBeUndefined();
  });

  it('keeps the runs of this tab finished before the list was read, first', async () => {
    const first = await loaded();
    const kept = first.getState().addRun(result(0, 1));
    await first.getState().runsSaved();
    const store = createLabStore();
    const mine = store.getState().addRun(result(1, 2));
    await store.getState().loadRuns({ storage: new MemStorage() });
    expect(store.getState().runs.map((r) => r.id)).toEqual([mine, kept]);
    await store.getState().runsSaved();
    expect((await loaded()).getState().runs.map((r) => r.id)).toEqual([mine, kept]);
  });

  it('without IndexedDB: the runs are kept in memory, with a notice, and localStorage keeps its old runs', async () => {
    const had = globalThis.indexedDB;
    // @ts-expect-error -- a browser without IndexedDB (or one that refuses it)
    delete globalThis.indexedDB;
    try {
      const ls = new MemStorage();
      const old = result(0, 30);
      ls.setItem(LEGACY_RUNS_KEY, JSON.stringify({ runs: [{ id: 'a', name: 'kept', preset: 'smoke', seeds: [old] }] }));
      const store = await loaded(ls);
      const s = () => store.getState();
      expect(s().runsStorage).toEqual({ kind: 'memory', reason: 'this browser offers no IndexedDB here' });
      const n = s().notices.find((x) => x.testId === 'runs-memory-only');
      expect(n?.level).toBe('warn');
      expect(n?.lines[1]).toMatch(/gone when it closes/);
      expect(s().runs.map((r) => r.name)).toEqual(['kept']);
      s().addRun(result(1, 2));
      expect(s().runs).toHaveLength(2);
      expect(ls.getItem(LEGACY_RUNS_KEY)).not.toBeNull();
    } finally {
      globalThis.indexedDB = had;
    }
  });

  it('a stored record that cannot be read is left out with a notice; the rest loads', async () => {
    const db = await openRunsDb();
    const good = {
      id: 'g',
      name: 'good',
      source: 'recent' as const,
      at: '2026-01-01',
      preset: null,
      seeds: [result(0, 1)],
    };
    await db.write({
      put: [good, { id: 'bad', name: 3, seeds: [] } as never],
      del: [],
      meta: { order: ['bad', 'g'], selected: [], reference: null, cap: 50 },
    });
    db.close();
    const s = (await loaded()).getState();
    expect(s.runs.map((r) => r.id)).toEqual(['g']);
    expect(s.runsCap).toBe(50);
    expect(s.notices.find((n) => n.testId === 'runs-dropped')?.lines).toEqual([
      'stored run 1: name must be text, got 3',
    ]);
  });

  it('forgetAllRuns (after "Clear cached data") empties the list and the database', async () => {
    const store = await loaded();
    store.getState().addRun(result(0, 1));
    store.getState().forgetAllRuns();
    await store.getState().runsSaved();
    expect(store.getState().runs).toEqual([]);
    expect((await loaded()).getState().runs).toEqual([]);
    expect(RUNS_DB_NAME).toBe('unlearning-lab-runs');
  });

  it('another open tab sees runs added, renamed and removed here (BroadcastChannel), and keeps its own unsaved ones', async () => {
    const a = await loaded();
    const b = await loaded();
    const A = () => a.getState();
    const B = () => b.getState();
    const mine = B().addRun(result(7, 70));
    const id = A().addRun(result(1, 10));
    await A().runsSaved();
    await vi.waitFor(() => expect(B().runs.map((r) => r.id)).toContain(id), { timeout: 20_000 });
    // B's own run is still B's ("this tab"), A's comes in as a stored run
    expect(B().runs.find((r) => r.id === mine)?.source).toBe('this tab');
    expect(B().runs.find((r) => r.id === id)?.source).toBe('recent');
    await B().runsSaved();
    await vi.waitFor(() => expect(A().runs.map((r) => r.id)).toContain(mine), { timeout: 20_000 });
    A().renameRun(mine, 'named in A');
    await A().runsSaved();
    await vi.waitFor(() => expect(B().runs.find((r) => r.id === mine)?.name).toBe('named in A'), { timeout: 20_000 });
    expect(B().runs.find((r) => r.id === mine)?.source).toBe('this tab');
    A().removeRun(id);
    await A().runsSaved();
    await vi.waitFor(() => expect(B().runs.map((r) => r.id)).toEqual([mine]), { timeout: 20_000 });
    // and nothing bounced back: the stored list is the same
    await B().runsSaved();
    expect((await loaded()).getState().runs.map((r) => r.id)).toEqual([mine]);
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});
