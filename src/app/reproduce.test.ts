import { describe, expect, it } from 'vitest';
import { planBrowserCells } from './reproduce';
import type { ExperimentResult, ExperimentSpec } from '../core/lite';
import type { PlannedCell } from '../core/lite';

describe('reproduce plan', () => {
  it('mirrors the CLI cells: class + uniform single rounds and a 3-round cell per seed', () => {
    const cells = planBrowserCells('smoke', [0, 1]);
    expect(cells.map((c) => c.id)).toEqual([
      'single-class-seed0',
      'single-uniform-seed0',
      'multi-uniform-seed0',
      'single-class-seed1',
      'single-uniform-seed1',
      'multi-uniform-seed1',
    ]);
    expect(cells[0].spec.forget.mode).toBe('class');
    expect(cells[2].spec.rounds).toBe(3);
    expect(cells[2].spec.unlearn.methods).toContain('A-SCRUB');
    expect(planBrowserCells('smoke', [0], false)).toHaveLength(2);
  });
});

describe('browser cell store', () => {
  it('keeps finished cells in localStorage (without per-example losses) so the driver resumes them', async () => {
    const { browserCellStore, clearCells } = await import('./reproduce');
    const { driveReproduction } = await import('../core/lite');
    const mem = new Map<string, string>();
    const ls = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
      removeItem: (k: string) => void mem.delete(k),
    };
    const g = globalThis as { localStorage?: unknown };
    const before = g.localStorage;
    g.localStorage = ls;
    try {
      const cells = planBrowserCells('smoke', [0], false);
      const result = (spec: ExperimentSpec): ExperimentResult => ({
        spec,
        split: { trainSize: 1, retainSize: 1, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
        env: { backend: 'fake', versions: {}, startedAt: 'now', seconds: 4 },
        pretrain: { seconds: 0, testAcc: 0, trainAcc: 0, reused: false },
        methods: [
          {
            name: 'CF' as const,
            withDC: false,
            round: 0,
            unlearnSeconds: 1,
            overheadSeconds: 0,
            curve: [],
            metrics: { retainAcc: 1, forgetAcc: 2, testAcc: 3, mia: 4, lossMia: 5 },
            losses: { forget: [1], test: [2] },
          },
        ],
      });
      let ran = 0;
      const run = async (c: PlannedCell) => {
        ran++;
        return { result: result(c.spec!) };
      };
      await driveReproduction({ cells, store: browserCellStore(), run });
      expect(ran).toBe(2);
      expect(mem.size).toBe(1);
      expect(JSON.stringify([...mem.values()])).not.toContain('losses');
      const again = await driveReproduction({ cells, store: browserCellStore(), run });
      expect(ran).toBe(2);
      expect(again.timing).toEqual(cells.map((c) => ({ id: c.id, seconds: 4, reused: true })));
      clearCells();
      expect(mem.size).toBe(0);
    } finally {
      g.localStorage = before;
    }
  });
});
