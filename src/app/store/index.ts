/**
 * The app's zustand store, composed of slices by concern (one file each, y-scope/yscope-log-viewer style):
 *
 * - settings.ts  — parameter values, preset, URL, pushing the spec to the worker
 * - worker.ts    — the typed worker client, what the worker reports, `send`, crash policy, dataset import
 * - run.ts       — the live run (reduced from worker events) and the Condense / Unlearn / Compare / Stop / Reset
 * - history.ts   — keeping finished runs, imported result JSON, export
 * - runs.ts      — the runs list (IndexedDB, runs-db.ts): names, filter and sort, selection, reference pin,
 *                  grouping seeds, undo, comparison export/import (RunsPanel, CompareView)
 * - reproduce.ts — the Reproduce panel's cell-by-cell run and report
 * - notices.ts   — the messages above the results
 * - live.ts      — live mode: a changed knob reruns what it affects (issue 22 item 5)
 *
 * Components read state with `useLab((s) => s.x)` and only call actions; nothing here is a module-level
 * singleton: `createLabStore()` makes an independent store (tests make their own), `useLab` is the page's.
 */
import { create } from 'zustand';
import type { WorkerLike } from '../../worker/client';
import { createHistorySlice } from './history';
import { createLiveSlice } from './live';
import { createNoticesSlice } from './notices';
import { createReproduceSlice } from './reproduce';
import { createRunSlice } from './run';
import { createRunsSlice } from './runs';
import { createSettingsSlice } from './settings';
import type { LabState } from './types';
import { createWorkerSlice } from './worker';

export type { LabState } from './types';
export type { Notice } from './notices';
export type { RunsStorage, RunsUndo } from './runs';
export type { Busy } from './run';
export type { CellStatus, ReproState } from './reproduce';

export function createLabStore() {
  return create<LabState>()((...a) => ({
    ...createSettingsSlice(...a),
    ...createWorkerSlice(...a),
    ...createRunSlice(...a),
    ...createHistorySlice(...a),
    ...createRunsSlice(...a),
    ...createReproduceSlice(...a),
    ...createNoticesSlice(...a),
    ...createLiveSlice(...a),
  }));
}

export type LabStore = ReturnType<typeof createLabStore>;

/** The page's store. */
export const useLab: LabStore = createLabStore();

/** Start the app: read the URL, start the worker, load the dataset, read the stored runs. Called once from main.tsx. */
export function startLab(makeWorker: () => WorkerLike, store: LabStore = useLab): void {
  const s = store.getState();
  if (s.client) return;
  void s.loadRuns();
  const { autorun } = s.loadUrl(globalThis.location?.search ?? '');
  s.startWorker(makeWorker, { autorun });
}
