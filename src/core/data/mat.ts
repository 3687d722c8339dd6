/**
 * MATLAB Level-5 MAT-file reader (the format of SVHN's `train_32x32.mat` / `test_32x32.mat`).
 * Supports numeric (real, full) matrices stored plainly (miMATRIX) or zlib-compressed (miCOMPRESSED), either
 * byte order, and the "small data element" tag form. Values keep MATLAB's column-major order.
 */
import { LabError } from '../types';
import { InflateGuard, inflateAll, type InflateLimits } from './gzip';

/** Hard caps on what a MAT file may declare (checked before anything is allocated or inflated further). */
export const MAT_LIMITS = {
  /** a decompressed miCOMPRESSED element (SVHN's train X is 225 MB) */
  maxElementBytes: 512 << 20,
  /** all miCOMPRESSED elements of one file together (issue 19 item 4: the cap is per file, not per element) */
  maxFileBytes: 1 << 30,
  /** values in one variable */
  maxValues: 2 ** 31,
  /** dimensions of one variable */
  maxDims: 32,
  /** variable name length (MATLAB's own limit is 63) */
  maxNameBytes: 255,
};

export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

export const MX = {
  CELL: 1,
  STRUCT: 2,
  OBJECT: 3,
  CHAR: 4,
  SPARSE: 5,
  DOUBLE: 6,
  SINGLE: 7,
  INT8: 8,
  UINT8: 9,
  INT16: 10,
  UINT16: 11,
  INT32: 12,
  UINT32: 13,
  INT64: 14,
  UINT64: 15,
} as const;

const CLASS_NAMES: Record<number, string> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};

const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

export type MatData =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface MatVariable {
  name: string;
  /** MATLAB class: 'double', 'uint8', … ('cell', 'struct', 'char', 'sparse' are listed but carry no data) */
  className: string;
  dims: number[];
  /** column-major values, typed by class (int64/uint64 → Float64Array); absent for unsupported classes */
  data?: MatData;
  complex: boolean;
}

interface Tag {
  type: number;
  nbytes: number;
  dataOff: number;
  next: number;
}

class Reader {
  readonly dv: DataView;
  constructor(
    readonly b: Uint8Array,
    readonly le: boolean,
    readonly file: string,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  u32(p: number): number {
    return this.dv.getUint32(p, this.le);
  }
  tag(p: number, end: number, what: string): Tag {
    if (p + 8 > end) throw new LabError(`truncated MAT file: ${what} tag at offset ${p} runs past the end`, this.file);
    const w = this.u32(p);
    if (w >>> 16 !== 0) {
      // small data element: 2-byte size, 2-byte type, 4 bytes of data
      const nbytes = w >>> 16;
      if (nbytes > 4)
        throw new LabError(`corrupt MAT file: small element of ${nbytes} bytes at offset ${p}`, this.file);
      return { type: w & 0xffff, nbytes, dataOff: p + 4, next: p + 8 };
    }
    const nbytes = this.u32(p + 4);
    const dataOff = p + 8;
    if (dataOff + nbytes > end) {
      throw new LabError(
        `truncated MAT file: ${what} at offset ${p} declares ${nbytes} bytes but only ${Math.max(0, end - dataOff)} remain`,
        this.file,
      );
    }
    return { type: w, nbytes, dataOff, next: dataOff + Math.ceil(nbytes / 8) * 8 };
  }
}

function readHeader(bytes: Uint8Array, file: string): boolean {
  if (bytes.length < 128) {
    throw new LabError(`not a MAT v5 file (only ${bytes.length} bytes; a MAT-file header alone is 128 bytes)`, file);
  }
  const text = String.fromCharCode(...bytes.subarray(0, 19));
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (text.startsWith('MATLAB 7.3 MAT-file') || (bytes[0] === 0x89 && bytes[1] === 0x48)) {
    throw new LabError('MAT v7.3 (HDF5) files are not supported; save with -v7 or -v6 (MAT v5 format)', file);
  }
  if (endian !== 'IM' && endian !== 'MI') {
    throw new LabError(
      `not a MAT v5 file (no 'IM'/'MI' byte-order mark at offset 126; header starts "${text.replace(/[^\x20-\x7e]/g, '?')}")`,
      file,
    );
  }
  const le = endian === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, le);
  if (version !== 0x0100)
    throw new LabError(`not a MAT v5 file (version field 0x${version.toString(16)}, expected 0x0100)`, file);
  return le;
}

function readValues(r: Reader, t: Tag, className: number, count: number, what: string): MatData {
  const size = MI_SIZE[t.type];
  if (!size) throw new LabError(`${what}: unsupported data type ${t.type}`, r.file);
  if (t.nbytes !== count * size) {
    throw new LabError(
      `${what}: expected ${count} values (${count * size} bytes) but the element holds ${t.nbytes} bytes`,
      r.file,
    );
  }
  const out = allocFor(className, count);
  const { dv, le } = r;
  const p0 = t.dataOff;
  if (t.type === MI.UINT8 && out instanceof Uint8Array) {
    out.set(r.b.subarray(p0, p0 + count));
    return out;
  }
  const get: (p: number) => number =
    t.type === MI.INT8
      ? (p) => dv.getInt8(p)
      : t.type === MI.UINT8
        ? (p) => dv.getUint8(p)
        : t.type === MI.INT16
          ? (p) => dv.getInt16(p, le)
          : t.type === MI.UINT16
            ? (p) => dv.getUint16(p, le)
            : t.type === MI.INT32
              ? (p) => dv.getInt32(p, le)
              : t.type === MI.UINT32
                ? (p) => dv.getUint32(p, le)
                : t.type === MI.SINGLE
                  ? (p) => dv.getFloat32(p, le)
                  : t.type === MI.DOUBLE
                    ? (p) => dv.getFloat64(p, le)
                    : t.type === MI.INT64
                      ? (p) => Number(dv.getBigInt64(p, le))
                      : (p) => Number(dv.getBigUint64(p, le));
  for (let i = 0; i < count; i++) out[i] = get(p0 + i * size);
  return out;
}

function allocFor(cls: number, n: number): MatData {
  switch (cls) {
    case MX.UINT8:
      return new Uint8Array(n);
    case MX.INT8:
      return new Int8Array(n);
    case MX.INT16:
      return new Int16Array(n);
    case MX.UINT16:
      return new Uint16Array(n);
    case MX.INT32:
      return new Int32Array(n);
    case MX.UINT32:
      return new Uint32Array(n);
    case MX.SINGLE:
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
}

function readMatrix(r: Reader, start: number, end: number): MatVariable {
  const flagsTag = r.tag(start, end, 'array flags');
  if (flagsTag.type !== MI.UINT32 || flagsTag.nbytes !== 8) {
    throw new LabError(`corrupt MAT file: bad array-flags subelement at offset ${start}`, r.file);
  }
  const flags = r.u32(flagsTag.dataOff);
  const cls = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  const dimsTag = r.tag(flagsTag.next, end, 'dimensions');
  if (dimsTag.type !== MI.INT32 || dimsTag.nbytes % 4 !== 0 || dimsTag.nbytes < 8) {
    throw new LabError(`corrupt MAT file: bad dimensions subelement at offset ${flagsTag.next}`, r.file);
  }
  if (dimsTag.nbytes / 4 > MAT_LIMITS.maxDims) {
    throw new LabError(`corrupt MAT file: ${dimsTag.nbytes / 4} dimensions at offset ${flagsTag.next}`, r.file);
  }
  const dims: number[] = [];
  for (let k = 0; k < dimsTag.nbytes / 4; k++) dims.push(r.dv.getInt32(dimsTag.dataOff + 4 * k, r.le));
  if (dims.some((d) => d < 0)) {
    throw new LabError(`corrupt MAT file: negative dimension in ${dims.join('×')} at offset ${flagsTag.next}`, r.file);
  }
  const nameTag = r.tag(dimsTag.next, end, 'array name');
  if (nameTag.nbytes > MAT_LIMITS.maxNameBytes) {
    throw new LabError(`corrupt MAT file: array name of ${nameTag.nbytes} bytes at offset ${dimsTag.next}`, r.file);
  }
  let name = '';
  for (let k = 0; k < nameTag.nbytes; k++) name += String.fromCharCode(r.b[nameTag.dataOff + k]);
  const v: MatVariable = { name, className: CLASS_NAMES[cls] ?? `class${cls}`, dims, complex };
  if (cls < MX.DOUBLE || cls > MX.UINT64 || complex) return v; // no numeric payload we read
  const count = dims.reduce((a, d) => a * d, 1);
  if (count > MAT_LIMITS.maxValues) {
    throw new LabError(`variable ${name} declares absurd dimensions ${dims.join('×')} (${count} values)`, r.file);
  }
  const realTag = r.tag(nameTag.next, end, `real part of ${name}`);
  v.data = readValues(r, realTag, cls, count, `variable ${name}`);
  return v;
}

/**
 * Read all variables of a MAT v5 file. `want` limits which variables are decoded (others are skipped after
 * their name is known; compressed ones still have to be inflated to learn their name).
 */
export async function readMat(
  bytes: Uint8Array,
  opts: {
    file?: string;
    want?: (name: string) => boolean;
    inflate?: Partial<InflateLimits>;
    /** cap on all decompressed elements together (default MAT_LIMITS.maxFileBytes; tests inject a small one) */
    maxFileBytes?: number;
  } = {},
): Promise<Map<string, MatVariable>> {
  const file = opts.file ?? 'MAT file';
  const limits = { maxBytes: MAT_LIMITS.maxElementBytes, ...opts.inflate };
  const maxFileBytes = opts.maxFileBytes ?? MAT_LIMITS.maxFileBytes;
  // the whole file's decompression is held to the caps too: many small elements must not add up to a bomb
  const fileGuard = new InflateGuard(file, { ...limits, maxBytes: maxFileBytes });
  let inflated = 0;
  let compressed = 0;
  const le = readHeader(bytes, file);
  const r = new Reader(bytes, le, file);
  const vars = new Map<string, MatVariable>();
  let p = 128;
  const end = bytes.length;
  while (p < end) {
    if (end - p < 8) {
      // trailing padding is allowed; anything else is a cut element
      if (bytes.subarray(p, end).every((x) => x === 0)) break;
      throw new LabError(`truncated MAT file: ${end - p} stray bytes at offset ${p}`, file);
    }
    const t = r.tag(p, end, 'data element');
    if (t.type === MI.COMPRESSED) {
      const where = `${file} (compressed element at offset ${p})`;
      const left = maxFileBytes - inflated;
      const overFile = () =>
        new LabError(
          `its compressed elements together inflate to more than the ${maxFileBytes.toLocaleString('en-US')} bytes ` +
            'allowed for one file (not a genuine dataset file?)',
          file,
        );
      if (left <= 0) throw overFile();
      let inner: Uint8Array;
      try {
        inner = await inflateAll(bytes.subarray(t.dataOff, t.dataOff + t.nbytes), 'deflate', where, {
          ...limits,
          maxBytes: Math.min(limits.maxBytes, left),
        });
      } catch (e) {
        if (left < limits.maxBytes && /exceeds the limit/.test((e as Error).message)) throw overFile();
        throw e;
      }
      inflated += inner.length;
      compressed += t.nbytes;
      fileGuard.check(inflated, compressed);
      const ir = new Reader(inner, le, file);
      const it = ir.tag(0, inner.length, 'compressed data element');
      if (it.type === MI.MATRIX) {
        const v = readMatrix(ir, it.dataOff, it.dataOff + it.nbytes);
        if (!opts.want || opts.want(v.name)) vars.set(v.name, v);
      }
      p = t.dataOff + t.nbytes; // compressed elements are not padded
    } else if (t.type === MI.MATRIX) {
      const v = readMatrix(r, t.dataOff, t.dataOff + t.nbytes);
      if (!opts.want || opts.want(v.name)) vars.set(v.name, v);
      p = t.next;
    } else if (t.type === 0 || t.type > 18) {
      throw new LabError(`corrupt MAT file: unknown data element type ${t.type} at offset ${p}`, file);
    } else {
      p = t.next;
    }
  }
  return vars;
}
