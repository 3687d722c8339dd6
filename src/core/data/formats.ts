/**
 * The prepared-dataset format shared by the Node writer (`npm run datasets`) and the browser loader:
 * `<dir>/<id>/manifest.json` plus binary shards `train-000.bin`, …, `test-000.bin`, ….
 *
 * Shard layout (little-endian):
 *   0  4 bytes  magic "ULDS"
 *   4  u16      shard format version (1)
 *   6  u8       height (32)   7  u8  width (32)   8  u8  channels (3)   9  u8  reserved (0)
 *  10  u16      reserved (0)
 *  12  u32      count N
 *  16  N bytes  labels (uint8)
 *  16+N         N·H·W·C bytes of pixels, uint8 NHWC (R,G,B interleaved, rows top to bottom)
 *
 * Image index `index.bin` (optional; manifest field `index`), so the page can fetch single images with HTTP Range
 * requests (src/worker/partial-load.ts) and still verify each one:
 *   0  4 bytes  magic "ULDI"
 *   4  u16      index format version (1)
 *   6  u8       hash bytes per image K (8)   7  u8  reserved (0)
 *   8  u32      train count    12  u32  test count
 *  16           train labels (uint8 × train count), train hashes (K bytes each), then the same for test
 * An image's hash is the first K bytes of the SHA-256 of its H·W·C pixel bytes (its record in the shard).
 */
import type { DatasetId, ImageDataset, ImageSplit } from '../types';
import { LabError, NORMALISATION } from '../types';
import type { SubsetInfo } from './svhn';

export const MANIFEST_FORMAT = 'unlearning-lab-dataset';
export const MANIFEST_VERSION = 1;
export const SHARD_MAGIC = 'ULDS';
export const SHARD_VERSION = 1;
export const SHARD_HEADER_BYTES = 16;
/** images per shard (≈15 MB) */
export const DEFAULT_SHARD_IMAGES = 5000;
export const INDEX_MAGIC = 'ULDI';
export const INDEX_VERSION = 1;
export const INDEX_HEADER_BYTES = 16;
export const INDEX_FILE = 'index.bin';
/** bytes of each image's SHA-256 kept in the index */
export const INDEX_HASH_BYTES = 8;

export type Triple = [number, number, number];

export interface ShardInfo {
  file: string;
  sha256: string;
  count: number;
  bytes: number;
}

export interface SplitManifest {
  count: number;
  perClass: number[];
  shards: ShardInfo[];
}

/** The image index (labels + a short hash of every image; layout at the top of this file). */
export interface IndexInfo {
  file: string;
  sha256: string;
  bytes: number;
  hashBytes: number;
}

export interface DatasetManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  id: DatasetId;
  classes: string[];
  height: number;
  width: number;
  channels: number;
  splits: { train: SplitManifest; test: SplitManifest };
  /** measured per-channel statistics of the training split, in [0,1] */
  mean: Triple;
  std: Triple;
  /** the constants used for normalisation (docs/paper-notes.md §1.1) */
  normalisation: { mean: Triple; std: Triple };
  createdAt: string;
  source: {
    archive: string;
    bytes?: number;
    md5: string;
    md5Official?: string;
    md5Matches?: boolean;
    /** further input files (SVHN: train and test) */
    files?: { name: string; bytes: number; md5: string; md5Official?: string; md5Matches?: boolean }[];
  };
  /** present when the training split is a per-class subset of the source (SVHN) */
  subset?: SubsetInfo;
  /** the image index; absent in manifests written before it existed (the page then fetches whole shards) */
  index?: IndexInfo;
}

const PIXELS = 32 * 32 * 3;

/** SHA-256 as lowercase hex, via WebCrypto (browsers, workers, Node ≥ 19). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new LabError('WebCrypto (crypto.subtle) is not available; cannot verify SHA-256', 'sha256');
  const d = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let s = '';
  for (let i = 0; i < d.length; i++) s += d[i].toString(16).padStart(2, '0');
  return s;
}

/** Encode images [start, start+count) of a split as one shard. */
export function encodeShard(split: ImageSplit, start = 0, count = split.n - start): Uint8Array {
  if (start < 0 || count < 0 || start + count > split.n)
    throw new LabError(`shard range ${start}+${count} outside 0..${split.n}`, 'encodeShard');
  const out = new Uint8Array(SHARD_HEADER_BYTES + count + count * PIXELS);
  for (let i = 0; i < 4; i++) out[i] = SHARD_MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint16(4, SHARD_VERSION, true);
  out[6] = 32;
  out[7] = 32;
  out[8] = 3;
  dv.setUint32(12, count, true);
  out.set(split.labels.subarray(start, start + count), SHARD_HEADER_BYTES);
  out.set(split.images.subarray(start * PIXELS, (start + count) * PIXELS), SHARD_HEADER_BYTES + count);
  return out;
}

/** Decode a shard (views into `bytes`, no copy). */
export function decodeShard(bytes: Uint8Array, file = 'shard', numClasses = 10): ImageSplit {
  if (bytes.length < SHARD_HEADER_BYTES)
    throw new LabError(`truncated shard: ${bytes.length} bytes, header alone is ${SHARD_HEADER_BYTES}`, file);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== SHARD_MAGIC)
    throw new LabError(`not a dataset shard (magic "${magic}", expected "${SHARD_MAGIC}")`, file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version !== SHARD_VERSION)
    throw new LabError(
      `unsupported shard version ${version} (expected ${SHARD_VERSION}); re-run npm run datasets`,
      file,
    );
  if (bytes[6] !== 32 || bytes[7] !== 32 || bytes[8] !== 3)
    throw new LabError(`unexpected image shape ${bytes[6]}×${bytes[7]}×${bytes[8]}`, file);
  const n = dv.getUint32(12, true);
  const expected = SHARD_HEADER_BYTES + n * (1 + PIXELS);
  if (bytes.length !== expected) {
    throw new LabError(
      `${bytes.length < expected ? 'truncated' : 'oversized'} shard: ${bytes.length} bytes, expected ${expected} for ${n} images`,
      file,
    );
  }
  const labels = bytes.subarray(SHARD_HEADER_BYTES, SHARD_HEADER_BYTES + n);
  for (let i = 0; i < n; i++)
    if (labels[i] >= numClasses)
      throw new LabError(`label ${labels[i]} out of range 0..${numClasses - 1} at image ${i}`, file);
  return { labels, images: bytes.subarray(SHARD_HEADER_BYTES + n, expected), n };
}

/** The first `k` bytes of the SHA-256 of one image's pixel bytes (its record in a shard). */
export async function imageHash(pixels: Uint8Array, k = INDEX_HASH_BYTES): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new LabError('WebCrypto (crypto.subtle) is not available; cannot verify SHA-256', 'sha256');
  return new Uint8Array(await subtle.digest('SHA-256', pixels as Uint8Array<ArrayBuffer>), 0, k);
}

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export interface SplitIndex {
  labels: Uint8Array;
  /** `hashBytes` bytes per image */
  hashes: Uint8Array;
  n: number;
}

export interface ImageIndex {
  hashBytes: number;
  train: SplitIndex;
  test: SplitIndex;
}

/** The image index file of a dataset: its labels and the short pixel hash of every image, train then test. */
export async function encodeIndex(ds: Pick<ImageDataset, 'train' | 'test'>, k = INDEX_HASH_BYTES): Promise<Uint8Array> {
  const nTr = ds.train.n,
    nTe = ds.test.n;
  const out = new Uint8Array(INDEX_HEADER_BYTES + (nTr + nTe) * (1 + k));
  for (let i = 0; i < 4; i++) out[i] = INDEX_MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint16(4, INDEX_VERSION, true);
  out[6] = k;
  dv.setUint32(8, nTr, true);
  dv.setUint32(12, nTe, true);
  let o = INDEX_HEADER_BYTES;
  for (const split of [ds.train, ds.test]) {
    out.set(split.labels.subarray(0, split.n), o);
    o += split.n;
    for (let i = 0; i < split.n; i++, o += k)
      out.set(await imageHash(split.images.subarray(i * PIXELS, (i + 1) * PIXELS), k), o);
  }
  return out;
}

/**
 * Decode an image index against its manifest (counts, labels in range, per-class counts); throws a LabError naming
 * `file`. The caller checks the file's SHA-256 against `manifest.index.sha256` first.
 */
export function decodeIndex(bytes: Uint8Array, m: DatasetManifest, file = INDEX_FILE): ImageIndex {
  const bad = (what: string): never => {
    throw new LabError(`invalid image index: ${what}; re-run npm run datasets`, file);
  };
  if (bytes.length < INDEX_HEADER_BYTES)
    bad(`truncated: ${bytes.length} bytes, the header alone is ${INDEX_HEADER_BYTES}`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== INDEX_MAGIC) bad(`magic "${magic}", expected "${INDEX_MAGIC}"`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version !== INDEX_VERSION) bad(`version ${version}, expected ${INDEX_VERSION}`);
  const k = bytes[6];
  if (m.index && k !== m.index.hashBytes) bad(`${k} hash bytes per image, the manifest says ${m.index.hashBytes}`);
  const nTr = dv.getUint32(8, true),
    nTe = dv.getUint32(12, true);
  if (nTr !== m.splits.train.count || nTe !== m.splits.test.count) {
    bad(`${nTr} train / ${nTe} test images, the manifest says ${m.splits.train.count} / ${m.splits.test.count}`);
  }
  const expected = INDEX_HEADER_BYTES + (nTr + nTe) * (1 + k);
  if (bytes.length !== expected) {
    bad(`${bytes.length < expected ? 'truncated' : 'oversized'}: ${bytes.length} bytes, expected ${expected}`);
  }
  const C = m.classes.length;
  let o = INDEX_HEADER_BYTES;
  const split = (name: 'train' | 'test', n: number): SplitIndex => {
    const labels = bytes.subarray(o, o + n);
    const counts = new Array<number>(C).fill(0);
    for (let i = 0; i < n; i++) {
      if (labels[i] >= C) bad(`${name} image ${i} has label ${labels[i]}, outside 0..${C - 1}`);
      counts[labels[i]]++;
    }
    const exp = m.splits[name].perClass;
    for (let c = 0; c < C; c++)
      if (counts[c] !== exp[c]) bad(`${name} has ${counts[c]} images of class ${c}, the manifest says ${exp[c]}`);
    const hashes = bytes.subarray(o + n, o + n + n * k);
    o += n * (1 + k);
    return { labels, hashes, n };
  };
  const train = split('train', nTr);
  const test = split('test', nTe);
  return { hashBytes: k, train, test };
}

/** Whether `pixels` (one image) match entry `i` of a split index; returns the two hashes as hex when not. */
export async function checkImageHash(
  index: ImageIndex,
  split: SplitIndex,
  i: number,
  pixels: Uint8Array,
): Promise<{ expected: string; got: string } | null> {
  const k = index.hashBytes;
  const got = await imageHash(pixels, k);
  const exp = split.hashes.subarray(i * k, (i + 1) * k);
  for (let j = 0; j < k; j++) if (got[j] !== exp[j]) return { expected: toHex(exp), got: toHex(got) };
  return null;
}

/** Per-channel mean and std (population) of a split's pixels, in [0,1]. */
export function channelStats(split: ImageSplit): { mean: Triple; std: Triple } {
  const s = [0, 0, 0],
    q = [0, 0, 0];
  const img = split.images;
  // accumulate in blocks so the partial sums stay exact in float64
  const BLOCK = 1 << 16;
  for (let b = 0; b < img.length; b += BLOCK * 3) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      q0 = 0,
      q1 = 0,
      q2 = 0;
    const end = Math.min(img.length, b + BLOCK * 3);
    for (let i = b; i < end; i += 3) {
      const r = img[i],
        g = img[i + 1],
        u = img[i + 2];
      s0 += r;
      s1 += g;
      s2 += u;
      q0 += r * r;
      q1 += g * g;
      q2 += u * u;
    }
    s[0] += s0;
    s[1] += s1;
    s[2] += s2;
    q[0] += q0;
    q[1] += q1;
    q[2] += q2;
  }
  const n = img.length / 3 || 1;
  const mean = s.map((v) => v / n / 255) as Triple;
  const std = q.map((v, c) => Math.sqrt(Math.max(0, v / n / (255 * 255) - mean[c] * mean[c]))) as Triple;
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  return { mean: mean.map(r6) as Triple, std: std.map(r6) as Triple };
}

function perClass(labels: ArrayLike<number>, numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

export interface BuiltShards {
  manifest: DatasetManifest;
  /** shard files in manifest order (train shards, then test shards); empty when `onShard` took them */
  files: { file: string; bytes: Uint8Array }[];
  /** the image index file (`manifest.index`); null when `onShard` took it */
  index: { file: string; bytes: Uint8Array } | null;
}

/** Split a dataset into shards and describe them in a manifest (SHA-256 of every shard, measured stats). */
export async function buildShards(
  ds: ImageDataset,
  source: DatasetManifest['source'],
  opts: {
    shardImages?: number;
    subset?: SubsetInfo;
    createdAt?: string;
    /** receives each shard as soon as it is encoded, and last the image index (e.g. to write them); then `files`
     * stays empty */
    onShard?: (file: string, bytes: Uint8Array) => void | Promise<void>;
  } = {},
): Promise<BuiltShards> {
  const per = opts.shardImages ?? DEFAULT_SHARD_IMAGES;
  const files: BuiltShards['files'] = [];
  const splitManifest = async (name: 'train' | 'test', split: ImageSplit): Promise<SplitManifest> => {
    const shards: ShardInfo[] = [];
    for (let start = 0, k = 0; start < split.n || (split.n === 0 && k === 0); start += per, k++) {
      const count = Math.min(per, split.n - start);
      const bytes = encodeShard(split, start, count);
      const file = `${name}-${String(k).padStart(3, '0')}.bin`;
      shards.push({ file, sha256: await sha256Hex(bytes), count, bytes: bytes.length });
      if (opts.onShard) await opts.onShard(file, bytes);
      else files.push({ file, bytes });
      if (split.n === 0) break;
    }
    return { count: split.n, perClass: perClass(split.labels, ds.classes.length), shards };
  };
  const train = await splitManifest('train', ds.train);
  const test = await splitManifest('test', ds.test);
  const indexBytes = await encodeIndex(ds);
  const index: IndexInfo = {
    file: INDEX_FILE,
    sha256: await sha256Hex(indexBytes),
    bytes: indexBytes.length,
    hashBytes: INDEX_HASH_BYTES,
  };
  if (opts.onShard) await opts.onShard(INDEX_FILE, indexBytes);
  const stats = channelStats(ds.train);
  const norm = NORMALISATION[ds.id];
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    id: ds.id,
    classes: [...ds.classes],
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    splits: { train, test },
    mean: stats.mean,
    std: stats.std,
    normalisation: { mean: [...norm.mean], std: [...norm.std] },
    createdAt: opts.createdAt ?? new Date().toISOString(),
    source,
    ...(opts.subset ? { subset: opts.subset } : {}),
    index,
  };
  return { manifest, files, index: opts.onShard ? null : { file: INDEX_FILE, bytes: indexBytes } };
}

/** All shard descriptions of a manifest in the order `datasetFromShards` expects their bytes. */
export function manifestShards(m: DatasetManifest): ShardInfo[] {
  return [...m.splits.train.shards, ...m.splits.test.shards];
}

const isTriple = (v: unknown): v is Triple =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isCount = (v: unknown, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Caps on what a manifest may declare (far above any real dataset). */
export const MANIFEST_LIMITS = { maxImages: 10_000_000, maxShards: 100_000, maxClassName: 200, maxBytes: 16 << 20 };

/** Parse and check the text of a manifest.json; throws a LabError naming `file`. */
export function parseManifest(text: string, file = 'manifest.json'): DatasetManifest {
  if (text.length > MANIFEST_LIMITS.maxBytes) {
    throw new LabError(`invalid dataset manifest: ${text.length} characters, more than any real manifest`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LabError(`invalid dataset manifest: not valid JSON (${(e as Error).message.slice(0, 120)})`, file);
  }
  return validateManifest(json, file);
}

/** Check the shape of a parsed manifest.json; throws a LabError naming `file`. */
export function validateManifest(json: unknown, file = 'manifest.json'): DatasetManifest {
  const bad = (what: string): never => {
    throw new LabError(`invalid dataset manifest: ${what}`, file);
  };
  const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80);
  if (!isObject(json)) return bad('not a JSON object');
  const m = json as Partial<DatasetManifest>;
  if (m.format !== MANIFEST_FORMAT) bad(`format is ${show(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (m.version !== MANIFEST_VERSION) {
    bad(`version ${show(m.version)} is not supported (expected ${MANIFEST_VERSION}); re-run npm run datasets`);
  }
  if (m.id !== 'cifar10' && m.id !== 'svhn' && m.id !== 'synthetic') bad(`unknown dataset id ${show(m.id)}`);
  if (!Array.isArray(m.classes) || m.classes.length < 2 || m.classes.length > 256)
    bad('classes must be a list of 2–256 names');
  if (!m.classes!.every((c) => typeof c === 'string' && c.length <= MANIFEST_LIMITS.maxClassName)) {
    bad('class names must be short strings');
  }
  if (m.height !== 32 || m.width !== 32 || m.channels !== 3) bad('images must be 32×32×3');
  if (!isTriple(m.mean) || !isTriple(m.std)) bad('mean/std must be three numbers each');
  if (!isObject(m.normalisation) || !isTriple(m.normalisation.mean) || !isTriple(m.normalisation.std)) {
    bad('normalisation must hold mean/std triples');
  }
  // pixels are divided by the std: zero or negative gives NaN features or flipped images (issue 19 item 4)
  if (!m.normalisation!.std.every((x) => x > 0)) {
    bad(`normalisation.std must be > 0 in every channel, got ${show(m.normalisation!.std)}`);
  }
  if (!m.std!.every((x) => x >= 0)) bad(`std must be ≥ 0 in every channel, got ${show(m.std)}`);
  if (!isObject(m.splits)) bad('splits is missing or malformed');
  let shardsSeen = 0;
  const names = new Set<string>();
  for (const s of ['train', 'test'] as const) {
    const sp = m.splits![s] as unknown;
    const shaped = isObject(sp) && isCount(sp.count, MANIFEST_LIMITS.maxImages);
    if (!shaped || !Array.isArray(sp.shards) || !Array.isArray(sp.perClass)) {
      bad(`splits.${s} is missing or malformed`);
    }
    const split = sp as unknown as SplitManifest;
    shardsSeen += split.shards.length;
    if (shardsSeen > MANIFEST_LIMITS.maxShards) bad(`more than ${MANIFEST_LIMITS.maxShards} shards`);
    let total = 0;
    for (const sh of split.shards as unknown[]) {
      if (!isObject(sh)) bad(`splits.${s}: a shard entry is ${show(sh)}, not an object`);
      const info = sh as unknown as ShardInfo;
      if (typeof info.file !== 'string' || !/^[\w.-]{1,100}$/.test(info.file) || info.file === 'manifest.json') {
        bad(`splits.${s}: bad shard file name ${show(info.file)}`);
      }
      if (names.has(info.file)) bad(`splits.${s}: shard ${info.file} is listed twice`);
      names.add(info.file);
      if (typeof info.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(info.sha256)) {
        bad(`splits.${s}: bad sha256 for ${info.file}`);
      }
      if (!isCount(info.count, MANIFEST_LIMITS.maxImages)) {
        bad(`splits.${s}: ${info.file} has a bad image count ${show(info.count)}`);
      }
      if (info.bytes !== SHARD_HEADER_BYTES + info.count * (1 + PIXELS)) {
        bad(`splits.${s}: ${info.file} size ${show(info.bytes)} does not match ${info.count} images`);
      }
      total += info.count;
    }
    if (total !== split.count) bad(`splits.${s}: shards hold ${total} images, count says ${split.count}`);
    const pc = split.perClass;
    if (
      pc.length !== m.classes!.length ||
      !pc.every((c) => isCount(c, MANIFEST_LIMITS.maxImages)) ||
      pc.reduce((a, b) => a + b, 0) !== split.count
    ) {
      bad(`splits.${s}: perClass does not add up to count`);
    }
  }
  if (m.index !== undefined) {
    const ix = m.index as unknown;
    if (!isObject(ix)) bad(`index is ${show(ix)}, not an object`);
    const info = ix as unknown as IndexInfo;
    if (typeof info.file !== 'string' || !/^[\w.-]{1,100}$/.test(info.file) || info.file === 'manifest.json') {
      bad(`bad index file name ${show(info.file)}`);
    }
    if (names.has(info.file)) bad(`index file ${info.file} is also listed as a shard`);
    if (typeof info.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(info.sha256)) bad('bad sha256 for the index');
    if (!Number.isInteger(info.hashBytes) || info.hashBytes < 4 || info.hashBytes > 32) {
      bad(`index hashBytes ${show(info.hashBytes)} is not an integer in 4..32`);
    }
    const want = INDEX_HEADER_BYTES + (m.splits!.train.count + m.splits!.test.count) * (1 + info.hashBytes);
    if (info.bytes !== want) bad(`index size ${show(info.bytes)} does not match the image counts (${want} bytes)`);
  }
  return m as DatasetManifest;
}

/**
 * Assemble an ImageDataset from a manifest and its shard bytes (in `manifestShards` order), checking sizes,
 * SHA-256 (unless `verify: false`), labels and per-class counts. The normalisation is the manifest's constants.
 */
export async function datasetFromShards(
  manifest: DatasetManifest,
  shardBytes: Uint8Array[],
  opts: { verify?: boolean; where?: string } = {},
): Promise<ImageDataset> {
  const where = opts.where ?? manifest.id;
  const m = validateManifest(manifest, `${where}/manifest.json`);
  const infos = manifestShards(m);
  if (shardBytes.length !== infos.length)
    throw new LabError(`expected ${infos.length} shards, got ${shardBytes.length}`, where);
  const numClasses = m.classes.length;
  const decoded: ImageSplit[] = [];
  for (let k = 0; k < infos.length; k++) {
    const info = infos[k],
      bytes = shardBytes[k],
      file = `${where}/${info.file}`;
    if (bytes.length !== info.bytes)
      throw new LabError(
        `size ${bytes.length} differs from manifest (${info.bytes} bytes); the file is truncated or stale — re-run npm run datasets`,
        file,
      );
    if (opts.verify !== false) {
      const h = await sha256Hex(bytes);
      if (h !== info.sha256)
        throw new LabError(
          `SHA-256 mismatch (expected ${info.sha256}, got ${h}); the file is corrupt or stale — re-run npm run datasets`,
          file,
        );
    }
    const s = decodeShard(bytes, file, numClasses);
    if (s.n !== info.count) throw new LabError(`holds ${s.n} images, manifest says ${info.count}`, file);
    decoded.push(s);
  }
  const nTrain = m.splits.train.shards.length;
  const join = (parts: ImageSplit[], name: 'train' | 'test'): ImageSplit => {
    const n = parts.reduce((a, p) => a + p.n, 0);
    let split: ImageSplit;
    if (parts.length === 1) split = parts[0];
    else {
      const images = new Uint8Array(n * PIXELS),
        labels = new Uint8Array(n);
      let o = 0;
      for (const p of parts) {
        images.set(p.images, o * PIXELS);
        labels.set(p.labels, o);
        o += p.n;
      }
      split = { images, labels, n };
    }
    const pc = perClass(split.labels, numClasses);
    const exp = m.splits[name].perClass;
    for (let c = 0; c < numClasses; c++) {
      if (pc[c] !== exp[c])
        throw new LabError(`${name} split has ${pc[c]} images of class ${c}, manifest says ${exp[c]}`, where);
    }
    return split;
  };
  return {
    id: m.id,
    classes: [...m.classes],
    height: 32,
    width: 32,
    channels: 3,
    train: join(decoded.slice(0, nTrain), 'train'),
    test: join(decoded.slice(nTrain), 'test'),
    mean: [...m.normalisation.mean],
    std: [...m.normalisation.std],
  };
}
