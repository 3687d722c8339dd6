import { describe, expect, it } from 'vitest';
import { epochsOf, getPreset } from '../core';
import { overheadSpec } from './bench-overhead';

describe('condense.overhead_share spec', () => {
  it('holds CF to one measured epoch, with DC only, on the preset’s data', () => {
    const spec = overheadSpec('bench');
    const base = getPreset('bench').spec;
    expect(spec.unlearn.methods).toEqual(['CF', 'A-CF']);
    expect(spec.unlearn.arms).toBe('with');
    expect(epochsOf(spec, 'CF', 'cf_epochs')).toBe(1);
    expect(spec.dataset).toBe(base.dataset);
    expect(spec.trainPerClass).toBe(base.trainPerClass);
    expect(spec.condense.ipc).toBe(base.condense.ipc);
  });
});
