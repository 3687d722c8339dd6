/**
 * Files the lab reads are stat-ed first (issue 19 item 4): dataset shards, manifests, weights-cache entries (and
 * resume files, method-store.test.ts) must be regular files within their cap. A FIFO hung these readers before and
 * a symlink to /dev/zero was read until memory ran out; a symlinked data folder stays a legitimate setup.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCifar10 } from './prepare';
import { cifarArchive } from './test-helpers';
import { loadDatasetNode } from '../src/cli/dataset-node';
import { FileWeightsCache } from '../src/cli/node-io';
import { readRegularFile } from '../src/cli/regular-file';

const root = mkdtempSync(join(tmpdir(), 'lab-regular-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const good = join(root, 'good');

beforeAll(async () => {
  const archive = join(root, 'a.tar.gz');
  writeFileSync(archive, cifarArchive({ perBatch: 20, test: 30 }));
  await prepareCifar10({ archive, out: good, expect: null });
});

/** A copy of the prepared folder with `file` replaced by what `make` puts at its path. */
function variant(name: string, file: string, make: (path: string) => void): string {
  const dir = join(root, name);
  cpSync(good, dir, { recursive: true });
  const p = join(dir, 'cifar10', file);
  rmSync(p);
  make(p);
  return dir;
}

describe('reading only regular files within caps', { timeout: 20_000 }, () => {
  it('a symlinked data folder and symlinked shards load as before', async () => {
    const linked = join(root, 'linked');
    mkdirSync(linked);
    symlinkSync(join(good, 'cifar10'), join(linked, 'cifar10'));
    expect((await loadDatasetNode('cifar10', { dir: linked })).train.n).toBe(100);
    const shard = readdirSync(join(good, 'cifar10')).find((f) => /^(train|test)-\d+\.bin$/.test(f))!;
    const dir = variant('shard-link', shard, (p) => symlinkSync(join(good, 'cifar10', shard), p));
    expect((await loadDatasetNode('cifar10', { dir })).train.n).toBe(100);
  });

  it('a FIFO in place of a shard is refused at once, naming it', async () => {
    const shard = readdirSync(join(good, 'cifar10')).find((f) => /^(train|test)-\d+\.bin$/.test(f))!;
    const dir = variant('shard-fifo', shard, (p) => execFileSync('mkfifo', [p]));
    await expect(loadDatasetNode('cifar10', { dir })).rejects.toThrow(
      new RegExp(`${shard}: is a FIFO \\(named pipe\\), not a regular file`),
    );
  });

  it('a manifest that is a symlink to /dev/zero is refused, not read until memory runs out', async () => {
    const dir = variant('manifest-zero', 'manifest.json', (p) => symlinkSync('/dev/zero', p));
    await expect(loadDatasetNode('cifar10', { dir })).rejects.toThrow(/manifest\.json: is a character device/);
  });

  it('a weights-cache entry that is a FIFO or /dev/zero is ignored (retrain), not read', async () => {
    const cache = new FileWeightsCache(join(root, 'cache'));
    await cache.put('k', new Uint8Array([1, 2, 3]));
    expect(Array.from((await cache.get('k'))!)).toEqual([1, 2, 3]);
    const file = readdirSync(join(root, 'cache')).find((f) => f.endsWith('.bin'))!;
    rmSync(join(root, 'cache', file));
    execFileSync('mkfifo', [join(root, 'cache', file)]);
    const err = process.stderr.write;
    const lines: string[] = [];
    process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write;
    try {
      expect(await cache.get('k')).toBeNull();
      rmSync(join(root, 'cache', file));
      symlinkSync('/dev/zero', join(root, 'cache', file));
      expect(await cache.get('k')).toBeNull();
    } finally {
      process.stderr.write = err;
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/FIFO/);
  });

  it('a file larger than its cap is refused before it is read', async () => {
    const p = join(root, 'big.bin');
    writeFileSync(p, new Uint8Array(1000));
    await expect(readRegularFile(p, 999)).rejects.toThrow(/big\.bin: holds 1,000 bytes, more than the 999 allowed/);
    expect((await readRegularFile(p, 1000)).length).toBe(1000);
  });
});
