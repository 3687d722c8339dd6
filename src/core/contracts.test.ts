import { describe, it, expect } from 'vitest';
import {
  armLabel,
  armOf,
  armsOf,
  armSuffix,
  armTag,
  methodStoreKey,
  galleryKey,
  isWithDC,
  parseGalleryKey,
  specChange,
  type Arm,
} from './contracts';
import { DEFAULT_SPEC, mergeSpec, validateSpec } from './presets';

describe('the arm encoding', () => {
  it('converts the results-JSON boolean withDC at the boundary, both ways', () => {
    expect(armOf(true)).toBe('with');
    expect(armOf(false)).toBe('without');
    for (const a of ['with', 'without'] as Arm[]) expect(armOf(isWithDC(a))).toBe(a);
  });

  it("expands the spec's choice, 'without' first", () => {
    expect(armsOf('both')).toEqual(['without', 'with']);
    expect(armsOf('with')).toEqual(['with']);
    expect(armsOf('without')).toEqual(['without']);
  });

  it('labels and gallery keys keep their published spelling', () => {
    expect(armLabel('with')).toBe('w/ DC');
    expect(armLabel('without')).toBe('w/o DC');
    expect(galleryKey('A-CF', 'with')).toBe('A-CF|w/ DC');
    expect(parseGalleryKey('Bad Distillation|w/o DC')).toEqual({ method: 'Bad Distillation', arm: 'without' });
    expect(parseGalleryKey(galleryKey('A|B', 'with'))).toEqual({ method: 'A|B', arm: 'with' });
    expect(`CF${armSuffix('with')}`).toBe('CF w/ DC');
    expect(`CF${armSuffix('without')}`).toBe('CF');
    expect([armTag('with'), armTag('without')]).toEqual(['dc', 'raw']); // seed names and stored keys depend on it
    expect(methodStoreKey('A-CF', true, 2)).toBe('A-CF|dc|r2');
  });
});

describe('specChange: one rule for what a new spec makes stale (session and page)', () => {
  const base = validateSpec(mergeSpec(DEFAULT_SPEC, { forget: { mode: 'class', class: 4, fraction: 0.1 } }));
  const change = (patch: Parameters<typeof mergeSpec>[1]) => specChange(base, validateSpec(mergeSpec(base, patch)));

  it('nothing is stale for the same spec; everything for no previous spec', () => {
    expect(change({})).toEqual({ original: false, kmeans: false, rounds: false, outputs: false });
    expect(specChange(null, base)).toEqual({ original: true, kmeans: true, rounds: true, outputs: true });
  });

  it('another forgetting setting keeps the original model but makes every method row stale', () => {
    const c = change({ forget: { mode: 'uniform', class: null, fraction: 0.1 } });
    expect(c).toEqual({ original: false, kmeans: false, rounds: true, outputs: true });
  });

  it('another seed or model makes everything stale; another hyper-parameter only the method rows', () => {
    expect(change({ seed: 1 })).toEqual({ original: true, kmeans: true, rounds: true, outputs: true });
    expect(change({ model: { width: 16 } }).outputs).toBe(true);
    expect(change({ unlearn: { hparams: { CF: { cf_epochs: 3 } } } })).toEqual({
      original: false,
      kmeans: false,
      rounds: false,
      outputs: true,
    });
  });
});
