import { describe, expect, it } from 'vitest';
import { METHOD_CARDS } from './registry';
import { DEFAULT_SPEC, MULTI_ROUND_METHODS, SINGLE_ROUND_METHODS } from '../presets';
import { estimatedCost, estimatedEpochs } from './order';

// Issue 23 item 2: what other files used to restate per method comes from the card.
describe('method cards carry what the rest derives', () => {
  it('every card has its own chart colour', () => {
    const colors = METHOD_CARDS.map((c) => c.color);
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
    expect(new Set(colors).size).toBe(colors.length);
  });

  it("the round lists follow the cards' paper-table marks (the paper's §6 and §8 tables)", () => {
    expect(SINGLE_ROUND_METHODS).toEqual(METHOD_CARDS.filter((c) => c.paperTables.single).map((c) => c.name));
    const multi = METHOD_CARDS.filter((c) => c.paperTables.multi !== false);
    expect(MULTI_ROUND_METHODS.map((n) => multi.find((c) => c.name === n)!.paperTables.multi)).toEqual(
      multi.map((_, i) => i + 1),
    );
    // the paper's tables, as published
    expect(SINGLE_ROUND_METHODS).toEqual([
      'Retrain',
      'CF',
      'A-CF',
      'Bad Distillation',
      'L1-Sparse',
      'Pruning',
      'SCRUB',
    ]);
    expect(MULTI_ROUND_METHODS).toEqual(['CF', 'A-CF', 'SCRUB', 'A-SCRUB', 'L1-Sparse', 'A-L1-Sparse']);
  });

  it('only Retrain is exact; the run order uses the cards’ epoch costs', () => {
    expect(METHOD_CARDS.filter((c) => !c.approximate).map((c) => c.name)).toEqual(['Retrain']);
    for (const c of METHOD_CARDS)
      expect(estimatedCost(c.name, DEFAULT_SPEC), c.name).toBe(
        estimatedEpochs(c.name, DEFAULT_SPEC) * (c.epochCost ?? 1),
      );
  });
});
