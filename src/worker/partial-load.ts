/**
 * Prepared shards fetched image by image (issue 22 item 6): with the image index of the manifest
 * (core/data/formats.ts, `index.bin`: every image's label and a short SHA-256 of its pixels) the page downloads only
 * the images an experiment reads, with HTTP Range requests on the ordinary shard files, and verifies each record
 * against the index. Adjacent records share one request; at most `concurrency` requests run at once. A shard of
 * which most images are needed is fetched whole and checked against its SHA-256, as before; so is every shard once
 * a server answers a Range request with the whole file (200 instead of 206).
 *
 * What was fetched is kept in a byte store (the worker's Cache API store, storage.ts), keyed by the shard's URL and
 * SHA-256: the whole shard, or the records of it loaded so far (one entry per shard, rewritten as it grows). A
 * reload with the same experiment reads everything from there, offline too.
 *
 * The dataset object is the usual one, full size, with `partial` set on each split (core/types.ts): images not
 * loaded read as zeros, and every pixel reader checks `partial.present` (core/data/partial.ts `requireImages`).
 * `ensure` loads more images into the same object (a new seed or new sizes; the audit loads everything).
 *
 * No `self` or `caches` here: fetch and the store are passed in, so partial-load.test.ts drives it in Node.
 */
import {
  LabError,
  SHARD_HEADER_BYTES,
  checkImageHash,
  coalesceRecords,
  decodeIndex,
  recordBytes,
  sha256Hex,
  type DatasetManifest,
  type ImageDataset,
  type ImageIndex,
  type ImageSplit,
  type RecordRange,
  type ShardInfo,
  type SplitIndex,
} from '../core';

const PIXELS = 32 * 32 * 3;

/** Where fetched bytes are kept (the worker passes the Cache API store; tests a Map). */
export interface ByteStore {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export type Fetcher = (
  url: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

export type Progress = (message: string, loaded: number, total: number) => void;

export interface PartialOptions {
  /** URL of the dataset's folder, ending in '/' (…/datasets/cifar10/) */
  dir: string;
  /** how files are named in messages (datasets/cifar10) */
  where: string;
  fetch: Fetcher;
  store: ByteStore;
  /** requests in flight at once (default 16: HTTP/2 hosts serve them together; over HTTP/1.1 the browser queues
   * beyond its 6 connections per host) */
  concurrency?: number;
  /** a shard of which at least this share of images is missing is fetched whole (default 0.5) */
  wholeShardShare?: number;
}

/** What one `ensure` did. */
export interface EnsureReport {
  /** images asked for that were not loaded yet */
  images: number;
  /** of those, read from the byte store */
  fromStore: number;
  /** bytes and requests that went to the network */
  bytes: number;
  requests: number;
}

interface Shard {
  split: 'train' | 'test';
  info: ShardInfo;
  /** position of its first image in the split */
  offset: number;
  url: string;
  /** whether the store was read for it in this session */
  consulted: boolean;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/** The records-so-far entry of a shard: u32 k, k × u32 positions, k × PIXELS bytes. */
function encodeRecords(positions: number[], pixels: (p: number) => Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + positions.length * (4 + PIXELS));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, positions.length, true);
  positions.forEach((p, i) => {
    dv.setUint32(4 + i * 4, p, true);
    out.set(pixels(p), 4 + positions.length * 4 + i * PIXELS);
  });
  return out;
}

function decodeRecords(bytes: Uint8Array, n: number): { positions: number[]; pixels: Uint8Array } | null {
  if (bytes.length < 4) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const k = dv.getUint32(0, true);
  if (bytes.length !== 4 + k * (4 + PIXELS)) return null;
  const positions: number[] = [];
  for (let i = 0; i < k; i++) {
    const p = dv.getUint32(4 + i * 4, true);
    if (p >= n) return null;
    positions.push(p);
  }
  return { positions, pixels: bytes.subarray(4 + k * 4) };
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LabError('cancelled', 'dataset');
}

export class PartialDataset {
  readonly dataset: ImageDataset;
  /** whether the server answers Range requests with 206 (unknown until the first answer) */
  private ranges: 'unknown' | 'yes' | 'no' = 'unknown';
  private readonly shards: Shard[];
  private readonly wholeFetches = new Map<Shard, Promise<void>>();
  /** bytes and requests sent to the network since this object was made */
  readonly totals = { bytes: 0, requests: 0 };

  private constructor(
    private readonly m: DatasetManifest,
    private readonly index: ImageIndex,
    private readonly o: PartialOptions,
  ) {
    const split = (name: 'train' | 'test', ix: SplitIndex): ImageSplit => ({
      images: new Uint8Array(ix.n * PIXELS),
      labels: ix.labels,
      n: ix.n,
      partial: { present: new Uint8Array(ix.n), name },
    });
    this.dataset = {
      id: m.id,
      classes: [...m.classes],
      height: 32,
      width: 32,
      channels: 3,
      train: split('train', index.train),
      test: split('test', index.test),
      mean: [...m.normalisation.mean],
      std: [...m.normalisation.std],
    };
    this.shards = [];
    for (const name of ['train', 'test'] as const) {
      let offset = 0;
      for (const info of m.splits[name].shards) {
        this.shards.push({ split: name, info, offset, url: new URL(info.file, o.dir).toString(), consulted: false });
        offset += info.count;
      }
    }
  }

  /** Reads the manifest's image index (store, else network; SHA-256 checked) and makes the empty dataset. */
  static async open(
    m: DatasetManifest,
    o: PartialOptions,
    signal?: AbortSignal,
  ): Promise<{ partial: PartialDataset; fetched: boolean }> {
    if (!m.index)
      throw new LabError('the manifest has no image index; re-run npm run datasets', `${o.where}/manifest.json`);
    const file = `${o.where}/${m.index.file}`;
    const url = new URL(m.index.file, o.dir).toString();
    const key = storeKey(url, m.index.sha256);
    let bytes = await o.store.get(key);
    const fetched = !bytes;
    if (!bytes) {
      const res = await fetchOrExplain(o.fetch, url, {}, file, signal);
      if (!res.ok) throw new LabError(`HTTP ${res.status}`, file);
      bytes = new Uint8Array(await res.arrayBuffer());
      await checkSha256(bytes, m.index.sha256, m.index.bytes, file);
    }
    const index = decodeIndex(bytes, m, file);
    if (fetched) await o.store.put(key, bytes);
    const partial = new PartialDataset(m, index, o);
    if (fetched) {
      partial.totals.bytes += bytes.length;
      partial.totals.requests++;
    }
    return { partial, fetched };
  }

  /** Whether every image of both splits is loaded. */
  complete(): boolean {
    return [this.dataset.train, this.dataset.test].every((s) => s.partial!.present.every((p) => p === 1));
  }

  /** How many images are loaded, of how many. */
  counts(): { loaded: number; total: number } {
    let loaded = 0;
    for (const s of [this.dataset.train, this.dataset.test]) for (const p of s.partial!.present) loaded += p;
    return { loaded, total: this.dataset.train.n + this.dataset.test.n };
  }

  /** Loads the images `train` and `test` (indices into the splits) that are not loaded yet. */
  async ensure(
    need: { train: ArrayLike<number>; test: ArrayLike<number> },
    progress: Progress = () => {},
    signal?: AbortSignal,
  ): Promise<EnsureReport> {
    const missingOf = (sh: Shard, wanted: Set<number>): number[] => {
      const present = this.dataset[sh.split].partial!.present;
      const out: number[] = [];
      for (let p = 0; p < sh.info.count; p++)
        if (wanted.has(sh.offset + p) && present[sh.offset + p] !== 1) out.push(p);
      return out;
    };
    const wantedSets = { train: new Set<number>(), test: new Set<number>() };
    for (const name of ['train', 'test'] as const) {
      const n = this.dataset[name].n;
      for (let i = 0; i < need[name].length; i++) {
        const v = need[name][i];
        if (!Number.isInteger(v) || v < 0 || v >= n) {
          throw new LabError(`${name} image ${v} outside 0…${n - 1}`, `${this.o.where} ensure`);
        }
        wantedSets[name].add(v);
      }
    }
    const report: EnsureReport = { images: 0, fromStore: 0, bytes: 0, requests: 0 };
    const plans: Array<{ sh: Shard; missing: number[] }> = [];
    for (const sh of this.shards) {
      checkAborted(signal);
      let missing = missingOf(sh, wantedSets[sh.split]);
      if (missing.length === 0) continue;
      report.images += missing.length;
      if (!sh.consulted) {
        sh.consulted = true;
        await this.fromStore(sh);
        const still = missingOf(sh, wantedSets[sh.split]);
        report.fromStore += missing.length - still.length;
        missing = still;
      }
      if (missing.length) plans.push({ sh, missing });
    }
    if (plans.length === 0) return report;

    const share = this.o.wholeShardShare ?? 0.5;
    type Task = { sh: Shard; range: RecordRange | null };
    const tasks: Task[] = [];
    let images = 0,
      bytes = 0;
    for (const { sh, missing } of plans) {
      images += missing.length;
      if (this.ranges === 'no' || missing.length >= share * sh.info.count) {
        tasks.push({ sh, range: null });
        bytes += sh.info.bytes;
      } else {
        for (const range of coalesceRecords(missing)) {
          tasks.push({ sh, range });
          bytes += range.count * PIXELS;
        }
      }
    }
    const total = this.dataset.train.n + this.dataset.test.n;
    const label = `Downloading ${fmt(images)} of ${fmt(total)} images (${mb(bytes)})`;
    let done = 0;
    let lastPost = Date.now();
    progress(label, 0, bytes);
    const before = { ...this.totals };
    const runTask = async (t: Task): Promise<void> => {
      checkAborted(signal);
      if (t.range === null || this.ranges === 'no') {
        await this.whole(t.sh, signal);
        done += t.range === null ? t.sh.info.bytes : t.range.count * PIXELS;
      } else {
        await this.fetchRange(t.sh, t.range, signal);
        done += t.range.count * PIXELS;
      }
      // at most ~10 updates a second: each one re-renders the page's progress bar
      const now = Date.now();
      if (now - lastPost >= 100 || done >= bytes) {
        lastPost = now;
        progress(label, Math.min(done, bytes), bytes);
      }
    };
    let next = 0;
    // until one answer says whether the server honours Range, send a single request (a server that ignores it
    // would otherwise send the whole shard once per request in flight)
    const firstRange = tasks.findIndex((t) => t.range !== null);
    if (this.ranges === 'unknown' && firstRange >= 0) {
      const [t] = tasks.splice(firstRange, 1);
      await runTask(t);
    }
    const worker = async () => {
      while (next < tasks.length) await runTask(tasks[next++]);
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency ?? 16) }, worker));
    for (const { sh } of plans) if (!this.shardComplete(sh)) await this.keepRecords(sh);
    report.bytes = this.totals.bytes - before.bytes;
    report.requests = this.totals.requests - before.requests;
    return report;
  }

  private shardComplete(sh: Shard): boolean {
    const present = this.dataset[sh.split].partial!.present;
    for (let p = 0; p < sh.info.count; p++) if (present[sh.offset + p] !== 1) return false;
    return true;
  }

  private file(sh: Shard): string {
    return `${this.o.where}/${sh.info.file}`;
  }

  /** Fills what the store holds of a shard: the whole shard, else the records kept so far (each re-checked). */
  private async fromStore(sh: Shard): Promise<void> {
    const whole = await this.o.store.get(storeKey(sh.url, sh.info.sha256));
    if (whole && whole.length === sh.info.bytes) {
      this.fillWhole(sh, whole);
      return;
    }
    const kept = await this.o.store.get(recordsKey(sh.url, sh.info.sha256));
    const rec = kept ? decodeRecords(kept, sh.info.count) : null;
    if (!rec) return;
    for (let i = 0; i < rec.positions.length; i++) {
      const px = rec.pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
      // a stored record that no longer matches the index is dropped (fetched again), not trusted
      if (await checkImageHash(this.index, this.index[sh.split], sh.offset + rec.positions[i], px)) continue;
      this.put(sh, rec.positions[i], px);
    }
  }

  private async keepRecords(sh: Shard): Promise<void> {
    const present = this.dataset[sh.split].partial!.present;
    const positions: number[] = [];
    for (let p = 0; p < sh.info.count; p++) if (present[sh.offset + p] === 1) positions.push(p);
    const images = this.dataset[sh.split].images;
    await this.o.store.put(
      recordsKey(sh.url, sh.info.sha256),
      encodeRecords(positions, (p) => images.subarray((sh.offset + p) * PIXELS, (sh.offset + p + 1) * PIXELS)),
    );
  }

  private put(sh: Shard, p: number, pixels: Uint8Array): void {
    const s = this.dataset[sh.split];
    s.images.set(pixels, (sh.offset + p) * PIXELS);
    s.partial!.present[sh.offset + p] = 1;
  }

  /** A whole, SHA-256-checked shard into the dataset; its labels must be the index's. */
  private fillWhole(sh: Shard, bytes: Uint8Array): void {
    const n = sh.info.count;
    const labels = this.dataset[sh.split].labels;
    for (let p = 0; p < n; p++) {
      if (bytes[SHARD_HEADER_BYTES + p] !== labels[sh.offset + p]) {
        throw new LabError(
          `image ${p} has label ${bytes[SHARD_HEADER_BYTES + p]}, the image index says ${labels[sh.offset + p]}; ` +
            'the shard and the index are from different preparations — re-run npm run datasets',
          this.file(sh),
        );
      }
    }
    const s = this.dataset[sh.split];
    s.images.set(bytes.subarray(SHARD_HEADER_BYTES + n, SHARD_HEADER_BYTES + n + n * PIXELS), sh.offset * PIXELS);
    s.partial!.present.fill(1, sh.offset, sh.offset + n);
  }

  /** The whole shard from the network (once per shard), SHA-256 checked, kept in the store. */
  private whole(sh: Shard, signal?: AbortSignal): Promise<void> {
    let p = this.wholeFetches.get(sh);
    if (!p) {
      p = (async () => {
        const res = await fetchOrExplain(this.o.fetch, sh.url, {}, this.file(sh), signal);
        if (!res.ok) throw new LabError(`HTTP ${res.status}`, this.file(sh));
        await this.wholeFrom(sh, new Uint8Array(await res.arrayBuffer()));
      })();
      this.wholeFetches.set(sh, p);
    }
    return p;
  }

  private async wholeFrom(sh: Shard, bytes: Uint8Array): Promise<void> {
    this.totals.bytes += bytes.length;
    this.totals.requests++;
    await checkSha256(bytes, sh.info.sha256, sh.info.bytes, this.file(sh));
    this.fillWhole(sh, bytes);
    await this.o.store.put(storeKey(sh.url, sh.info.sha256), bytes);
  }

  private async fetchRange(sh: Shard, r: RecordRange, signal?: AbortSignal): Promise<void> {
    const { first, last } = recordBytes(sh.info.count, r);
    const file = this.file(sh);
    const res = await fetchOrExplain(this.o.fetch, sh.url, { Range: `bytes=${first}-${last}` }, file, signal);
    if (res.status === 200) {
      // the server ignores Range: this answer is the whole file; so will every other be
      this.ranges = 'no';
      if (this.shardComplete(sh)) {
        await res.body?.cancel().catch(() => undefined);
        return;
      }
      let p = this.wholeFetches.get(sh);
      if (!p) {
        p = (async () => this.wholeFrom(sh, new Uint8Array(await res.arrayBuffer())))();
        this.wholeFetches.set(sh, p);
      } else await res.body?.cancel().catch(() => undefined);
      return p;
    }
    if (res.status !== 206) throw new LabError(`HTTP ${res.status} for bytes ${first}-${last}`, file);
    const cr = res.headers.get('content-range');
    if (cr) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(cr.trim());
      if (!m || Number(m[1]) !== first || Number(m[2]) !== last || (m[3] !== '*' && Number(m[3]) !== sh.info.bytes)) {
        throw new LabError(
          `asked for bytes ${first}-${last} of ${sh.info.bytes}, the server answered Content-Range "${cr}"`,
          file,
        );
      }
    }
    const body = new Uint8Array(await res.arrayBuffer());
    this.ranges = 'yes';
    this.totals.bytes += body.length;
    this.totals.requests++;
    if (body.length !== last - first + 1) {
      throw new LabError(
        `asked for bytes ${first}-${last} (${last - first + 1} bytes), got ${body.length}; the server or file is ` +
          'truncated or stale — re-run npm run datasets',
        file,
      );
    }
    for (let k = 0; k < r.count; k++) {
      const p = r.start + k;
      const px = body.subarray(k * PIXELS, (k + 1) * PIXELS);
      const bad = await checkImageHash(this.index, this.index[sh.split], sh.offset + p, px);
      if (bad) {
        throw new LabError(
          `image ${p} (${sh.split} image ${sh.offset + p}) does not match the image index: its SHA-256 starts ` +
            `${bad.got}, the index says ${bad.expected}; the file is corrupt or stale — re-run npm run datasets`,
          file,
        );
      }
      this.put(sh, p, px);
    }
  }
}

async function fetchOrExplain(
  fetcher: Fetcher,
  url: string,
  headers: Record<string, string>,
  file: string,
  signal?: AbortSignal,
): Promise<Response> {
  try {
    return await fetcher(url, { headers, signal });
  } catch (e) {
    if (signal?.aborted) throw new LabError('cancelled', 'dataset');
    throw new LabError(
      `could not download (${e instanceof Error ? e.message : String(e)}); images this browser has not kept ` +
        'need the network',
      file,
    );
  }
}

/** Store key of a whole file: its URL with the expected SHA-256 (a re-prepared dataset misses). Same as storage.ts. */
/**
 * A downloaded file against the SHA-256 its manifest gives (whole shards, the image index): a LabError naming the file,
 * both hashes' first 12 hex digits and the sizes, when they differ.
 */
export async function checkSha256(
  bytes: Uint8Array,
  sha256: string,
  expectedBytes: number | undefined,
  file: string,
): Promise<void> {
  const got = await sha256Hex(bytes);
  if (got === sha256) return;
  throw new LabError(
    `SHA-256 mismatch: manifest says ${sha256.slice(0, 12)}…, file has ${got.slice(0, 12)}… (${bytes.length} bytes, ` +
      `expected ${expectedBytes ?? 'as the manifest says'}); the file is truncated, corrupt or stale — re-run npm run datasets`,
    file,
  );
}

export function storeKey(url: string, sha256: string): string {
  const u = new URL(url);
  u.searchParams.set('sha256', sha256);
  return u.toString();
}

function recordsKey(url: string, sha256: string): string {
  const u = new URL(storeKey(url, sha256));
  u.searchParams.set('part', 'records');
  return u.toString();
}
