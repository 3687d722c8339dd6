import { describe, expect, it } from 'vitest';
import { readMat } from './mat';
import { capPerClass, parseSvhnMat, svhnFromMat, svhnSplitFromMat } from './svhn';
import { Rng } from '../rng';
import { pix, sameBytes, svhnVars, writeMat, type MatVar } from '../../../datasets/test-helpers';

const LABELS = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1];

function checkSplit(s: Awaited<ReturnType<typeof svhnSplitFromMat>>) {
  expect(s.n).toBe(LABELS.length);
  expect([...s.labels]).toEqual(LABELS.map((l) => (l === 10 ? 0 : l)));
  // X(i,j,k,m) column-major: row i, column j → NHWC [m, i, j, k]
  for (const [m, i, j, k] of [
    [0, 0, 0, 0],
    [3, 1, 30, 2],
    [11, 31, 0, 1],
    [7, 17, 9, 0],
  ]) {
    expect(s.images[m * 3072 + (i * 32 + j) * 3 + k]).toBe(pix(m, i, j, k));
  }
}

describe('MAT v5 reader', () => {
  for (const compress of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`reads X/y (${compress ? 'miCOMPRESSED' : 'uncompressed'}, ${bigEndian ? 'big' : 'little'}-endian)`, async () => {
        const bytes = writeMat(svhnVars(LABELS), { compress, bigEndian });
        const vars = await readMat(bytes, { file: 't.mat' });
        expect([...vars.keys()]).toEqual(['X', 'y']);
        expect(vars.get('X')!.dims).toEqual([32, 32, 3, LABELS.length]);
        expect(vars.get('y')!.className).toBe('double');
        expect([...vars.get('y')!.data!]).toEqual(LABELS);
        checkSplit(await svhnSplitFromMat(bytes, 't.mat'));
      });
    }
  }

  it('reads doubles stored as a smaller integer type (as MATLAB saves them) and skips other classes', async () => {
    const extra: MatVar = { name: 'note', cls: 'char', dims: [1, 2], data: Uint16Array.from([104, 105]) };
    const bytes = writeMat([extra, ...svhnVars(LABELS, { yStoreAs: 'uint8' })], { compress: true });
    const vars = await readMat(bytes);
    expect(vars.get('note')!.className).toBe('char');
    expect(vars.get('y')!.data).toBeInstanceOf(Float64Array);
    checkSplit(await svhnSplitFromMat(bytes, 'u.mat'));
  });

  it('rejects a file that is not MAT v5', async () => {
    await expect(readMat(new TextEncoder().encode('hello'), { file: 'a.mat' })).rejects.toThrow(
      /a\.mat: not a MAT v5 file/,
    );
    const junk = new Uint8Array(400).fill(65);
    await expect(readMat(junk, { file: 'b.mat' })).rejects.toThrow(
      /b\.mat: not a MAT v5 file \(no 'IM'\/'MI' byte-order mark/,
    );
    const v73 = writeMat([]);
    v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'), 0);
    await expect(readMat(v73, { file: 'c.mat' })).rejects.toThrow(/c\.mat: MAT v7\.3 \(HDF5\) files are not supported/);
  });

  it('reports truncated files', async () => {
    for (const compress of [false, true]) {
      const bytes = writeMat(svhnVars(LABELS), { compress });
      await expect(readMat(bytes.subarray(0, Math.floor(bytes.length * 0.6)), { file: 'cut.mat' })).rejects.toThrow(
        /cut\.mat: truncated MAT file: .* declares \d+ bytes but only \d+ remain/,
      );
      await expect(readMat(bytes.subarray(0, 131), { file: 'cut.mat' })).rejects.toThrow(
        /cut\.mat: truncated MAT file/,
      );
    }
  });

  it('reports corrupt compressed data', async () => {
    const bytes = writeMat(svhnVars(LABELS), { compress: true });
    const bad = bytes.slice();
    for (let i = 150; i < 190; i++) bad[i] ^= 0xa5;
    await expect(readMat(bad, { file: 'z.mat' })).rejects.toThrow(/z\.mat .*(corrupt|truncated)/);
  });

  it('reports missing variables, wrong dims and labels out of range', async () => {
    const [X, y] = svhnVars(LABELS);
    await expect(svhnSplitFromMat(writeMat([y]), 'noX.mat')).rejects.toThrow(
      'noX.mat: missing variable X (the images); found y',
    );
    await expect(svhnSplitFromMat(writeMat([X], { compress: true }), 'noY.mat')).rejects.toThrow(
      'noY.mat: missing variable y (the labels); found X',
    );
    const flat = { ...X, dims: [32, 96, 1, LABELS.length] } as MatVar;
    await expect(svhnSplitFromMat(writeMat([flat, y]), 'd.mat')).rejects.toThrow(
      'd.mat: variable X has dimensions 32×96×1×12, expected 32×32×3×N',
    );
    const yShort = { ...y, dims: [LABELS.length - 1, 1], data: (y.data as Float64Array).slice(1) } as MatVar;
    await expect(svhnSplitFromMat(writeMat([X, yShort]), 'y.mat')).rejects.toThrow(
      'y.mat: variable y has dimensions 11×1, expected 12×1 to match X',
    );
    for (const badLabel of [0, 11, 2.5]) {
      const yb = { ...y, data: Float64Array.from(LABELS.map((l, i) => (i === 4 ? badLabel : l))) } as MatVar;
      await expect(svhnSplitFromMat(writeMat([X, yb]), 'l.mat')).rejects.toThrow(
        `l.mat: label ${badLabel} out of range 1..10 at index 4 of y`,
      );
    }
    const Xd = { name: 'X', cls: 'double', dims: X.dims, data: Float64Array.from(X.data as Uint8Array) } as MatVar;
    await expect(svhnSplitFromMat(writeMat([Xd, y]), 'x.mat')).rejects.toThrow(
      'x.mat: variable X must be uint8, found double',
    );
  });
});

describe('SVHN dataset', () => {
  it('caps training images per class with a seeded random subset; test is uncapped', async () => {
    const trainLabels = Array.from({ length: 60 }, (_, i) => (i % 10) + 1);
    const train = writeMat(svhnVars(trainLabels), { compress: true });
    const test = writeMat(svhnVars(LABELS));
    const a = await svhnFromMat(train, test, { seed: 7, trainCapPerClass: 4 });
    expect(a.dataset.id).toBe('svhn');
    expect(a.dataset.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(a.dataset.train.n).toBe(40);
    expect(a.dataset.test.n).toBe(LABELS.length);
    expect(a.subset).toEqual({ perClassCap: 4, seed: '7', sourceCount: 60, sourcePerClass: Array(10).fill(6) });
    const b = await svhnFromMat(train, test, { seed: 7, trainCapPerClass: 4 });
    expect(sameBytes(b.dataset.train.images, a.dataset.train.images)).toBe(true);
    const c = await svhnFromMat(train, test, { seed: 8, trainCapPerClass: 4 });
    expect(sameBytes(c.dataset.train.images, a.dataset.train.images)).toBe(false);
    const full = await parseSvhnMat(train, test, { trainCapPerClass: 0 });
    expect(full.train.n).toBe(60);
    expect(full.mean).toEqual([0.4377, 0.4438, 0.4728]);
  });

  it('capPerClass keeps source order and every class ≤ cap', () => {
    const n = 50;
    const labels = Uint8Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 1));
    const images = new Uint8Array(n * 3072).map((_, k) => Math.floor(k / 3072));
    const out = capPerClass({ images, labels, n }, 10, new Rng(1));
    expect(out.n).toBe(20);
    const ids = Array.from({ length: out.n }, (_, k) => out.images[k * 3072]);
    expect(ids).toEqual([...ids].sort((p, q) => p - q));
    expect(ids.filter((i) => i >= 30).length).toBe(10);
  });
});

describe('MAT v5 reader on hostile headers (issue 12)', () => {
  const one = (dims: number[], compress = false) =>
    writeMat([{ name: 'X', cls: 'uint8', dims, data: new Uint8Array(6) }], { compress });

  it('rejects absurd or negative dimensions and long names before allocating', async () => {
    await expect(readMat(one([0x7fffffff, 0x7fffffff, 3, 1]), { file: 'd.mat' })).rejects.toThrow(
      'd.mat: variable X declares absurd dimensions 2147483647×2147483647×3×1',
    );
    await expect(readMat(one([32, -1, 3, 1], true), { file: 'n.mat' })).rejects.toThrow(
      'n.mat: corrupt MAT file: negative dimension in 32×-1×3×1',
    );
    const long = writeMat([{ name: 'v'.repeat(300), cls: 'uint8', dims: [1, 1], data: new Uint8Array(1) }]);
    await expect(readMat(long, { file: 'l.mat' })).rejects.toThrow(/l\.mat: corrupt MAT file: array name of 300 bytes/);
  });

  it('caps decompression of a compressed element (a 256 KB element used to inflate to 256 MiB)', async () => {
    const { matBomb } = await import('./fuzz-regressions/regressions.test-util');
    const bomb = matBomb();
    expect(bomb.length).toBeLessThan(300 << 10);
    await expect(readMat(bomb, { file: 'bomb.mat' })).rejects.toThrow(
      /^bomb\.mat \(compressed element at offset 128\): decompression bomb: \d+ compressed bytes inflate to more than/,
    );
    // the absolute cap applies too
    const ok = writeMat(svhnVars([1, 2]), { compress: true });
    await expect(readMat(ok, { file: 'c.mat', inflate: { maxBytes: 1000 } })).rejects.toThrow(
      'c.mat (compressed element at offset 128): decompressed data exceeds the limit of 0.00 MiB',
    );
  });
});

describe('readMat: the decompression cap is per file (issue 19 item 4)', () => {
  it('many small compressed elements stop at the whole-file cap (the 27 GiB case, with a small injected cap)', async () => {
    const { matManyElements } = await import('./fuzz-regressions/regressions.test-util');
    // 10 elements of 1 MiB each, a 3 MiB cap for the file, ratio checks off: each element alone is fine
    const bytes = matManyElements(10);
    const inflate = { maxRatio: 1e9 };
    await expect(readMat(bytes, { file: 'x.mat', inflate })).resolves.toBeInstanceOf(Map);
    await expect(readMat(bytes, { file: 'x.mat', inflate, maxFileBytes: 3 << 20 })).rejects.toThrow(
      /^x\.mat: its compressed elements together inflate to more than the 3,145,728 bytes allowed for one file/,
    );
    // with the default caps the whole-file ratio guard stops 7,000 such elements after a few MiB
    await expect(readMat(matManyElements(7000), { file: 'y.mat' })).rejects.toThrow(/^y\.mat: decompression bomb/);
  });
});
