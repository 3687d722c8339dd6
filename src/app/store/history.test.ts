import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../core/lite';
import { createLabStore } from './index';
import { LEGACY_RECENT_KEY, loadRecent } from './runs-db';

// Recent runs kept in localStorage by earlier versions come back through the same schema as an imported result
// (issue 12 item 4) when they move into the runs list (issue 22 item 3, runs-db.ts).
const KEY = LEGACY_RECENT_KEY;
type RecentStorage = Pick<Storage, 'getItem' | 'removeItem'>;

/** A recent run as `remember` stores it (JSON round-tripped: NaN becomes null). */
function entry(id: string, edit: (r: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const metrics = { retainAcc: 90, forgetAcc: 80, testAcc: 70, mia: 55, lossMia: 51 };
  const result: Record<string, unknown> = JSON.parse(
    JSON.stringify({
      spec: DEFAULT_SPEC,
      env: { backend: 'wasm', versions: {}, startedAt: '2026-01-01T00:00:00Z', seconds: 12 },
      split: { trainSize: 30, retainSize: 27, forgetSize: 3, testUsedSize: 14, testEvalSize: 6, forgetClass: null },
      pretrain: { seconds: 3, testAcc: NaN, trainAcc: 91, reused: false },
      methods: [{ name: 'CF', withDC: false, round: 0, unlearnSeconds: 1, overheadSeconds: 0, metrics, curve: [] }],
    }),
  );
  edit(result);
  return { id, at: '2026-01-01T00:00:00Z', label: `run ${id}`, search: '', backend: 'wasm', result };
}

const storage = (value: string | null): RecentStorage => {
  let v = value;
  return {
    getItem: (k) => (k === KEY ? v : null),
    removeItem: (k) => {
      if (k === KEY) v = null;
    },
  };
};

function load(value: string | null) {
  const dropped: string[][] = [];
  const runs = loadRecent(storage(value), (lines) => dropped.push(lines));
  return { runs, dropped };
}

describe('recent runs from localStorage', () => {
  it('keeps the well-formed entries and drops each corrupt one, saying which and why', () => {
    const list = [
      entry('a'),
      entry('b', (r) => delete r.split),
      entry('c', (r) => ((r.methods as Array<Record<string, unknown>>)[0].metrics = null)),
      'not a run',
      { ...entry('e'), label: 7 },
      entry('f'),
    ];
    const { runs, dropped } = load(JSON.stringify(list));
    expect(runs.map((r) => r.id)).toEqual(['a', 'f']);
    expect(Number.isNaN(runs[0].result.pretrain.testAcc)).toBe(true); // the schema's null → NaN, as for an import
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toEqual([
      'recent run 2: result.split: must be an object, got nothing',
      expect.stringMatching(/^recent run 3: result\.methods\[0\]\.metrics/),
      'recent run 4: not an object',
      'recent run 5: label must be text, got 7',
    ]);
  });

  it('drops an unreadable list with one line, and says nothing when there is nothing or no access', () => {
    expect(load('{"truncated": [')).toEqual({ runs: [], dropped: [[expect.stringMatching(/not valid JSON/)]] });
    expect(load('{"a": 1}')).toEqual({ runs: [], dropped: [['the stored list is not a list (got an object)']] });
    expect(load(null)).toEqual({ runs: [], dropped: [] });
    const denied: RecentStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {},
    };
    const dropped: string[][] = [];
    expect(loadRecent(denied, (l) => dropped.push(l))).toEqual([]);
    expect(dropped).toEqual([]);
  });

  it('caps the lines of the notice', () => {
    const { runs, dropped } = load(JSON.stringify(Array.from({ length: 8 }, () => 0)));
    expect(runs).toEqual([]);
    expect(dropped[0]).toHaveLength(6);
    expect(dropped[0][5]).toBe('… and 3 more');
  });
});

describe('the store with a corrupt recent-runs entry', () => {
  it('lists the good runs, shows a notice, and shows a kept run', async () => {
    const list = [entry('bad', (r) => delete r.split), entry('good')];
    const store = createLabStore();
    // no IndexedDB in this test's environment: the runs stay in memory (and in localStorage)
    await store.getState().loadRuns({ storage: storage(JSON.stringify(list)) });
    expect(store.getState().runs.map((r) => r.id)).toEqual(['good']);
    const notice = store.getState().notices.find((n) => n.testId === 'runs-dropped');
    expect(notice?.level).toBe('warn');
    expect(notice?.lines).toEqual(['recent run 1: result.split: must be an object, got nothing']);
    expect(store.getState().notices.find((n) => n.testId === 'runs-memory-only')).toBeDefined();
    store.getState().openRun('good');
    expect(store.getState().run.experiment?.split.trainSize).toBe(30);
    expect(store.getState().viewingImport).toMatch(/^the run “/);
  });
});
