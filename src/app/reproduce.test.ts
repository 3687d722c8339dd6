import { describe, expect, it } from 'vitest';
import { planBrowserCells } from './reproduce';

describe('reproduce plan', () => {
  it('mirrors the CLI cells: class + uniform single rounds and a 3-round cell per seed', () => {
    const cells = planBrowserCells('smoke', [0, 1]);
    expect(cells.map((c) => c.id)).toEqual([
      'single-class-seed0', 'single-uniform-seed0', 'multi-uniform-seed0',
      'single-class-seed1', 'single-uniform-seed1', 'multi-uniform-seed1',
    ]);
    expect(cells[0].spec.forget.mode).toBe('class');
    expect(cells[2].spec.rounds).toBe(3);
    expect(cells[2].spec.unlearn.methods).toContain('A-SCRUB');
    expect(planBrowserCells('smoke', [0], false)).toHaveLength(2);
  });
});
