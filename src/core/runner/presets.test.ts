import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, PRESETS, getPreset, validateSpec } from './presets';

describe('spec validation', () => {
  it('fills defaults from a partial spec', () => {
    const s = validateSpec({ seed: 7, forget: { mode: 'class', class: 3 } });
    expect(s.seed).toBe(7);
    expect(s.forget).toEqual({ mode: 'class', class: 3, fraction: DEFAULT_SPEC.forget.fraction });
    expect(s.model).toEqual(DEFAULT_SPEC.model);
  });

  it('every preset validates', () => {
    for (const [name, p] of Object.entries(PRESETS)) expect(() => validateSpec(p.spec), name).not.toThrow();
  });

  it('names the field of an out-of-range value', () => {
    expect(() => validateSpec({ pretrain: { lr: -1 } })).toThrow(/spec\.pretrain\.lr: .*got -1/);
    expect(() => validateSpec({ forget: { class: 12 } })).toThrow(/spec\.forget\.class/);
    expect(() => validateSpec({ unlearn: { methods: ['CF', 'Magic'] } })).toThrow(/unlearn\.methods\[1\].*"Magic"/);
  });

  it('rejects unknown fields and non-objects', () => {
    expect(() => validateSpec({ sed: 1 })).toThrow(/unknown field "sed"/);
    expect(() => validateSpec({ model: { depth: 3 } })).toThrow(/spec\.model: unknown field "depth"/);
    expect(() => validateSpec('x')).toThrow(/spec: expected a JSON object/);
  });

  it('rejects inconsistent combinations', () => {
    expect(() => validateSpec({ rounds: 3, forget: { mode: 'class' } })).toThrow(/multi-round/);
    expect(() => validateSpec({ condense: { enabled: false } })).toThrow(/with DC/);
  });

  it('unknown preset lists the known ones', () => {
    expect(() => getPreset('nope')).toThrow(/known: smoke/);
  });
});
