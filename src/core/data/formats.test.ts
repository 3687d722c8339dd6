import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildShards,
  channelStats,
  datasetFromShards,
  decodeShard,
  encodeShard,
  manifestShards,
  parseManifest,
  sha256Hex,
  validateManifest,
  SHARD_HEADER_BYTES,
} from './formats';
import { makeSyntheticDataset } from './synthetic';
import type { ImageDataset } from '../types';
import { sameBytes } from '../../../datasets/test-helpers';

const source = { archive: 'test', md5: '0'.repeat(32) };

function small(): ImageDataset {
  return makeSyntheticDataset({ seed: 3, trainPerClass: 7, testPerClass: 3 });
}

describe('shard format', () => {
  it('encodes and decodes a shard', () => {
    const ds = small();
    const b = encodeShard(ds.train, 5, 11);
    expect(b.length).toBe(SHARD_HEADER_BYTES + 11 * 3073);
    expect(String.fromCharCode(...b.subarray(0, 4))).toBe('ULDS');
    const s = decodeShard(b);
    expect(s.n).toBe(11);
    expect(sameBytes(s.labels, ds.train.labels.subarray(5, 16))).toBe(true);
    expect(sameBytes(s.images, ds.train.images.subarray(5 * 3072, 16 * 3072))).toBe(true);
  });

  it('rejects truncated, foreign and bad-label shards', () => {
    const b = encodeShard(small().train, 0, 4);
    expect(() => decodeShard(b.subarray(0, b.length - 1), 's.bin')).toThrow(/s\.bin: truncated shard/);
    expect(() => decodeShard(b.subarray(0, 8), 's.bin')).toThrow(/s\.bin: truncated shard/);
    const f = b.slice();
    f[0] = 0x50;
    expect(() => decodeShard(f, 'f.bin')).toThrow(/f\.bin: not a dataset shard/);
    const l = b.slice();
    l[SHARD_HEADER_BYTES + 2] = 12;
    expect(() => decodeShard(l, 'l.bin')).toThrow('l.bin: label 12 out of range 0..9 at image 2');
  });

  it('sha256Hex matches node:crypto', async () => {
    const b = new Uint8Array(1000).map((_, i) => i * 13);
    expect(await sha256Hex(b)).toBe(createHash('sha256').update(b).digest('hex'));
  });

  it('channelStats measures mean and std per channel', () => {
    const images = new Uint8Array(2 * 3072);
    for (let p = 0; p < 2048; p++) {
      images[p * 3] = p < 1024 ? 0 : 255;
      images[p * 3 + 1] = 51;
      images[p * 3 + 2] = 255;
    }
    const { mean, std } = channelStats({ images, labels: new Uint8Array(2), n: 2 });
    expect(mean).toEqual([0.5, 0.2, 1]);
    expect(std).toEqual([0.5, 0, 0]);
  });
});

describe('manifest + shards round trip', () => {
  it('rebuilds the same dataset and checks everything', async () => {
    const ds = small();
    const { manifest, files } = await buildShards(ds, source, { shardImages: 30 });
    expect(manifest.splits.train.count).toBe(70);
    expect(manifest.splits.train.shards.map((s) => s.count)).toEqual([30, 30, 10]);
    expect(manifest.splits.test.shards.map((s) => s.file)).toEqual(['test-000.bin']);
    expect(manifest.splits.train.perClass).toEqual(Array(10).fill(7));
    expect(manifest.normalisation).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    expect(manifest.mean.every((m) => m > 0.1 && m < 0.9)).toBe(true);
    expect(files.map((f) => f.file)).toEqual(manifestShards(manifest).map((s) => s.file));
    // through JSON, as a loader sees it
    const m2 = validateManifest(JSON.parse(JSON.stringify(manifest)));
    const back = await datasetFromShards(
      m2,
      files.map((f) => f.bytes),
    );
    expect(sameBytes(back.train.images, ds.train.images)).toBe(true);
    expect(sameBytes(back.train.labels, ds.train.labels)).toBe(true);
    expect(sameBytes(back.test.images, ds.test.images)).toBe(true);
    expect(back.classes).toEqual(ds.classes);
    expect(back.mean).toEqual(ds.mean);
  });

  it('detects a SHA-256 mismatch, a wrong size, a missing shard and a bad manifest', async () => {
    const { manifest, files } = await buildShards(small(), source, { shardImages: 30 });
    const bytes = files.map((f) => f.bytes.slice());
    bytes[1][SHARD_HEADER_BYTES + 100] ^= 1;
    await expect(datasetFromShards(manifest, bytes, { where: 'public/datasets/synthetic' })).rejects.toThrow(
      /public\/datasets\/synthetic\/train-001\.bin: SHA-256 mismatch \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)/,
    );
    // without verification the (pixel) corruption is not seen
    await expect(datasetFromShards(manifest, bytes, { verify: false })).resolves.toBeDefined();
    const short = files.map((f) => f.bytes);
    short[3] = short[3].subarray(0, 100);
    await expect(datasetFromShards(manifest, short)).rejects.toThrow(/test-000\.bin: size 100 differs from manifest/);
    await expect(
      datasetFromShards(
        manifest,
        files.slice(1).map((f) => f.bytes),
      ),
    ).rejects.toThrow('expected 4 shards, got 3');
    expect(() => validateManifest({ ...manifest, version: 99 }, 'm.json')).toThrow(
      /m\.json: invalid dataset manifest: version 99/,
    );
    const badCount = JSON.parse(JSON.stringify(manifest));
    badCount.splits.train.count = 71;
    expect(() => validateManifest(badCount)).toThrow(/shards hold 70 images, count says 71/);
    const badPc = JSON.parse(JSON.stringify(manifest));
    badPc.splits.test.perClass = [4, 2, 3, 3, 3, 3, 3, 3, 3, 3];
    await expect(
      datasetFromShards(
        badPc,
        files.map((f) => f.bytes),
      ),
    ).rejects.toThrow(/test split has 3 images of class 0, manifest says 4/);
  });
});

describe('manifest reader on hostile input (issue 12)', () => {
  it('rejects bad JSON, null entries, bad counts and duplicate shards with a LabError naming the file', async () => {
    const ds = makeSyntheticDataset({ seed: 'm', trainPerClass: 2, testPerClass: 1 });
    const { manifest } = await buildShards(ds, source, { shardImages: 10 });
    // a manifest as loose JSON, to be broken in any way
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    type Loose = any;
    const text = (f: (m: Loose) => void) => {
      const m = JSON.parse(JSON.stringify(manifest));
      f(m);
      return JSON.stringify(m);
    };
    const bad = (f: (m: Loose) => void) => () => parseManifest(text(f), 'm.json');
    expect(parseManifest(JSON.stringify(manifest), 'm.json').splits.train.count).toBe(20);
    expect(() => parseManifest('{"format": ', 'm.json')).toThrow(/^m\.json: invalid dataset manifest: not valid JSON/);
    expect(() => parseManifest('null', 'm.json')).toThrow('m.json: invalid dataset manifest: not a JSON object');
    expect(() =>
      parseManifest(
        text((m) => {
          m.splits.train.shards[0] = null;
        }),
        'm.json',
      ),
    ).toThrow('m.json: invalid dataset manifest: splits.train: a shard entry is null, not an object');
    expect(() =>
      parseManifest(
        text((m) => {
          m.splits = null;
        }),
        'm.json',
      ),
    ).toThrow('splits is missing or malformed');
    expect(() =>
      parseManifest(
        text((m) => {
          m.normalisation = null;
        }),
        'm.json',
      ),
    ).toThrow('normalisation must hold');
    expect(
      bad((m) => {
        m.classes[3] = 7;
      }),
    ).toThrow('class names must be short strings');
    expect(
      bad((m) => {
        m.splits.test.shards[0].count = -1;
      }),
    ).toThrow(/bad image count -1/);
    expect(
      bad((m) => {
        m.splits.test.shards[0].file = m.splits.train.shards[0].file;
      }),
    ).toThrow(/splits\.test: shard train-000\.bin is listed twice/);
    expect(
      bad((m) => {
        m.splits.test.perClass[0] = '1';
      }),
    ).toThrow(/perClass does not add up/);
  });

  it('checks the optional image index entry; a manifest without one (written before it existed) stays valid', async () => {
    const ds = makeSyntheticDataset({ seed: 'm', trainPerClass: 2, testPerClass: 1 });
    const { manifest, index } = await buildShards(ds, source, { shardImages: 10 });
    expect(manifest.index).toEqual({
      file: 'index.bin',
      sha256: await sha256Hex(index!.bytes),
      bytes: 16 + 30 * 9,
      hashBytes: 8,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const edit = (f: (m: any) => void) => () => {
      const m = JSON.parse(JSON.stringify(manifest));
      f(m);
      return parseManifest(JSON.stringify(m), 'm.json');
    };
    expect(
      edit((m) => {
        delete m.index;
      })().index,
    ).toBeUndefined();
    expect(
      edit((m) => {
        m.index.bytes = 100;
      }),
    ).toThrow('m.json: invalid dataset manifest: index size 100 does not match the image counts (286 bytes)');
    expect(
      edit((m) => {
        m.index.file = 'train-000.bin';
      }),
    ).toThrow(/index file train-000\.bin is also listed as a shard/);
    expect(
      edit((m) => {
        m.index.sha256 = 'x';
      }),
    ).toThrow(/bad sha256 for the index/);
    expect(
      edit((m) => {
        m.index = [];
      }),
    ).toThrow(/index is \[\], not an object/);
    expect(
      edit((m) => {
        m.index.hashBytes = 2;
      }),
    ).toThrow(/index hashBytes 2 is not an integer in 4\.\.32/);
  });
});
