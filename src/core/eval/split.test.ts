import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { LabError } from '../types';
import { SPLIT_RNG, cumulativeForgetIdx, experimentImages, indicesByClass, makeSplit, nextRoundSplit } from './split';

/** labels 0..C-1 repeated: class c has `perClass` images, interleaved */
function labels(C: number, perClass: number): Uint8Array {
  const out = new Uint8Array(C * perClass);
  for (let i = 0; i < out.length; i++) out[i] = i % C;
  return out;
}

const train = labels(10, 50);
const test = labels(10, 20);

describe('makeSplit', () => {
  it('uniform: subset sizes, permuted order, first ⌊fraction·n⌋ forgotten, 70/30 test split', () => {
    const s = makeSplit({
      trainLabels: train,
      testLabels: test,
      trainPerClass: 30,
      testPerClass: 10,
      mode: 'uniform',
      forgetClass: null,
      fraction: 0.1,
      rng: new Rng(1),
    });
    expect(s.trainIdx.length).toBe(300);
    expect(new Set(s.trainIdx).size).toBe(300);
    for (let c = 0; c < 10; c++) expect(Array.from(s.trainIdx).filter((i) => train[i] === c).length).toBe(30);
    expect(s.forgetIdx.length).toBe(30);
    expect(Array.from(s.forgetIdx)).toEqual(Array.from(s.trainIdx.slice(0, 30)));
    expect(Array.from(s.retainIdx)).toEqual(Array.from(s.trainIdx.slice(30)));
    // permuted, not sorted
    expect(Array.from(s.trainIdx)).not.toEqual(Array.from(s.trainIdx).sort((a, b) => a - b));
    expect(s.testUsedIdx.length).toBe(70);
    expect(s.testEvalIdx.length).toBe(30);
    const allTest = new Set([...s.testUsedIdx, ...s.testEvalIdx]);
    expect(allTest.size).toBe(100);
    for (let c = 0; c < 10; c++) expect([...allTest].filter((i) => test[i] === c).length).toBe(10);
    expect(s.forgetClass).toBeNull();
  });

  it('is deterministic in the seed and differs across seeds', () => {
    const o = {
      trainLabels: train,
      testLabels: test,
      trainPerClass: 0,
      testPerClass: 0,
      mode: 'uniform' as const,
      forgetClass: null,
      fraction: 0.1,
    };
    const a = makeSplit({ ...o, rng: new Rng(7) });
    const b = makeSplit({ ...o, rng: new Rng(7) });
    const c = makeSplit({ ...o, rng: new Rng(8) });
    expect(a).toEqual(b);
    expect(Array.from(a.trainIdx)).not.toEqual(Array.from(c.trainIdx));
    expect(a.trainIdx.length).toBe(500);
    expect(a.testEvalIdx.length).toBe(200 - Math.floor(0.7 * 200));
  });

  it('class: forgets every train-subset image of the class, keeps permuted order', () => {
    const s = makeSplit({
      trainLabels: train,
      testLabels: test,
      trainPerClass: 20,
      testPerClass: 0,
      mode: 'class',
      forgetClass: 3,
      fraction: 0.1,
      rng: new Rng(2),
    });
    expect(s.forgetClass).toBe(3);
    expect(s.forgetIdx.length).toBe(20);
    expect(Array.from(s.forgetIdx).every((i) => train[i] === 3)).toBe(true);
    expect(Array.from(s.retainIdx).every((i) => train[i] !== 3)).toBe(true);
    expect(s.retainIdx.length).toBe(180);
    expect(Array.from(s.forgetIdx)).toEqual(Array.from(s.trainIdx).filter((i) => train[i] === 3));
  });

  it('class: draws the class from the rng when null', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const s = makeSplit({
        trainLabels: train,
        testLabels: test,
        trainPerClass: 5,
        testPerClass: 5,
        mode: 'class',
        forgetClass: null,
        fraction: 0.1,
        rng: new Rng(seed),
      });
      expect(s.forgetClass).not.toBeNull();
      seen.add(s.forgetClass!);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('validates ranges with LabErrors', () => {
    const o = {
      trainLabels: train,
      testLabels: test,
      trainPerClass: 0,
      testPerClass: 0,
      forgetClass: null,
      fraction: 0.1,
      rng: new Rng(0),
    };
    expect(() => makeSplit({ ...o, mode: 'uniform', fraction: 0 })).toThrow(LabError);
    // the spec's one range, (0, 0.9]: the split accepts 0.9 and rejects more (it once allowed up to 1)
    expect(() => makeSplit({ ...o, mode: 'uniform', fraction: 0.95 })).toThrow(
      /forget fraction must be in \(0, 0\.9\]/,
    );
    expect(makeSplit({ ...o, mode: 'uniform', fraction: 0.9 }).forgetIdx.length).toBeGreaterThan(0);
    expect(() => nextRoundSplit(makeSplit({ ...o, mode: 'uniform' }), 0.95)).toThrow(/\(0, 0\.9\]/);
    expect(() => makeSplit({ ...o, mode: 'class', forgetClass: 10 })).toThrow(/0\.\.9/);
    expect(() => makeSplit({ ...o, mode: 'class', forgetClass: -1 })).toThrow(LabError);
    expect(() => makeSplit({ ...o, mode: 'uniform', trainPerClass: 51 })).toThrow(/only 50/);
    expect(() => makeSplit({ ...o, mode: 'uniform', testPerClass: 21 })).toThrow(/only 20/);
  });
});

describe('multi-round', () => {
  it('round r>0 forgets the first 10% of the previous retain list', () => {
    const s0 = makeSplit({
      trainLabels: train,
      testLabels: test,
      trainPerClass: 0,
      testPerClass: 0,
      mode: 'uniform',
      forgetClass: null,
      fraction: 0.1,
      rng: new Rng(3),
    });
    const s1 = nextRoundSplit(s0, 0.1);
    expect(s1.forgetIdx.length).toBe(45);
    expect(Array.from(s1.forgetIdx)).toEqual(Array.from(s0.retainIdx.slice(0, 45)));
    expect(s1.retainIdx.length).toBe(405);
    const s2 = nextRoundSplit(s1, 0.1);
    expect(s2.forgetIdx.length).toBe(40);
    expect(cumulativeForgetIdx(s2).length).toBe(50 + 45 + 40);
    expect(s2.testEvalIdx).toBe(s0.testEvalIdx);
  });
});

describe('indicesByClass', () => {
  it('groups positions, or idx values', () => {
    const y = [2, 0, 2, 1];
    expect(indicesByClass(y).map((a) => Array.from(a))).toEqual([[1], [3], [0, 2]]);
    expect(indicesByClass(y, 4, [3, 2, 0]).map((a) => Array.from(a))).toEqual([[], [3], [2, 0], []]);
  });
});

describe('stratified 70/30 test split', () => {
  it('every class puts exactly ⌈0.3·n_c⌉ images into evaluation', () => {
    // 1000 test images per class (CIFAR-10's test set) → ⌊0.7·1000⌋ = 700 regulariser, 300 evaluation per class;
    // uneven classes (7 and 13 images) → ⌊4.9⌋ = 4 / 3 and ⌊9.1⌋ = 9 / 4.
    const big = labels(10, 1000);
    const s = makeSplit({
      trainLabels: train,
      testLabels: big,
      trainPerClass: 0,
      testPerClass: 0,
      mode: 'class',
      forgetClass: 4,
      fraction: 0.1,
      rng: new Rng(7),
    });
    const evalByClass = indicesByClass(big, 10, s.testEvalIdx).map((a) => a.length);
    expect(evalByClass).toEqual(new Array(10).fill(300));
    const uneven = Uint8Array.from([...new Array(7).fill(0), ...new Array(13).fill(1)]);
    const u = makeSplit({
      trainLabels: labels(2, 20),
      testLabels: uneven,
      trainPerClass: 0,
      testPerClass: 0,
      mode: 'uniform',
      forgetClass: null,
      fraction: 0.1,
      rng: new Rng(1),
    });
    expect(indicesByClass(uneven, 2, u.testEvalIdx).map((a) => a.length)).toEqual([3, 4]);
    expect(indicesByClass(uneven, 2, u.testUsedIdx).map((a) => a.length)).toEqual([4, 9]);
  });
});

describe('experimentImages (what the page downloads)', () => {
  // shuffled labels with unequal classes, so the draw is not a pattern of the interleaving
  const rng = new Rng('labels');
  const trL = Uint8Array.from({ length: 900 }, () => rng.int(10));
  const teL = Uint8Array.from({ length: 400 }, () => rng.int(10));
  const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);

  it('is exactly the train and test subsets makeSplit draws, for several seeds, sizes and modes', () => {
    let cases = 0;
    for (const seed of [0, 1, 7, 12345]) {
      for (const [tpc, xpc] of [
        [20, 10],
        [50, 0],
        [0, 15],
        [5, 5],
      ]) {
        for (const mode of ['uniform', 'class'] as const) {
          const split = makeSplit({
            trainLabels: trL,
            testLabels: teL,
            numClasses: 10,
            trainPerClass: tpc,
            testPerClass: xpc,
            mode,
            forgetClass: null,
            fraction: 0.1,
            rng: new Rng(seed).fork(SPLIT_RNG),
          });
          const got = experimentImages({
            trainLabels: trL,
            testLabels: teL,
            numClasses: 10,
            trainPerClass: tpc,
            testPerClass: xpc,
            seed,
          });
          expect(Array.from(got.train)).toEqual(sorted(split.trainIdx));
          expect(Array.from(got.test)).toEqual(sorted([...split.testUsedIdx, ...split.testEvalIdx]));
          cases++;
        }
      }
    }
    expect(cases).toBe(32);
    // and it follows the seed
    const a = experimentImages({
      trainLabels: trL,
      testLabels: teL,
      numClasses: 10,
      trainPerClass: 20,
      testPerClass: 10,
      seed: 1,
    });
    const b = experimentImages({
      trainLabels: trL,
      testLabels: teL,
      numClasses: 10,
      trainPerClass: 20,
      testPerClass: 10,
      seed: 2,
    });
    expect(Array.from(a.train)).not.toEqual(Array.from(b.train));
  });

  it('throws makeSplit’s error when a class has fewer images than asked', () => {
    expect(() =>
      experimentImages({
        trainLabels: trL,
        testLabels: teL,
        numClasses: 10,
        trainPerClass: 500,
        testPerClass: 1,
        seed: 0,
      }),
    ).toThrow(/train: class \d has only \d+ images, 500 per class requested/);
  });
});
