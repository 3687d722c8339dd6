/**
 * Node adapter of the dataset layer: the core's dataset policy (src/core/data/service.ts, shared with the page)
 * over prepared shards on disk (checking SHA-256); synthetic data as the page generates it. No fallback: a
 * dataset that is not prepared is an error saying how to prepare it. Used by the CLI tools (experiment, bench,
 * reproduce) and tests.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetId, ImageDataset } from '../core';
import { LabError } from '../core';
import { datasetFromShards, manifestShards, validateManifest, MANIFEST_LIMITS, type DatasetManifest } from '../core';
import { readRegularFile } from './regular-file';
import { makeSyntheticDataset, resolveDataset, SYNTHETIC_MIN, type DataRequest } from '../core';

export const DEFAULT_DATASET_DIR = 'public/datasets';

export interface LoadDatasetNodeOptions {
  /** folder holding `<id>/manifest.json` (default public/datasets) */
  dir?: string;
  /**
   * synthetic only: the experiment's seed and per-class sizes; the dataset is then the one the page generates for
   * the same experiment (the core's policy: that seed, at least 500 / 100 images per class)
   */
  request?: DataRequest;
  /** synthetic only, for tests and tools: this seed (default 0) and exactly these per-class sizes */
  seed?: number;
  trainPerClass?: number;
  testPerClass?: number;
  /** check each shard's SHA-256 (default true) */
  verify?: boolean;
}

const HOW_TO: Record<'cifar10' | 'svhn', string> = {
  cifar10:
    'prepare it with `npm run datasets -- --archive PATH/cifar-10-binary.tar.gz` (or env CIFAR10_ARCHIVE; with no archive it is downloaded from the official site)',
  svhn: 'prepare it with `npm run datasets -- --dataset svhn --train train_32x32.mat --test test_32x32.mat` (without the files they are downloaded)',
};

/** Path of a prepared dataset's folder. */
export function datasetDir(id: DatasetId, dir = DEFAULT_DATASET_DIR): string {
  return resolve(dir, id);
}

/** True when `<dir>/<id>/manifest.json` exists (synthetic is always available). */
export function isPrepared(id: DatasetId, dir = DEFAULT_DATASET_DIR): boolean {
  return id === 'synthetic' || existsSync(join(datasetDir(id, dir), 'manifest.json'));
}

/** Read and validate a prepared dataset's manifest. */
export async function readManifestNode(id: 'cifar10' | 'svhn', dir = DEFAULT_DATASET_DIR): Promise<DatasetManifest> {
  const folder = datasetDir(id, dir);
  const path = join(folder, 'manifest.json');
  if (!existsSync(path)) throw new LabError(`${id} is not prepared (no ${path}); ${HOW_TO[id]}`, id);
  let json: unknown;
  try {
    // a regular file within the cap (a FIFO or a symlink to /dev/zero is refused before it is read)
    json = JSON.parse((await readRegularFile(path, MANIFEST_LIMITS.maxBytes)).toString('utf8'));
  } catch (e) {
    if (e instanceof LabError) throw new LabError(`${e.message}; ${HOW_TO[id]}`);
    throw new LabError(`cannot read manifest (${(e as Error).message}); ${HOW_TO[id]}`, path);
  }
  const m = validateManifest(json, path);
  if (m.id !== id) throw new LabError(`manifest is for ${m.id}, expected ${id}`, path);
  return m;
}

/** Load a dataset in Node: prepared shards for cifar10/svhn, generated images for synthetic. */
export async function loadDatasetNode(id: DatasetId, opts: LoadDatasetNodeOptions = {}): Promise<ImageDataset> {
  if (id === 'synthetic' && !opts.request && (opts.trainPerClass !== undefined || opts.testPerClass !== undefined)) {
    const { trainPerClass = SYNTHETIC_MIN.trainPerClass, testPerClass = SYNTHETIC_MIN.testPerClass } = opts;
    return makeSyntheticDataset({ seed: opts.seed ?? 0, trainPerClass, testPerClass });
  }
  const req = opts.request ?? { seed: opts.seed };
  const prepared = async (pid: 'cifar10' | 'svhn') => ({
    dataset: await loadPreparedNode(pid, opts),
    source: 'prepared' as const,
  });
  return (await resolveDataset(id, req, { prepared, hint: (pid) => HOW_TO[pid] }, { fallback: false })).dataset;
}

async function loadPreparedNode(id: 'cifar10' | 'svhn', opts: LoadDatasetNodeOptions): Promise<ImageDataset> {
  const dir = opts.dir ?? DEFAULT_DATASET_DIR;
  const m = await readManifestNode(id, dir);
  const folder = datasetDir(id, dir);
  const shards: Uint8Array[] = [];
  for (const s of manifestShards(m)) {
    const p = join(folder, s.file);
    if (!existsSync(p)) throw new LabError(`shard missing; ${HOW_TO[id]}`, p);
    // at most the bytes the manifest declares (datasetFromShards then checks the exact size and the SHA-256)
    const b = await readRegularFile(p, s.bytes);
    shards.push(new Uint8Array(b.buffer, b.byteOffset, b.length));
  }
  return datasetFromShards(m, shards, { verify: opts.verify, where: folder });
}
