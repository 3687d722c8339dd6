/**
 * Fetching prepared shards image by image (partial-load.ts) against an in-memory static server: Range requests
 * coalesced and verified, the byte store, a server that ignores Range, corrupt records and indexes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LabError,
  batchImages,
  buildShards,
  coalesceRecords,
  datasetFromShards,
  decodeIndex,
  makeSyntheticDataset,
  recordBytes,
  sha256Hex,
  type DatasetManifest,
  type ImageDataset,
} from '../core';
import { PartialDataset, type ByteStore, type Fetcher } from './partial-load';
import { neededImages } from './datasets';
// not in the core's public API (core/train/index.ts keeps it inside the core)
// eslint-disable-next-line import-x/no-restricted-paths
import { trainingDataFingerprint } from '../core/train/weights-cache';

const PIXELS = 3072;
const DIR = 'http://lab.test/datasets/synthetic/';

interface Server {
  fetch: Fetcher;
  log: Array<{ file: string; range: string | null; status: number; bytes: number }>;
}

/** A static server over `files`: honours single `Range: bytes=a-b` requests (206) unless `ignoreRange`. */
function server(files: Map<string, Uint8Array>, opts: { ignoreRange?: boolean } = {}): Server {
  const log: Server['log'] = [];
  const fetch: Fetcher = async (url, init) => {
    const file = url.slice(DIR.length);
    const body = files.get(file);
    const range = init.headers?.Range ?? null;
    if (!body) {
      log.push({ file, range, status: 404, bytes: 0 });
      return new Response('not found', { status: 404 });
    }
    const m = range ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
    if (!m || opts.ignoreRange) {
      log.push({ file, range, status: 200, bytes: body.length });
      return new Response(body.slice(), { status: 200 });
    }
    const [a, b] = [Number(m[1]), Number(m[2])];
    const part = body.slice(a, b + 1);
    log.push({ file, range, status: 206, bytes: part.length });
    return new Response(part, { status: 206, headers: { 'content-range': `bytes ${a}-${b}/${body.length}` } });
  };
  return { fetch, log };
}

function memoryStore(): ByteStore & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    get: async (k) => map.get(k)?.slice() ?? null,
    put: async (k, b) => void map.set(k, b.slice()),
  };
}

let full: ImageDataset;
let manifest: DatasetManifest;
let files: Map<string, Uint8Array>;

beforeAll(async () => {
  // 10 classes × 60 train (6 shards of 100) and × 20 test (2 shards of 100)
  const ds = makeSyntheticDataset({ seed: 5, trainPerClass: 60, testPerClass: 20 });
  const built = await buildShards(ds, { archive: 'synthetic', md5: '0' }, { shardImages: 100, createdAt: 'test' });
  manifest = built.manifest;
  files = new Map([...built.files, built.index!].map((f) => [f.file, f.bytes]));
  full = await datasetFromShards(
    manifest,
    built.files.map((f) => f.bytes),
  );
});

const open = (s: Server, store: ByteStore = memoryStore(), extra: { wholeShardShare?: number } = {}) =>
  PartialDataset.open(manifest, { dir: DIR, where: 'datasets/synthetic', fetch: s.fetch, store, ...extra });

const pixels = (ds: ImageDataset, split: 'train' | 'test', i: number) =>
  Buffer.from(ds[split].images.subarray(i * PIXELS, (i + 1) * PIXELS));

describe('coalesceRecords / recordBytes', () => {
  it('joins adjacent positions into one range and keeps the others apart', () => {
    expect(coalesceRecords([0, 1, 2, 5, 7, 8])).toEqual([
      { start: 0, count: 3 },
      { start: 5, count: 1 },
      { start: 7, count: 2 },
    ]);
    expect(coalesceRecords([])).toEqual([]);
    expect(() => coalesceRecords([3, 3])).toThrow(LabError);
    expect(() => coalesceRecords([4, 2])).toThrow(/ascending/);
  });

  it('gives the inclusive byte range of records in a shard (header + labels first)', () => {
    // shard of 100 images: pixels start at 16 + 100
    expect(recordBytes(100, { start: 0, count: 1 })).toEqual({ first: 116, last: 116 + PIXELS - 1 });
    expect(recordBytes(100, { start: 98, count: 2 })).toEqual({
      first: 116 + 98 * PIXELS,
      last: 116 + 100 * PIXELS - 1,
    });
    expect(() => recordBytes(100, { start: 99, count: 2 })).toThrow(/outside a shard of 100/);
  });
});

describe('PartialDataset', () => {
  it('the index matches the shards: labels and per-image hashes (prepare writes it; the manifest holds its SHA-256)', async () => {
    const bytes = files.get('index.bin')!;
    expect(manifest.index).toEqual({
      file: 'index.bin',
      sha256: await sha256Hex(bytes),
      bytes: bytes.length,
      hashBytes: 8,
    });
    const ix = decodeIndex(bytes, manifest);
    expect(Buffer.from(ix.train.labels).equals(Buffer.from(full.train.labels))).toBe(true);
    expect(Buffer.from(ix.test.labels).equals(Buffer.from(full.test.labels))).toBe(true);
  });

  it('fetches only the needed images with coalesced Range requests; they equal the full dataset’s, byte for byte', async () => {
    const s = server(files);
    const { partial, fetched } = await open(s);
    expect(fetched).toBe(true);
    const ds = partial.dataset;
    expect(Buffer.from(ds.train.labels).equals(Buffer.from(full.train.labels))).toBe(true);
    const req = { seed: 3, trainPerClass: 4, testPerClass: 2 };
    const need = neededImages(ds, req);
    // the grid's first 10 of every class are in: 100 of the 600 train images, plus the subset
    expect(need.train.length).toBeGreaterThanOrEqual(100);
    const r = await partial.ensure(need);
    expect(r.images).toBe(need.train.length + need.test.length);
    // the requests: the index; a shard of which half or more is needed whole; else one per run of adjacent records
    let ranges = 0;
    const whole: string[] = [];
    let wholeImages = 0;
    for (const name of ['train', 'test'] as const) {
      const idx = [...need[name]].sort((a, b) => a - b);
      for (let k = 0; k < (name === 'train' ? 6 : 2); k++) {
        const local = idx.filter((i) => Math.floor(i / 100) === k).map((i) => i % 100);
        if (local.length >= 50) {
          whole.push(`${name}-00${k}.bin`);
          wholeImages += 100 - local.length;
        } else ranges += coalesceRecords(local).length;
      }
    }
    expect(ranges).toBeGreaterThan(10);
    expect(s.log.filter((l) => l.status === 206)).toHaveLength(ranges);
    expect(s.log.filter((l) => l.status === 200).map((l) => l.file)).toEqual(['index.bin', ...whole]);
    expect(r.requests).toBe(ranges + whole.length);
    expect(r.bytes).toBe((r.images - (100 * whole.length - wholeImages)) * PIXELS + whole.length * (16 + 100 * 3073));
    for (const name of ['train', 'test'] as const) {
      for (const i of need[name]) expect(pixels(ds, name, i).equals(pixels(full, name, i))).toBe(true);
      const loaded = ds[name].partial!.present.reduce((a, b) => a + b, 0);
      expect(loaded).toBe(need[name].length + (name === 'train' ? wholeImages : 0));
    }
    // same pixels → same training-data fingerprint as the full dataset (the weights cache keys, the results)
    const sub = need.train.slice(100);
    expect(trainingDataFingerprint(ds, sub)).toBe(trainingDataFingerprint(full, sub));
    // an image not downloaded is an error, never zeros
    const absent = Array.from(ds.train.partial!.present).indexOf(0);
    expect(() => batchImages(ds, ds.train, [need.train[0], absent])).toThrow(
      new RegExp(`train image ${absent} was not downloaded \\(1 of the 2`),
    );
    expect(() => trainingDataFingerprint(ds, [absent])).toThrow(LabError);

    // a new seed loads more into the same object, only what is missing
    s.log.length = 0;
    const before = partial.counts().loaded;
    const need2 = neededImages(ds, { ...req, seed: 4 });
    const r2 = await partial.ensure(need2);
    expect(r2.images).toBeLessThan(need2.train.length + need2.test.length);
    expect(r2.images).toBeGreaterThan(0);
    expect(partial.counts().loaded).toBe(before + r2.images);
    expect(s.log.every((l) => l.status === 206)).toBe(true);
  });

  it('a shard of which most images are needed comes whole (SHA-256 checked), and everything is kept for a reload', async () => {
    const s = server(files);
    const store = memoryStore();
    const { partial } = await open(s, store);
    // all of train shard 2, three images of shard 3
    const need = { train: [...Array.from({ length: 100 }, (_, i) => 200 + i), 300, 301, 350], test: [] };
    await partial.ensure(need);
    // (the first Range request goes alone, before the rest: it tells whether the server honours Range)
    expect(s.log.map((l) => `${l.file} ${l.status}`).sort()).toEqual([
      'index.bin 200',
      'train-002.bin 200',
      'train-003.bin 206',
      'train-003.bin 206',
    ]);
    // a reload with the same store: nothing goes to the network, the same pixels come back
    const again = server(files);
    const { partial: p2, fetched } = await open(again, store);
    expect(fetched).toBe(false);
    const r = await p2.ensure(need);
    expect(again.log).toEqual([]);
    expect(r).toEqual({ images: 103, fromStore: 103, bytes: 0, requests: 0 });
    for (const i of need.train) expect(pixels(p2.dataset, 'train', i).equals(pixels(full, 'train', i))).toBe(true);
  });

  it('a server that answers Range with 200 and the whole file: every shard is fetched whole and verified', async () => {
    const s = server(files, { ignoreRange: true });
    const { partial } = await open(s);
    const need = neededImages(partial.dataset, { seed: 1, trainPerClass: 3, testPerClass: 2 });
    const r = await partial.ensure(need);
    // one probe answered 200 (the whole shard, used), then one whole request per other shard
    expect(s.log.filter((l) => l.file !== 'index.bin').map((l) => l.status)).toEqual(Array(8).fill(200));
    expect(new Set(s.log.map((l) => l.file)).size).toBe(9);
    expect(r.requests).toBe(8);
    expect(partial.complete()).toBe(true);
    expect(Buffer.from(partial.dataset.train.images).equals(Buffer.from(full.train.images))).toBe(true);
    expect(Buffer.from(partial.dataset.test.images).equals(Buffer.from(full.test.images))).toBe(true);
  });

  it('a corrupt image record: a clear error naming the shard and the image', async () => {
    const bad = new Map(files);
    const shard = files.get('train-001.bin')!.slice();
    // image 37 of train-001.bin (train image 137)
    shard[16 + 100 + 37 * PIXELS + 5] ^= 0xff;
    bad.set('train-001.bin', shard);
    const { partial } = await open(server(bad));
    await expect(partial.ensure({ train: [137], test: [] })).rejects.toThrow(
      /datasets\/synthetic\/train-001\.bin: image 37 \(train image 137\) does not match the image index/,
    );
    expect(partial.dataset.train.partial!.present[137]).toBe(0);
    // through the 200 path the same corruption fails the shard's SHA-256
    const { partial: p2 } = await open(server(bad, { ignoreRange: true }));
    await expect(p2.ensure({ train: [137], test: [] })).rejects.toThrow(
      /train-001\.bin: SHA-256 mismatch: manifest says/,
    );
  });

  it('a truncated or corrupt index is refused, naming the file', async () => {
    const cut = new Map(files);
    cut.set('index.bin', files.get('index.bin')!.subarray(0, 1000));
    await expect(open(server(cut))).rejects.toThrow(
      /datasets\/synthetic\/index\.bin: SHA-256 mismatch.*1000 bytes, expected/,
    );
    // decoding checks the structure on its own too
    expect(() => decodeIndex(files.get('index.bin')!.subarray(0, 1000), manifest, 'index.bin')).toThrow(
      /index\.bin: invalid image index: truncated: 1000 bytes, expected/,
    );
    expect(() => decodeIndex(files.get('index.bin')!.subarray(0, 10), manifest, 'index.bin')).toThrow(
      /truncated: 10 bytes, the header alone is 16/,
    );
    const missing = new Map(files);
    missing.delete('index.bin');
    await expect(open(server(missing))).rejects.toThrow(/index\.bin: HTTP 404/);
  });

  it('a 206 answer of the wrong length or range is an error, not a silent shift', async () => {
    const s = server(files);
    const short: Fetcher = async (url, init) => {
      const res = await s.fetch(url, init);
      if (res.status !== 206) return res;
      const b = new Uint8Array(await res.arrayBuffer());
      return new Response(b.subarray(0, b.length - 1), { status: 206 });
    };
    const { partial } = await open({ fetch: short, log: [] });
    await expect(partial.ensure({ train: [5], test: [] })).rejects.toThrow(
      /train-000\.bin: asked for bytes \d+-\d+ \(3072 bytes\), got 3071/,
    );
    const shifted: Fetcher = async (url, init) => {
      const res = await s.fetch(url, init);
      if (res.status !== 206) return res;
      return new Response(await res.arrayBuffer(), {
        status: 206,
        headers: { 'content-range': 'bytes 0-3071/307216' },
      });
    };
    const { partial: p2 } = await open({ fetch: shifted, log: [] });
    await expect(p2.ensure({ train: [5], test: [] })).rejects.toThrow(
      /the server answered Content-Range "bytes 0-3071/,
    );
  });

  it('offline with nothing kept: a clear error naming the file', async () => {
    const store = memoryStore();
    const s = server(files);
    const { partial } = await open(s, store);
    await partial.ensure({ train: [1], test: [] });
    const offline: Fetcher = async () => {
      throw new TypeError('Failed to fetch');
    };
    const { partial: p2 } = await open({ fetch: offline, log: [] }, store);
    await p2.ensure({ train: [1], test: [] });
    await expect(p2.ensure({ train: [2], test: [] })).rejects.toThrow(
      /train-000\.bin: could not download \(Failed to fetch\)/,
    );
  });
});
