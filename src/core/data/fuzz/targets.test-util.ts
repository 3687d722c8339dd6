/**
 * The byte parsers under fuzz (test-only): seeds in each format, the call that parses, and format-specific
 * "absurd header" mutations. Every parse must either succeed or throw a LabError whose message names the file.
 */
import { gzipSync } from 'node:zlib';
import { Rng } from '../../rng';
import { LabError } from '../../types';
import { parseTar, buildTar } from '../tar';
import { inflateAll } from '../gzip';
import { parseCifar10Archive, parseCifarBatch } from '../cifar10';
import { svhnSplitFromMat } from '../svhn';
import {
  buildShards,
  datasetFromShards,
  decodeShard,
  encodeShard,
  parseManifest,
  type DatasetManifest,
  type Triple,
} from '../formats';
import { cifarArchive, cifarBatch, svhnVars, writeMat } from '../../../../datasets/test-helpers';

export interface FuzzTarget {
  name: string;
  /** file name handed to the parser: every error must name it */
  file: string;
  seeds(): Uint8Array[];
  parse(bytes: Uint8Array, file: string): unknown;
  absurd?(rng: Rng, seed: Uint8Array): Uint8Array;
}

const enc = (s: string) => new TextEncoder().encode(s);

// ---- tar helpers ----------------------------------------------------------------------------------------------

export function fixTarChecksum(b: Uint8Array, off: number): void {
  for (let k = 148; k < 156; k++) b[off + k] = 32;
  let sum = 0;
  for (let k = 0; k < 512; k++) sum += b[off + k];
  b.set(enc(sum.toString(8).padStart(6, '0') + '\0 '), off + 148);
}

/** A tar whose first entry is a PAX extended header ('x') holding `records`, then `files`. */
export function paxTar(records: string, files: { name: string; data: Uint8Array }[]): Uint8Array {
  const t = buildTar([{ name: 'PaxHeader', data: enc(records) }, ...files]);
  t[156] = 'x'.charCodeAt(0);
  fixTarChecksum(t, 0);
  return t;
}

/** One PAX record with its correct length prefix. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

/** Offsets of the header blocks of a tar (valid checksums at 512-byte boundaries). */
function headerOffsets(t: Uint8Array): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= t.length; off += 512) {
    const b = t.subarray(off, off + 512);
    if (b.every((x) => x === 0)) continue;
    const stored = parseInt(new TextDecoder().decode(b.subarray(148, 154)), 8);
    let sum = 0;
    for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 32 : b[k];
    if (sum === stored) out.push(off);
  }
  return out;
}

const ABSURD_SIZES = [
  '77777777777',
  '-1',
  '-0000001000',
  '99999999999',
  '00000001000',
  '0000000000x',
  ' ',
  '7777777777777',
];

/** A tar with one header's size field (or a PAX record before it) set to something absurd. */
export function absurdTar(rng: Rng, t: Uint8Array): Uint8Array {
  const heads = headerOffsets(t);
  const out = t.slice();
  if (heads.length === 0) return out;
  const at = heads[rng.int(heads.length)];
  const way = rng.int(4);
  if (way === 0) {
    const s = ABSURD_SIZES[rng.int(ABSURD_SIZES.length)];
    out.fill(0, at + 124, at + 136);
    out.set(enc(s).subarray(0, 12), at + 124);
  } else if (way === 1) {
    // GNU base-256: huge, or negative (0xff…)
    out[at + 124] = rng.int(2) ? 0xff : 0x80;
    for (let k = 125; k < 136; k++) out[at + k] = rng.int(256);
  } else if (way === 2) {
    out[at + 156] = 'Lxg'.charCodeAt(rng.int(3));
  } else {
    // insert a PAX header declaring an absurd size (or a malformed record) in front of this entry
    const rec = [
      paxRecord('size', '-' + (1 + rng.int(1e6))),
      paxRecord('size', '99999999999999999'),
      paxRecord('size', '1e9'),
      paxRecord('size', String(512 * (1 + rng.int(8)))),
      '99 size=1\n',
      '0 size=1\n',
      '5 size=-1\n',
      'garbage',
      paxRecord('path', 'x'.repeat(rng.int(300))),
    ][rng.int(9)];
    const pax = paxTar(rec, []).subarray(0, 512 + Math.ceil(rec.length / 512) * 512);
    const res = new Uint8Array(t.length + pax.length);
    res.set(t.subarray(0, at), 0);
    res.set(pax, at);
    res.set(t.subarray(at), at + pax.length);
    return res;
  }
  fixTarChecksum(out, at);
  return out;
}

function tarSeeds(): Uint8Array[] {
  const big = new Uint8Array(1300).map((_, i) => (i * 7) & 255);
  return [
    buildTar([
      { name: 'dir/', data: new Uint8Array(0), type: 'directory' },
      { name: 'dir/a.txt', data: enc('hello') },
      { name: 'dir/empty.bin', data: new Uint8Array(0) },
      { name: 'dir/big.bin', data: big },
    ]),
    paxTar(paxRecord('path', 'p/' + 'y'.repeat(120)) + paxRecord('size', '3'), [{ name: 'short', data: enc('abc') }]),
  ];
}

// ---- MAT helpers ------------------------------------------------------------------------------------------------

/** A MAT file with one variable whose declared dimensions are absurd (the data stays tiny). */
export function absurdDimsMat(dims: number[], compress: boolean): Uint8Array {
  return writeMat([{ name: 'X', cls: 'uint8', dims, data: new Uint8Array(6) }], { compress });
}

function absurdMat(rng: Rng, seed: Uint8Array): Uint8Array {
  const way = rng.int(4);
  if (way === 0) {
    const huge = [0x7fffffff, -1, -0x80000000, 65536, 0];
    const dim = () => (rng.int(2) ? huge[rng.int(huge.length)] : 1 + rng.int(4));
    const dims = Array.from({ length: 2 + rng.int(3) }, dim);
    return absurdDimsMat(dims, rng.int(2) === 0);
  }
  const out = seed.slice();
  const dv = new DataView(out.buffer);
  const le = out[126] === 0x49; // 'IM'
  if (way === 1) {
    // the first element's declared byte count
    dv.setUint32(132, [0xffffffff, 0x7ffffff8, out.length, out.length - 120][rng.int(4)] >>> 0, le);
  } else if (way === 2 && out[128] !== 15 && out[131] !== 15) {
    // dims of the first (uncompressed) matrix: element tag 128, flags 136..152, dims tag 152, values 160
    for (let k = 0; k < 4 && 160 + 4 * k + 4 <= out.length; k++) {
      if (rng.int(2)) dv.setInt32(160 + 4 * k, [0x7fffffff, -1][rng.int(2)], le);
    }
  } else {
    // version / endianness marks
    out[126 + rng.int(2)] = rng.int(256);
    if (rng.int(2)) dv.setUint16(124, rng.int(65536), le);
  }
  return out;
}

// ---- shards & manifest --------------------------------------------------------------------------------------------

function smallSplit(n: number, offset: number) {
  const images = new Uint8Array(n * 3072).map((_, i) => (i * 13 + offset) & 255);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  return { images, labels, n };
}

let prepared: { manifest: DatasetManifest; shards: Uint8Array[] } | null = null;
export async function preparedSample(): Promise<{ manifest: DatasetManifest; shards: Uint8Array[] }> {
  if (!prepared) {
    const ds = {
      id: 'cifar10' as const,
      classes: ['a', 'b'],
      height: 32,
      width: 32,
      channels: 3,
      train: smallSplit(3, 0),
      test: smallSplit(2, 7),
      mean: [0.5, 0.5, 0.5] as Triple,
      std: [0.25, 0.25, 0.25] as Triple,
    };
    const src = { archive: 'fuzz', md5: '0'.repeat(32) };
    const { manifest, files } = await buildShards(ds, src, { shardImages: 2, createdAt: 'x' });
    prepared = { manifest, shards: files.map((f) => f.bytes) };
  }
  return prepared;
}

const WEIRD_VALUES: unknown[] = [
  null,
  -1,
  0,
  1e308,
  -1e308,
  0.5,
  2 ** 53,
  'x'.repeat(300),
  '',
  [],
  {},
  true,
  [null],
  [1, 2, 3],
];

/** Replace one random node of a JSON document (or drop a key). */
export function absurdJson(rng: Rng, seed: Uint8Array): Uint8Array {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(seed));
  } catch {
    return seed.slice();
  }
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
        walk(c);
      }
    }
  };
  walk(doc);
  const hits = 1 + rng.int(3);
  for (let h = 0; h < hits && nodes.length; h++) {
    const { parent, key } = nodes[rng.int(nodes.length)];
    if (!Array.isArray(parent) && rng.int(5) === 0) delete (parent as Record<string, unknown>)[key as string];
    else {
      (parent as Record<string | number, unknown>)[key] = structuredClone(WEIRD_VALUES[rng.int(WEIRD_VALUES.length)]);
    }
  }
  return enc(JSON.stringify(doc));
}

// ---- gzip helpers -----------------------------------------------------------------------------------------------

function absurdGzip(rng: Rng, seed: Uint8Array): Uint8Array {
  const out = seed.slice();
  const way = rng.int(3);
  if (way === 0 && out.length > 12) {
    out[3] |= 0x04; // FEXTRA with a huge XLEN
    out[10] = 0xff;
    out[11] = 0xff;
  } else if (way === 1 && out.length > 10) {
    out[3] |= 0x08 | 0x10; // FNAME / FCOMMENT with no terminator
    out.fill(0x41, 10);
  } else if (out.length >= 4) {
    // ISIZE / CRC trailer
    new DataView(out.buffer).setUint32(out.length - 4 - rng.int(2) * 4, 0xffffffff, true);
  }
  return out;
}

// ---- the targets --------------------------------------------------------------------------------------------------

export const TARGETS: Record<string, FuzzTarget> = {
  tar: {
    name: 'tar',
    file: 'fuzz.tar',
    seeds: tarSeeds,
    parse: (b, file) => parseTar(b, { file }),
    absurd: absurdTar,
  },
  gzip: {
    name: 'gzip',
    file: 'fuzz.gz',
    seeds: () => [
      new Uint8Array(gzipSync(new Uint8Array(20000).map((_, i) => (i * 31) ^ (i >> 7)))),
      new Uint8Array(gzipSync(new Uint8Array(100000))),
      new Uint8Array(gzipSync(enc('hello world'))),
    ],
    parse: (b, file) => inflateAll(b, 'gzip', file, { ratioFloor: 1 << 20 }),
    absurd: absurdGzip,
  },
  cifarBatch: {
    name: 'cifarBatch',
    file: 'fuzz_batch.bin',
    seeds: () => [cifarBatch([0, 9, 3, 5]), cifarBatch([1])],
    parse: (b, file) => parseCifarBatch(b, file),
    absurd: (rng, seed) => {
      const out = seed.slice();
      for (let r = 0; r < out.length; r += 3073) if (rng.int(2)) out[r] = 10 + rng.int(246);
      return rng.int(2) ? out : out.subarray(0, out.length - 1 - rng.int(3072));
    },
  },
  cifarArchive: {
    name: 'cifarArchive',
    file: 'fuzz-cifar.tar.gz',
    seeds: () => [cifarArchive({ perBatch: 1, test: 2 }), cifarArchive({ perBatch: 1, test: 1, gzip: false })],
    parse: (b, file) => parseCifar10Archive(b, { file, expect: null }),
    absurd: (rng, seed) => {
      const gz = seed[0] === 0x1f;
      const tar = gz ? cifarArchive({ perBatch: 1, test: 2, gzip: false }) : seed;
      const bad = absurdTar(rng, tar);
      return gz ? new Uint8Array(gzipSync(bad)) : bad;
    },
  },
  mat: {
    name: 'mat',
    file: 'fuzz_32x32.mat',
    seeds: () => [
      writeMat(svhnVars([1, 10, 3])),
      writeMat(svhnVars([2, 4]), { compress: true }),
      writeMat(svhnVars([5]), { bigEndian: true }),
      writeMat(svhnVars([7, 8]), { compress: true, bigEndian: true }),
    ],
    parse: (b, file) => svhnSplitFromMat(b, file),
    absurd: absurdMat,
  },
  shard: {
    name: 'shard',
    file: 'fuzz/train-000.bin',
    seeds: () => [encodeShard(smallSplit(3, 1)), encodeShard(smallSplit(0, 0))],
    parse: (b, file) => decodeShard(b, file, 2),
    absurd: (rng, seed) => {
      const out = seed.slice();
      const dv = new DataView(out.buffer);
      if (out.length >= 16) dv.setUint32(12, [0xffffffff, 0x7fffffff, 1398101, 3, 4][rng.int(5)], true);
      if (rng.int(2) && out.length >= 9) out[6 + rng.int(3)] = rng.int(256);
      return out;
    },
  },
  manifest: {
    name: 'manifest',
    file: 'fuzz/manifest.json',
    seeds: () => {
      // filled in lazily by `seedsAsync` (buildShards hashes asynchronously)
      return prepared ? [enc(JSON.stringify(prepared.manifest, null, 1))] : [];
    },
    parse: async (b, file) => {
      const m = parseManifest(new TextDecoder().decode(b), file);
      const { shards } = await preparedSample();
      return datasetFromShards(m, shards, { where: file });
    },
    absurd: absurdJson,
  },
};

/** Seeds of a target (some need async set-up). */
export async function seedsOf(t: FuzzTarget): Promise<Uint8Array[]> {
  if (t.name === 'manifest') await preparedSample();
  return t.seeds();
}

/** Did the parse end acceptably? null when yes, else what went wrong. */
export function judge(err: unknown, file: string): string | null {
  if (err === undefined) return null;
  if (!(err instanceof LabError)) {
    const e = err as Error | undefined;
    return `threw ${e?.name ?? typeof err} (not a LabError): ${String(e?.message ?? err).slice(0, 200)}`;
  }
  if (!err.message.includes(file)) return `LabError without the file name: ${err.message.slice(0, 200)}`;
  return null;
}
