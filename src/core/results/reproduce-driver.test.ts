import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../contracts';
import {
  driveReproduction,
  reproductionCsv,
  reproductionReport,
  type CellEvent,
  type CellStore,
  type PlannedCell,
  type StoredCell,
} from './reproduce-driver';
import { planExperimentCells } from './reproduce-plan';
import { CSV_COLUMNS } from './report';

/** An in-memory CellStore (the Node store keeps files, the page localStorage). */
function memoryStore(
  init: Record<string, StoredCell> = {},
): CellStore & { cells: Map<string, StoredCell>; puts: string[] } {
  const cells = new Map(Object.entries(init));
  const puts: string[] = [];
  return {
    cells,
    puts,
    async get(cell) {
      return cells.get(cell.id) ?? null;
    },
    async put(cell, stored) {
      puts.push(cell.id);
      cells.set(cell.id, JSON.parse(JSON.stringify(stored)) as StoredCell);
    },
  };
}

/** A fake experiment result for a cell (its numbers identify the cell). */
function fakeResult(cell: PlannedCell, k: number): ExperimentResult {
  const metrics = { retainAcc: 90 - k, forgetAcc: 10 + k, testAcc: 70, mia: 50 + k, lossMia: 50 };
  return {
    spec: cell.spec!,
    split: { trainSize: 1, retainSize: 1, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
    env: { backend: 'fake', versions: {}, startedAt: 'now', seconds: 7 + k },
    pretrain: { seconds: 0, testAcc: 0, trainAcc: 0, reused: false },
    methods: [{ name: 'CF', withDC: false, round: 0, unlearnSeconds: 1, overheadSeconds: 0, metrics, curve: [] }],
  };
}

const cells: PlannedCell[] = planExperimentCells('smoke', [0]); // single-class, single-uniform, multi-uniform

describe('reproduce driver', () => {
  it('runs every cell once, stores each as it finishes, and resumes them all on a second run', async () => {
    const store = memoryStore();
    const ran: string[] = [];
    const run = async (c: PlannedCell) => {
      ran.push(c.id);
      return { result: fakeResult(c, ran.length) };
    };
    let clock = 0;
    const first = await driveReproduction({ cells, store, run, now: () => (clock += 1000) });
    expect(ran).toEqual(cells.map((c) => c.id));
    expect(store.puts).toEqual(cells.map((c) => c.id));
    expect(Object.keys(first.done.experiments)).toEqual(cells.map((c) => c.id));
    expect(first.timing.every((t) => !t.reused && t.seconds === 1)).toBe(true);
    expect(store.cells.get(cells[0].id)).toMatchObject({ spec: cells[0].spec, seconds: 1 });
    expect(first.failure).toBeUndefined();

    ran.length = 0;
    const events: CellEvent['kind'][] = [];
    const second = await driveReproduction({ cells, store, run, onCell: (e) => events.push(e.kind) });
    expect(ran).toEqual([]);
    expect(events).toEqual(['resumed', 'resumed', 'resumed']);
    expect(second.done).toEqual(first.done);
    expect(second.claims).toEqual(first.claims);
    expect(second.timing.map((t) => t.reused)).toEqual([true, true, true]);
  });

  it('reruns a stored cell whose spec changed, and everything with fresh', async () => {
    const changed = { ...cells[1].spec!, seed: 99 };
    const store = memoryStore({
      [cells[0].id]: { spec: cells[0].spec, result: fakeResult(cells[0], 0) },
      [cells[1].id]: { spec: changed, result: fakeResult(cells[1], 0) },
    });
    const ran: string[] = [];
    const run = async (c: PlannedCell) => {
      ran.push(c.id);
      return { result: fakeResult(c, 5) };
    };
    const r = await driveReproduction({ cells, store, run });
    expect(ran).toEqual([cells[1].id, cells[2].id]);
    expect(r.timing[0]).toEqual({ id: cells[0].id, seconds: 7, reused: true }); // seconds from the stored result
    ran.length = 0;
    await driveReproduction({ cells, store, run, fresh: true });
    expect(ran).toEqual(cells.map((c) => c.id));
  });

  it('runs only the runnable cells (--only) but reports the finished others, and stops at a failure', async () => {
    const store = memoryStore({ [cells[2].id]: { spec: cells[2].spec, seconds: 3, result: fakeResult(cells[2], 2) } });
    const ran: string[] = [];
    const only = (c: PlannedCell) => c.id.startsWith('single-uniform');
    const r = await driveReproduction({
      cells,
      store,
      runnable: only,
      run: async (c) => {
        ran.push(c.id);
        return { result: fakeResult(c, 1) };
      },
    });
    expect(ran).toEqual([cells[1].id]);
    expect(Object.keys(r.done.experiments)).toEqual([cells[1].id, cells[2].id]);
    const starts: Array<[number, number]> = [];
    const failing = await driveReproduction({
      cells,
      store: memoryStore(),
      onCell: (e) => {
        if (e.kind === 'start') starts.push([e.ran, e.toRun]);
      },
      run: async (c) => {
        if (c.id === cells[1].id) throw new Error('boom');
        return { result: fakeResult(c, 0) };
      },
    });
    expect(starts).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(failing.failure?.cell.id).toBe(cells[1].id);
    expect((failing.failure?.error as Error).message).toBe('boom');
    expect(Object.keys(failing.done.experiments)).toEqual([cells[0].id]);
  });

  it('keys a non-experiment cell by its own key and keeps its rows', async () => {
    const bench: PlannedCell = { id: 'condensation-ipc10', title: '§4.2', kind: 'condensation' };
    const rows = [{ id: 'blend.ipc10_test_acc', value: 30, unit: '%', setting: 'x' }];
    const store = memoryStore();
    const keyOf = (c: PlannedCell) => (c.kind === 'condensation' ? { condensePerClass: 100 } : c.spec);
    const a = await driveReproduction({ cells: [bench], store, keyOf, run: async () => ({ rows }) });
    expect(a.done.condensation).toEqual(rows);
    expect(store.cells.get(bench.id)).toMatchObject({ spec: { condensePerClass: 100 }, rows });
    let ran = 0;
    const b = await driveReproduction({
      cells: [bench],
      store,
      keyOf: () => ({ condensePerClass: 200 }),
      run: async () => {
        ran++;
        return { rows };
      },
    });
    expect(ran).toBe(1);
    expect(b.done.condensation).toEqual(rows);
  });

  it('builds the report (claims, then one section per cell) and the CSV of all cells', async () => {
    const store = memoryStore();
    const r = await driveReproduction({ cells, store, run: async (c) => ({ result: fakeResult(c, 0) }) });
    const md = reproductionReport({
      head: ['# T', ''],
      claims: r.claims,
      experiments: r.done.experiments,
      cells,
      afterClaims: ['note', ''],
    });
    expect(md.startsWith('# T\n\nVerdicts from 95 % t-intervals')).toBe(true);
    expect(md).toContain('\n| # | claim (paper §9) |');
    expect(md).toContain('\nnote\n');
    // the scale notes come from the single-round uniform cell, with the retain size it reports
    const uniform = cells.find((c) => c.spec?.forget.mode === 'uniform' && c.spec.rounds === 1)!;
    const retain = r.done.experiments[uniform.id].split.retainSize;
    expect(md).toContain(`**Budgets of “${uniform.title}” next to the paper's**`);
    expect(md).toContain(`| ${Math.ceil(retain / 64)} Adam steps (⌈${retain} / 64⌉) |`);
    expect(md.indexOf('Reading the speed claims')).toBeLessThan(md.indexOf('\nnote\n'));
    for (const c of cells) expect(md).toContain(`<!-- cell ${c.id} -->\n## ${c.title}`);
    const csv = reproductionCsv(r.done.experiments, 'smoke').trim().split('\n');
    expect(csv).toHaveLength(1 + cells.length);
    const run = CSV_COLUMNS.indexOf('run');
    expect(csv.slice(1).map((l) => l.split(',')[run])).toEqual(cells.map((c) => c.id));
    expect(csv[1].split(',')[CSV_COLUMNS.indexOf('preset')]).toBe('smoke');
  });
  it('marks cells run on shared cores (reproduce --jobs) in the store, the timing and the claims input', async () => {
    const store = memoryStore();
    const run = async (c: PlannedCell) => ({ result: fakeResult(c, 1) });
    const first = await driveReproduction({
      cells,
      store,
      run,
      sharedCores: true,
      runnable: (c) => c.id !== cells[2].id,
    });
    expect(store.cells.get(cells[0].id)!.sharedCores).toBe(true);
    expect(first.timing.map((t) => t.sharedCores)).toEqual([true, true]);
    expect(first.done.sharedCores).toEqual([cells[0].id, cells[1].id]);
    // gathering later (--report-only) keeps the mark; a cell run alone has none
    const later = await driveReproduction({ cells, store, run });
    expect(later.timing.map((t) => t.sharedCores)).toEqual([true, true, undefined]);
    expect(later.done.sharedCores).toEqual([cells[0].id, cells[1].id]);
    expect(store.cells.get(cells[2].id)!.sharedCores).toBeUndefined();
  });
});
