/**
 * Forget / retain / test splits of one experiment (docs/paper-notes.md §1.2, §1.3, §8).
 *
 * Every random choice comes from the given `Rng` through named forks, so e.g. drawing the forget class never
 * changes the train permutation:
 *   'trainSubset' per-class subset of the train split, 'perm' permutation of the train subset
 *   (docs/paper-notes.md §1.3), 'class' the forgotten class when none is given, 'testSubset' per-class subset of
 *   the test split, 'test' the random 70/30 split of the test subset (docs/paper-notes.md §1.2; stratified per
 *   class, see makeSplit).
 */
import type { ForgetMode, Split } from '../types';
import { LabError } from '../types';
import { Rng } from '../rng';
import { checkForgetFraction } from '../spec-schema';

const WHERE = 'makeSplit';

export interface MakeSplitOptions {
  /** labels of the whole train split (dataset.train.labels) */
  trainLabels: ArrayLike<number>;
  /** labels of the whole test split (dataset.test.labels) */
  testLabels: ArrayLike<number>;
  /** number of classes C (default: 1 + the largest label seen) */
  numClasses?: number;
  /** train images per class taken from the train split; 0 = all */
  trainPerClass: number;
  /** test images per class taken from the test split; 0 = all */
  testPerClass: number;
  mode: ForgetMode;
  /** class forgetting: the class to forget, or null to draw it uniformly from 0..C-1 with the rng */
  forgetClass: number | null;
  /** uniform forgetting: fraction of the (permuted) train subset forgotten (range: spec-schema checkForgetFraction) */
  fraction: number;
  rng: Rng;
}

/** Share of the test subset that goes to the A-AMU regulariser (`testUsedIdx`); the rest is for evaluation. */
export const TEST_USED_FRACTION = 0.7;

/**
 * For each class c, the entries where the label is c, in the order met.
 * Without `idx`: positions i (0..labels.length-1) with labels[i] === c.
 * With `idx`: the values idx[k] with labels[idx[k]] === c (e.g. dataset indices of a split's index list).
 */
export function indicesByClass(labels: ArrayLike<number>, numClasses?: number, idx?: ArrayLike<number>): Int32Array[] {
  const n = idx ? idx.length : labels.length;
  let C = numClasses ?? 0;
  if (numClasses === undefined) {
    for (let k = 0; k < n; k++) C = Math.max(C, labels[idx ? idx[k] : k] + 1);
  }
  const counts = new Int32Array(C);
  for (let k = 0; k < n; k++) {
    const y = labels[idx ? idx[k] : k];
    if (!(y >= 0 && y < C && Number.isInteger(y)))
      throw new LabError(`label ${y} outside 0..${C - 1}`, 'indicesByClass');
    counts[y]++;
  }
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(C);
  for (let k = 0; k < n; k++) {
    const v = idx ? idx[k] : k;
    const y = labels[v];
    out[y][fill[y]++] = v;
  }
  return out;
}

function numClassesOf(labels: ArrayLike<number>): number {
  let C = 0;
  for (let i = 0; i < labels.length; i++) C = Math.max(C, labels[i] + 1);
  return C;
}

/** Per-class subset: `perClass` random indices of each class (0 = all of them), as one ascending list. */
function perClassSubset(labels: ArrayLike<number>, C: number, perClass: number, rng: Rng, what: string): Int32Array {
  if (!(Number.isInteger(perClass) && perClass >= 0)) {
    throw new LabError(`${what} per class must be a non-negative integer (0 = all), got ${perClass}`, WHERE);
  }
  const byClass = indicesByClass(labels, C);
  const parts: Int32Array[] = [];
  for (let c = 0; c < C; c++) {
    const pool = byClass[c];
    if (perClass === 0) {
      parts.push(pool);
      continue;
    }
    if (pool.length < perClass) {
      throw new LabError(`${what}: class ${c} has only ${pool.length} images, ${perClass} per class requested`, WHERE);
    }
    parts.push(rng.sample(pool, perClass).sort());
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Int32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.sort();
}

/** The label of the Rng fork an experiment's split is drawn from (LabSession: `new Rng(seed).fork(SPLIT_RNG)`). */
export const SPLIT_RNG = 'split';

/** The per-class subset of the train or test split that `makeSplit` draws with `rng` (ascending indices). */
export function experimentSubset(
  which: 'train' | 'test',
  labels: ArrayLike<number>,
  C: number,
  perClass: number,
  rng: Rng,
): Int32Array {
  return perClassSubset(labels, C, perClass, rng.fork(which === 'train' ? 'trainSubset' : 'testSubset'), which);
}

/**
 * Every train and test image an experiment with `seed` and these sizes reads: exactly the per-class subsets
 * `makeSplit` draws for it (ascending). Depends only on the labels, the sizes and the seed — what the page needs
 * to download before the labels' images are used (src/worker/partial-load.ts).
 */
export function experimentImages(opts: {
  trainLabels: ArrayLike<number>;
  testLabels: ArrayLike<number>;
  numClasses: number;
  trainPerClass: number;
  testPerClass: number;
  seed: number | string;
}): { train: Int32Array; test: Int32Array } {
  const rng = new Rng(opts.seed).fork(SPLIT_RNG);
  return {
    train: experimentSubset('train', opts.trainLabels, opts.numClasses, opts.trainPerClass, rng),
    test: experimentSubset('test', opts.testLabels, opts.numClasses, opts.testPerClass, rng),
  };
}

/**
 * The index sets of one experiment (docs/paper-notes.md §1.2/§1.3): per-class subsets of train and test (seeded), one
 * random permutation of the train subset; class forgetting forgets every train-subset image of `forgetClass`,
 * uniform forgetting forgets the first ⌊fraction·n⌋ of the permuted order; the test subset is randomly split
 * 70 % `testUsedIdx` (A-AMU regulariser only) / 30 % `testEvalIdx` (all evaluation).
 * forget/retain lists keep the permuted order.
 */
export function makeSplit(opts: MakeSplitOptions): Split {
  const { trainLabels, testLabels, trainPerClass, testPerClass, mode, rng } = opts;
  const C = opts.numClasses ?? Math.max(numClassesOf(trainLabels), numClassesOf(testLabels));
  if (!(Number.isInteger(C) && C >= 2)) throw new LabError(`need at least 2 classes, got ${C}`, WHERE);
  if (mode !== 'class' && mode !== 'uniform') throw new LabError(`unknown forget mode "${String(mode)}"`, WHERE);

  const trainSubset = experimentSubset('train', trainLabels, C, trainPerClass, rng);
  const perm = rng.fork('perm').permutation(trainSubset.length);
  const trainIdx = new Int32Array(trainSubset.length);
  for (let i = 0; i < perm.length; i++) trainIdx[i] = trainSubset[perm[i]];
  const n = trainIdx.length;
  if (n < 2) throw new LabError(`train subset has ${n} images; need at least 2`, WHERE);

  let forgetIdx: Int32Array;
  let retainIdx: Int32Array;
  let forgetClass: number | null = null;
  if (mode === 'class') {
    if (opts.forgetClass === null || opts.forgetClass === undefined) {
      forgetClass = rng.fork('class').int(C);
    } else {
      forgetClass = opts.forgetClass;
      if (!(Number.isInteger(forgetClass) && forgetClass >= 0 && forgetClass < C)) {
        throw new LabError(`forget class must be an integer in 0..${C - 1}, got ${forgetClass}`, WHERE);
      }
    }
    const f: number[] = [],
      r: number[] = [];
    for (let i = 0; i < n; i++) (trainLabels[trainIdx[i]] === forgetClass ? f : r).push(trainIdx[i]);
    if (f.length === 0) throw new LabError(`class ${forgetClass} has no training images in the subset`, WHERE);
    if (r.length === 0) throw new LabError(`forgetting class ${forgetClass} leaves no retain images`, WHERE);
    forgetIdx = Int32Array.from(f);
    retainIdx = Int32Array.from(r);
  } else {
    const fraction = checkForgetFraction(opts.fraction, WHERE);
    const nf = Math.floor(fraction * n);
    if (nf < 1) throw new LabError(`forget fraction ${fraction} of ${n} train images forgets nothing`, WHERE);
    forgetIdx = trainIdx.slice(0, nf);
    retainIdx = trainIdx.slice(nf);
  }

  const testSubset = experimentSubset('test', testLabels, C, testPerClass, rng);
  const testPerm = rng.fork('test').permutation(testSubset.length);
  const nt = testSubset.length;
  // Stratified 70/30: each class gives ⌊0.7·n_c⌋ images to the regulariser part and the rest (⌈0.3·n_c⌉) to
  // evaluation, drawn at random within the class. The reference splits the whole test set at random
  // (docs/paper-notes.md §1.2); stratifying fixes the number of evaluation images of the forgotten class (class-mode
  // MIA side size: exactly 300 with all 1000 CIFAR-10 test images per class, instead of 300 ± 14) and changes
  // nothing in expectation.
  const perClassN = new Int32Array(C);
  for (let i = 0; i < nt; i++) perClassN[testLabels[testSubset[i]]]++;
  const usedQuota = Array.from(perClassN, (n) => Math.floor(TEST_USED_FRACTION * n));
  const nUsed = usedQuota.reduce((a, b) => a + b, 0);
  if (nUsed < 1 || nt - nUsed < 1)
    throw new LabError(`test subset of ${nt} images is too small for the 70/30 split`, WHERE);
  const testUsedIdx = new Int32Array(nUsed);
  const testEvalIdx = new Int32Array(nt - nUsed);
  let u = 0,
    e = 0;
  for (let i = 0; i < nt; i++) {
    const v = testSubset[testPerm[i]];
    const c = testLabels[v];
    if (usedQuota[c] > 0) {
      usedQuota[c]--;
      testUsedIdx[u++] = v;
    } else testEvalIdx[e++] = v;
  }

  return { mode, forgetClass, trainIdx, forgetIdx, retainIdx, testUsedIdx, testEvalIdx };
}

/**
 * Next round of the multi-round protocol (docs/paper-notes.md §8): forget the first ⌊fraction·|retain|⌋ of the previous
 * round's retain list (which is in permuted order); the new retain set is the rest. Train and test lists are
 * unchanged. The returned split is 'uniform' with `forgetClass` null; its `forgetIdx` is this round's forget
 * set only (what each round evaluates) — use `cumulativeForgetIdx` for everything forgotten so far.
 */
export function nextRoundSplit(prev: Split, fraction: number): Split {
  checkForgetFraction(fraction, 'nextRoundSplit');
  const n = prev.retainIdx.length;
  const nf = Math.floor(fraction * n);
  if (nf < 1 || nf >= n)
    throw new LabError(
      `fraction ${fraction} of a retain set of ${n} leaves nothing to forget or retain`,
      'nextRoundSplit',
    );
  return {
    mode: 'uniform',
    forgetClass: null,
    trainIdx: prev.trainIdx,
    forgetIdx: prev.retainIdx.slice(0, nf),
    retainIdx: prev.retainIdx.slice(nf),
    testUsedIdx: prev.testUsedIdx,
    testEvalIdx: prev.testEvalIdx,
  };
}

/** Every train index forgotten so far (train subset minus the current retain set), in permuted order. */
export function cumulativeForgetIdx(split: Split): Int32Array {
  const kept = new Set<number>(split.retainIdx);
  const out: number[] = [];
  for (const i of split.trainIdx) if (!kept.has(i)) out.push(i);
  return Int32Array.from(out);
}
