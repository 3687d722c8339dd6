/**
 * Dataset loading inside the worker: the core's dataset policy (src/core/data/service.ts, shared with Node) over
 * the page's sources — prepared shards from `datasets/<id>/manifest.json` (SHA-256 checked, cached with the
 * Cache API), archives dropped into the page (parsed here, cached in IndexedDB) — with the synthetic generator
 * as the always-available fallback.
 */
import type { DatasetId, ImageDataset } from '../core';
import { LabError, NORMALISATION, requireImages } from '../core';
import {
  datasetFromShards,
  manifestShards,
  parseCifar10Archive,
  parseSvhnMat,
  validateManifest,
  type DatasetManifest,
} from '../core';
import { DATASET_LABELS, experimentImages, resolveDataset, type DataRequest, type ResolvedDataset } from '../core';
import type { DatasetInfo } from './protocol';
import { cachedBytes, cachedShard, idbGet, idbPut, storeBytes, storeShard } from './storage';
import { PartialDataset, checkSha256 } from './partial-load';

type Manifest = DatasetManifest;

export { DATASET_LABELS };

export type LoadProgress = (message: string, loaded: number, total: number) => void;

export interface Loaded extends ResolvedDataset {
  source: DatasetInfo['source'];
}

function manifestUrl(base: string, id: DatasetId): string {
  return new URL(`datasets/${id}/manifest.json`, base).toString();
}

/** Which prepared datasets the server has (a HEAD-like probe of each manifest). */
export async function probeAvailable(base: string): Promise<DatasetInfo['available']> {
  const out: DatasetInfo['available'] = [];
  for (const id of ['cifar10', 'svhn'] as const) {
    const m = await fetchManifestQuiet(base, id);
    if (m) out.push({ id, ...manifestSizes(m) });
  }
  return out;
}

function manifestSizes(m: Manifest): { trainSize: number; testSize: number } {
  return { trainSize: m.splits.train.count, testSize: m.splits.test.count };
}

/** The manifest, null when the server has none; throws a LabError when it exists but is malformed. */
async function fetchManifest(base: string, id: DatasetId): Promise<Manifest | null> {
  let text: string;
  try {
    const res = await fetch(manifestUrl(base, id), { cache: 'no-cache' });
    if (!res.ok) return null;
    text = await res.text();
  } catch {
    return null;
  }
  // vite preview answers unknown paths with index.html (SPA fallback): not a manifest
  if (!text.trimStart().startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LabError('not valid JSON', `datasets/${id}/manifest.json`);
  }
  return validateManifest(json, `datasets/${id}/manifest.json`);
}

async function fetchManifestQuiet(base: string, id: DatasetId): Promise<Manifest | null> {
  try {
    return await fetchManifest(base, id);
  } catch {
    return null;
  }
}

/** The partly loaded datasets (prepared shards with an image index), by their dataset object. */
const partials = new WeakMap<ImageDataset, PartialDataset>();

/** Row r of the sample grid: the first `cols` training images of class r (train order). */
export function gridIndices(labels: ArrayLike<number>, numClasses: number, cols = 10): number[][] {
  const rows = Math.min(10, numClasses);
  const picked: number[][] = Array.from({ length: rows }, () => []);
  let left = rows * cols;
  for (let i = 0; i < labels.length && left > 0; i++) {
    const l = labels[i];
    if (l < rows && picked[l].length < cols) {
      picked[l].push(i);
      left--;
    }
  }
  return picked;
}

/**
 * The images a request reads: the per-class subsets its experiment draws (core/eval/split.ts `experimentImages`,
 * the very draw of makeSplit; sizes 0 or absent = every image) and the sample grid's. When the sizes cannot be
 * drawn (more per class than a class has) only the grid: the experiment then fails with makeSplit's own error.
 */
export function neededImages(ds: ImageDataset, req: DataRequest): { train: number[]; test: number[] } {
  const grid = gridIndices(ds.train.labels, ds.classes.length).flat();
  try {
    const sub = experimentImages({
      trainLabels: ds.train.labels,
      testLabels: ds.test.labels,
      numClasses: ds.classes.length,
      trainPerClass: req.trainPerClass ?? 0,
      testPerClass: req.testPerClass ?? 0,
      seed: req.seed ?? 0,
    });
    return { train: [...new Set([...sub.train, ...grid])], test: Array.from(sub.test) };
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    return { train: grid, test: [] };
  }
}

const cacheStore = { get: cachedBytes, put: storeBytes };

async function loadPartial(
  base: string,
  id: DatasetId,
  m: Manifest,
  req: DataRequest,
  progress: LoadProgress,
  signal?: AbortSignal,
): Promise<{ ds: ImageDataset; fromCache: boolean }> {
  const { partial, fetched } = await PartialDataset.open(
    m,
    {
      dir: new URL(`datasets/${id}/`, base).toString(),
      where: `datasets/${id}`,
      // Range requests bypass the HTTP cache: Chromium serialises concurrent requests to one URL on its cache entry
      // (one shard's ranges then went one at a time), and what was fetched is kept in the Cache API anyway
      fetch: (url, init) => fetch(url, init.headers?.Range ? { ...init, cache: 'no-store' } : init),
      store: cacheStore,
    },
    signal,
  );
  const ds = partial.dataset;
  const r = await partial.ensure(neededImages(ds, req), progress, signal);
  partials.set(ds, partial);
  return { ds, fromCache: !fetched && r.requests === 0 };
}

/**
 * Loads what `req` reads of a partly loaded dataset (a new seed or sizes) into the same object; `all`: every image
 * (the audit). A no-op for datasets that are complete.
 */
export async function ensureImages(
  ds: ImageDataset,
  req: DataRequest | 'all',
  progress: LoadProgress,
  signal?: AbortSignal,
): Promise<void> {
  const partial = partials.get(ds);
  if (!partial) return;
  const need =
    req === 'all'
      ? {
          train: Array.from({ length: ds.train.n }, (_, i) => i),
          test: Array.from({ length: ds.test.n }, (_, i) => i),
        }
      : neededImages(ds, req);
  await partial.ensure(need, progress, signal);
}

/** How many of a dataset's images are loaded (all of them unless it is partly loaded). */
export function loadedCounts(ds: ImageDataset): { loaded: number; total: number } {
  return partials.get(ds)?.counts() ?? { loaded: ds.train.n + ds.test.n, total: ds.train.n + ds.test.n };
}

async function loadPrepared(
  base: string,
  id: DatasetId,
  m: Manifest,
  progress: LoadProgress,
  signal?: AbortSignal,
): Promise<{ ds: ImageDataset; fromCache: boolean }> {
  const entries = manifestShards(m);
  const total = entries.reduce((a, s) => a + (s.bytes ?? 0), 0);
  let loaded = 0;
  let allCached = true;
  const shards: Uint8Array[] = [];
  for (const s of entries) {
    if (signal?.aborted) throw new LabError('cancelled', 'dataset');
    const url = new URL(`datasets/${id}/${s.file}`, base).toString();
    let bytes = await cachedShard(url, s.sha256);
    if (!bytes) {
      allCached = false;
      progress(`Downloading ${s.file}`, loaded, total);
      const res = await fetch(url, { signal });
      if (!res.ok) throw new LabError(`HTTP ${res.status}`, `datasets/${id}/${s.file}`);
      bytes = new Uint8Array(await res.arrayBuffer());
      await checkSha256(bytes, s.sha256, s.bytes, `datasets/${id}/${s.file}`);
      await storeShard(url, s.sha256, bytes);
    }
    loaded += s.bytes ?? bytes.length;
    progress(`Loaded ${s.file}`, loaded, total);
    shards.push(bytes);
  }
  // every shard was SHA-256 checked on download (cached copies are keyed by their hash)
  return { ds: await datasetFromShards(m, shards, { verify: false, where: `datasets/${id}` }), fromCache: allCached };
}

interface StoredImport {
  id: DatasetId;
  classes: string[];
  trainImages: ArrayBuffer;
  trainLabels: ArrayBuffer;
  testImages: ArrayBuffer;
  testLabels: ArrayBuffer;
  name: string;
}

async function loadImported(id: DatasetId): Promise<ImageDataset | null> {
  const rec = await idbGet<StoredImport>('datasets', `import:${id}`);
  if (!rec) return null;
  const train = {
    images: new Uint8Array(rec.trainImages),
    labels: new Uint8Array(rec.trainLabels),
    n: rec.trainLabels.byteLength,
  };
  const test = {
    images: new Uint8Array(rec.testImages),
    labels: new Uint8Array(rec.testLabels),
    n: rec.testLabels.byteLength,
  };
  const norm = NORMALISATION[id];
  return {
    id,
    classes: rec.classes,
    height: 32,
    width: 32,
    channels: 3,
    train,
    test,
    mean: [...norm.mean],
    std: [...norm.std],
  };
}

const HINTS: Record<'cifar10' | 'svhn', string> = {
  cifar10:
    'run `npm run datasets -- --archive PATH/cifar-10-binary.tar.gz`, or drop cifar-10-binary.tar.gz onto the page',
  svhn: 'run `npm run datasets` with the SVHN .mat files, or drop train_32x32.mat and test_32x32.mat onto the page',
};

/**
 * Load a dataset: prepared shards → a previously imported archive → synthetic (with a notice), by the core's
 * policy. `req`: the experiment's seed and sizes (they choose the synthetic dataset, as in Node).
 */
export async function loadDataset(
  base: string,
  id: DatasetId,
  req: DataRequest,
  progress: LoadProgress,
  signal?: AbortSignal,
  /** `fallback: false`: a dataset that is not available is an error instead of the synthetic one (the audit) */
  opts: { fallback?: boolean } = {},
): Promise<Loaded> {
  return resolveDataset(
    id,
    req,
    {
      async prepared(pid) {
        const m = await fetchManifest(base, pid);
        if (!m) return null;
        // with an image index: only the images this request reads (Range requests); without: every shard, whole
        const { ds, fromCache } = m.index
          ? await loadPartial(base, pid, m, req, progress, signal)
          : await loadPrepared(base, pid, m, progress, signal);
        return { dataset: ds, source: fromCache ? 'cache' : 'prepared' };
      },
      imported: loadImported,
      hint: (pid) => HINTS[pid],
    },
    { fallback: opts.fallback ?? true },
  );
}

/** Parse a dropped archive (CIFAR-10 .tar.gz, or the SVHN train/test .mat pair) and keep it in IndexedDB. */
export async function importArchive(
  files: Array<{ name: string; bytes: ArrayBuffer }>,
  progress: LoadProgress,
): Promise<Loaded> {
  const first = files[0];
  if (!first) throw new LabError('no file given', 'import');
  let ds: ImageDataset;
  const lower = first.name.toLowerCase();
  progress(`Parsing ${first.name}`, 0, first.bytes.byteLength);
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz') || lower.endsWith('.gz')) {
    ds = await parseCifar10Archive(new Uint8Array(first.bytes), { file: first.name });
  } else if (lower.endsWith('.mat')) {
    const train = files.find((f) => /train/i.test(f.name));
    const test = files.find((f) => /test/i.test(f.name));
    if (!train || !test) {
      throw new LabError(
        'SVHN needs both train_32x32.mat and test_32x32.mat: drop or pick the two files together',
        first.name,
      );
    }
    ds = await parseSvhnMat(new Uint8Array(train.bytes), new Uint8Array(test.bytes), {
      trainFile: train.name,
      testFile: test.name,
    });
  } else {
    throw new LabError('expected cifar-10-binary.tar.gz or *_32x32.mat', first.name);
  }
  progress(`Caching ${DATASET_LABELS[ds.id]} in the browser`, first.bytes.byteLength, first.bytes.byteLength);
  const rec: StoredImport = {
    id: ds.id,
    classes: ds.classes,
    trainImages: ds.train.images.slice().buffer,
    trainLabels: ds.train.labels.slice().buffer,
    testImages: ds.test.images.slice().buffer,
    testLabels: ds.test.labels.slice().buffer,
    name: first.name,
  };
  const stored = await idbPut('datasets', `import:${ds.id}`, rec);
  return {
    dataset: ds,
    source: 'import',
    notice: stored
      ? undefined
      : `${DATASET_LABELS[ds.id]} imported for this session only (the browser refused to store it).`,
  };
}

/** 10×10 grid: row r = class r, its first 10 training images (fewer classes → fewer rows). */
export function sampleGrid(ds: ImageDataset): DatasetInfo['grid'] {
  const rows = Math.min(10, ds.classes.length);
  const cols = 10;
  const W = cols * 32,
    H = rows * 32;
  const data = new Uint8ClampedArray(W * H * 4);
  const picked = gridIndices(ds.train.labels, ds.classes.length, cols);
  requireImages(ds.train, picked.flat(), 'sampleGrid');
  const { images } = ds.train;
  for (let r = 0; r < rows; r++) {
    picked[r].forEach((idx, c) => {
      const base = idx * 3072;
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const s = base + (y * 32 + x) * 3;
          const d = ((r * 32 + y) * W + c * 32 + x) * 4;
          data[d] = images[s];
          data[d + 1] = images[s + 1];
          data[d + 2] = images[s + 2];
          data[d + 3] = 255;
        }
      }
    });
  }
  return { width: W, height: H, data };
}

export function perClass(ds: ImageDataset): number[] {
  const out = new Array<number>(ds.classes.length).fill(0);
  for (let i = 0; i < ds.train.n; i++) out[ds.train.labels[i]]++;
  return out;
}
