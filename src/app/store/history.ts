/**
 * History slice: results kept and shared — keeping a finished run in the runs list (runs.ts), showing an imported
 * result JSON instead of the live one, and exporting the shown run as JSON or CSV.
 */
import type { ExperimentResult } from '../../core/lite';
import { runFromExperiment } from '../runState';
import { parseImportedResult, resultsCsv } from '../../core/lite';
import { toSearch } from '../url';
import type { SliceCreator } from './types';

/** Imported result files larger than this are refused before they are read. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

/** What `importResultFile` needs of a File (so tests can pass a plain object). */
export interface ResultFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

export interface HistorySlice {
  /** a run shown from an imported JSON or from the runs list (not live): what it is, or null */
  viewingImport: string | null;

  /** Keep a finished run of this tab in the runs list, with a link to its settings. */
  remember(ex: ExperimentResult): void;
  /** Show a result JSON file (refused above MAX_IMPORT_BYTES, before reading it). */
  importResultFile(file: ResultFile): Promise<void>;
  importResultJson(text: string): void;
  exportJson(): string | null;
  exportCsv(): string | null;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => ({
  viewingImport: null,

  remember(ex) {
    if (!ex.methods.length) return;
    const s = get();
    get().addRun(ex, { source: 'this tab', search: toSearch(s.params, { preset: s.basePreset }) });
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
