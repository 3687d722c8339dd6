/**
 * Writers of small test files in the official formats (CIFAR-10 binary batches, tar.gz archives, MATLAB v5
 * .mat files), written independently of the readers under test. Test-only: uses Node's zlib.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { buildTar } from '../src/core/data/tar';

/** A deterministic byte for image i, row y, column x, channel c. */
export const pix = (i: number, y: number, x: number, c: number): number => (i * 31 + y * 7 + x * 3 + c * 101) & 255;

/** CIFAR-10 binary batch of the given labels: label byte + R plane + G plane + B plane per record. */
export function cifarBatch(labels: number[], offset = 0): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((lab, r) => {
    const base = r * 3073;
    out[base] = lab;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          out[base + 1 + c * 1024 + y * 32 + x] = pix(offset + r, y, x, c);
        }
  });
  return out;
}

/** A small archive in the official layout; `perBatch` records per train batch, `test` test records. */
export function cifarArchive(
  opts: { perBatch?: number; test?: number; omit?: string; gzip?: boolean } = {},
): Uint8Array {
  const perBatch = opts.perBatch ?? 20,
    nTest = opts.test ?? 20;
  const files: { name: string; data: Uint8Array; type?: 'file' | 'directory' }[] = [
    { name: 'cifar-10-batches-bin/', data: new Uint8Array(0), type: 'directory' },
    {
      name: 'cifar-10-batches-bin/batches.meta.txt',
      data: new TextEncoder().encode('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n'),
    },
  ];
  for (let b = 1; b <= 5; b++) {
    const labels = Array.from({ length: perBatch }, (_, i) => (i + b) % 10);
    files.push({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarBatch(labels, (b - 1) * perBatch) });
  }
  files.push({
    name: 'cifar-10-batches-bin/test_batch.bin',
    data: cifarBatch(
      Array.from({ length: nTest }, (_, i) => i % 10),
      100000,
    ),
  });
  files.push({ name: 'cifar-10-batches-bin/readme.html', data: new TextEncoder().encode('<html></html>') });
  const tar = buildTar(files.filter((f) => !opts.omit || !f.name.endsWith(opts.omit)));
  return opts.gzip === false ? tar : new Uint8Array(gzipSync(tar));
}

// ---- MATLAB v5 writer --------------------------------------------------------------------------------------

export type MatVar =
  | { name: string; cls: 'uint8'; dims: number[]; data: Uint8Array }
  | { name: string; cls: 'double'; dims: number[]; data: Float64Array; storeAs?: 'double' | 'uint8' }
  | { name: string; cls: 'char'; dims: number[]; data: Uint16Array };

class W {
  parts: Uint8Array[] = [];
  constructor(readonly le: boolean) {}
  u32(v: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, this.le);
    return b;
  }
  /** a full element: tag (type, nbytes) + data + padding to 8 */
  element(type: number, data: Uint8Array): Uint8Array {
    const pad = (8 - (data.length % 8)) % 8;
    const out = new Uint8Array(8 + data.length + pad);
    out.set(this.u32(type), 0);
    out.set(this.u32(data.length), 4);
    out.set(data, 8);
    return out;
  }
  /** small data element (≤ 4 bytes) */
  small(type: number, data: Uint8Array): Uint8Array {
    const out = new Uint8Array(8);
    out.set(this.u32((data.length << 16) | type), 0);
    out.set(data, 4);
    return out;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function matrixElement(w: W, v: MatVar): Uint8Array {
  const clsCode = v.cls === 'uint8' ? 9 : v.cls === 'double' ? 6 : 4;
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, clsCode, w.le);
  const dims = new Uint8Array(4 * v.dims.length);
  v.dims.forEach((d, k) => new DataView(dims.buffer).setInt32(4 * k, d, w.le));
  const name = new TextEncoder().encode(v.name);
  let real: Uint8Array;
  if (v.cls === 'uint8') real = w.element(2, v.data);
  else if (v.cls === 'double' && v.storeAs === 'uint8') real = w.element(2, Uint8Array.from(v.data));
  else if (v.cls === 'double') {
    const b = new Uint8Array(v.data.length * 8);
    const dv = new DataView(b.buffer);
    v.data.forEach((x, i) => dv.setFloat64(8 * i, x, w.le));
    real = w.element(9, b);
  } else {
    const b = new Uint8Array(v.data.length * 2);
    const dv = new DataView(b.buffer);
    v.data.forEach((x, i) => dv.setUint16(2 * i, x, w.le));
    real = w.element(4, b);
  }
  const body = concat([
    w.element(6, flags),
    w.element(5, dims),
    name.length <= 4 ? w.small(1, name) : w.element(1, name),
    real,
  ]);
  return w.element(14, body);
}

/** A MAT v5 file; `compress` wraps each variable in an miCOMPRESSED element (as MATLAB's default -v7 does). */
export function writeMat(vars: MatVar[], opts: { compress?: boolean; bigEndian?: boolean } = {}): Uint8Array {
  const le = !opts.bigEndian;
  const w = new W(le);
  const header = new Uint8Array(128).fill(32);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: test, Created on: today'), 0);
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header.set(new TextEncoder().encode(le ? 'IM' : 'MI'), 126);
  const parts: Uint8Array[] = [header];
  for (const v of vars) {
    const el = matrixElement(w, v);
    if (opts.compress) {
      const z = new Uint8Array(deflateSync(el));
      const out = new Uint8Array(8 + z.length); // compressed elements are not padded
      out.set(w.u32(15), 0);
      out.set(w.u32(z.length), 4);
      out.set(z, 8);
      parts.push(out);
    } else parts.push(el);
  }
  return concat(parts);
}

/** SVHN-style variables for `labels` (1..10, 10 = digit 0): X 32×32×3×N column-major, y N×1 double. */
export function svhnVars(labels: number[], opts: { yStoreAs?: 'double' | 'uint8' } = {}): MatVar[] {
  const n = labels.length;
  const X = new Uint8Array(n * 3072);
  for (let m = 0; m < n; m++)
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 32; j++)
        for (let i = 0; i < 32; i++) {
          X[i + 32 * j + 1024 * k + 3072 * m] = pix(m, i, j, k); // row i, column j
        }
  return [
    { name: 'X', cls: 'uint8', dims: [32, 32, 3, n], data: X },
    { name: 'y', cls: 'double', dims: [n, 1], data: Float64Array.from(labels), storeAs: opts.yStoreAs ?? 'double' },
  ];
}

/** Fast byte equality (vitest's deep equality is slow on large typed arrays). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
