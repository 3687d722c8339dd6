/**
 * SVHN cropped digits from the official `train_32x32.mat` / `test_32x32.mat` (MATLAB v5: `X` uint8 32×32×3×N
 * column-major, `y` double N×1 with 10 meaning digit 0). Training images are capped at 4,500 per class by a
 * seeded random subset (docs/paper-notes.md §1.1); the test split is used whole.
 */
import type { ImageDataset, ImageSplit } from '../types';
import { LabError, NORMALISATION } from '../types';
import { Rng } from '../rng';
import { classCounts } from './cifar10';
import { readMat } from './mat';

export const SVHN_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const SVHN_TRAIN_CAP = 4500;
export const SVHN_URLS = {
  train: 'http://ufldl.stanford.edu/housenumbers/train_32x32.mat',
  test: 'http://ufldl.stanford.edu/housenumbers/test_32x32.mat',
};
export const SVHN_MD5 = { train: 'e26dedcc434d2e4c54c9b2d4a06d8373', test: 'eb5a983be6a315427106f1b164d9cef3' };

/** How a split was subsampled (recorded in the manifest). */
export interface SubsetInfo {
  perClassCap: number;
  seed: string;
  /** images in the source split before the cap */
  sourceCount: number;
  sourcePerClass: number[];
}

/** Decode one SVHN .mat file into an NHWC split with labels 0..9. */
export async function svhnSplitFromMat(bytes: Uint8Array, file: string): Promise<ImageSplit> {
  const vars = await readMat(bytes, { file, want: (n) => n === 'X' || n === 'y' });
  const X = vars.get('X');
  const y = vars.get('y');
  if (!X)
    throw new LabError(`missing variable X (the images); found ${[...vars.keys()].join(', ') || 'no variables'}`, file);
  if (!y)
    throw new LabError(`missing variable y (the labels); found ${[...vars.keys()].join(', ') || 'no variables'}`, file);
  if (X.className !== 'uint8' || !(X.data instanceof Uint8Array))
    throw new LabError(`variable X must be uint8, found ${X.className}`, file);
  const d = X.dims;
  if (d.length !== 4 || d[0] !== 32 || d[1] !== 32 || d[2] !== 3) {
    throw new LabError(`variable X has dimensions ${d.join('×')}, expected 32×32×3×N`, file);
  }
  const n = d[3];
  if (!y.data) throw new LabError(`variable y must be numeric, found ${y.className}`, file);
  if (y.dims.length !== 2 || y.dims[0] * y.dims[1] !== n || (y.dims[0] !== 1 && y.dims[1] !== 1)) {
    throw new LabError(`variable y has dimensions ${y.dims.join('×')}, expected ${n}×1 to match X`, file);
  }
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = y.data[i];
    if (!(v >= 1 && v <= 10) || v !== Math.floor(v))
      throw new LabError(`label ${v} out of range 1..10 at index ${i} of y`, file);
    labels[i] = v === 10 ? 0 : v;
  }
  // column-major (row i, col j, channel k, image m) at i + 32j + 1024k + 3072m  →  NHWC m·3072 + (32i + j)·3 + k
  const src = X.data;
  const images = new Uint8Array(n * 3072);
  for (let m = 0; m < n; m++) {
    const base = m * 3072;
    for (let k = 0; k < 3; k++) {
      const sk = base + 1024 * k;
      for (let j = 0; j < 32; j++) {
        const sj = sk + 32 * j;
        for (let i = 0; i < 32; i++) images[base + (32 * i + j) * 3 + k] = src[sj + i];
      }
    }
  }
  return { images, labels, n };
}

/** Keep at most `cap` images per class, a uniform random subset drawn with `rng`, in original order. */
export function capPerClass(split: ImageSplit, cap: number, rng: Rng, numClasses = 10): ImageSplit {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < split.n; i++) byClass[split.labels[i]].push(i);
  const keep: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const idx = byClass[c];
    if (idx.length <= cap) keep.push(...idx);
    else keep.push(...rng.sample(idx, cap));
  }
  keep.sort((a, b) => a - b);
  const n = keep.length;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = keep[k];
    images.set(split.images.subarray(i * 3072, (i + 1) * 3072), k * 3072);
    labels[k] = split.labels[i];
  }
  return { images, labels, n };
}

export interface SvhnOptions {
  trainFile?: string;
  testFile?: string;
  /** seed of the per-class training subset (default 0) */
  seed?: number | string;
  /** default 4500 (docs/paper-notes.md §1.1); 0 or Infinity = no cap */
  trainCapPerClass?: number;
}

/** Parse both SVHN files; returns the dataset and how the training split was capped. */
export async function svhnFromMat(
  trainBytes: Uint8Array,
  testBytes: Uint8Array,
  opts: SvhnOptions = {},
): Promise<{ dataset: ImageDataset; subset: SubsetInfo | null }> {
  const trainFull = await svhnSplitFromMat(trainBytes, opts.trainFile ?? 'train_32x32.mat');
  const test = await svhnSplitFromMat(testBytes, opts.testFile ?? 'test_32x32.mat');
  const cap = opts.trainCapPerClass ?? SVHN_TRAIN_CAP;
  let train = trainFull;
  let subset: SubsetInfo | null = null;
  if (cap > 0 && Number.isFinite(cap)) {
    const seed = String(opts.seed ?? 0);
    train = capPerClass(trainFull, cap, new Rng(seed).fork('svhn-train-cap'));
    subset = { perClassCap: cap, seed, sourceCount: trainFull.n, sourcePerClass: classCounts(trainFull.labels) };
  }
  const dataset: ImageDataset = {
    id: 'svhn',
    classes: [...SVHN_CLASSES],
    height: 32,
    width: 32,
    channels: 3,
    train,
    test,
    mean: [...NORMALISATION.svhn.mean],
    std: [...NORMALISATION.svhn.std],
  };
  return { dataset, subset };
}

export async function parseSvhnMat(
  trainBytes: Uint8Array,
  testBytes: Uint8Array,
  opts: SvhnOptions = {},
): Promise<ImageDataset> {
  return (await svhnFromMat(trainBytes, testBytes, opts)).dataset;
}
