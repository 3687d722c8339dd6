/**
 * Reproduce slice: the Reproduce panel's run of the same experiment cells as `npm run reproduce`, one by one in
 * the worker by the core's reproduce driver (src/core/results/reproduce-driver.ts, shared with the CLI), each
 * finished cell kept in localStorage (app/reproduce.ts) so a reload resumes; then the claims and a Markdown report.
 */
import type { ExperimentResult } from '../../core/lite';
import type { Claim } from '../../core/lite';
import { driveReproduction, reproductionReport } from '../../core/lite';
import { type BrowserCell, browserCellStore, clearCells, planBrowserCells } from '../reproduce';
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
        cells = planBrowserCells(
          preset,
          Array.from({ length: seeds }, (_, i) => i),
          multiRound,
        );
      } catch (e) {
        get().notify('error', 'Reproduce', [e instanceof Error ? e.message : String(e)], 'command-error');
        return;
      }
      set({
        repro: {
          preset,
          seeds,
          cells: cells.map((c) => ({ id: c.id, title: c.title, status: 'pending' })),
          results: {},
          claims: null,
          startedAt: Date.now(),
          finishedAt: null,
        },
        run: emptyRun(),
        condensed: false,
      });
      void get().runCommand(
        'reproduce',
        async () => {
          const { claims } = await driveReproduction({
            cells,
            store: browserCellStore(),
            run: async (cell) => {
              set({ run: emptyRun() });
              const ok = await get().send({ kind: 'setSpec', spec: cell.spec! });
              const r = ok ? await get().send({ kind: 'runAll' }) : null;
              if (!r) throw new Error(`cell ${cell.id} did not finish`);
              set((s) => ({ run: withExperiment(s.run, r.experiment) }));
              return { result: r.experiment };
            },
            onCell: (e) => {
              if (e.kind === 'start') {
                setCell(e.cell.id, { status: 'running' });
              } else if (e.kind === 'failed') {
                setCell(e.cell.id, { status: get().stopping ? 'stopped' : 'failed', seconds: e.seconds });
              } else {
                setCell(e.cell.id, { status: e.kind === 'done' ? 'done' : 'resumed', seconds: e.seconds ?? undefined });
                setResult(e.cell.id, e.stored.result!);
              }
            },
          });
          const rp = get().repro;
          if (rp) set({ repro: { ...rp, claims, finishedAt: Date.now() } });
          set({ condensed: false });
          // the session now holds the last cell's spec: put the page's settings back before the next run
          await get().syncSpec();
        },
        { syncSpec: false },
      );
    },

    reproReport() {
      const rp = get().repro;
      if (!rp || !rp.claims) return null;
      return reproductionReport({
        head: [
          `# Reproduction report (browser) — preset \`${rp.preset}\`, ${rp.seeds} seed(s)`,
          '',
          `Generated ${new Date(rp.finishedAt ?? Date.now()).toISOString()} in the browser ` +
            `(backend ${get().backend?.backend ?? '?'}).`,
          'The §4.2 condensation benchmark runs only in `npm run reproduce`; its claims show n/a here.',
          '',
        ],
        claims: rp.claims,
        experiments: rp.results,
        cells: rp.cells,
      });
    },

    clearRepro() {
      clearCells();
      set({ repro: null });
    },
  };
};
