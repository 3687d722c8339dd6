import { describe, expect, it } from 'vitest';
import { CLAIM_PRESETS, DEFAULT_SPEC, PRESETS, getPreset, mergeSpec, seedList, validateSpec } from './presets';
import { makeSplit } from './eval/split';
import { Rng } from './rng';
import { lrBlend, PAPER_LR_PER_CLUSTER } from './condense/blend';

/** CIFAR-10's label structure: 5000 train and 1000 test images per class. */
const cifarLabels = (perClass: number) => Uint8Array.from({ length: 10 * perClass }, (_, i) => i % 10);
const CIFAR_TRAIN = cifarLabels(5000);
const CIFAR_TEST = cifarLabels(1000);

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

describe('presets that back claims (issue 10)', () => {
  it('give every MIA side ≥ 300 samples in both forgetting modes', () => {
    for (const name of CLAIM_PRESETS) {
      for (const mode of ['class', 'uniform'] as const) {
        const spec = mergeSpec(getPreset(name).spec, { forget: { mode, class: null } });
        for (const seed of [0, 1, 2]) {
          const s = makeSplit({
            trainLabels: CIFAR_TRAIN,
            testLabels: CIFAR_TEST,
            numClasses: 10,
            trainPerClass: spec.trainPerClass,
            testPerClass: spec.testPerClass,
            mode,
            forgetClass: null,
            fraction: spec.forget.fraction,
            rng: new Rng(seed),
          });
          // docs/paper-notes.md §7.2: direct branch = D_f vs the evaluation images of D_f's classes; swapped = all of
          // D_te_eval vs D_f
          const forgetClasses = new Set(Array.from(s.forgetIdx, (i) => CIFAR_TRAIN[i]));
          const testSide = Array.from(s.testEvalIdx).filter((i) => forgetClasses.has(CIFAR_TEST[i])).length;
          const direct = Math.min(s.forgetIdx.length, testSide);
          const swapped = Math.min(s.testEvalIdx.length, s.forgetIdx.length);
          expect(direct, `${name} ${mode} seed ${seed}`).toBeGreaterThanOrEqual(300);
          expect(swapped, `${name} ${mode} seed ${seed}`).toBeGreaterThanOrEqual(300);
        }
      }
    }
  });

  it("reference: one A-CF epoch is the paper's 704 Adam steps (⌈45,000 / 64⌉)", () => {
    const spec = getPreset('reference').spec;
    const s = makeSplit({
      trainLabels: CIFAR_TRAIN,
      testLabels: CIFAR_TEST,
      numClasses: 10,
      trainPerClass: spec.trainPerClass,
      testPerClass: spec.testPerClass,
      mode: 'uniform',
      forgetClass: null,
      fraction: 0.1,
      rng: new Rng(0),
    });
    expect(s.retainIdx.length).toBe(45000);
    expect(Math.ceil(s.retainIdx.length / 64)).toBe(704);
    expect(spec.condense.ipc).toBe(1000);
  });

  it('use width-128 feature nets and the paper-regime Blend step', () => {
    for (const name of CLAIM_PRESETS) {
      expect(getPreset(name).spec.condense.netWidth, name).toBe(128);
      expect(getPreset(name).spec.condense.lrMode, name).toBe('paper-regime');
    }
    expect(getPreset('paper').spec.condense.lrMode).toBe('paper-polynomial');
  });

  it('the paper-regime per-cluster step follows from the spec polynomial', () => {
    // lr_b(1000) = −2.397e-6·1e9 + 0.01265·1e6 − 0.2558·1000 + 1.461 = −2397 + 12650 − 255.8 + 1.461 = 9998.661;
    // class: T = 9·1000 = 9000 free clusters → 1.11096; uniform: T = 6294 (measured) → 1.58860
    expect(lrBlend(1000)).toBeCloseTo(9998.661, 3);
    expect(PAPER_LR_PER_CLUSTER.class).toBeCloseTo(1.11096, 4);
    expect(PAPER_LR_PER_CLUSTER.uniform).toBeCloseTo(1.5886, 4);
  });
});

describe('seeds field', () => {
  it('a count derives the list from seed; a list is taken as is', () => {
    expect(seedList(validateSpec({ seed: 5, seeds: 3 }))).toEqual([5, 6, 7]);
    expect(seedList(validateSpec({ seeds: [4, 9] }))).toEqual([4, 9]);
    expect(seedList(DEFAULT_SPEC)).toEqual([0]);
  });
  it('rejects bad seeds and lrMode values, naming the field', () => {
    expect(() => validateSpec({ seeds: 0 })).toThrow(/spec\.seeds: .*got 0/);
    expect(() => validateSpec({ seeds: [1, 1] })).toThrow(/distinct/);
    expect(() => validateSpec({ seeds: [1, -2] })).toThrow(/spec\.seeds\[1\]/);
    expect(() => validateSpec({ condense: { lrMode: 'fast' } })).toThrow(/spec\.condense\.lrMode/);
  });
});
