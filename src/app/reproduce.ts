/**
 * The "Reproduce" panel's plan (issue 7 item 3): the same experiment cells as `npm run reproduce`
 * (`planExperimentCells` in src/core/results/reproduce-plan.ts, shared with the CLI), run one by one in the
 * worker by the core's reproduce driver (src/core/results/reproduce-driver.ts), each result kept in localStorage
 * (`browserCellStore`) so a reload resumes from the last finished cell. The §4.2 condensation benchmark cell is
 * CLI-only (it needs the Node bench harness) and shows as n/a here.
 */
import type { ExperimentResult, ExperimentSpec } from '../core/lite';
import { planExperimentCells, type ExperimentCell } from '../core/lite';
import type { CellStore } from '../core/lite';

export type BrowserCell = ExperimentCell;

/** The same cells as `npm run reproduce` (minus the Node-only §4.2 condensation cell). */
export const planBrowserCells = planExperimentCells;

const KEY = 'unlearning-lab.reproduce.v1';

interface Stored {
  cells: Record<string, { spec: ExperimentSpec; result: ExperimentResult; at: string }>;
}

function load(): Stored {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Stored) : null;
    return s && typeof s.cells === 'object' ? s : { cells: {} };
  } catch {
    return { cells: {} };
  }
}

/** The reproduce driver's cell store in the page: localStorage (the driver resumes a cell when its spec matches). */
export function browserCellStore(): CellStore {
  return {
    async get(cell) {
      const hit = load().cells[cell.id];
      return hit ? { spec: hit.spec, result: hit.result } : null;
    },
    async put(cell, stored) {
      if (!stored.result || !cell.spec) return;
      const s = load();
      // the per-example losses are bulky and not needed for the report
      const result = { ...stored.result, methods: stored.result.methods.map(({ losses: _l, ...m }) => m) };
      s.cells[cell.id] = { spec: cell.spec, result, at: new Date().toISOString() };
      try {
        globalThis.localStorage?.setItem(KEY, JSON.stringify(s));
      } catch {
        /* quota: this cell is not resumable */
      }
    },
  };
}

export function clearCells(): void {
  try {
    globalThis.localStorage?.removeItem(KEY);
  } catch {
    /* ignore */
  }
}
