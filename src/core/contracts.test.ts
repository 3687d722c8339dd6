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
  type Arm,
} from './contracts';

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
