/**
 * Where the runs list lives (issue 22 item 3): the IndexedDB database `unlearning-lab-runs` (its own database, not
 * the worker's `unlearning-lab` of src/worker/storage.ts), through the `idb` wrapper, and the one-time migration of
 * the runs kept in localStorage before it (`unlearning-lab.runs.v1`, `unlearning-lab.recent.v1`).
 *
 * Stores: `runs` (one record per run, key = its id) and `meta` (one record `state`: the list's order, the selection,
 * the reference and the cap). The page keeps the list in memory (the runs slice, src/app/store/runs.ts) and writes
 * only what changed; the order in `meta` is the list's, runs missing from it (another tab's) come after, newest first.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ExperimentResult } from '../../core/lite';
import { checkImportedResult, clipValue } from '../../core/lite';
import { defaultRunName, legacyDefaultRunName, type LabRun } from '../compare';

export const RUNS_DB_NAME = 'unlearning-lab-runs';
export const RUNS_DB_VERSION = 1;
/** localStorage keys of the runs before IndexedDB (read once, then removed) */
export const LEGACY_RUNS_KEY = 'unlearning-lab.runs.v1';
export const LEGACY_RECENT_KEY = 'unlearning-lab.recent.v1';

export interface RunsMeta {
  /** run ids, the list's order (newest first) */
  order: string[];
  selected: string[];
  reference: string | null;
  /** keep at most this many runs (the oldest unpinned go first) */
  cap: number;
}

interface RunsSchema extends DBSchema {
  runs: { key: string; value: LabRun };
  meta: { key: string; value: RunsMeta };
}

const META_KEY = 'state';

/** One write: runs to put (new or changed), ids to delete, and the list's state. */
export interface RunsWrite {
  put: LabRun[];
  del: string[];
  meta: RunsMeta;
}

export interface RunsDb {
  /** the stored runs in the list's order, the stored state (null: none yet) and one line per record left out */
  load(): Promise<{ runs: LabRun[]; meta: RunsMeta | null; dropped: string[] }>;
  write(w: RunsWrite): Promise<void>;
  /** Empty both stores. */
  clear(): Promise<void>;
  close(): void;
}

/** A stored run's shape, checked lightly (the page wrote it); throws naming what is wrong. */
export function checkStoredRun(r: unknown, where: string): LabRun {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`${where}: not an object`);
  const x = r as Record<string, unknown>;
  if (typeof x.id !== 'string' || !x.id) throw new Error(`${where}: id must be text`);
  if (typeof x.name !== 'string') throw new Error(`${where}: name must be text, got ${clipValue(x.name, 40)}`);
  if (!Array.isArray(x.seeds) || x.seeds.length === 0) throw new Error(`${where}: no results (seeds)`);
  x.seeds.forEach((s: unknown, i: number) => {
    const e = s as Partial<ExperimentResult> | null;
    if (!e || typeof e !== 'object' || !e.spec || typeof e.spec !== 'object' || !Array.isArray(e.methods))
      throw new Error(`${where}: seeds[${i}] is not a result`);
  });
  // a run stored by an earlier page is a recent run now (imported ones stay imported)
  const source = x.source === 'imported' ? 'imported' : 'recent';
  return { ...(x as unknown as LabRun), source, at: typeof x.at === 'string' ? x.at : '' };
}

/** Why IndexedDB cannot be used here, or null when it exists. */
export function indexedDbMissing(): string | null {
  return typeof indexedDB === 'undefined' || indexedDB === null ? 'this browser offers no IndexedDB here' : null;
}

/** Open (creating on first use) the runs database. Throws when IndexedDB is missing or refuses. */
export async function openRunsDb(): Promise<RunsDb> {
  const missing = indexedDbMissing();
  if (missing) throw new Error(missing);
  let db: IDBPDatabase<RunsSchema> | null = null;
  db = await openDB<RunsSchema>(RUNS_DB_NAME, RUNS_DB_VERSION, {
    upgrade(d) {
      if (!d.objectStoreNames.contains('runs')) d.createObjectStore('runs', { keyPath: 'id' });
      if (!d.objectStoreNames.contains('meta')) d.createObjectStore('meta');
    },
    // a newer page in another tab wants to upgrade: let it (this tab keeps its list in memory)
    blocking() {
      db?.close();
    },
  });
  const handle = db;
  return {
    async load() {
      const tx = handle.transaction(['runs', 'meta'], 'readonly');
      const [raw, meta] = await Promise.all([tx.objectStore('runs').getAll(), tx.objectStore('meta').get(META_KEY)]);
      await tx.done;
      const dropped: string[] = [];
      const byId = new Map<string, LabRun>();
      raw.forEach((r, i) => {
        try {
          const run = checkStoredRun(r, `stored run ${i + 1}`);
          byId.set(run.id, run);
        } catch (e) {
          dropped.push((e as Error).message);
        }
      });
      const order = Array.isArray(meta?.order) ? meta.order.filter((id) => typeof id === 'string') : [];
      const inOrder = order.map((id) => byId.get(id)).filter((r): r is LabRun => !!r);
      const listed = new Set(inOrder.map((r) => r.id));
      const rest = [...byId.values()].filter((r) => !listed.has(r.id)).sort((a, b) => b.at.localeCompare(a.at));
      return { runs: [...inOrder, ...rest], meta: meta ?? null, dropped };
    },
    async write(w) {
      const tx = handle.transaction(['runs', 'meta'], 'readwrite');
      const runs = tx.objectStore('runs');
      const ops: Array<Promise<unknown>> = [];
      for (const id of w.del) ops.push(runs.delete(id));
      for (const r of w.put) ops.push(runs.put(r));
      ops.push(tx.objectStore('meta').put(w.meta, META_KEY));
      await Promise.all([...ops, tx.done]);
    },
    async clear() {
      const tx = handle.transaction(['runs', 'meta'], 'readwrite');
      await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('meta').clear(), tx.done]);
    },
    close() {
      handle.close();
    },
  };
}

// ---- the runs kept in localStorage before IndexedDB ----------------------------------------------------------

export interface RecentRun {
  id: string;
  at: string;
  label: string;
  search: string;
  backend: string;
  result: ExperimentResult;
}

/** What the migration needs of localStorage (so tests can pass a plain object). */
export type LegacyStorage = Pick<Storage, 'getItem' | 'removeItem'>;

const MAX_RECENT = 8;

/** One stored recent run, checked like an imported result (core `checkImportedResult`); throws naming the field. */
function checkRecent(entry: unknown, i: number): RecentRun {
  const where = `recent run ${i + 1}`;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: not an object`);
  const e = entry as Record<string, unknown>;
  for (const k of ['id', 'at', 'label', 'search', 'backend'] as const) {
    if (typeof e[k] !== 'string') throw new Error(`${where}: ${k} must be text, got ${clipValue(e[k], 40)}`);
  }
  try {
    return { ...(e as unknown as RecentRun), result: checkImportedResult(e.result) };
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The recent runs localStorage kept (before the runs list existed). Every entry goes through the same schema as an
 * imported result; an entry that fails it (or an unreadable list) is left out and `onDropped` gets one line per
 * problem, so a corrupt localStorage never blanks the page.
 */
export function loadRecent(
  storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
  onDropped: (lines: string[]) => void = () => {},
): RecentRun[] {
  let raw: string | null | undefined;
  try {
    raw = storage?.getItem(LEGACY_RECENT_KEY);
  } catch {
    return []; // storage not accessible (privacy settings): nothing kept, nothing to report
  }
  if (!raw) return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch (e) {
    onDropped([`the stored list is not valid JSON (${clipValue((e as Error).message, 80)})`]);
    return [];
  }
  if (!Array.isArray(list)) {
    onDropped([`the stored list is not a list (got ${clipValue(list, 40)})`]);
    return [];
  }
  const runs: RecentRun[] = [];
  const problems: string[] = [];
  list.slice(0, MAX_RECENT).forEach((entry, i) => {
    try {
      runs.push(checkRecent(entry, i));
    } catch (e) {
      problems.push((e as Error).message);
    }
  });
  if (list.length > MAX_RECENT) problems.push(`${list.length - MAX_RECENT} entries beyond the last ${MAX_RECENT}`);
  if (problems.length) onDropped(capLines(problems, 5));
  return runs;
}

function capLines(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** A run of the old list: its name is a given one unless it is the default name of that time (then written anew). */
function renamedLegacy(r: LabRun): LabRun {
  const named = typeof r.named === 'boolean' ? r.named : r.name !== legacyDefaultRunName(r.seeds, r.preset);
  return { ...r, named, name: named && r.name ? r.name : defaultRunName(r.seeds, r.preset) };
}

export interface LegacyRuns {
  runs: LabRun[];
  selected: string[];
  reference: string | null;
  /** one line per entry left out */
  dropped: string[];
  /** the localStorage keys that held something (removed once the runs are stored in IndexedDB) */
  keys: string[];
}

/**
 * Read the runs localStorage kept: the runs list (`unlearning-lab.runs.v1`, checked as that list read it) and the recent runs (`unlearning-lab.recent.v1`), one run per id — a recent run also in the list gives it
 * its settings link. Nothing is removed here.
 */
export function readLegacyRuns(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): LegacyRuns {
  const out: LegacyRuns = { runs: [], selected: [], reference: null, dropped: [], keys: [] };
  let raw: string | null | undefined = null;
  try {
    raw = storage?.getItem(LEGACY_RUNS_KEY);
  } catch {
    return out;
  }
  if (raw) {
    out.keys.push(LEGACY_RUNS_KEY);
    try {
      const p = JSON.parse(raw) as { runs?: unknown; selected?: unknown; reference?: unknown };
      const list = Array.isArray(p?.runs) ? p.runs : [];
      list.forEach((r: unknown, i: number) => {
        const where = `stored run ${i + 1}`;
        try {
          // checked as the list checked it when it read localStorage (its seeds were checked when they came in)
          out.runs.push(renamedLegacy(checkStoredRun(r, where)));
        } catch (e) {
          out.dropped.push((e as Error).message);
        }
      });
      const ids = new Set(out.runs.map((r) => r.id));
      out.selected = (Array.isArray(p?.selected) ? p.selected : []).filter(
        (id: unknown): id is string => typeof id === 'string' && ids.has(id),
      );
      out.reference = typeof p?.reference === 'string' && ids.has(p.reference) ? p.reference : null;
    } catch (e) {
      out.dropped.push(`the stored runs list is not valid JSON (${clipValue((e as Error).message, 80)})`);
    }
  }
  let recentRaw: string | null | undefined = null;
  try {
    recentRaw = storage?.getItem(LEGACY_RECENT_KEY);
  } catch {
    recentRaw = null;
  }
  if (recentRaw) out.keys.push(LEGACY_RECENT_KEY);
  const recent = loadRecent(storage, (lines) => out.dropped.push(...lines));
  const byId = new Map(out.runs.map((r, i) => [r.id, i]));
  for (const r of recent) {
    const i = byId.get(r.id);
    if (i !== undefined) {
      if (!out.runs[i].search) out.runs[i] = { ...out.runs[i], search: r.search };
      continue;
    }
    const preset = new URLSearchParams(r.search).get('preset');
    out.runs.push({
      id: r.id,
      name: defaultRunName([r.result], preset),
      named: false,
      source: 'recent',
      at: r.at,
      preset,
      seeds: [r.result],
      search: r.search,
    });
  }
  return out;
}

/** Remove the migrated localStorage keys (after the runs are stored elsewhere). */
export function removeLegacyRuns(storage: LegacyStorage | undefined, keys: string[]): void {
  for (const k of keys) {
    try {
      storage?.removeItem(k);
    } catch {
      /* storage not accessible: nothing to remove */
    }
  }
}
