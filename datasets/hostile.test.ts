/**
 * `npm run datasets` on hostile input (issue 12): errors raised inside the stream pipeline's sink keep their
 * cause, a directory given as the archive says so with its path, a decompression bomb is stopped, and the
 * prepared data stays intact (no temp folders left) after every failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCifar10, prepareSvhn } from './prepare';
import { cifarArchive, cifarBatch, svhnVars, writeMat } from './test-helpers';
import { buildTar } from '../src/core/data/tar';
import { fixTarChecksum } from '../src/core/data/fuzz/targets.test-util';
import { zeroBomb } from '../src/core/data/fuzz-regressions/regressions.test-util';

const root = mkdtempSync(join(tmpdir(), 'ull-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const out = join(root, 'out');
let before = '';
let shardsBefore: string[] = [];

function file(name: string, bytes: Uint8Array): string {
  const p = join(root, name);
  writeFileSync(p, bytes);
  return p;
}

/** The official layout with one batch replaced (or duplicated). */
function archiveWith(
  replace: Record<string, Uint8Array>,
  extra: { name: string; data: Uint8Array }[] = [],
): Uint8Array {
  const files: { name: string; data: Uint8Array }[] = [];
  for (let b = 1; b <= 5; b++) {
    files.push({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarBatch([1, 2, 3]) });
  }
  files.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch([4, 5]) });
  for (const f of files) {
    const base = f.name.split('/').pop()!;
    if (replace[base]) f.data = replace[base];
  }
  return new Uint8Array(gzipSync(buildTar([...files, ...extra])));
}

function expectIntact() {
  expect(readFileSync(join(out, 'cifar10', 'manifest.json'), 'utf8')).toBe(before);
  expect(readdirSync(join(out, 'cifar10')).sort()).toEqual(shardsBefore);
  expect(readdirSync(out)).toEqual(['cifar10']); // no temp folders
}

beforeAll(async () => {
  await prepareCifar10({ archive: file('good.tar.gz', cifarArchive({ perBatch: 20, test: 30 })), out, expect: null });
  before = readFileSync(join(out, 'cifar10', 'manifest.json'), 'utf8');
  shardsBefore = readdirSync(join(out, 'cifar10')).sort();
});

describe('npm run datasets on hostile archives', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    [
      'wrong record size',
      () => archiveWith({ 'data_batch_2.bin': cifarBatch([1, 2]).subarray(0, 5000) }),
      /data_batch_2\.bin: wrong record size: 5000 bytes/,
    ],
    [
      'bad label',
      () => archiveWith({ 'test_batch.bin': cifarBatch([4, 12]) }),
      /test_batch\.bin: label 12 out of range 0\.\.9 in record 1/,
    ],
    [
      'duplicate batch',
      () => archiveWith({}, [{ name: 'again/data_batch_3.bin', data: cifarBatch([1]) }]),
      /data_batch_3\.bin occurs twice in the archive/,
    ],
    [
      'bad tar checksum',
      () => {
        const t = buildTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch([1]) }]);
        t[20] ^= 0xff;
        return new Uint8Array(gzipSync(t));
      },
      /corrupt or not a tar archive: bad header checksum at offset 0/,
    ],
    [
      'oversized entry (declared 8 GiB)',
      () => {
        const t = buildTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: new Uint8Array(0) }]);
        t.set(new TextEncoder().encode('77777777777\0'), 124);
        fixTarChecksum(t, 0);
        return new Uint8Array(gzipSync(t));
      },
      /data_batch_1\.bin: wrong batch size: 8589934591 bytes, more than the 30730000 of an official batch/,
    ],
    ['gzip bomb (64 KB → 64 MiB of zeros)', () => zeroBomb('gzip', 64), /decompression bomb/],
  ];
  for (const [what, make, re] of cases) {
    it(`${what}: its own LabError, not "The operation was aborted", naming the archive, data intact`, async () => {
      const p = file(`${what.replace(/\W+/g, '-')}.tar.gz`, make());
      const err = await prepareCifar10({ archive: p, out, expect: null }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.name).toBe('LabError');
      expect(err?.message).not.toMatch(/operation was aborted/i);
      expect(err?.message.startsWith(p)).toBe(true);
      expect(err?.message).toMatch(re);
      expectIntact();
    });
  }

  it('a gzip archive with trailing zero padding (valid: gzip -t passes) prepares as in the page', async () => {
    const gz = cifarArchive({ perBatch: 20, test: 30 });
    const padded = new Uint8Array(gz.length + 4096);
    padded.set(gz);
    const out2 = join(root, 'out-padded');
    // before issue 19 the CLI failed here with "The operation was aborted" / "Premature close"
    const r = await prepareCifar10({ archive: file('padded.tar.gz', padded), out: out2, expect: null });
    expect(r.manifest.splits.train.count).toBe(100);
    // the same images as the unpadded archive: the same shards
    const splits = (text: string) => (JSON.parse(text) as { splits: unknown }).splits;
    expect(splits(readFileSync(join(out2, 'cifar10', 'manifest.json'), 'utf8'))).toEqual(splits(before));
  });

  it('a directory given as the archive (or as an SVHN file) says so, with the path', async () => {
    const dir = join(root, 'a-directory.tar.gz');
    mkdirSync(dir, { recursive: true });
    await expect(prepareCifar10({ archive: dir, out, expect: null })).rejects.toThrow(
      `${dir}: is a directory, not the archive file; give the path of the file itself`,
    );
    const test = file('test_32x32.mat', writeMat(svhnVars([1, 2])));
    await expect(prepareSvhn({ train: dir, test, out })).rejects.toThrow(
      `${dir}: is a directory, not the SVHN train .mat file`,
    );
    await expect(prepareCifar10({ archive: join(root, 'missing.tgz'), out, expect: null })).rejects.toThrow(
      /missing\.tgz: archive not found/,
    );
    expectIntact();
  });

  it('the CLI reports the negative-size PAX archive in one line (child process: a hang fails, not freezes)', () => {
    const gz = readFileSync(new URL('../src/core/data/fuzz-regressions/pax-negative-size.tar.gz', import.meta.url));
    const p = file('pax-negative.tar.gz', gz);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'datasets/prepare.ts', '--archive', p, '--out', out], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal, 'killed by the timeout: the reader hung').toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: ${p}: corrupt PAX extended header (entry at offset 0): ` +
        'size "-1000000" is not a non-negative decimal number',
    ]);
    expectIntact();
  });
});

describe('npm run datasets: an unusable --out', () => {
  it('a file where the output folder should be gives a LabError with the path', async () => {
    const notDir = file('not-a-folder', new Uint8Array([1]));
    const err = await prepareCifar10({ archive: join(root, 'good.tar.gz'), out: notDir, expect: null }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('LabError');
    expect(err?.message).toMatch(/not-a-folder\/cifar10: cannot write the prepared dataset here \(.*(EEXIST|ENOTDIR)/);
  });
});
