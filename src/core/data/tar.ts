/**
 * A minimal streaming tar reader (POSIX ustar, with GNU long names and PAX `path`/`size` records).
 * Feed it bytes in chunks of any size with `push`; it returns the entries completed by that chunk. Only the
 * data of entries accepted by `want` is kept, so a 180 MB archive can be scanned with little memory.
 */
import { LabError } from '../types';

export interface TarEntry {
  name: string;
  size: number;
  /** 'file' | 'directory' | 'other' */
  type: 'file' | 'directory' | 'other';
  /** present when the entry is a file accepted by `want` */
  data?: Uint8Array;
}

export interface TarParserOptions {
  /** keep the data of this entry? default: keep all regular files. May throw a LabError to reject the archive. */
  want?: (name: string, size: number) => boolean;
  /** file name used in error messages */
  file?: string;
  /** largest entry whose data is kept (allocated); default `TAR_LIMITS.maxKeptBytes` */
  maxKeptBytes?: number;
  /** total archive bytes, when known (whole files): a size running past the end is rejected before anything else */
  totalBytes?: number;
}

/** Hard caps on what a header may declare (checked before anything is allocated). */
export const TAR_LIMITS = {
  /** data kept in memory per entry (a CIFAR-10 batch is 30.7 MB) */
  maxKeptBytes: 64 << 20,
  /** GNU long-name and PAX extended-header entries */
  maxMetaBytes: 1 << 20,
  /** any entry (skipped ones included): 8 GiB, the ustar octal maximum */
  maxEntryBytes: 2 ** 33,
  /** PAX records per extended header */
  maxPaxRecords: 1000,
};

const BLOCK = 512;

function readString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

function utf8(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** An octal (or GNU base-256) numeric field; NaN when malformed, negative or beyond 2^53. */
function readOctal(b: Uint8Array, off: number, len: number): number {
  if (b[off] & 0x80) {
    // GNU base-256 encoding; 0xff marks a negative number, which no size may be
    if (b[off] === 0xff) return NaN;
    let v = b[off] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    return Number.isSafeInteger(v) ? v : NaN;
  }
  const s = readString(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return NaN;
  return parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  const stored = readOctal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === stored;
}

export class TarParser {
  private readonly want: (name: string, size: number) => boolean;
  private readonly file: string;
  private readonly maxKept: number;
  private readonly totalBytes: number | null;
  /** bytes consumed so far */
  private offset = 0;
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private state: 'header' | 'data' | 'pad' | 'eof' = 'header';
  private remaining = 0;
  private current: TarEntry | null = null;
  private currentBuf: Uint8Array | null = null;
  private currentFill = 0;
  /** the entry being read is a metadata entry (GNU long name, PAX header) */
  private isMeta = false;
  private meta: 'longname' | 'pax' | null = null;
  private pendingName: string | null = null;
  private pendingSize: number | null = null;
  private zeroBlocks = 0;
  private entriesSeen = 0;
  /** offset of the current entry's header */
  private entryAt = 0;

  constructor(opts: TarParserOptions = {}) {
    this.want = opts.want ?? (() => true);
    this.file = opts.file ?? 'tar archive';
    this.maxKept = Math.min(opts.maxKeptBytes ?? TAR_LIMITS.maxKeptBytes, TAR_LIMITS.maxEntryBytes);
    this.totalBytes = opts.totalBytes ?? null;
  }

  /** Consume a chunk; returns entries finished inside it, in archive order. */
  push(chunk: Uint8Array): TarEntry[] {
    const out: TarEntry[] = [];
    let i = 0;
    const n = chunk.length;
    // every pass of this loop consumes at least one byte (`take` ≥ 1), so it ends after ≤ n passes
    while (i < n) {
      if (this.state === 'eof') {
        this.offset += n - i;
        return out;
      }
      if (this.state === 'header') {
        const take = Math.min(BLOCK - this.headerFill, n - i);
        this.header.set(chunk.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        this.offset += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          const e = this.onHeader();
          if (e) out.push(e);
        }
      } else {
        if (!(this.remaining >= 1)) {
          // cannot happen (sizes are checked in onHeader); guards the loop against any regression
          throw new LabError(`internal tar reader error: no bytes left to read at offset ${this.offset}`, this.file);
        }
        const take = Math.min(this.remaining, n - i);
        if (this.state === 'data') {
          if (this.currentBuf) this.currentBuf.set(chunk.subarray(i, i + take), this.currentFill);
          this.currentFill += take;
        }
        this.remaining -= take;
        i += take;
        this.offset += take;
        if (this.remaining === 0) {
          if (this.state === 'data') {
            const e = this.finishEntry();
            if (e) out.push(e);
          } else this.state = 'header';
        }
      }
    }
    return out;
  }

  /** Call after the last chunk: throws if the archive stopped in the middle of an entry. */
  end(): void {
    if (this.entriesSeen === 0 && this.zeroBlocks === 0 && this.state === 'header' && !this.isMeta) {
      throw new LabError(`not a tar archive (${this.offset} bytes, no valid header)`, this.file);
    }
    if (this.state === 'data' || (this.state === 'pad' && this.remaining > 0)) {
      const name = this.current?.name ?? '(metadata)';
      throw new LabError(
        `truncated tar archive: entry ${name} ends early (${this.remaining} bytes missing at offset ${this.offset})`,
        this.file,
      );
    }
    if (this.state === 'header' && this.headerFill > 0) {
      throw new LabError(
        `truncated tar archive: partial header block at offset ${this.offset - this.headerFill}`,
        this.file,
      );
    }
    if (this.pendingName !== null || this.pendingSize !== null) {
      throw new LabError('truncated tar archive: an extended header is not followed by its entry', this.file);
    }
    if (this.entriesSeen === 0) throw new LabError('not a tar archive (no entries)', this.file);
  }

  private fail(at: number, what: string): never {
    throw new LabError(`corrupt tar header at offset ${at}: ${what}`, this.file);
  }

  /** Reject a declared size before anything is allocated: caps, and the bytes the archive can still hold. */
  private checkSize(size: number, at: number, name: string, cap: number, what: string): void {
    if (!Number.isSafeInteger(size) || size < 0) this.fail(at, `bad size field for ${name}`);
    if (size > cap) this.fail(at, `${name} declares ${size} bytes, more than the ${cap}-byte limit for ${what}`);
    if (this.totalBytes !== null && this.offset + size > this.totalBytes) {
      throw new LabError(
        `truncated tar archive: entry ${name} ends early (its header at offset ${at} declares ${size} bytes, ` +
          `only ${Math.max(0, this.totalBytes - this.offset)} remain)`,
        this.file,
      );
    }
  }

  private onHeader(): TarEntry | null {
    const h = this.header;
    let allZero = true;
    for (let k = 0; k < BLOCK; k++)
      if (h[k] !== 0) {
        allZero = false;
        break;
      }
    if (allZero) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = 'eof';
      return null;
    }
    this.zeroBlocks = 0;
    const at = this.offset - BLOCK;
    this.entryAt = at;
    if (!checksumOk(h)) {
      throw new LabError(`corrupt or not a tar archive: bad header checksum at offset ${at}`, this.file);
    }
    let size = readOctal(h, 124, 12);
    const typeflag = String.fromCharCode(h[156] || 0x30);
    let name = readString(h, 0, 100);
    if (readString(h, 257, 5) === 'ustar') {
      const prefix = readString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (typeflag === 'L' || typeflag === 'x' || typeflag === 'g') {
      // metadata entry: collect its data, apply it to the next header
      this.meta = typeflag === 'L' ? 'longname' : typeflag === 'x' ? 'pax' : null;
      const label = `(${typeflag} header)`;
      this.checkSize(size, at, label, this.meta ? TAR_LIMITS.maxMetaBytes : TAR_LIMITS.maxEntryBytes, 'metadata');
      this.isMeta = true;
      this.current = { name: label, size, type: 'other' };
      this.currentBuf = this.meta ? new Uint8Array(size) : null;
      return this.startData(size);
    }
    if (this.pendingName !== null) {
      name = this.pendingName;
      this.pendingName = null;
    }
    if (this.pendingSize !== null) {
      size = this.pendingSize;
      this.pendingSize = null;
    }
    this.isMeta = false;
    this.entriesSeen++;
    const type: TarEntry['type'] =
      typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other';
    this.checkSize(size, at, name, TAR_LIMITS.maxEntryBytes, 'an entry');
    // only regular files carry data we may keep; other types may still have a size (skip it)
    const keep = type === 'file' && this.want(name, size);
    if (keep && size > this.maxKept) {
      const limit = `the ${this.maxKept}-byte limit for a file read into memory`;
      this.fail(at, `${name} declares ${size} bytes, more than ${limit}`);
    }
    this.current = { name, size, type };
    this.currentBuf = keep ? new Uint8Array(size) : null;
    this.meta = null;
    return this.startData(size);
  }

  private startData(size: number): TarEntry | null {
    this.currentFill = 0;
    if (size === 0) return this.finishEntry();
    this.remaining = size;
    this.state = 'data';
    return null;
  }

  private finishEntry(): TarEntry | null {
    const e = this.current!;
    const buf = this.currentBuf;
    const size = this.currentFill;
    this.current = null;
    this.currentBuf = null;
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    this.remaining = pad;
    this.state = pad > 0 ? 'pad' : 'header';
    if (this.isMeta) {
      if (buf && this.meta === 'longname') this.pendingName = readString(buf, 0, buf.length);
      else if (buf && this.meta === 'pax') this.applyPax(utf8(buf), this.entryAt);
      this.meta = null;
      return null;
    }
    if (buf) e.data = buf;
    return e;
  }

  /** PAX records "<len> key=value\n"; `path` and `size` apply to the next entry. Malformed records are errors. */
  private applyPax(text: string, at: number): void {
    const bad = (what: string): never => {
      throw new LabError(`corrupt PAX extended header (entry at offset ${at}): ${what}`, this.file);
    };
    const bytes = new TextEncoder().encode(text);
    let p = 0;
    for (let records = 0; p < bytes.length; records++) {
      if (records >= TAR_LIMITS.maxPaxRecords) bad(`more than ${TAR_LIMITS.maxPaxRecords} records`);
      if (bytes[p] === 0) break; // NUL padding after the last record
      let sp = p;
      while (sp < bytes.length && sp - p < 12 && bytes[sp] >= 0x30 && bytes[sp] <= 0x39) sp++;
      if (sp === p || bytes[sp] !== 0x20) bad(`record at byte ${p} does not start with "<length> "`);
      const len = Number(new TextDecoder().decode(bytes.subarray(p, sp)));
      if (!(len > sp - p + 1) || p + len > bytes.length || bytes[p + len - 1] !== 0x0a) {
        bad(`record at byte ${p} declares length ${len}, which does not fit the header`);
      }
      const rec = new TextDecoder().decode(bytes.subarray(sp + 1, p + len - 1));
      const eq = rec.indexOf('=');
      if (eq <= 0) bad(`record at byte ${p} has no key=value`);
      const k = rec.slice(0, eq),
        v = rec.slice(eq + 1);
      if (k === 'path') this.pendingName = v;
      else if (k === 'size') {
        if (!/^\d{1,16}$/.test(v)) bad(`size ${JSON.stringify(v.slice(0, 40))} is not a non-negative decimal number`);
        const n = Number(v);
        if (n > TAR_LIMITS.maxEntryBytes) bad(`size ${n} exceeds the ${TAR_LIMITS.maxEntryBytes}-byte limit`);
        this.pendingSize = n;
      }
      p += len;
    }
  }
}

/** Parse a whole in-memory tar archive. */
export function parseTar(bytes: Uint8Array, opts: TarParserOptions = {}): TarEntry[] {
  const p = new TarParser({ totalBytes: bytes.length, ...opts });
  const out = p.push(bytes);
  p.end();
  return out;
}

/** Build a ustar archive (used by tests and for small exports). Names up to 100 bytes. */
export function buildTar(files: { name: string; data: Uint8Array; type?: 'file' | 'directory' }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files) {
    const h = new Uint8Array(BLOCK);
    const nm = enc.encode(f.name);
    if (nm.length > 100) throw new LabError(`tar name too long: ${f.name}`, 'buildTar');
    h.set(nm, 0);
    const isDir = f.type === 'directory';
    const size = isDir ? 0 : f.data.length;
    const w = (off: number, s: string) => h.set(enc.encode(s), off);
    w(100, isDir ? '0000755\0' : '0000644\0');
    w(108, '0000000\0');
    w(116, '0000000\0');
    w(124, size.toString(8).padStart(11, '0') + '\0');
    w(136, '00000000000\0');
    h[156] = isDir ? 0x35 : 0x30;
    w(257, 'ustar\0');
    w(263, '00');
    for (let k = 148; k < 156; k++) h[k] = 32;
    let sum = 0;
    for (let k = 0; k < BLOCK; k++) sum += h[k];
    w(148, sum.toString(8).padStart(6, '0') + '\0 ');
    parts.push(h);
    if (size > 0) {
      parts.push(f.data);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
