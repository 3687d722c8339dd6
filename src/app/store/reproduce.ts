/**
 * Reproduce slice: the Reproduce panel's run of the same experiment cells as `npm run reproduce`, one by one in
 * the worker, each finished cell kept in localStorage (app/reproduce.ts) so a reload resumes; then the claims
 * and a Markdown report.
 */
import type { ExperimentResult } from '../../core/lite';
import { buildClaims, claimsMarkdown, type Claim } from '../../core/lite';
import { markdownReport } from '../../core/lite';
import { type BrowserCell, clearCells, finishedCell, planBrowserCells, saveCell } from '../reproduce';
import { emptyRun, withExperiment } from '../runState';
import type { SliceCreator } from './types';

export type CellStatus = 'pending' | 'running' | 'done' | 'resumed' | 'failed' | 'stopped';

export interface ReproState {
  preset: string;
  seeds: number;
  cells: Array<{ id: string; title: string; status: CellStatus; seconds?: number }>;
  results: Record<string, ExperimentResult>;
  claims: Claim[] | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface ReproduceSlice {
  repro: ReproState | null;
  reproduce(preset: string, seeds: number, multiRound: boolean): void;
  reproReport(): string | null;
  clearRepro(): void;
}

export const createReproduceSlice: SliceCreator<ReproduceSlice> = (set, get) => {
  const setCell = (id: string, patch: Partial<ReproState['cells'][number]>) =>
    set((s) => {
      if (!s.repro) return {};
      return { repro: { ...s.repro, cells: s.repro.cells.map((c) => (c.id === id ? { ...c, ...patch } : c)) } };
    });
  const setResult = (id: string, r: ExperimentResult) =>
    set((s) => (s.repro ? { repro: { ...s.repro, results: { ...s.repro.results, [id]: r } } } : {}));

  return {
    repro: null,

    reproduce(preset, seeds, multiRound) {
      let cells: BrowserCell[];
      try {
        cells = planBrowserCells(preset, Array.from({ length: seeds }, (_, i) => i), multiRound);
      } catch (e) {
        get().notify('error', 'Reproduce', [e instanceof Error ? e.message : String(e)], 'command-error');
        return;
      }
      set({
        repro: {
          preset, seeds, cells: cells.map((c) => ({ id: c.id, title: c.title, status: 'pending' })), results: {},
          claims: null, startedAt: Date.now(), finishedAt: null,
        },
        run: emptyRun(),
        condensed: false,
      });
      void get().runCommand('reproduce', async () => {
        for (const cell of cells) {
          const prev = finishedCell(cell);
          if (prev) {
            setCell(cell.id, { status: 'resumed', seconds: prev.env.seconds });
            setResult(cell.id, prev);
            continue;
          }
          setCell(cell.id, { status: 'running' });
          set({ run: emptyRun() });
          const t0 = Date.now();
          const ok = await get().send({ kind: 'setSpec', spec: cell.spec });
          const r = ok ? await get().send({ kind: 'runAll' }) : null;
          if (!r) {
            setCell(cell.id, { status: get().stopping ? 'stopped' : 'failed', seconds: (Date.now() - t0) / 1000 });
            break;
          }
          saveCell(cell, r.experiment);
          set((s) => ({ run: withExperiment(s.run, r.experiment) }));
          setCell(cell.id, { status: 'done', seconds: (Date.now() - t0) / 1000 });
          setResult(cell.id, r.experiment);
        }
        const rp = get().repro;
        if (rp) {
          const claims = buildClaims({ experiments: rp.results, condensation: [] });
          set({ repro: { ...rp, claims, finishedAt: Date.now() } });
        }
        set({ condensed: false });
        // the session now holds the last cell's spec: put the page's settings back before the next run
        await get().syncSpec();
      }, { syncSpec: false });
    },

    reproReport() {
      const rp = get().repro;
      if (!rp || !rp.claims) return null;
      const lines = [
        `# Reproduction report (browser) — preset \`${rp.preset}\`, ${rp.seeds} seed(s)`,
        '',
        `Generated ${new Date(rp.finishedAt ?? Date.now()).toISOString()} in the browser `
          + `(backend ${get().backend?.backend ?? '?'}).`,
        'The §4.2 condensation benchmark runs only in `npm run reproduce`; its claims show n/a here.',
        '',
        claimsMarkdown(rp.claims),
        '',
        ...Object.entries(rp.results).map(([id, r]) => {
          const title = rp.cells.find((c) => c.id === id)?.title ?? id;
          return `\n---\n\n<!-- cell ${id} -->\n` + markdownReport(r, title).replace(/^# /, '## ');
        }),
      ];
      return lines.join('\n');
    },

    clearRepro() {
      clearCells();
      set({ repro: null });
    },
  };
};
