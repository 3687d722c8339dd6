/**
 * A weights cache that can be trusted (issue 12): every cached entry is sealed in an envelope that names the
 * exact key it was written for and carries a CRC-32 of the payload, and the key itself covers the configuration,
 * the training data's content (a fingerprint of the very images and labels trained on, not their counts) and the
 * format versions. Anything that does not match — another configuration's valid weights, a flipped bit, a
 * truncated file, an entry of an older format — is refused with a reason; the caller warns and retrains.
 *
 * Envelope: "ULC1" · uint32 LE header length H · H bytes UTF-8 JSON `{v, key, length, crc32}` · the payload
 * (a `serializeWeights` file). tfjs-free.
 */
import type { ImageDataset } from '../types';
import { LabError } from '../types';
import type { WeightsCache } from '../contracts';
import { requireImages } from '../data/partial';

const MAGIC = [0x55, 0x4c, 0x43, 0x31]; // "ULC1"
/** version of the envelope and of the key's fields; bump to invalidate every cached entry */
export const WEIGHTS_CACHE_VERSION = 2;
/** the `serializeWeights` format written inside the envelope */
export const WEIGHTS_FORMAT_VERSION = 1;
const MAX_HEADER = 64 * 1024;

let CRC_TABLE: Uint32Array | null = null;
function crcTable(): Uint32Array {
  if (CRC_TABLE) return CRC_TABLE;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  CRC_TABLE = t;
  return t;
}

/** CRC-32 (IEEE 802.3, as zlib), continuing from `prev` (pass the previous result to chain chunks). */
export function crc32(bytes: Uint8Array, prev = 0): number {
  const t = crcTable();
  let c = ~prev >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** FNV-1a 32-bit, continuing from `prev` — a second, independent hash so fingerprints have 64 bits. */
function fnv1a(bytes: Uint8Array, prev = 0x811c9dc5): number {
  let h = prev;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const hex8 = (x: number) => (x >>> 0).toString(16).padStart(8, '0');

/**
 * Fingerprint of the training data a model is trained on: the dataset id, image geometry, and the pixels and
 * labels of `idx` in order (64 bits of CRC-32 + FNV-1a). Re-prepared data with the same counts but other content
 * gets another fingerprint, so it never reuses stale weights.
 */
export function trainingDataFingerprint(ds: ImageDataset, idx: ArrayLike<number>): string {
  const per = ds.height * ds.width * ds.channels;
  requireImages(ds.train, idx, 'trainingDataFingerprint');
  let c = crc32(new TextEncoder().encode(`${ds.id}|${ds.height}x${ds.width}x${ds.channels}|${idx.length}`));
  let f = fnv1a(new TextEncoder().encode(String(c)));
  const label = new Uint8Array(1);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    const img = ds.train.images.subarray(j * per, (j + 1) * per);
    label[0] = ds.train.labels[j];
    c = crc32(label, crc32(img, c));
    f = fnv1a(label, fnv1a(img, f));
  }
  return hex8(c) + hex8(f);
}

/**
 * Fingerprint of an experiment spec for resume stamps (64 bits of CRC-32 + FNV-1a over its JSON with `seeds`
 * set to 1: each seed's cell of a multi-seed run is the same spec with its own seed).
 */
export function specFingerprint(spec: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ ...spec, seeds: 1 }));
  return hex8(crc32(bytes)) + hex8(fnv1a(bytes));
}

interface EnvelopeHeader {
  v: number;
  key: string;
  length: number;
  crc32: number;
  /**
   * key digest: 64 bits of CRC-32 + FNV-1a over the key, then the payload. A payload resealed under another key
   * with only its CRC-32 recomputed (another seed's weights passed off as this seed's) fails it (issue 19 item 5).
   */
  kd?: string;
}

/** The key-bound digest of an envelope (see EnvelopeHeader.kd). */
export function keyDigest(key: string, payload: Uint8Array): string {
  const k = new TextEncoder().encode(`${key.length}:${key}`);
  return hex8(crc32(payload, crc32(k))) + hex8(fnv1a(payload, fnv1a(k)));
}

/** Wrap serialized weights for the cache under `key`. */
export function sealWeights(key: string, payload: Uint8Array): Uint8Array {
  const head: EnvelopeHeader = {
    v: WEIGHTS_CACHE_VERSION,
    key,
    length: payload.length,
    crc32: crc32(payload),
    kd: keyDigest(key, payload),
  };
  const json = new TextEncoder().encode(JSON.stringify(head));
  const out = new Uint8Array(8 + json.length + payload.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(payload, 8 + json.length);
  return out;
}

/**
 * The payload of a cache entry read back under `key`, or a LabError saying why it cannot be trusted
 * (older format, another key, wrong length, checksum mismatch).
 */
export function openWeights(
  key: string,
  sealed: Uint8Array,
  opts: {
    /**
     * accept an entry sealed before the key digest existed (default false). Only for shipped models, whose file's
     * SHA-256 the shipped manifest has already checked.
     */
    allowNoKeyDigest?: boolean;
  } = {},
): Uint8Array {
  const fail = (m: string) => new LabError(m, 'weights cache');
  if (sealed.length < 8 || MAGIC.some((b, i) => sealed[i] !== b)) {
    throw fail('not a sealed cache entry (older format or another file)');
  }
  const hl = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength).getUint32(4, true);
  if (hl > MAX_HEADER || 8 + hl > sealed.length) throw fail('truncated or corrupted envelope header');
  let head: EnvelopeHeader;
  try {
    head = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(sealed.subarray(8, 8 + hl))) as EnvelopeHeader;
  } catch {
    throw fail('unreadable envelope header (corrupted)');
  }
  if (typeof head !== 'object' || head === null) throw fail('unreadable envelope header (corrupted)');
  if (head.v !== WEIGHTS_CACHE_VERSION) {
    throw fail(`entry of cache format ${String(head.v)}, expected ${WEIGHTS_CACHE_VERSION}`);
  }
  if (head.key !== key) throw fail('entry was written for another configuration or dataset');
  const payload = sealed.subarray(8 + hl);
  if (payload.length !== head.length) {
    throw fail(`payload has ${payload.length} bytes, the envelope says ${head.length} (truncated?)`);
  }
  const c = crc32(payload);
  if (c !== head.crc32) throw fail(`checksum mismatch (CRC-32 ${hex8(c)}, expected ${hex8(head.crc32)}): corrupted`);
  if (head.kd === undefined) {
    if (!opts.allowNoKeyDigest) throw fail('entry has no key digest (sealed by an older version): retraining once');
  } else if (head.kd !== keyDigest(key, payload)) {
    throw fail('key digest mismatch: the weights were sealed for another key (resealed from another seed?)');
  }
  return payload;
}

/** A WeightsCache in memory (tests, and any caller that wants a cache for one process's lifetime); `map` is open. */
export class MemoryWeightsCache implements WeightsCache {
  readonly map = new Map<string, Uint8Array>();
  async get(key: string): Promise<Uint8Array | null> {
    return this.map.get(key) ?? null;
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    this.map.set(key, value);
  }
}
