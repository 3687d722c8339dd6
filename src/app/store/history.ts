/**
 * History slice: results kept and shared — the recent runs (localStorage), showing an imported result JSON or a
 * recent run instead of the live one, and exporting the shown run as JSON or CSV.
 */
import type { ExperimentResult } from '../../core/lite';
import { runFromExperiment } from '../runState';
import { checkImportedResult, clipValue, parseImportedResult, resultsCsv } from '../../core/lite';
import { toSearch } from '../url';
import type { SliceCreator } from './types';

export interface RecentRun {
  id: string;
  at: string;
  label: string;
  search: string;
  backend: string;
  result: ExperimentResult;
}

/** Imported result files larger than this are refused before they are read. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** What `importResultFile` needs of a File (so tests can pass a plain object). */
export interface ResultFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

export interface HistorySlice {
  recent: RecentRun[];
  /** a run shown from an imported JSON or a recent run (not live): what it is, or null */
  viewingImport: string | null;

  /** Keep a finished run among the recent runs. */
  remember(ex: ExperimentResult): void;
  openRecent(id: string): void;
  /** Show a result JSON file (refused above MAX_IMPORT_BYTES, before reading it). */
  importResultFile(file: ResultFile): Promise<void>;
  importResultJson(text: string): void;
  exportJson(): string | null;
  exportCsv(): string | null;
}

const RECENT_KEY = 'unlearning-lab.recent.v1';
const MAX_RECENT = 8;

/** What localStorage gives `loadRecent` (so tests can pass a plain object). */
export type RecentStorage = Pick<Storage, 'getItem'>;

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
 * The recent runs kept in this browser. Every entry goes through the same schema as an imported result; an entry
 * that fails it (or an unreadable list) is dropped and `onDropped` gets one line per problem, so a corrupt
 * localStorage never blanks the page.
 */
export function loadRecent(
  storage: RecentStorage | undefined = globalThis.localStorage,
  onDropped: (lines: string[]) => void = () => {},
): RecentRun[] {
  let raw: string | null | undefined;
  try {
    raw = storage?.getItem(RECENT_KEY);
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

function saveRecent(list: RecentRun[]): void {
  try {
    globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* quota: keep in memory only */
  }
}

/** A result without the bulky per-example losses (for localStorage). */
function slim(ex: ExperimentResult): ExperimentResult {
  return { ...ex, methods: ex.methods.map(({ losses: _l, ...m }) => m) };
}

function runLabel(ex: ExperimentResult): string {
  const f = ex.spec.forget;
  const forget = `${f.mode}${f.mode === 'uniform' ? ` ${Math.round(f.fraction * 100)}%` : ''}`;
  const methods = [...new Set(ex.methods.map((m) => m.name))].join(', ');
  return `${ex.spec.dataset} · ${ex.spec.model.arch} w${ex.spec.model.width} · ${forget} · ${methods}`;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => ({
  // a corrupt entry is dropped with a notice (after the store exists: notify is not callable while it is built)
  recent: loadRecent(globalThis.localStorage, (lines) =>
    queueMicrotask(() =>
      get().notify(
        'warn',
        'Some recent runs kept in this browser could not be read and were left out',
        lines,
        'recent-dropped',
      ),
    ),
  ),
  viewingImport: null,

  remember(ex) {
    if (!ex.methods.length) return;
    const rec: RecentRun = {
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      at: new Date().toISOString(),
      label: runLabel(ex),
      search: toSearch(get().params),
      backend: ex.env.backend,
      result: slim(ex),
    };
    const recent = [rec, ...get().recent].slice(0, MAX_RECENT);
    saveRecent(recent);
    set({ recent });
    get().addRun(ex, { id: rec.id, source: 'this tab' });
  },

  openRecent(id) {
    const r = get().recent.find((x) => x.id === id);
    if (!r) return;
    const viewingImport = `recent run ${new Date(r.at).toLocaleString()}`;
    set({ run: runFromExperiment(r.result), viewingImport, selectedMethod: null });
    get().syncUrl();
  },

  async importResultFile(file) {
    if (file.size > MAX_IMPORT_BYTES) {
      get().notify(
        'error',
        'Import failed',
        [`${file.name} is ${mb(file.size)}; result files larger than ${mb(MAX_IMPORT_BYTES)} are not read.`],
        'import-error',
      );
      return;
    }
    get().importResultJson(await file.text());
  },

  importResultJson(text) {
    let run, imported;
    try {
      if (text.length > MAX_IMPORT_BYTES) {
        const cap = mb(MAX_IMPORT_BYTES);
        throw new Error(`the text is ${mb(text.length)}; result files larger than ${cap} are not read`);
      }
      imported = parseImportedResult(text);
      run = runFromExperiment(imported);
    } catch (e) {
      get().notify('error', 'Import failed', [e instanceof Error ? e.message : String(e)], 'import-error');
      return;
    }
    set({ run, viewingImport: 'imported JSON', selectedMethod: null });
    get().syncUrl();
    if (imported.methods.length) get().addRun(imported, { source: 'imported', preset: null });
    get().dropNotices('import-error');
    get().notify(
      'info',
      'Showing an imported result',
      ['Charts and tables show the file’s numbers; run something to return to live results.'],
      'import-ok',
    );
  },

  exportJson() {
    const s = get();
    const ex = s.run.experiment;
    if (!ex) return null;
    return JSON.stringify({ ...ex, methods: s.run.methods.length ? s.run.methods : ex.methods }, null, 2);
  },

  exportCsv() {
    const { run, preset } = get();
    if (!run.methods.length) return null;
    const { spec, split, env } = run.experiment ?? {};
    return resultsCsv([
      { methods: run.methods, spec, forgetClass: split?.forgetClass, startedAt: env?.startedAt, preset },
    ]);
  },
});
