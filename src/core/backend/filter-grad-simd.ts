/**
 * The convolution filter gradient as a hand-written WASM SIMD kernel (issue 24): one GEMM, dW ((KH·KW·Ci) × Co)
 * += Σ_p patch(p)ᵀ · dy[p], over blocks of output positions and groups of taps, with both operands packed into
 * contiguous panels first and a 5 × 8 register tile (source: src/core/backend/asm/filter-grad.ts, compiled by
 * `npm run kernels` into filter-grad-wasm.ts).
 *
 * It runs in its own WebAssembly instance with its own memory: the input is copied in once per call and the output
 * gradient block by block (the kernel packs each block once for all taps), and the result copied out. The module
 * needs WASM SIMD (every browser the lab supports and Node ≥ 16); where it cannot be compiled,
 * `simdFilterGradUnavailable()` says why and the caller keeps its other formulation. tfjs-free: plain arrays in and out.
 */
import { WASM_BASE64 } from './filter-grad-wasm';

interface KernelExports {
  memory: WebAssembly.Memory;
  block(
    xPtr: number,
    zeroPtr: number,
    dyPtr: number,
    outPtr: number,
    apPtr: number,
    bpPtr: number,
    tilePtr: number,
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
    group: number,
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

/**
 * Output gradient bytes per block of positions (256 positions at Co = 128; at least 64, at most 512 positions): the
 * packed block streams from L2 while a register tile's patch panel stays in L1, and the longer the block the less
 * often a tile's accumulators are loaded and stored (128 KiB measured faster than 32 and 64 KiB on ConvNet-3's layers).
 */
const BLOCK_BYTES = 128 * 1024;
const MIN_BLOCK = 64,
  MAX_BLOCK = 512;
/** Rows (patch values) of a tap group: all taps of a layer with few input channels, one tap of a wide one. */
const GROUP_ROWS = 256;
/** The kernel's register tile: 5 patch rows × 8 outputs (asm/filter-grad.ts MR, NR). */
const MR = 5,
  NR = 8;
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
  const P = Math.min(total, Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, Math.floor(BLOCK_BYTES / (co * 4)))));
  const group = Math.max(1, Math.min(kh * kw, Math.floor(GROUP_ROWS / ci)));
  const a64 = (b: number) => (b + 63) & ~63; // cache-line aligned regions
  const zeroPtr = 0;
  const xPtr = a64(ci * 4);
  const dyPtr = a64(xPtr + x.length * 4);
  const outPtr = a64(dyPtr + P * co * 4);
  const apPtr = a64(outPtr + outN * 4);
  const bpPtr = a64(apPtr + P * Math.ceil((group * ci) / MR) * MR * 4);
  const tilePtr = a64(bpPtr + P * Math.ceil(co / NR) * NR * 4);
  const end = tilePtr + MR * NR * 4;
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
      dyPtr,
      outPtr,
      apPtr,
      bpPtr,
      tilePtr,
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
      group,
    );
  }
  target.set(f.subarray(outPtr >> 2, (outPtr >> 2) + outN));
  calls++;
}
