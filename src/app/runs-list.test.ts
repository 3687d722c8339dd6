import { describe, expect, it } from 'vitest';
import type { LabRun } from './compare';
import { NO_FILTER, facetValues, isFiltered, runBytes, runsBytes, visibleRuns } from './runs-list';
import { result } from './store/runs.fixture';

const mk = (id: string, name: string, at: string, ...seeds: Parameters<typeof result>[]): LabRun => ({
  id,
  name,
  source: 'recent',
  at,
  preset: 'smoke',
  seeds: seeds.map((a) => result(...a)),
});

// newest first, as the list keeps them
const runs: LabRun[] = [
  mk('d', 'delta', '2026-01-04', [0, 1, { forgetClass: 3 }]),
  mk('c', 'charlie', '2026-01-03', [0, 1, { epochScale: 0.5 }], [1, 1, { epochScale: 0.5 }]),
  mk('b', 'bravo 10', '2026-01-02', [0, 1, { fraction: 0.2 }]),
  mk('a', 'bravo 9', '2026-01-01', [0, 1]),
];
const ids = (rs: LabRun[]) => rs.map((r) => r.id);

describe('the runs list: filter and sort by setting', () => {
  it('lists the values a setting takes, with counts', () => {
    expect(facetValues(runs, 'forget')).toEqual([
      { value: 'class 3', count: 1 },
      { value: 'uniform 10%', count: 2 },
      { value: 'uniform 20%', count: 1 },
    ]);
    expect(facetValues(runs, 'epochScale')).toEqual([
      { value: '×0.02', count: 3 },
      { value: '×0.5', count: 1 },
    ]);
    expect(facetValues(runs, 'seeds')).toEqual([
      { value: '1 seed', count: 3 },
      { value: '2 seeds', count: 1 },
    ]);
    expect(facetValues(runs, 'nope')).toEqual([]);
  });

  it('filters by a setting’s value and by words (all must match the name or settings)', () => {
    expect(
      ids(visibleRuns(runs, { ...NO_FILTER, facet: 'forget', value: 'uniform 10%' }, { key: 'newest', desc: false })),
    ).toEqual(['c', 'a']);
    expect(ids(visibleRuns(runs, { ...NO_FILTER, text: 'BRAVO' }, { key: 'newest', desc: false }))).toEqual(['b', 'a']);
    expect(ids(visibleRuns(runs, { ...NO_FILTER, text: 'bravo 20%' }, { key: 'newest', desc: false }))).toEqual(['b']);
    expect(ids(visibleRuns(runs, { ...NO_FILTER, text: 'class 3' }, { key: 'newest', desc: false }))).toEqual(['d']);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, text: ' x ' })).toBe(true);
    expect(isFiltered({ ...NO_FILTER, facet: 'unknown', value: '' })).toBe(false);
  });

  it('sorts newest / oldest / by name (numbers in names as numbers) / by a setting, and reverses', () => {
    const all = (key: string, desc = false) => ids(visibleRuns(runs, NO_FILTER, { key, desc }));
    expect(all('newest')).toEqual(['d', 'c', 'b', 'a']);
    expect(all('oldest')).toEqual(['a', 'b', 'c', 'd']);
    expect(all('newest', true)).toEqual(['a', 'b', 'c', 'd']);
    expect(all('name')).toEqual(['a', 'b', 'c', 'd']); // bravo 9 < bravo 10 < charlie < delta
    expect(all('epochScale')).toEqual(['d', 'b', 'a', 'c']); // ×0.02 (list order kept for ties), then ×0.5
    expect(all('epochScale', true)).toEqual(['c', 'd', 'b', 'a']);
    expect(all('seeds', true)[0]).toBe('c');
    expect(all('forget')).toEqual(['d', 'c', 'a', 'b']); // class 3, uniform 10% (×2, list order), uniform 20%
    // the list it was given is not reordered
    expect(ids(runs)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('sizes runs by their stored text', () => {
    expect(runBytes(runs[0])).toBe(JSON.stringify(runs[0]).length);
    expect(runsBytes(runs)).toBe(runs.reduce((n, r) => n + JSON.stringify(r).length, 0));
  });
});
