import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, Cifar10TarCollector, parseCifar10Archive, parseCifarBatch } from './cifar10';
import { inflateAll, inflateChunks } from './gzip';
import { buildTar } from './tar';
import { LabError } from '../types';
import { cifarArchive, cifarBatch, pix } from '../../../datasets/test-helpers';

describe('CIFAR-10 batch parser', () => {
  it('converts CHW planes to NHWC', () => {
    const s = parseCifarBatch(cifarBatch([3, 9, 0]));
    expect(s.n).toBe(3);
    expect([...s.labels]).toEqual([3, 9, 0]);
    for (const [i, y, x, c] of [
      [0, 0, 0, 0],
      [1, 5, 17, 2],
      [2, 31, 31, 1],
      [2, 0, 31, 2],
    ]) {
      expect(s.images[i * 3072 + (y * 32 + x) * 3 + c]).toBe(pix(i, y, x, c));
    }
  });

  it('rejects a wrong record size and out-of-range labels, naming the file', () => {
    const b = cifarBatch([1, 2]);
    expect(() => parseCifarBatch(b.subarray(0, b.length - 5), 'data_batch_1.bin')).toThrow(
      /data_batch_1\.bin: wrong record size: 6141 bytes .*3073-byte records.*3068 bytes left over/,
    );
    expect(() => parseCifarBatch(new Uint8Array(0), 'e.bin')).toThrow(/e\.bin: wrong record size/);
    b[3073] = 10;
    expect(() => parseCifarBatch(b, 'data_batch_2.bin')).toThrow(
      'data_batch_2.bin: label 10 out of range 0..9 in record 1',
    );
  });

  it('decodes real records of the official format (first 4000 lossless records)', async () => {
    const f = '../shared/datasets/cifar-10-train-first4000-lossless.bin.gz';
    if (!existsSync(f)) return;
    const raw = new Uint8Array(gunzipSync(readFileSync(f)));
    const s = parseCifarBatch(raw, f);
    expect(s.n).toBe(4000);
    // spot checks against the raw planes
    for (const r of [0, 1234, 3999]) {
      for (const [y, x] of [
        [0, 0],
        [13, 29],
        [31, 31],
      ]) {
        for (let c = 0; c < 3; c++)
          expect(s.images[r * 3072 + (y * 32 + x) * 3 + c]).toBe(raw[r * 3073 + 1 + c * 1024 + y * 32 + x]);
      }
    }
    // official first training labels: frog, truck, truck, deer, automobile
    expect([...s.labels.subarray(0, 5)]).toEqual([6, 9, 9, 4, 1]);
  });
});

describe('CIFAR-10 archive parser', () => {
  it('parses a small gzip archive in the official layout', async () => {
    const ds = await parseCifar10Archive(cifarArchive({ perBatch: 20, test: 30 }), { expect: null });
    expect(ds.id).toBe('cifar10');
    expect(ds.classes).toEqual(CIFAR10_CLASSES);
    expect(ds.train.n).toBe(100);
    expect(ds.test.n).toBe(30);
    // batch 3's first record is global train index 40, label (0+3)%10
    expect(ds.train.labels[40]).toBe(3);
    expect(ds.train.images[40 * 3072 + (2 * 32 + 5) * 3 + 1]).toBe(pix(40, 2, 5, 1));
    expect(ds.mean).toEqual([0.4914, 0.4822, 0.4465]);
  });

  it('accepts a stream and a plain (uncompressed) tar', async () => {
    const gz = cifarArchive();
    const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream();
    expect((await parseCifar10Archive(stream, { expect: null })).train.n).toBe(100);
    expect((await parseCifar10Archive(cifarArchive({ gzip: false }), { expect: null })).test.n).toBe(20);
  });

  it('checks the official counts by default', async () => {
    // every official batch holds exactly 10,000 records: checked from the tar header, before the file is read
    await expect(parseCifar10Archive(cifarArchive(), { file: 'small.tar.gz' })).rejects.toThrow(
      'small.tar.gz: cifar-10-batches-bin/data_batch_1.bin: wrong batch size: 61460 bytes, expected exactly 30730000',
    );
    await expect(
      parseCifar10Archive(cifarArchive({ perBatch: 15 }), { expect: { train: 75, test: 20, balanced: true } }),
    ).rejects.toThrow(/expected 7.5 train images of class 0, found \d+/);
  });

  it('reports a truncated archive', async () => {
    const gz = cifarArchive();
    const err = await parseCifar10Archive(gz.subarray(0, Math.floor(gz.length / 2)), {
      file: 'cut.tar.gz',
      expect: null,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err.message).toMatch(/^cut\.tar\.gz: truncated gzip archive/);
    // a tar cut inside an entry, then re-gzipped (valid gzip, broken tar)
    const tar = gunzipSync(gz);
    const cut = new Uint8Array(gzipSync(tar.subarray(0, 512 * 4 + 1000)));
    await expect(parseCifar10Archive(cut, { file: 'cut2.tar.gz', expect: null })).rejects.toThrow(
      /cut2\.tar\.gz: truncated tar archive: entry .*data_batch_1\.bin ends early/,
    );
  });

  it('reports corrupt data, a missing batch, a wrong record size, and a non-archive', async () => {
    const gz = cifarArchive();
    const bad = gz.slice();
    for (let i = 40; i < 80; i++) bad[i] ^= 0x5a;
    await expect(parseCifar10Archive(bad, { file: 'bad.tar.gz', expect: null })).rejects.toThrow(
      /bad\.tar\.gz: (corrupt|truncated)/,
    );
    await expect(
      parseCifar10Archive(cifarArchive({ omit: 'data_batch_4.bin' }), { file: 'm.tar.gz', expect: null }),
    ).rejects.toThrow('m.tar.gz: not a complete CIFAR-10 binary archive: missing data_batch_4.bin');
    await expect(
      parseCifar10Archive(new TextEncoder().encode('hello world'), { file: 'x.bin', expect: null }),
    ).rejects.toThrow(/x\.bin: not a tar archive/);
  });

  it('gzip helper inflates and reports truncation', async () => {
    const data = new Uint8Array(50000).map((_, i) => i % 251);
    const gz = new Uint8Array(gzipSync(data));
    expect(await inflateAll(gz, 'gzip', 'a.gz')).toEqual(data);
    await expect(inflateAll(gz.subarray(0, gz.length - 10), 'gzip', 'a.gz')).rejects.toThrow(
      /a\.gz: truncated gzip archive/,
    );
  });

  it('caps decompression: absolute size and ratio (a small file cannot inflate into gigabytes)', async () => {
    const zeros = new Uint8Array(gzipSync(new Uint8Array(6 << 20)));
    expect(zeros.length).toBeLessThan(10000);
    await expect(inflateAll(zeros, 'gzip', 'z.gz')).rejects.toThrow(
      /^z\.gz: decompression bomb: \d+ compressed bytes inflate to more than \d+ bytes \(over 50× the input/,
    );
    await expect(inflateAll(zeros, 'gzip', 'z.gz', { maxBytes: 1 << 20 })).rejects.toThrow(
      'z.gz: decompressed data exceeds the limit of 1 MiB',
    );
    // within the ratio floor, compressible data is fine
    expect((await inflateAll(zeros, 'gzip', 'z.gz', { ratioFloor: 8 << 20 })).length).toBe(6 << 20);
    // a consumer's own error stops decompression and becomes a LabError naming the file
    await expect(
      inflateChunks(zeros, 'gzip', 'z.gz', () => {
        throw new TypeError('boom');
      }),
    ).rejects.toThrow('z.gz: cannot read the decompressed data (boom)');
  });

  it("checks each batch's exact size from its tar header, before reading it", () => {
    // streaming collector: only the header block of data_batch_1.bin is pushed, no data
    const tar = buildTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch([1, 2]) }]);
    const official = new Cifar10TarCollector('c.tar.gz');
    expect(() => official.push(tar.subarray(0, 512))).toThrow(
      'c.tar.gz: cifar-10-batches-bin/data_batch_1.bin: wrong batch size: 6146 bytes, expected exactly 30730000',
    );
    new Cifar10TarCollector('c.tar.gz', { expect: { train: 10, test: 2, balanced: false } }).push(tar.subarray(0, 512));
    const three = new Cifar10TarCollector('c.tar.gz', { expect: { train: 15, test: 3, balanced: false } });
    expect(() => three.push(tar.subarray(0, 512))).toThrow(
      /data_batch_1\.bin: wrong batch size: 6146 bytes, expected exactly 9219/,
    );
    const any = new Cifar10TarCollector('c.tar.gz', { expect: null });
    any.push(tar.subarray(0, 512));
    expect(() => parseCifarBatch(cifarBatch([1, 2]), 'b.bin', 10, 3)).toThrow(
      'b.bin: wrong batch size: 6146 bytes, expected exactly 9219',
    );
  });
});
