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
    expect(change({})).toEqual({ original: false, kmeans: false, rounds: false, outputs: false, staleMethods: [] });
    expect(specChange(null, base)).toEqual({
      original: true,
      kmeans: true,
      rounds: true,
      outputs: true,
      staleMethods: null,
    });
  });

  it('another forgetting setting keeps the original model but makes every method row stale', () => {
    const c = change({ forget: { mode: 'uniform', class: null, fraction: 0.1 } });
    expect(c).toEqual({ original: false, kmeans: false, rounds: true, outputs: true, staleMethods: null });
  });

  it('another seed or model makes everything stale; another hyper-parameter only the method rows', () => {
    expect(change({ seed: 1 })).toEqual({
      original: true,
      kmeans: true,
      rounds: true,
      outputs: true,
      staleMethods: null,
    });
    expect(change({ model: { width: 16 } }).outputs).toBe(true);
    expect(change({ unlearn: { hparams: { CF: { cf_epochs: 3 } } } })).toEqual({
      original: false,
      kmeans: false,
      rounds: false,
      outputs: true,
      staleMethods: ['CF'],
    });
  });

  it("a method's own hyper-parameters or its joining / leaving the list make only its rows stale", () => {
    const withHp = validateSpec(mergeSpec(base, { unlearn: { hparams: { CF: { cf_epochs: 3, cf_lr: 0.01 } } } }));
    const next = (patch: Parameters<typeof mergeSpec>[1]) => specChange(withHp, validateSpec(mergeSpec(withHp, patch)));
    // the same values in another key order: nothing stale
    const reordered = { ...withHp, unlearn: { ...withHp.unlearn, hparams: { CF: { cf_lr: 0.01, cf_epochs: 3 } } } };
    expect(specChange(withHp, validateSpec(reordered))).toMatchObject({ outputs: false, staleMethods: [] });
    expect(next({ unlearn: { hparams: { CF: { cf_epochs: 3, cf_lr: 0.02 } } } }).staleMethods).toEqual(['CF']);
    const ms = base.unlearn.methods;
    const added = ms.includes('SCRUB') ? null : next({ unlearn: { methods: [...ms, 'SCRUB'] } });
    if (added) expect(added).toMatchObject({ outputs: true, staleMethods: ['SCRUB'] });
    expect(next({ unlearn: { methods: ms.filter((m) => m !== ms[0]) } }).staleMethods).toEqual([ms[0]]);
    // a method's hyper-parameter together with the arms, the epoch scale or a second round: every row
    const arms = base.unlearn.arms === 'both' ? 'without' : 'both';
    expect(next({ unlearn: { arms, hparams: { CF: { cf_epochs: 4 } } } }).staleMethods).toBeNull();
    expect(next({ unlearn: { epochScale: 0.5 } }).staleMethods).toBeNull();
    const multi = validateSpec(mergeSpec(base, { forget: { mode: 'uniform', class: null, fraction: 0.1 }, rounds: 2 }));
    const hp = validateSpec(mergeSpec(multi, { unlearn: { hparams: { CF: { cf_epochs: 4 } } } }));
    expect(specChange(multi, hp)).toMatchObject({ outputs: true, staleMethods: null });
  });
});
