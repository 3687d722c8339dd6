/**
 * The "Reproduce" panel's plan (issue 7 item 3): the same experiment cells as `npm run reproduce`
 * (src/cli/reproduce.ts `planCells`, mirrored here because that module is Node-only), run one by one in the
 * worker, each result kept in localStorage so a reload resumes from the last finished cell. The §4.2
 * condensation benchmark cell is CLI-only (it needs the Node bench harness) and shows as n/a here.
 */
import type { ExperimentResult, ExperimentSpec } from '../core/runner/contracts';
import { MULTI_ROUND_METHODS, SINGLE_ROUND_METHODS, getPreset, mergeSpec, validateSpec } from '../core/runner/presets';

export interface BrowserCell {
  id: string;
  title: string;
  spec: ExperimentSpec;
}

export function planBrowserCells(presetName: string, seeds: number[], withMultiRound = true): BrowserCell[] {
  const base = getPreset(presetName).spec;
  const cells: BrowserCell[] = [];
  for (const seed of seeds) {
    for (const mode of ['class', 'uniform'] as const) {
      cells.push({
        id: `single-${mode}-seed${seed}`,
        title: `§4.3 single round, ${mode === 'class' ? 'class' : '10% uniform'} forgetting, seed ${seed}`,
        spec: validateSpec(mergeSpec(base, { seed, forget: { mode, class: null, fraction: 0.1 }, rounds: 1, unlearn: { methods: SINGLE_ROUND_METHODS, arms: 'both' } })),
      });
    }
    if (withMultiRound) {
      cells.push({
        id: `multi-uniform-seed${seed}`,
        title: `§4.5 multi-round (3 × 10% uniform), seed ${seed}`,
        spec: validateSpec(mergeSpec(base, { seed, forget: { mode: 'uniform', class: null, fraction: 0.1 }, rounds: 3, curves: false, unlearn: { methods: MULTI_ROUND_METHODS, arms: 'both' } })),
      });
    }
  }
  return cells;
}

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

/** A finished cell with exactly this spec, if any (resume). */
export function finishedCell(cell: BrowserCell): ExperimentResult | null {
  const hit = load().cells[cell.id];
  return hit && JSON.stringify(hit.spec) === JSON.stringify(cell.spec) ? hit.result : null;
}

export function saveCell(cell: BrowserCell, result: ExperimentResult): void {
  const s = load();
  // the per-example losses are bulky and not needed for the report
  s.cells[cell.id] = { spec: cell.spec, result: { ...result, methods: result.methods.map(({ losses: _l, ...m }) => m) }, at: new Date().toISOString() };
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(s));
  } catch {
    /* quota: this cell is not resumable */
  }
}

export function clearCells(): void {
  try {
    globalThis.localStorage?.removeItem(KEY);
  } catch {
    /* ignore */
  }
}
