/**
 * The runs list (issue 22 item 3), pure and DOM-free: the settings a run can be filtered and sorted by (facets),
 * the filter (a setting's value and free text), the sort, and the stored size of runs. RunsPanel.tsx renders it;
 * runs-list.test.ts checks it.
 */
import { forgetText, runSummary, seedsOf, type LabRun } from './compare';

export interface RunFacet {
  id: string;
  label: string;
  /** the run's value of this setting, as shown in the filter's menu */
  value(run: LabRun): string;
  /** what sorting by this setting compares (numbers where the setting is a number) */
  sortValue?(run: LabRun): number | string;
}

const spec = (run: LabRun) => run.seeds[0]?.spec;

/** The settings of the filter and the sort, in the menu's order. */
export const RUN_FACETS: readonly RunFacet[] = [
  { id: 'dataset', label: 'Dataset', value: (r) => spec(r)?.dataset ?? '–' },
  {
    id: 'data',
    label: 'Images per class',
    value: (r) => {
      const s = spec(r);
      return s ? `${s.trainPerClass || 'all'} train / ${s.testPerClass || 'all'} test` : '–';
    },
    sortValue: (r) => spec(r)?.trainPerClass ?? 0,
  },
  {
    id: 'model',
    label: 'Model',
    value: (r) => {
      const s = spec(r);
      return s ? `${s.model.arch} w${s.model.width}` : '–';
    },
  },
  { id: 'forget', label: 'Forget', value: (r) => (r.seeds.length ? forgetText(r.seeds) : '–') },
  { id: 'preset', label: 'Preset', value: (r) => r.preset ?? 'custom' },
  {
    id: 'methods',
    label: 'Methods',
    value: (r) => [...new Set(r.seeds[0]?.methods.map((m) => m.name) ?? [])].join(', ') || '–',
  },
  {
    id: 'epochScale',
    label: 'Epoch scale',
    value: (r) => `×${spec(r)?.unlearn.epochScale ?? '–'}`,
    sortValue: (r) => spec(r)?.unlearn.epochScale ?? 0,
  },
  {
    id: 'condense',
    label: 'Condensation',
    value: (r) => {
      const s = spec(r);
      return !s ? '–' : s.condense.enabled ? `IPC ${s.condense.ipc}, ${s.condense.iterations} iterations` : 'off';
    },
    sortValue: (r) => (spec(r)?.condense.enabled ? (spec(r)?.condense.ipc ?? 0) : -1),
  },
  {
    id: 'seeds',
    label: 'Seeds',
    value: (r) => {
      const s = seedsOf(r);
      return s.length > 1 ? `${s.length} seeds` : '1 seed';
    },
    sortValue: (r) => r.seeds.length,
  },
  { id: 'backend', label: 'Backend', value: (r) => [...new Set(r.seeds.map((x) => x.env.backend))].join(', ') },
  { id: 'source', label: 'Source', value: (r) => r.source },
];

const FACET_BY_ID = new Map(RUN_FACETS.map((f) => [f.id, f]));

export function runFacet(id: string): RunFacet | undefined {
  return FACET_BY_ID.get(id);
}

/** The values a setting takes in `runs`, with how many runs have each, in sort order. */
export function facetValues(runs: readonly LabRun[], facetId: string): Array<{ value: string; count: number }> {
  const f = FACET_BY_ID.get(facetId);
  if (!f) return [];
  const counts = new Map<string, { n: number; key: number | string }>();
  for (const r of runs) {
    const v = f.value(r);
    const c = counts.get(v);
    if (c) c.n++;
    else counts.set(v, { n: 1, key: f.sortValue ? f.sortValue(r) : v });
  }
  return [...counts.entries()]
    .sort((a, b) => compareKeys(a[1].key, b[1].key) || a[0].localeCompare(b[0]))
    .map(([value, c]) => ({ value, count: c.n }));
}

export interface RunsFilter {
  /** words that must all appear in the run's name or settings (case-insensitive) */
  text: string;
  /** a facet id, or '' for none */
  facet: string;
  /** the facet's value to keep */
  value: string;
}

export const NO_FILTER: RunsFilter = { text: '', facet: '', value: '' };

export type RunsSortKey = 'newest' | 'oldest' | 'name' | string;
export interface RunsSort {
  key: RunsSortKey;
  desc: boolean;
}

export const DEFAULT_SORT: RunsSort = { key: 'newest', desc: false };

export function isFiltered(f: RunsFilter): boolean {
  return f.text.trim() !== '' || (f.facet !== '' && FACET_BY_ID.has(f.facet));
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

const time = (r: LabRun) => {
  const t = Date.parse(r.at);
  return Number.isFinite(t) ? t : 0;
};

/**
 * The runs the list shows: those passing the filter, in the chosen order. "newest" keeps the list's own order
 * (newest first: the order runs were added or imported in); ties of a setting keep it too.
 */
export function visibleRuns(runs: readonly LabRun[], filter: RunsFilter, sort: RunsSort): LabRun[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const facet = filter.facet ? FACET_BY_ID.get(filter.facet) : undefined;
  const kept = runs.filter((r) => {
    if (facet && facet.value(r) !== filter.value) return false;
    if (!words.length) return true;
    const hay = `${r.name} ${runSummary(r)} ${r.source}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const order = new Map(runs.map((r, i) => [r.id, i]));
  const pos = (r: LabRun) => order.get(r.id) ?? 0;
  let cmp: (a: LabRun, b: LabRun) => number;
  if (sort.key === 'newest') cmp = (a, b) => pos(a) - pos(b);
  else if (sort.key === 'oldest') cmp = (a, b) => time(a) - time(b) || pos(b) - pos(a);
  else if (sort.key === 'name') cmp = (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true });
  else {
    const f = FACET_BY_ID.get(sort.key);
    if (!f) cmp = (a, b) => pos(a) - pos(b);
    else {
      const key = f.sortValue ?? f.value;
      cmp = (a, b) => compareKeys(key(a), key(b));
    }
  }
  const sign = sort.desc ? -1 : 1;
  return kept.sort((a, b) => sign * cmp(a, b) || pos(a) - pos(b));
}

// ---- stored size --------------------------------------------------------------------------------------------

const sizes = new WeakMap<LabRun, number>();

/** About how many bytes a run takes in storage (its JSON text; cached per run object). */
export function runBytes(run: LabRun): number {
  let n = sizes.get(run);
  if (n === undefined) {
    n = JSON.stringify(run).length;
    sizes.set(run, n);
  }
  return n;
}

export function runsBytes(runs: readonly LabRun[]): number {
  let n = 0;
  for (const r of runs) n += runBytes(r);
  return n;
}
