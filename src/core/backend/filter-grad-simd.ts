/**
 * The convolution filter gradient as a hand-written WASM SIMD kernel (issue 24): an indirect GEMM with 4 × 12 and
 * 3 × 16 register tiles that accumulates dW[a, b, :, :] += Σ_p x(row_p)ᵀ · dy[p] tap by tap over blocks of output positions,
 * reading the input through per-position row addresses instead of an im2col copy (source:
 * src/core/backend/asm/filter-grad.ts, compiled by `npm run kernels` into filter-grad-wasm.ts).
 *
 * It runs in its own WebAssembly instance with its own memory: the input is copied in once per call and the output
 * gradient block by block (so each block is cache-resident while the taps reuse it), and the result copied out. The
 * module needs WASM SIMD (every browser the lab supports and Node ≥ 16); where it cannot be compiled,
 * `simdFilterGradUnavailable()` says why and the caller keeps its other formulation. tfjs-free: plain arrays in and out.
 */
import { WASM_BASE64 } from './filter-grad-wasm';

interface KernelExports {
  memory: WebAssembly.Memory;
  block(
    xPtr: number,
    zeroPtr: number,
    rowsPtr: number,
    dyPtr: number,
    outPtr: number,
    h: number,
    w: number,
    ci: number,
    co: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    oh: number,
    ow: number,
    p0: number,
    count: number,
  ): void;
}

let kernel: KernelExports | null = null;
let failure: string | null = null;
let calls = 0;

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function instance(): KernelExports | null {
  if (kernel || failure) return kernel;
  try {
    const mod = new WebAssembly.Module(decode(WASM_BASE64) as BufferSource);
    kernel = new WebAssembly.Instance(mod, {}).exports as unknown as KernelExports;
  } catch (e) {
    failure = `the SIMD filter-gradient module does not compile here (${e instanceof Error ? e.message : String(e)})`;
  }
  return kernel;
}

/** null when the kernel can run here; otherwise why not (no WASM SIMD). */
export function simdFilterGradUnavailable(): string | null {
  instance();
  return failure;
}

/** How many filter gradients the SIMD kernel has computed in this thread (tests prove it ran). */
export function simdFilterGradCalls(): number {
  return calls;
}

/** Output gradient bytes per block of positions: one block stays in a core's L1 data cache while the taps reuse it. */
const BLOCK_BYTES = 32 * 1024;
const MAX_BYTES = 2 ** 31;

export interface FilterGradGeometry {
  /** input [N, H, W, Ci] (NHWC) */
  x: [number, number, number, number];
  /** filter [KH, KW, Ci, Co] */
  filter: [number, number, number, number];
  /** output [OH, OW] */
  out: [number, number];
  strides: [number, number];
  /** padding before the first row / column (the rest follows from the output size) */
  padTop: number;
  padLeft: number;
}

/**
 * dW [KH, KW, Ci, Co] = Σ over positions of the input patch ⊗ the output gradient, for NHWC `x` and `dy`
 * ([N, OH, OW, Co]); `target` (length KH·KW·Ci·Co) receives the result. Throws when the kernel is unavailable or the
 * operands exceed what one instance addresses (callers check `simdFilterGradUnavailable()` first).
 */
export function filterGradSimd(x: Float32Array, dy: Float32Array, g: FilterGradGeometry, target: Float32Array): void {
  const k = instance();
  if (!k) throw new Error(`filterGradSimd: ${failure}`);
  const [n, h, w, ci] = g.x;
  const [kh, kw, ci2, co] = g.filter;
  const [oh, ow] = g.out;
  const outN = kh * kw * ci * co;
  if (ci2 !== ci || x.length !== n * h * w * ci || dy.length !== n * oh * ow * co || target.length !== outN) {
    throw new Error(
      `filterGradSimd: shapes disagree — x ${g.x} (${x.length} values), filter ${g.filter}, dy [${n},${oh},${ow},${co}] (${dy.length} values), target ${target.length}`,
    );
  }
  const total = n * oh * ow;
  const P = Math.max(1, Math.min(total, Math.floor(BLOCK_BYTES / (co * 4))));
  const a16 = (b: number) => (b + 15) & ~15;
  const zeroPtr = 0;
  const xPtr = a16(ci * 4 + 16);
  const rowsPtr = a16(xPtr + x.length * 4);
  const dyPtr = a16(rowsPtr + P * 4);
  const outPtr = a16(dyPtr + P * co * 4);
  const end = outPtr + outN * 4;
  if (end > MAX_BYTES)
    throw new Error(`filterGradSimd: ${end} bytes of operands exceed one kernel instance's ${MAX_BYTES}`);
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
  const f = new Float32Array(k.memory.buffer);
  f.fill(0, 0, xPtr >> 2);
  f.set(x, xPtr >> 2);
  f.fill(0, outPtr >> 2, (outPtr >> 2) + outN);
  const [sh, sw] = g.strides;
  for (let p0 = 0; p0 < total; p0 += P) {
    const count = Math.min(P, total - p0);
    f.set(dy.subarray(p0 * co, (p0 + count) * co), dyPtr >> 2);
    k.block(
      xPtr,
      zeroPtr,
      rowsPtr,
      dyPtr,
      outPtr,
      h,
      w,
      ci,
      co,
      kh,
      kw,
      sh,
      sw,
      g.padTop,
      g.padLeft,
      oh,
      ow,
      p0,
      count,
    );
  }
  target.set(f.subarray(outPtr >> 2, (outPtr >> 2) + outN));
  calls++;
}
