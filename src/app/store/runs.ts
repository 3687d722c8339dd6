/**
 * Runs slice (issue 14 item 1): every run — this tab's, the recent ones, imported ones — as a named object that
 * can be selected for the overlay, pinned as the reference, grouped as seeds of one experiment, exported as one
 * comparison file and imported back whole. Persisted in localStorage next to the recent runs (size-capped:
 * at most MAX_RUNS runs and MAX_RUNS_CHARS characters, the oldest unpinned runs dropped first).
 */
import type { ExperimentResult } from '../../core/lite';
import { comparisonFile, defaultRunName, groupSeeds, parseComparison, type LabRun, type RunSource } from '../compare';
import { loadRecent, type RecentRun } from './history';
import type { SliceCreator } from './types';

export const RUNS_KEY = 'unlearning-lab.runs.v1';
export const MAX_RUNS = 24;
export const MAX_RUNS_CHARS = 3_000_000;
/** Comparison files larger than this are refused before they are read. */
export const MAX_COMPARISON_BYTES = 50 * 1024 * 1024;

interface Persisted {
  runs: LabRun[];
  selected: string[];
  reference: string | null;
}

export interface RunsSlice {
  /** newest first */
  runs: LabRun[];
  /** ids selected for the overlay, in selection order */
  selectedRuns: string[];
  /** the pinned reference run (differences are taken against it); null = the first selected */
  referenceRun: string | null;

  /** Add a finished run of this tab (called by `remember`). */
  addRun(ex: ExperimentResult, opts?: { id?: string; source?: RunSource; preset?: string | null }): string;
  renameRun(id: string, name: string): void;
  toggleRunSelected(id: string, on?: boolean): void;
  pinReference(id: string | null): void;
  removeRun(id: string): void;
  removeAllRuns(): void;
  /** Group the selected runs (same settings, distinct seeds) into one multi-seed run. */
  groupSelectedAsSeeds(): void;
  /** The selected runs as one JSON file (null when nothing is selected). */
  exportComparison(): string | null;
  importComparisonText(text: string): boolean;
  importComparisonFile(file: { name: string; size: number; text(): Promise<string> }): Promise<boolean>;
}

const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A result without bulky parts (per-example losses, prototype images) for storage. */
export function slimResult(ex: ExperimentResult): ExperimentResult {
  const slimCondense = <T extends { prototypes?: unknown }>(c: T): T => {
    const { prototypes: _p, ...rest } = c;
    return rest as T;
  };
  const out: ExperimentResult = { ...ex, methods: ex.methods.map(({ losses: _l, ...m }) => m) };
  if (ex.condense) out.condense = slimCondense(ex.condense);
  if (ex.condenseRounds) out.condenseRounds = ex.condenseRounds.map(slimCondense);
  return out;
}

/** A recent run (history slice) as a run, for a first visit after the runs list existed. */
function fromRecent(r: RecentRun): LabRun {
  const preset = new URLSearchParams(r.search).get('preset');
  return { id: r.id, name: defaultRunName([r.result], preset), source: 'recent', at: r.at, preset, seeds: [r.result] };
}

function load(): Persisted {
  const empty: Persisted = { runs: [], selected: [], reference: null };
  try {
    const raw = globalThis.localStorage?.getItem(RUNS_KEY);
    if (!raw) return { ...empty, runs: loadRecent().map(fromRecent) };
    const p = JSON.parse(raw) as Partial<Persisted>;
    const runs = (Array.isArray(p.runs) ? p.runs : [])
      .filter(
        (r) =>
          r &&
          typeof r.id === 'string' &&
          typeof r.name === 'string' &&
          Array.isArray(r.seeds) &&
          r.seeds.length > 0 &&
          r.seeds.every((s) => s && s.spec && Array.isArray(s.methods)),
      )
      .map((r) => ({ ...r, source: r.source === 'imported' ? 'imported' : 'recent' }) as LabRun);
    const ids = new Set(runs.map((r) => r.id));
    return {
      runs,
      selected: (Array.isArray(p.selected) ? p.selected : []).filter((id) => ids.has(id)),
      reference: typeof p.reference === 'string' && ids.has(p.reference) ? p.reference : null,
    };
  } catch {
    return empty;
  }
}

/** Fit the state under the caps: drop the oldest runs (never the reference) until it fits. Returns what is kept. */
export function capRuns(p: Persisted, maxRuns = MAX_RUNS, maxChars = MAX_RUNS_CHARS): Persisted {
  let runs = p.runs.slice();
  const size = () => JSON.stringify({ ...p, runs }).length;
  while (runs.length > 1 && (runs.length > maxRuns || size() > maxChars)) {
    let i = runs.length - 1;
    while (i > 0 && runs[i].id === p.reference) i--;
    runs = runs.filter((_, j) => j !== i);
  }
  const ids = new Set(runs.map((r) => r.id));
  return {
    runs,
    selected: p.selected.filter((id) => ids.has(id)),
    reference: p.reference && ids.has(p.reference) ? p.reference : null,
  };
}

function save(p: Persisted): void {
  try {
    globalThis.localStorage?.setItem(RUNS_KEY, JSON.stringify(p));
  } catch {
    /* quota: keep in memory only */
  }
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get) => {
  const initial = load();
  /** Set runs/selection/reference, capped and persisted. */
  const commit = (p: Partial<Persisted>) => {
    const s = get();
    const next = capRuns({
      runs: p.runs ?? s.runs,
      selected: p.selected ?? s.selectedRuns,
      reference: p.reference !== undefined ? p.reference : s.referenceRun,
    });
    save(next);
    set({ runs: next.runs, selectedRuns: next.selected, referenceRun: next.reference });
  };

  return {
    runs: initial.runs,
    selectedRuns: initial.selected,
    referenceRun: initial.reference,

    addRun(ex, opts = {}) {
      const id = opts.id ?? newId();
      const same = (r: LabRun) =>
        r.seeds.length === 1 &&
        r.seeds[0].env.startedAt === ex.env.startedAt &&
        JSON.stringify(r.seeds[0].spec) === JSON.stringify(ex.spec);
      const dup = ex.env.startedAt ? get().runs.find(same) : undefined;
      if (dup && opts.source === 'imported') return dup.id;
      const preset = opts.preset !== undefined ? opts.preset : (get().preset ?? null);
      const run: LabRun = {
        id,
        name: defaultRunName([ex], preset),
        source: opts.source ?? 'this tab',
        at: new Date().toISOString(),
        preset,
        seeds: [slimResult(ex)],
      };
      commit({ runs: [run, ...get().runs.filter((r) => r.id !== id)] });
      return id;
    },

    renameRun(id, name) {
      const clean = name.replace(/\s+/g, ' ').trim().slice(0, 200);
      commit({
        runs: get().runs.map((r) => (r.id === id ? { ...r, name: clean || defaultRunName(r.seeds, r.preset) } : r)),
      });
    },

    toggleRunSelected(id, on) {
      const sel = get().selectedRuns;
      const has = sel.includes(id);
      const want = on ?? !has;
      if (want === has || !get().runs.some((r) => r.id === id)) return;
      commit({ selected: want ? [...sel, id] : sel.filter((x) => x !== id) });
    },

    pinReference(id) {
      if (id !== null && !get().runs.some((r) => r.id === id)) return;
      const sel = get().selectedRuns;
      commit({ reference: id, selected: id && !sel.includes(id) ? [...sel, id] : sel });
    },

    removeRun(id) {
      const s = get();
      commit({
        runs: s.runs.filter((r) => r.id !== id),
        selected: s.selectedRuns.filter((x) => x !== id),
        reference: s.referenceRun === id ? null : s.referenceRun,
      });
    },

    removeAllRuns() {
      commit({ runs: [], selected: [], reference: null });
    },

    groupSelectedAsSeeds() {
      const s = get();
      const chosen = s.selectedRuns.map((id) => s.runs.find((r) => r.id === id)).filter((r): r is LabRun => !!r);
      let grouped: LabRun;
      try {
        grouped = groupSeeds(chosen, newId(), new Date().toISOString());
      } catch (e) {
        get().notify('error', 'Could not group the runs as seeds', [(e as Error).message], 'runs-error');
        return;
      }
      get().dropNotices('runs-error');
      const ids = new Set(chosen.map((r) => r.id));
      commit({
        runs: [grouped, ...s.runs.filter((r) => !ids.has(r.id))],
        selected: [grouped.id, ...s.selectedRuns.filter((id) => !ids.has(id))],
        reference: s.referenceRun && ids.has(s.referenceRun) ? grouped.id : s.referenceRun,
      });
    },

    exportComparison() {
      const s = get();
      const runs = s.selectedRuns.map((id) => s.runs.find((r) => r.id === id)).filter((r): r is LabRun => !!r);
      if (!runs.length) return null;
      return JSON.stringify(comparisonFile(runs, s.referenceRun), null, 1);
    },

    importComparisonText(text) {
      let file;
      try {
        file = parseComparison(text, MAX_COMPARISON_BYTES);
      } catch (e) {
        get().notify('error', 'Comparison import failed', [(e as Error).message], 'runs-error');
        return false;
      }
      get().dropNotices('runs-error');
      const ids = new Set(file.runs.map((r) => r.id));
      const runs = file.runs.map((r) => ({ ...r, seeds: r.seeds.map(slimResult) }));
      commit({
        runs: [...runs, ...get().runs.filter((r) => !ids.has(r.id))],
        selected: file.runs.map((r) => r.id),
        reference: file.reference,
      });
      get().notify(
        'info',
        'Comparison imported',
        [
          `${file.runs.length} run${file.runs.length === 1 ? '' : 's'} selected for the overlay` +
            (file.reference ? ', reference pinned as in the file.' : '.'),
        ],
        'runs-ok',
      );
      return true;
    },

    async importComparisonFile(file) {
      if (file.size > MAX_COMPARISON_BYTES) {
        get().notify(
          'error',
          'Comparison import failed',
          [`${file.name} is ${mb(file.size)}; comparison files larger than ${mb(MAX_COMPARISON_BYTES)} are not read.`],
          'runs-error',
        );
        return false;
      }
      return get().importComparisonText(await file.text());
    },
  };
};
