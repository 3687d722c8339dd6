import { describe, expect, it } from 'vitest';
import { ALL_METHODS, getPreset } from '../presets';
import { cheapestFirst, estimatedCost, estimatedEpochs } from './order';

describe('run order: cheapest methods first', () => {
  const quick = getPreset('quick').spec;
  it('puts a 2-epoch fine-tuning baseline first and Retrain (10 epochs at ×0.1) last', () => {
    // the paper's methods (the modern baselines beyond it are opt-in, not in the preset's list)
    const order = cheapestFirst(ALL_METHODS, quick);
    expect(order[0]).toBe('Pruning');
    expect(order[order.length - 1]).toBe('Retrain');
    // one A-CF epoch (≈ 5 CF epochs) ties with CF's 5 epochs at ×0.1, and comes after it (registry order)
    expect(order.indexOf('CF')).toBeLessThan(order.indexOf('A-CF'));
    expect(estimatedCost('A-CF', quick)).toBe(5);
    expect(new Set(order)).toEqual(new Set(ALL_METHODS));
    expect(estimatedEpochs('Retrain', quick)).toBe(10);
    expect(estimatedEpochs('CF', quick)).toBe(5);
    expect(estimatedEpochs('A-CF', quick)).toBe(1);
  });
  it('follows the settings: a user override of an epoch count moves the method', () => {
    const s = { ...quick, unlearn: { ...quick.unlearn, hparams: { Retrain: { retrain_epochs: 1 } } } };
    expect(cheapestFirst(['CF', 'A-CF', 'Retrain'], s)).toEqual(['Retrain', 'CF', 'A-CF']);
    expect(cheapestFirst(['CF', 'A-CF', 'Retrain'], quick)).toEqual(['CF', 'A-CF', 'Retrain']);
  });
});
