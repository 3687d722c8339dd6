/**
 * CIFAR-10 "binary version" parser: the official `cifar-10-binary.tar.gz` (cifar-10-batches-bin/data_batch_1..5.bin,
 * test_batch.bin, batches.meta.txt). Each record is 1 label byte + 1024 R + 1024 G + 1024 B bytes, each plane
 * row-major 32×32; records are converted to NHWC (R,G,B interleaved).
 */
import type { ImageDataset, ImageSplit } from '../types';
import { LabError, NORMALISATION } from '../types';
import { inflateChunks, isGzip, type ByteSource, type InflateLimits } from './gzip';
import { TarParser } from './tar';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_RECORD = 1 + 3072;
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** official archive */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_ARCHIVE_BYTES = 170_052_171;
/** records in every official batch file (data_batch_1..5.bin, test_batch.bin): 30,730,000 bytes each */
export const CIFAR10_BATCH_RECORDS = 10000;
/** caps on decompressing the archive (the official tar is 184 MB) */
export const CIFAR10_INFLATE: Partial<InflateLimits> = { maxBytes: 512 << 20 };
/** batches.meta.txt larger than this is ignored (the official one is 61 bytes) */
const META_MAX_BYTES = 64 << 10;

/** Expected sizes of the official data; `null` skips the count checks (tests on small archives). */
export interface CifarExpect {
  train: number;
  test: number;
  /** per-class counts: train/10 and test/10 */
  balanced: boolean;
}
export const CIFAR10_EXPECT: CifarExpect = { train: 50000, test: 10000, balanced: true };

/** Records a batch file must hold: the exact official count, or (small test archives) at most the official count. */
export function expectedBatchRecords(base: string, expect: CifarExpect | null): number | null {
  if (!expect) return null;
  return base === CIFAR10_TEST_FILE ? expect.test : expect.train / CIFAR10_TRAIN_FILES.length;
}

/** Check a batch file's declared size before it is read: exact when `records` is known, else ≤ the official size. */
export function checkBatchSize(size: number, file: string, records: number | null): void {
  if (records !== null && size !== records * CIFAR10_RECORD) {
    throw new LabError(
      `wrong batch size: ${size} bytes, expected exactly ${records * CIFAR10_RECORD} (${records} records of ` +
        `${CIFAR10_RECORD} bytes)`,
      file,
    );
  }
  if (size > CIFAR10_BATCH_RECORDS * CIFAR10_RECORD) {
    throw new LabError(
      `wrong batch size: ${size} bytes, more than the ${CIFAR10_BATCH_RECORDS * CIFAR10_RECORD} of an official batch`,
      file,
    );
  }
}

/**
 * Parse one CIFAR-10 binary batch. Throws a LabError naming `file` on a wrong size or an out-of-range label.
 * `records`: the exact number of records required (null: any whole number up to the official 10,000).
 */
export function parseCifarBatch(
  bytes: Uint8Array,
  file = 'CIFAR-10 batch',
  numClasses = 10,
  records: number | null = null,
): ImageSplit {
  checkBatchSize(bytes.length, file, records);
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD !== 0) {
    throw new LabError(
      `wrong record size: ${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD}-byte records ` +
        `(1 label + 3072 pixels)${bytes.length % CIFAR10_RECORD ? `; ${bytes.length % CIFAR10_RECORD} bytes left over` : ''}`,
      file,
    );
  }
  const n = bytes.length / CIFAR10_RECORD;
  const labels = new Uint8Array(n);
  const images = new Uint8Array(n * 3072);
  for (let r = 0; r < n; r++) {
    const src = r * CIFAR10_RECORD;
    const lab = bytes[src];
    if (lab >= numClasses) throw new LabError(`label ${lab} out of range 0..${numClasses - 1} in record ${r}`, file);
    labels[r] = lab;
    const dst = r * 3072;
    const R = src + 1,
      G = src + 1025,
      B = src + 2049;
    for (let p = 0; p < 1024; p++) {
      const d = dst + p * 3;
      images[d] = bytes[R + p];
      images[d + 1] = bytes[G + p];
      images[d + 2] = bytes[B + p];
    }
  }
  return { images, labels, n };
}

export function concatSplits(parts: ImageSplit[]): ImageSplit {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    images.set(p.images, o * 3072);
    labels.set(p.labels, o);
    o += p.n;
  }
  return { images, labels, n };
}

export function classCounts(labels: ArrayLike<number>, numClasses = 10): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/**
 * Collects the CIFAR-10 batch files from a stream of *decompressed tar* bytes. Shared by the browser
 * (DecompressionStream) and the Node CLI (zlib): feed `push`, then `finish`.
 */
export class Cifar10TarCollector {
  private readonly tar: TarParser;
  private readonly batches = new Map<string, ImageSplit>();
  private classes: string[] | null = null;
  readonly file: string;
  private readonly expect: CifarExpect | null;
  /** decompressed bytes pushed so far */
  private total = 0;

  /**
   * `expect`: the counts `finish` will check (default: the official ones); they also fix each batch file's exact
   * size, which is checked from its tar header before the file is read.
   */
  constructor(file = 'cifar-10-binary.tar.gz', opts: { expect?: CifarExpect | null; totalBytes?: number } = {}) {
    this.file = file;
    this.expect = opts.expect === undefined ? CIFAR10_EXPECT : opts.expect;
    this.tar = new TarParser({
      file,
      totalBytes: opts.totalBytes,
      want: (name, size) => {
        const base = name.split('/').pop() ?? '';
        if (base === 'batches.meta.txt') return size <= META_MAX_BYTES;
        if (!CIFAR10_TRAIN_FILES.includes(base) && base !== CIFAR10_TEST_FILE) return false;
        if (this.batches.has(base)) throw new LabError(`${base} occurs twice in the archive`, this.file);
        checkBatchSize(size, `${this.file}: ${name}`, expectedBatchRecords(base, this.expect));
        return true;
      },
    });
  }

  /** decompressed (tar) bytes seen so far */
  get bytesSeen(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    for (const e of this.tar.push(chunk)) {
      if (!e.data) continue;
      const base = e.name.split('/').pop()!;
      if (base === 'batches.meta.txt') {
        const names = new TextDecoder()
          .decode(e.data)
          .split(/\r?\n/)
          .map((s) => s.trim())
          .filter(Boolean);
        if (names.length === 10) this.classes = names;
      } else if (CIFAR10_TRAIN_FILES.includes(base) || base === CIFAR10_TEST_FILE) {
        if (this.batches.has(base)) throw new LabError(`${base} occurs twice in the archive`, this.file);
        const records = expectedBatchRecords(base, this.expect);
        this.batches.set(base, parseCifarBatch(e.data, `${this.file}: ${e.name}`, 10, records));
      }
    }
  }

  finish(expect: CifarExpect | null = this.expect): ImageDataset {
    this.tar.end();
    const missing = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].filter((f) => !this.batches.has(f));
    if (missing.length) {
      throw new LabError(
        `not a complete CIFAR-10 binary archive: missing ${missing.join(', ')} (expected cifar-10-batches-bin/data_batch_1..5.bin and test_batch.bin)`,
        this.file,
      );
    }
    const train = concatSplits(CIFAR10_TRAIN_FILES.map((f) => this.batches.get(f)!));
    const test = this.batches.get(CIFAR10_TEST_FILE)!;
    this.batches.clear();
    if (expect) validateCounts(this.file, train, test, expect, 10);
    return {
      id: 'cifar10',
      classes: this.classes ?? [...CIFAR10_CLASSES],
      height: 32,
      width: 32,
      channels: 3,
      train,
      test,
      mean: [...NORMALISATION.cifar10.mean],
      std: [...NORMALISATION.cifar10.std],
    };
  }
}

export function validateCounts(
  file: string,
  train: ImageSplit,
  test: ImageSplit,
  expect: CifarExpect,
  numClasses: number,
): void {
  if (train.n !== expect.train) throw new LabError(`expected ${expect.train} training images, found ${train.n}`, file);
  if (test.n !== expect.test) throw new LabError(`expected ${expect.test} test images, found ${test.n}`, file);
  if (expect.balanced) {
    for (const [name, split, total] of [
      ['train', train, expect.train],
      ['test', test, expect.test],
    ] as const) {
      const per = total / numClasses;
      const c = classCounts(split.labels, numClasses);
      const bad = c.findIndex((v) => v !== per);
      if (bad >= 0) throw new LabError(`expected ${per} ${name} images of class ${bad}, found ${c[bad]}`, file);
    }
  }
}

/**
 * Parse the CIFAR-10 binary archive (gzip-compressed tar, or a plain tar) from bytes or a stream.
 * Runs in the browser worker and in Node.
 */
export async function parseCifar10Archive(
  src: ByteSource,
  opts: { file?: string; expect?: CifarExpect | null } = {},
): Promise<ImageDataset> {
  const file = opts.file ?? 'cifar-10-binary.tar.gz';
  const expect = opts.expect === undefined ? CIFAR10_EXPECT : opts.expect;
  const col = new Cifar10TarCollector(file, {
    expect,
    totalBytes: src instanceof Uint8Array && !isGzip(src) ? src.length : undefined,
  });
  let stream: ReadableStream<Uint8Array> | Uint8Array = src;
  let gz = true;
  if (src instanceof Uint8Array) {
    if (src.length === 0) throw new LabError('empty file', file);
    gz = isGzip(src);
  } else {
    // peek at the first chunk to tell gzip from plain tar
    const reader = src.getReader();
    const read = async () => {
      try {
        return await reader.read();
      } catch (e) {
        throw e instanceof LabError ? e : new LabError(`cannot read the file (${(e as Error)?.message ?? e})`, file);
      }
    };
    const first = await read();
    if (first.done) throw new LabError('empty file', file);
    gz = isGzip(first.value);
    stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(first.value);
      },
      async pull(ctrl) {
        const r = await read();
        if (r.done) ctrl.close();
        else ctrl.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
  }
  if (gz) {
    await inflateChunks(stream, 'gzip', file, (c) => col.push(c), CIFAR10_INFLATE);
  } else if (stream instanceof Uint8Array) {
    col.push(stream);
  } else {
    const r = stream.getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      col.push(value);
    }
  }
  return col.finish(expect);
}
