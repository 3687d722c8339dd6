/**
 * Runs slice (issue 14 item 1, issue 22 item 3): every run — this tab's, earlier ones, imported ones — as a named
 * object that can be shown, selected for the overlay, pinned as the reference, grouped as seeds of one experiment
 * (or split back), exported as one comparison file and imported back whole. One list, filtered and sorted by any
 * setting (src/app/runs-list.ts).
 *
 * Stored in IndexedDB (`unlearning-lab-runs`, src/app/store/runs-db.ts) with a synchronous copy here: every change
 * sets the list at once and writes what changed in the background, in order. `loadRuns` (called once by `startLab`)
 * reads the stored list, moves the runs localStorage kept before (once; then removes them there) and says so when
 * IndexedDB cannot be used: the runs are then kept in memory only. At most `runsCap` runs are kept (the user sets
 * it; default 500), the oldest first dropped, never the reference. Removing runs (one, the shown ones, or by grouping,
 * splitting or lowering the cap) can be undone for UNDO_MS: the removed runs are held until then.
 */
import type { ExperimentResult } from '../../core/lite';
import { aggregateSeeds } from '../../core/lite';
import {
  comparisonFile,
  defaultRunName,
  groupSeeds,
  parseComparison,
  seedsOf,
  splitSeeds,
  type LabRun,
  type RunSource,
} from '../compare';
import { runFromExperiment } from '../runState';
import { DEFAULT_SORT, NO_FILTER, type RunsFilter, type RunsSort } from '../runs-list';
import {
  openRunsDb,
  readLegacyRuns,
  removeLegacyRuns,
  type LegacyStorage,
  type RunsDb,
  type RunsMeta,
} from './runs-db';
import type { SliceCreator } from './types';

/** The cap's default and its range (runs kept at most). */
export const DEFAULT_RUNS_CAP = 500;
export const MIN_RUNS_CAP = 10;
export const MAX_RUNS_CAP = 5000;
/** How long a removal can be undone (ms). */
export const UNDO_MS = 10_000;
/** Comparison files larger than this are refused before they are read. */
export const MAX_COMPARISON_BYTES = 50 * 1024 * 1024;

interface Persisted {
  runs: LabRun[];
  selected: string[];
  reference: string | null;
}

/** Where the runs are kept: being read, in IndexedDB, or (IndexedDB unusable) in this tab's memory only. */
export type RunsStorage = { kind: 'loading' } | { kind: 'indexeddb' } | { kind: 'memory'; reason: string };

/** The removal that can be undone now: what the page says ("Removed 3 runs") and until when (ms since epoch). */
export interface RunsUndo {
  id: number;
  text: string;
  until: number;
}

export interface RunsSlice {
  /** newest first */
  runs: LabRun[];
  /** ids selected for the overlay, in selection order */
  selectedRuns: string[];
  /** the pinned reference run (differences are taken against it); null = the first selected */
  referenceRun: string | null;
  /** keep at most this many runs */
  runsCap: number;
  runsStorage: RunsStorage;
  runsUndo: RunsUndo | null;
  runsFilter: RunsFilter;
  runsSort: RunsSort;

  /** Read the stored runs (and, once, those localStorage kept before). Called once at start (`startLab`). */
  loadRuns(opts?: { storage?: LegacyStorage }): Promise<void>;
  /** Add a finished run (called by `remember` for this tab's runs, and for imported results). */
  addRun(
    ex: ExperimentResult,
    opts?: { id?: string; source?: RunSource; preset?: string | null; search?: string },
  ): string;
  /** A multi-seed Compare: create, then update, the one run holding its finished seeds. */
  saveSeedsRun(id: string, seeds: ExperimentResult[], opts?: { preset?: string | null; search?: string }): void;
  renameRun(id: string, name: string): void;
  toggleRunSelected(id: string, on?: boolean): void;
  pinReference(id: string | null): void;
  removeRun(id: string): void;
  /** Remove these runs (undoable for UNDO_MS). */
  removeRuns(ids: string[]): void;
  /** Remove every run (undoable for UNDO_MS). */
  removeAllRuns(): void;
  /** Undo the last removal while it can be undone. */
  undoRunsChange(): void;
  /** Group the selected runs (same settings, distinct seeds) into one multi-seed run (undoable). */
  groupSelectedAsSeeds(): void;
  /** Split a multi-seed run into one run per seed (undoable). */
  splitRun(id: string): void;
  /** Keep at most n runs (MIN_RUNS_CAP…MAX_RUNS_CAP); lowering it drops the oldest (undoable). */
  setRunsCap(n: number): void;
  setRunsFilter(patch: Partial<RunsFilter>): void;
  setRunsSort(sort: RunsSort): void;
  /** Show a run in the Run view (its last seed, and for several seeds the table over seeds). */
  openRun(id: string): void;
  /** "Clear cached data" emptied the stores: empty the list too. */
  forgetAllRuns(): void;
  /** Resolves once every change so far is written (or its write failed). */
  runsSaved(): Promise<void>;
  /** The selected runs as one JSON file (null when nothing is selected). */
  exportComparison(): string | null;
  importComparisonText(text: string): boolean;
  importComparisonFile(file: { name: string; size: number; text(): Promise<string> }): Promise<boolean>;
}

export const newRunId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

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

/** Fit the list under the cap: drop the oldest runs (never the reference) until it fits. Returns what is kept. */
export function capRuns(p: Persisted, maxRuns = DEFAULT_RUNS_CAP): Persisted {
  let runs = p.runs;
  if (runs.length > maxRuns) {
    const keep = new Set<string>();
    let room = maxRuns;
    if (p.reference && runs.some((r) => r.id === p.reference)) {
      keep.add(p.reference);
      room--;
    }
    for (const r of runs) {
      if (room <= 0) break;
      if (keep.has(r.id)) continue;
      keep.add(r.id);
      room--;
    }
    runs = runs.filter((r) => keep.has(r.id));
  }
  const ids = new Set(runs.map((r) => r.id));
  return {
    runs,
    selected: p.selected.filter((id) => ids.has(id)),
    reference: p.reference && ids.has(p.reference) ? p.reference : null,
  };
}

export function clampCap(n: number): number {
  if (!Number.isFinite(n)) return DEFAULT_RUNS_CAP;
  return Math.min(MAX_RUNS_CAP, Math.max(MIN_RUNS_CAP, Math.round(n)));
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function capLines(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** What an undo puts back: the removed runs at their places, the ids it added, and the state before. */
interface UndoRecord {
  id: number;
  removed: Array<{ run: LabRun; index: number }>;
  added: Set<string>;
  selected: string[];
  reference: string | null;
  cap: number;
  timer: ReturnType<typeof setTimeout>;
}

/** Tabs of this page tell each other when they wrote the runs list (the others read it again). */
export const RUNS_CHANNEL = 'unlearning-lab-runs';

function openChannel(onMessage: () => void): { post(): void } | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  try {
    const ch = new BroadcastChannel(RUNS_CHANNEL);
    ch.onmessage = onMessage;
    // Node (tests) would otherwise stay alive for it
    (ch as unknown as { unref?: () => void }).unref?.();
    return { post: () => ch.postMessage('changed') };
  } catch {
    return null;
  }
}

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get) => {
  /** the open database (null: not yet, or IndexedDB unusable) */
  let db: RunsDb | null = null;
  /** the stored list has been read: changes are written from now on */
  let ready = false;
  let loading: Promise<void> | null = null;
  /** writes, in order */
  let chain: Promise<void> = Promise.resolve();
  /** ids stored (as far as this tab knows) */
  let stored = new Set<string>();
  /** a write failed: the next one writes the whole list */
  let resync = false;
  let undo: UndoRecord | null = null;
  let undoSeq = 1;
  /** ids removed in this tab (a multi-seed Compare whose run was removed does not bring it back) */
  const removedIds = new Set<string>();
  /** the other tabs: told after each write, and this tab reads the list again when one of them wrote */
  let channel: { post(): void } | null = null;

  /**
   * Another tab changed the stored list: read it again (after this tab's own writes) and show it. Runs this tab
   * has not stored yet stay; a change made here while reading wins, and the list is read once more after it.
   */
  let reloadQueued = false;
  const reloadFromOtherTab = () => {
    // a burst of changes there (500 runs added) reads the list once or twice here, not once per change
    if (reloadQueued) return;
    reloadQueued = true;
    chain = chain
      .then(async () => {
        reloadQueued = false;
        if (!db || !ready) return;
        const before = get().runs;
        const loaded = await db.load();
        if (get().runs !== before) {
          reloadFromOtherTab();
          return;
        }
        const mine = new Map(before.map((r) => [r.id, r]));
        const theirs = new Set(loaded.runs.map((r) => r.id));
        const runs = [
          // a run of this tab keeps its label ("this tab"); its stored copy may be newer (renamed there)
          ...loaded.runs.map((r) =>
            mine.get(r.id)?.source === 'this tab' ? { ...r, source: 'this tab' as const } : r,
          ),
          // not stored yet (its write is still to come): keep it; stored before and gone now: removed there
          ...before.filter((r) => !theirs.has(r.id) && !stored.has(r.id)),
        ];
        stored = theirs;
        const ids = new Set(runs.map((r) => r.id));
        const meta = loaded.meta;
        set({
          runs,
          selectedRuns: (meta?.selected ?? get().selectedRuns).filter((id) => ids.has(id)),
          referenceRun: meta && meta.reference && ids.has(meta.reference) ? meta.reference : null,
          runsCap: meta && typeof meta.cap === 'number' ? clampCap(meta.cap) : get().runsCap,
        });
      })
      .catch(() => {
        /* the next change or reload tries again */
      });
  };

  const saveFailed = (e: unknown) => {
    resync = true;
    get().notify(
      'error',
      'Runs could not be saved in this browser',
      [
        e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        'They stay in this tab until it closes. Remove runs or lower the cap, or export a comparison to keep them.',
      ],
      'runs-save-error',
    );
  };

  /** Queue one write of the list's state now: `put` these runs, delete `del`. */
  const write = (put: LabRun[], del: string[]) => {
    if (!db || !ready) return;
    const s = get();
    const meta: RunsMeta = {
      order: s.runs.map((r) => r.id),
      selected: s.selectedRuns,
      reference: s.referenceRun,
      cap: s.runsCap,
    };
    const handle = db;
    chain = chain
      .then(() => handle.write({ put, del, meta }))
      .then(() => {
        for (const id of del) stored.delete(id);
        for (const r of put) stored.add(r.id);
        get().dropNotices('runs-save-error');
        channel?.post();
      })
      .catch(saveFailed);
  };

  /** Write the change from `prev` to the state now (in the background, after earlier writes). */
  const persist = (prev: LabRun[]) => {
    if (!db || !ready) return;
    const runs = get().runs;
    const keep = new Set(runs.map((r) => r.id));
    if (resync) {
      // a write failed: write the whole list this time
      resync = false;
      write(
        runs,
        [...stored].filter((id) => !keep.has(id)),
      );
      return;
    }
    const before = new Map(prev.map((r) => [r.id, r]));
    write(
      runs.filter((r) => before.get(r.id) !== r),
      prev.filter((r) => !keep.has(r.id)).map((r) => r.id),
    );
  };

  const endUndo = () => {
    if (undo) clearTimeout(undo.timer);
    undo = null;
    if (get().runsUndo) set({ runsUndo: null });
  };

  /**
   * Set runs / selection / reference / cap: capped, in the store at once, then written. With `undoText`, a change
   * that removed runs can be undone for UNDO_MS ("Removed 3 runs").
   */
  const commit = (p: Partial<Persisted> & { cap?: number }, undoText?: (removed: number) => string) => {
    const s = get();
    const prev = { runs: s.runs, selected: s.selectedRuns, reference: s.referenceRun, cap: s.runsCap };
    const cap = p.cap ?? s.runsCap;
    const next = capRuns(
      {
        runs: p.runs ?? s.runs,
        selected: p.selected ?? s.selectedRuns,
        reference: p.reference !== undefined ? p.reference : s.referenceRun,
      },
      cap,
    );
    set({ runs: next.runs, selectedRuns: next.selected, referenceRun: next.reference, runsCap: cap });
    persist(prev.runs);
    if (!undoText) return;
    const keep = new Set(next.runs.map((r) => r.id));
    const had = new Set(prev.runs.map((r) => r.id));
    const removed = prev.runs.flatMap((run, index) => (keep.has(run.id) ? [] : [{ run, index }]));
    if (!removed.length) return;
    endUndo();
    const id = undoSeq++;
    undo = {
      id,
      removed,
      added: new Set(next.runs.filter((r) => !had.has(r.id)).map((r) => r.id)),
      selected: prev.selected,
      reference: prev.reference,
      cap: prev.cap,
      timer: setTimeout(() => {
        if (undo?.id === id) endUndo();
      }, UNDO_MS),
    };
    set({ runsUndo: { id, text: undoText(removed.length), until: Date.now() + UNDO_MS } });
  };

  const byIds = (ids: string[]) => {
    const runs = get().runs;
    return ids.map((id) => runs.find((r) => r.id === id)).filter((r): r is LabRun => !!r);
  };

  return {
    runs: [],
    selectedRuns: [],
    referenceRun: null,
    runsCap: DEFAULT_RUNS_CAP,
    runsStorage: { kind: 'loading' },
    runsUndo: null,
    runsFilter: NO_FILTER,
    runsSort: DEFAULT_SORT,

    loadRuns(opts = {}) {
      if (loading) return loading;
      const storage = 'storage' in opts ? opts.storage : globalThis.localStorage;
      loading = (async () => {
        const legacy = readLegacyRuns(storage);
        if (legacy.dropped.length) {
          get().notify(
            'warn',
            'Some runs kept in this browser could not be read and were left out',
            capLines(legacy.dropped, 5),
            'runs-dropped',
          );
        }
        let loaded: Awaited<ReturnType<RunsDb['load']>>;
        try {
          db = await openRunsDb();
          loaded = await db.load();
        } catch (e) {
          db?.close();
          db = null;
          const reason = e instanceof Error ? e.message || e.name : String(e);
          // memory only: the runs localStorage kept stay there (nothing is lost), and are shown
          const s = get();
          const mine = new Set(s.runs.map((r) => r.id));
          commit({
            runs: [...s.runs, ...legacy.runs.filter((r) => !mine.has(r.id))],
            selected: s.selectedRuns.length ? s.selectedRuns : legacy.selected,
            reference: s.referenceRun ?? legacy.reference,
          });
          set({ runsStorage: { kind: 'memory', reason } });
          get().notify(
            'warn',
            'Runs are kept in memory only',
            [
              `IndexedDB cannot be used here (${reason}).`,
              'The runs of this tab are gone when it closes: export a comparison to keep them.',
            ],
            'runs-memory-only',
          );
          return;
        }
        if (loaded.dropped.length) {
          get().notify(
            'warn',
            'Some stored runs could not be read and were left out',
            capLines(loaded.dropped, 5),
            'runs-dropped',
          );
        }
        stored = new Set(loaded.runs.map((r) => r.id));
        const s = get();
        // this tab's runs (finished before the list was read) first, then the stored ones, then the migrated ones
        const seen = new Set(s.runs.map((r) => r.id));
        const runs = [...s.runs];
        for (const r of [...loaded.runs, ...legacy.runs]) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          runs.push(r);
        }
        const meta = loaded.meta;
        const storedSel = meta ? meta.selected : legacy.selected;
        commit({
          runs,
          selected: [...new Set([...s.selectedRuns, ...(Array.isArray(storedSel) ? storedSel : [])])],
          reference: s.referenceRun ?? (meta ? meta.reference : legacy.reference),
          cap: meta && typeof meta.cap === 'number' ? clampCap(meta.cap) : s.runsCap,
        });
        // from now on every change is written; first what is not stored yet (this tab's and the migrated runs)
        ready = true;
        channel ??= openChannel(reloadFromOtherTab);
        const keep = new Set(get().runs.map((r) => r.id));
        write(
          get().runs.filter((r) => !stored.has(r.id)),
          [...stored].filter((id) => !keep.has(id)),
        );
        await chain;
        set({ runsStorage: { kind: 'indexeddb' } });
        // the write failed (saveFailed said so): localStorage keeps the old runs
        if (resync) return;
        if (legacy.keys.length) {
          removeLegacyRuns(storage, legacy.keys);
          if (legacy.runs.length) {
            get().notify(
              'info',
              `Moved ${plural(legacy.runs.length, 'run')} from localStorage to IndexedDB`,
              ['The runs list now keeps up to the cap you set (default 500) in this browser.'],
              'runs-migrated',
            );
          }
        }
      })();
      return loading;
    },

    addRun(ex, opts = {}) {
      const id = opts.id ?? newRunId();
      const same = (r: LabRun) =>
        r.seeds.length === 1 &&
        r.seeds[0].env.startedAt === ex.env.startedAt &&
        JSON.stringify(r.seeds[0].spec) === JSON.stringify(ex.spec);
      const dup = ex.env.startedAt ? get().runs.find(same) : undefined;
      if (dup && opts.source === 'imported') return dup.id;
      const preset = opts.preset !== undefined ? opts.preset : (get().basePreset ?? get().preset ?? null);
      const run: LabRun = {
        id,
        name: defaultRunName([ex], preset),
        named: false,
        source: opts.source ?? 'this tab',
        at: new Date().toISOString(),
        preset,
        seeds: [slimResult(ex)],
      };
      if (opts.search) run.search = opts.search;
      commit({ runs: [run, ...get().runs.filter((r) => r.id !== id)] });
      return id;
    },

    saveSeedsRun(id, seeds, opts = {}) {
      if (!seeds.length) return;
      const s = get();
      const sorted = seeds.map(slimResult).sort((a, b) => a.spec.seed - b.spec.seed);
      const old = s.runs.find((r) => r.id === id);
      if (!old && removedIds.has(id)) return;
      const preset = old ? old.preset : opts.preset !== undefined ? opts.preset : (s.basePreset ?? s.preset ?? null);
      const run: LabRun = old
        ? { ...old, seeds: sorted, name: old.named ? old.name : defaultRunName(sorted, preset) }
        : {
            id,
            name: defaultRunName(sorted, preset),
            named: false,
            source: 'this tab',
            at: new Date().toISOString(),
            preset,
            seeds: sorted,
            ...(opts.search ? { search: opts.search } : {}),
          };
      commit({ runs: old ? s.runs.map((r) => (r.id === id ? run : r)) : [run, ...s.runs] });
    },

    renameRun(id, name) {
      const clean = name.replace(/\s+/g, ' ').trim().slice(0, 200);
      commit({
        runs: get().runs.map((r) =>
          r.id !== id
            ? r
            : clean
              ? { ...r, name: clean, named: true }
              : { ...r, name: defaultRunName(r.seeds, r.preset), named: false },
        ),
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
      const run = get().runs.find((r) => r.id === id);
      if (!run) return;
      get().removeRuns([id]);
    },

    removeRuns(ids) {
      const gone = new Set(ids);
      const s = get();
      if (!s.runs.some((r) => gone.has(r.id))) return;
      const one = ids.length === 1 ? s.runs.find((r) => r.id === ids[0]) : undefined;
      for (const id of ids) removedIds.add(id);
      commit(
        {
          runs: s.runs.filter((r) => !gone.has(r.id)),
          selected: s.selectedRuns.filter((x) => !gone.has(x)),
          reference: s.referenceRun && gone.has(s.referenceRun) ? null : s.referenceRun,
        },
        (n) => (one ? `Removed “${one.name}”` : `Removed ${plural(n, 'run')}`),
      );
    },

    removeAllRuns() {
      get().removeRuns(get().runs.map((r) => r.id));
    },

    undoRunsChange() {
      const u = undo;
      if (!u) return;
      endUndo();
      const runs = get().runs.filter((r) => !u.added.has(r.id));
      const present = new Set(runs.map((r) => r.id));
      for (const { run, index } of [...u.removed].sort((a, b) => a.index - b.index)) {
        removedIds.delete(run.id);
        if (present.has(run.id)) continue;
        runs.splice(Math.min(index, runs.length), 0, run);
        present.add(run.id);
      }
      commit({
        runs,
        selected: u.selected.filter((id) => present.has(id)),
        reference: u.reference && present.has(u.reference) ? u.reference : null,
        cap: u.cap,
      });
      get().dropNotices('runs-error');
    },

    groupSelectedAsSeeds() {
      const s = get();
      const chosen = byIds(s.selectedRuns);
      let grouped: LabRun;
      try {
        grouped = groupSeeds(chosen, newRunId(), new Date().toISOString());
      } catch (e) {
        get().notify('error', 'Could not group the runs as seeds', [(e as Error).message], 'runs-error');
        return;
      }
      get().dropNotices('runs-error');
      const ids = new Set(chosen.map((r) => r.id));
      commit(
        {
          runs: [grouped, ...s.runs.filter((r) => !ids.has(r.id))],
          selected: [grouped.id, ...s.selectedRuns.filter((id) => !ids.has(id))],
          reference: s.referenceRun && ids.has(s.referenceRun) ? grouped.id : s.referenceRun,
        },
        (n) => `Grouped ${plural(n, 'run')} as the seeds of “${grouped.name}”`,
      );
    },

    splitRun(id) {
      const s = get();
      const i = s.runs.findIndex((r) => r.id === id);
      if (i < 0 || s.runs[i].seeds.length < 2) return;
      const parts = splitSeeds(s.runs[i]);
      const partIds = new Set(parts.map((r) => r.id));
      const others = s.runs.filter((r) => r.id !== id && !partIds.has(r.id));
      const at = others.findIndex((r) => s.runs.indexOf(r) > i);
      const runs = at < 0 ? [...others, ...parts] : [...others.slice(0, at), ...parts, ...others.slice(at)];
      const sel = s.selectedRuns.includes(id);
      commit(
        {
          runs,
          selected: sel ? [...s.selectedRuns.filter((x) => x !== id), ...parts.map((r) => r.id)] : s.selectedRuns,
          reference: s.referenceRun === id ? parts[0].id : s.referenceRun,
        },
        () => `Split “${s.runs[i].name}” into ${plural(parts.length, 'run')}, one per seed`,
      );
    },

    setRunsCap(n) {
      const cap = clampCap(n);
      if (cap === get().runsCap) return;
      commit({ cap }, (removed) => `Dropped the ${plural(removed, 'oldest run')} to keep at most ${cap}`);
    },

    setRunsFilter(patch) {
      set((s) => ({ runsFilter: { ...s.runsFilter, ...patch } }));
    },

    setRunsSort(sort) {
      set({ runsSort: sort });
    },

    openRun(id) {
      const r = get().runs.find((x) => x.id === id);
      if (!r) return;
      let run = runFromExperiment(r.seeds[r.seeds.length - 1]);
      if (r.seeds.length > 1) {
        const perSeed = r.seeds;
        run = { ...run, multi: { planned: seedsOf(r), current: null, perSeed, aggregate: aggregateSeeds(perSeed) } };
      }
      set({ run, viewingImport: `the run “${r.name}”`, selectedMethod: null });
      get().setPlace({ top: 'run' });
    },

    forgetAllRuns() {
      endUndo();
      set({ runs: [], selectedRuns: [], referenceRun: null, runsCap: DEFAULT_RUNS_CAP });
      stored = new Set();
      resync = false;
      const handle = db;
      if (handle && ready)
        chain = chain
          .then(() => handle.clear())
          .then(() => channel?.post())
          .catch(saveFailed);
    },

    runsSaved() {
      return (loading ?? Promise.resolve()).then(() => chain);
    },

    exportComparison() {
      const s = get();
      const runs = byIds(s.selectedRuns);
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
          `${plural(file.runs.length, 'run')} selected for the overlay` +
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
