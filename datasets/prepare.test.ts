import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, prepareCifar10, prepareSvhn } from './prepare';
import { atomicDir, recoverLeftovers } from './io';
import { cifarArchive, sameBytes, svhnVars, writeMat } from './test-helpers';
import { loadDatasetNode } from '../src/cli/dataset-node';

const root = mkdtempSync(join(tmpdir(), 'ull-prepare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const p = join(root, name);
  writeFileSync(p, bytes);
  return p;
}

const good = () => file('good.tar.gz', cifarArchive({ perBatch: 20, test: 30 }));

describe('prepare CIFAR-10', () => {
  it('writes shards + manifest that load back, with an MD5 warning for a non-official archive', async () => {
    const out = join(root, 'out1');
    const lines: string[] = [];
    const r = await prepareCifar10({ archive: good(), out, expect: null, shardImages: 40, log: (s) => lines.push(s) });
    expect(r.manifest.splits.train.count).toBe(100);
    expect(r.manifest.splits.train.shards.length).toBe(3);
    expect(r.manifest.source.md5Matches).toBe(false);
    expect(r.manifest.source.md5Official).toBe('c32a1d4ab5d03f1284b67883e8d87530');
    expect(r.warnings[0]).toMatch(/MD5 [0-9a-f]{32} differs from the official archive's/);
    expect(readdirSync(out)).toEqual(['cifar10']);
    expect(readdirSync(join(out, 'cifar10')).sort()).toEqual([
      'index.bin',
      'manifest.json',
      'test-000.bin',
      'train-000.bin',
      'train-001.bin',
      'train-002.bin',
    ]);
    const ds = await loadDatasetNode('cifar10', { dir: out });
    expect(ds.train.n).toBe(100);
    expect(ds.test.n).toBe(30);
    // a corrupted shard on disk is caught
    const p = join(out, 'cifar10', 'train-001.bin');
    const b = readFileSync(p);
    b[1000] ^= 0xff;
    writeFileSync(p, b);
    await expect(loadDatasetNode('cifar10', { dir: out })).rejects.toThrow(/train-001\.bin: SHA-256 mismatch/);
  });

  it('a failed run leaves the previous data untouched and no temp folders', async () => {
    const out = join(root, 'out2');
    await prepareCifar10({ archive: good(), out, expect: null });
    const before = readFileSync(join(out, 'cifar10', 'manifest.json'), 'utf8');
    const gz = cifarArchive({ perBatch: 20, test: 30 });
    const cut = file('cut.tar.gz', gz.subarray(0, Math.floor(gz.length * 0.7)));
    await expect(prepareCifar10({ archive: cut, out, expect: null })).rejects.toThrow(
      /cut\.tar\.gz: truncated gzip archive \(the file ends early/,
    );
    // a structurally bad archive (missing batch) fails the same way
    const miss = file('miss.tar.gz', cifarArchive({ omit: 'test_batch.bin' }));
    await expect(prepareCifar10({ archive: miss, out, expect: null })).rejects.toThrow(/missing test_batch\.bin/);
    // counts of the real dataset are enforced by default: each batch has an exact size, checked from its tar header
    await expect(prepareCifar10({ archive: good(), out })).rejects.toThrow(
      /good\.tar\.gz: cifar-10-batches-bin\/data_batch_1\.bin: wrong batch size: 61460 bytes, expected exactly 307/,
    );
    expect(readFileSync(join(out, 'cifar10', 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(out)).toEqual(['cifar10']);
    expect((await loadDatasetNode('cifar10', { dir: out })).train.n).toBe(100);
  });

  it('atomic writer: abort keeps the old folder; commit replaces it; leftovers are recovered', async () => {
    const out = join(root, 'out3');
    const w1 = await atomicDir(out, 'svhn');
    await w1.write('a.txt', 'one');
    await w1.commit();
    const w2 = await atomicDir(out, 'svhn');
    await w2.write('a.txt', 'two');
    await expect(w2.write('../evil', 'x')).rejects.toThrow(/odd file name/);
    await w2.abort();
    expect(readFileSync(join(out, 'svhn', 'a.txt'), 'utf8')).toBe('one');
    expect(readdirSync(out)).toEqual(['svhn']);
    // an interrupted swap (old folder renamed away, new one not in place) by a dead process is undone
    const { renameSync, mkdirSync } = await import('node:fs');
    renameSync(join(out, 'svhn'), join(out, '.svhn.old-999999999-x'));
    mkdirSync(join(out, '.svhn.tmp-999999999-x'));
    await recoverLeftovers(out, 'svhn');
    expect(readdirSync(out)).toEqual(['svhn']);
    expect(readFileSync(join(out, 'svhn', 'a.txt'), 'utf8')).toBe('one');
  });

  it('downloads when no archive is given (local server standing in for the official site)', async () => {
    const gz = cifarArchive();
    const server = createServer((req, res) => {
      if (req.url === '/cifar.tgz') {
        res.writeHead(200, { 'content-length': gz.length });
        res.end(gz);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const out = join(root, 'out4'),
        dl = join(root, 'dl');
      const r = await prepareCifar10({ out, downloadDir: dl, url: `http://127.0.0.1:${port}/cifar.tgz`, expect: null });
      expect(r.manifest.splits.test.count).toBe(20);
      expect(existsSync(join(dl, 'cifar-10-binary.tar.gz'))).toBe(true);
      await expect(
        prepareCifar10({ out, downloadDir: join(root, 'dl2'), url: `http://127.0.0.1:${port}/nope`, expect: null }),
      ).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('CLI prints a one-line error and returns non-zero', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const gz = cifarArchive();
      const cut = file('cli-cut.tar.gz', gz.subarray(0, 40));
      const code = await main(['--archive', cut, '--out', join(root, 'out5')], {});
      expect(code).toBe(1);
      expect(err).toHaveBeenCalledTimes(1);
      const msg = String(err.mock.calls[0][0]);
      expect(msg).not.toContain('\n');
      expect(msg).toMatch(/^error: .*cli-cut\.tar\.gz: truncated gzip archive/);
      expect(existsSync(join(root, 'out5', 'cifar10'))).toBe(false);
      expect(await main(['--dataset', 'mnist'], {})).toBe(2);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});

describe('prepare SVHN', () => {
  it('writes a capped training split and records the subset in the manifest', async () => {
    const trainLabels = Array.from({ length: 80 }, (_, i) => (i % 10) + 1);
    const train = file('train_32x32.mat', writeMat(svhnVars(trainLabels), { compress: true }));
    const test = file('test_32x32.mat', writeMat(svhnVars([1, 2, 3, 10, 10])));
    const out = join(root, 'out6');
    const r = await prepareSvhn({ train, test, out, seed: 3, trainCapPerClass: 5 });
    expect(r.manifest.id).toBe('svhn');
    expect(r.manifest.splits.train.count).toBe(50);
    expect(r.manifest.splits.train.perClass).toEqual(Array(10).fill(5));
    expect(r.manifest.splits.test.perClass).toEqual([2, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(r.manifest.subset).toEqual({
      perClassCap: 5,
      seed: '3',
      sourceCount: 80,
      sourcePerClass: Array(10).fill(8),
    });
    expect(r.manifest.source.files?.map((f) => f.name)).toEqual(['train_32x32.mat', 'test_32x32.mat']);
    expect(r.warnings.length).toBe(2);
    const ds = await loadDatasetNode('svhn', { dir: out });
    expect(ds.train.n).toBe(50);
    expect(ds.mean).toEqual([0.4377, 0.4438, 0.4728]);
    const again = await prepareSvhn({ train, test, out: join(root, 'out7'), seed: 3, trainCapPerClass: 5 });
    const ds2 = await loadDatasetNode('svhn', { dir: join(root, 'out7') });
    expect(sameBytes(ds2.train.images, ds.train.images)).toBe(true);
    expect(again.manifest.splits.train.shards[0].sha256).toBe(r.manifest.splits.train.shards[0].sha256);
    const bad = file('bad.mat', new TextEncoder().encode('not a mat file at all'));
    await expect(prepareSvhn({ train: bad, test, out })).rejects.toThrow(/bad\.mat: not a MAT v5 file/);
    expect((await loadDatasetNode('svhn', { dir: out })).train.n).toBe(50);
  });
});

describe('loadDatasetNode', () => {
  it('explains how to prepare a missing dataset and builds synthetic without files', async () => {
    await expect(loadDatasetNode('cifar10', { dir: join(root, 'none') })).rejects.toThrow(
      /cifar10 is not prepared .*npm run datasets -- --archive/,
    );
    const s = await loadDatasetNode('synthetic', { seed: 1, trainPerClass: 2, testPerClass: 1 });
    expect([s.train.n, s.test.n]).toEqual([20, 10]);
  });
});
