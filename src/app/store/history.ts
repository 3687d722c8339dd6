/**
 * History slice: results kept and shared — the recent runs (localStorage), showing an imported result JSON or a
 * recent run instead of the live one, and exporting the shown run as JSON or CSV.
 */
import type { ExperimentResult } from '../../core/lite';
import { runFromExperiment } from '../runState';
import { parseImportedResult, resultsCsv } from '../../core/lite';
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

export function loadRecent(): RecentRun[] {
  try {
    const raw = globalThis.localStorage?.getItem(RECENT_KEY);
    const list = raw ? (JSON.parse(raw) as RecentRun[]) : [];
    if (!Array.isArray(list)) return [];
    return list.filter((r) => r && typeof r.id === 'string' && r.result && Array.isArray(r.result.methods));
  } catch {
    return [];
  }
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
  recent: loadRecent(),
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
  },

  async importResultFile(file) {
    if (file.size > MAX_IMPORT_BYTES) {
      get().notify('error', 'Import failed', [
        `${file.name} is ${mb(file.size)}; result files larger than ${mb(MAX_IMPORT_BYTES)} are not read.`,
      ], 'import-error');
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
    if (imported.methods.length) get().addRun(imported, { source: 'imported', preset: null });
    get().dropNotices('import-error');
    get().notify('info', 'Showing an imported result', [
      'Charts and tables show the file’s numbers; run something to return to live results.',
    ], 'import-ok');
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
    return resultsCsv([{ methods: run.methods, spec, forgetClass: split?.forgetClass, startedAt: env?.startedAt, preset }]);
  },
});
