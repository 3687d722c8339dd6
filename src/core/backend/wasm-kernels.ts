/**
 * Convolution gradient kernels for the tfjs WASM backend, expressed as forward convolutions (which the
 * backend runs through XNNPACK):
 *
 *  - `Conv2DBackpropFilter` (missing in tfjs-backend-wasm 4.22): by default the project's own WASM SIMD kernel
 *    (conv2dBackpropFilterSimd, src/core/backend/filter-grad-simd.ts; issue 24), else a chunked im2col GEMM on
 *    XNNPACK (conv2dBackpropFilterGemm). Legacy formulations, kept for comparison: the filter gradient is a conv2d of the input
 *    with batch and channel axes swapped ([Ci,H,W,N]) by the output gradient used as the filter
 *    ([OH,OW,N,Co]), dilated by the stride, stride 1, the forward padding; the [Ci,KH,KW,Co] result is
 *    transposed to [KH,KW,Ci,Co].
 *  - `Conv2DBackpropInput` (the stock one is a slow scalar loop): a conv2d of the (stride-)dilated output
 *    gradient with the 180°-rotated, in/out-swapped filter, padding K−1−p.
 *
 * Kernels are composed from other registered WASM kernels at the kernel level (no tf ops), so they run
 * inside tfjs' gradient machinery like any built-in kernel. They touch backend internals (`disposeData`):
 * re-check them (src/core/backend/wasm-kernels.test.ts) after any tfjs upgrade.
 */
import * as tf from '@tensorflow/tfjs';
import { filterGradSimd, simdFilterGradUnavailable } from './filter-grad-simd';

type TensorInfo = tf.TensorInfo;
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
type Pad = 'valid' | 'same' | number | ExplicitPad;

interface WasmLikeBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

const BACKEND = 'wasm';

function run(
  name: string,
  backend: unknown,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
  on = BACKEND,
): TensorInfo {
  const k = tf.getKernel(name, on);
  if (!k) throw new Error(`wasm-kernels: kernel ${name} is not registered for ${on}`);
  return k.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

function free(backend: unknown, ...ts: TensorInfo[]): void {
  for (const t of ts) (backend as WasmLikeBackend).disposeData(t.dataId);
}

/** forward conv, stride 1, given dilation and explicit (non-negative) pads */
function conv(
  backend: unknown,
  x: TensorInfo,
  filter: TensorInfo,
  dil: [number, number],
  pt: number,
  pb: number,
  pl: number,
  pr: number,
  on = BACKEND,
): TensorInfo {
  return run(
    'Conv2D',
    backend,
    { x, filter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: dil,
      dimRoundingMode: undefined,
    },
    on,
  );
}

function convInfoOf(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as never,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** The forward convolution's geometry for a filter gradient, after checking that dy is that convolution's output. */
function filterGradInfo(
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
) {
  const info = convInfoOf(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [, , ci, co] = filterShape;
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth || dy.shape[3] !== co || x.shape[3] !== ci) {
    throw new Error(`wasm-kernels: Conv2DBackpropFilter got dy ${dy.shape} for x ${x.shape}, filter ${filterShape}`);
  }
  return info;
}

/** dW = conv2d(x^T, dy^T, dilation = stride); `on`: the backend whose kernels run it ('wasm', or 'webgpu') */
export function conv2dBackpropFilterViaConv(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  on = BACKEND,
): TensorInfo {
  const info = convInfoOf(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const xt = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }, on); // [Ci,H,W,N]
  const dyt = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }, on); // [OH,OW,N,Co]
  // With a floor in the forward output size the conv below yields ≥ KH×KW positions: slice the first ones.
  const r = conv(backend, xt, dyt, [sh, sw], top, bottom, left, right, on); // [Ci, ≥KH, ≥KW, Co]
  free(backend, xt, dyt);
  let rr = r;
  if (r.shape[1] !== kh || r.shape[2] !== kw) {
    rr = run('Slice', backend, { x: r }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }, on);
    free(backend, r);
  }
  const out = run('Transpose', backend, { x: rr }, { perm: [1, 2, 0, 3] }, on);
  free(backend, rr);
  return out;
}

/** dx = conv2d(dilate(dy, stride), rot180(W)^T, pad K−1−p) */
export function conv2dBackpropInputViaConv(
  backend: unknown,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const info = convInfoOf(inputShape, filter.shape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filter.shape;
  const [n, h, w] = inputShape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  // filter: rotate 180° and swap in/out → [KH,KW,Co,Ci]
  let wf: TensorInfo;
  if (kh === 1 && kw === 1) {
    wf = run('Transpose', backend, { x: filter }, { perm: [0, 1, 3, 2] });
  } else {
    const rev = run('Reverse', backend, { x: filter }, { dims: [0, 1] });
    wf = run('Transpose', backend, { x: rev }, { perm: [0, 1, 3, 2] });
    free(backend, rev);
  }
  // dilate dy by the stride (zeros between rows/cols; trailing zeros kept: length OH·s)
  let dyd = dy;
  let dydOwned = false;
  if (sh > 1 || sw > 1) {
    const r6 = run('Reshape', backend, { x: dy }, { shape: [n, oh, 1, ow, 1, co] });
    const p6 = run(
      'PadV2',
      backend,
      { x: r6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    free(backend, r6);
    dyd = run('Reshape', backend, { x: p6 }, { shape: [n, oh * sh, ow * sw, co] });
    free(backend, p6);
    dydOwned = true;
  }
  const ld = [dyd.shape[1], dyd.shape[2]];
  let pt = kh - 1 - info.padInfo.top;
  let pl = kw - 1 - info.padInfo.left;
  let pb = h + kh - 1 - pt - ld[0];
  let pr = w + kw - 1 - pl - ld[1];
  // negative pads: crop dy instead
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) {
    const bt = Math.max(0, -pt),
      bl = Math.max(0, -pl);
    const sizeH = ld[0] - bt - Math.max(0, -pb),
      sizeW = ld[1] - bl - Math.max(0, -pr);
    const cropped = run('Slice', backend, { x: dyd }, { begin: [0, bt, bl, 0], size: [n, sizeH, sizeW, co] });
    if (dydOwned) free(backend, dyd);
    dyd = cropped;
    dydOwned = true;
    pt = Math.max(0, pt);
    pl = Math.max(0, pl);
    pb = Math.max(0, pb);
    pr = Math.max(0, pr);
  }
  const dx = conv(backend, dyd, wf, [1, 1], pt, pb, pl, pr);
  free(backend, wf);
  if (dydOwned) free(backend, dyd);
  if (dx.shape[1] !== h || dx.shape[2] !== w || dx.shape[3] !== ci) {
    throw new Error(`wasm-kernels: Conv2DBackpropInput produced ${dx.shape}, expected ${inputShape}`);
  }
  return dx;
}

interface HeapBackend {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: string): TensorInfo;
}

/** Max floats of one im2col chunk (the batch is split so a chunk stays below ~64 MB). */
let colChunk = 16 * 1024 * 1024;

/**
 * dW via a transposed im2col built in JS and one matmul on the backend:
 * colT[(kh,kw,ci), (n,oh,ow)] = x[n, oh·s+kh−pt, ow·s+kw−pl, ci];  dW[(kh,kw,ci), co] = colT · dy[(n,oh,ow), co].
 * (A non-transposed matmul is the fast path of the WASM backend; transposed operands are ~15× slower.)
 */
export function conv2dBackpropFilterIm2col(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const bk = backend as HeapBackend;
  const info = convInfoOf(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const [n, h, w] = x.shape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const kRows = kh * kw * ci;
  const pix = oh * ow;
  const nb = Math.max(1, Math.min(n, Math.floor(colChunk / (kRows * pix))));
  // channel-first copy of x: xt[ci][n][h][w]
  const xtInfo = bk.makeOutput([ci, n * h * w], 'float32');
  {
    const xv = bk.typedArrayFromHeap(x),
      xt = bk.typedArrayFromHeap(xtInfo);
    const P = n * h * w;
    const B = 64;
    for (let p0 = 0; p0 < P; p0 += B) {
      const p1 = Math.min(P, p0 + B);
      for (let c0 = 0; c0 < ci; c0 += B) {
        const c1 = Math.min(ci, c0 + B);
        for (let p = p0; p < p1; p++) {
          const src = p * ci;
          for (let c = c0; c < c1; c++) xt[c * P + p] = xv[src + c];
        }
      }
    }
  }
  let acc: TensorInfo | null = null;
  for (let n0 = 0; n0 < n; n0 += nb) {
    const m = Math.min(nb, n - n0);
    const cols = m * pix;
    const colInfo = bk.makeOutput([1, kRows, cols], 'float32');
    const dyInfo = bk.makeOutput([1, cols, co], 'float32');
    const xt = bk.typedArrayFromHeap(xtInfo),
      col = bk.typedArrayFromHeap(colInfo);
    const P = n * h * w;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        for (let c = 0; c < ci; c++) {
          const row = ((a * kw + b) * ci + c) * cols;
          const plane = c * P;
          let o = row;
          for (let i = 0; i < m; i++) {
            const img = plane + (n0 + i) * h * w;
            for (let y = 0; y < oh; y++) {
              const iy = y * sh + a - pt;
              if (iy < 0 || iy >= h) {
                col.fill(0, o, o + ow);
                o += ow;
                continue;
              }
              const r = img + iy * w;
              for (let xq = 0; xq < ow; xq++) {
                const ix = xq * sw + b - pl;
                col[o++] = ix >= 0 && ix < w ? xt[r + ix] : 0;
              }
            }
          }
        }
      }
    }
    bk.typedArrayFromHeap(dyInfo).set(bk.typedArrayFromHeap(dy).subarray(n0 * pix * co, (n0 + m) * pix * co));
    const part = run('BatchMatMul', backend, { a: colInfo, b: dyInfo }, { transposeA: false, transposeB: false });
    free(backend, colInfo, dyInfo);
    if (!acc) acc = part;
    else {
      const sum = run('Add', backend, { a: acc, b: part });
      free(backend, acc, part);
      acc = sum;
    }
  }
  free(backend, xtInfo);
  const out = run('Reshape', backend, { x: acc! }, { shape: [kh, kw, ci, co] });
  free(backend, acc!);
  return out;
}

/** Columns (N·OH·OW positions) of one GEMM chunk of the 'gemm' filter gradient (see conv2dBackpropFilterGemm). */
let gemmCols = 2048;
/** An im2col of at most this many floats is built whole and multiplied in one call (default 0: always chunk; see
 * conv2dBackpropFilterGemm). */
let gemmWholeFloats = 0;

/**
 * dW as a chunked im2col GEMM, the im2col copied on the WASM heap and the matmul run by XNNPACK (BatchMatMul):
 * for each chunk of m images, colT[(kh,kw,ci), (n,oh,ow)] = x[n, oh·s+kh−pt, ow·s+kw−pl, ci] and
 * dW[(kh,kw,ci), co] += colT · dy[(n,oh,ow), co].
 *
 * Why this shape (measured on tfjs-backend-wasm 4.22, one thread): XNNPACK's matmul keeps its full contraction per
 * tile, so a contraction of all N·OH·OW positions at once streams megabytes per tile and runs at ≈ 16–20 GFLOP/s,
 * while ≈ 2,048 positions per call run at ≈ 23–25 (the forward conv's rate); the matmul repacks its right operand
 * on every call (≈ 10 ns per float), so that operand is the output gradient (Co wide), never the im2col. The im2col is
 * built from a channel-first copy of x (the backend's Transpose): at stride 1 with OW = W ("same" padding) each
 * (tap, channel, image) row is one contiguous run of the input plane (one copyWithin), its wrapped-around border
 * columns then zeroed — ≈ 0.7 ns per float, against ≈ 3–6 for a per-element loop; other strides and paddings take
 * the per-element loop.
 * `gemmWholeFloats` (option, default 0 = off) lets an im2col of at most that many floats run as ONE matmul over all
 * positions. It is off because it is slower in training: tfjs-backend-wasm keeps the packed right operand of a
 * matmul per tensor, so an isolated benchmark that reuses one output gradient skips the repacking that every
 * training step pays (first ConvNet-3 layer, batch 64, fresh output gradient per call: whole 178 ms vs 63–69 ms
 * chunked, forward 22 ms; with a reused one: 33–43 ms whole).
 */
export function conv2dBackpropFilterGemm(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const bk = backend as HeapBackend;
  const info = filterGradInfo(x, dy, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const [n, h, w] = x.shape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const kRows = kh * kw * ci;
  const pix = oh * ow;
  const plane = h * w;
  const m = kRows * n * pix <= gemmWholeFloats ? n : Math.max(1, Math.min(n, Math.round(gemmCols / pix)));
  const contiguous = sh === 1 && sw === 1 && ow === w;
  // valid output rows / columns of each tap: 0 ≤ y·s + a − p < size
  const lo = (p: number, a: number, s: number) => Math.max(0, Math.ceil((p - a) / s));
  const hi = (p: number, a: number, s: number, size: number, out: number) =>
    Math.min(out, Math.floor((size - 1 - a + p) / s) + 1);
  const xt = run('Transpose', backend, { x }, { perm: [3, 0, 1, 2] }); // [Ci, N, H, W]
  let acc: TensorInfo | null = null;
  for (let n0 = 0; n0 < n; n0 += m) {
    const mm = Math.min(m, n - n0);
    const cols = mm * pix;
    const colInfo = bk.makeOutput([1, kRows, cols], 'float32');
    const whole = mm === n;
    const dyInfo = whole
      ? run('Reshape', backend, { x: dy }, { shape: [1, cols, co] })
      : bk.makeOutput([1, cols, co], 'float32');
    // views only after every allocation of this chunk (an allocation may grow, and so detach, the heap)
    const colView = bk.typedArrayFromHeap(colInfo);
    const heap = new Float32Array(colView.buffer);
    const colBase = colView.byteOffset >> 2;
    const xtBase = bk.typedArrayFromHeap(xt).byteOffset >> 2;
    const xtEnd = xtBase + ci * n * plane;
    if (!whole) {
      const dyBase = bk.typedArrayFromHeap(dy).byteOffset >> 2;
      const dst = bk.typedArrayFromHeap(dyInfo).byteOffset >> 2;
      heap.copyWithin(dst, dyBase + n0 * pix * co, dyBase + (n0 + mm) * pix * co);
    }
    for (let a = 0; a < kh; a++) {
      const y0 = lo(pt, a, sh);
      const y1 = Math.max(y0, hi(pt, a, sh, h, oh));
      for (let b = 0; b < kw; b++) {
        const q0 = lo(pl, b, sw);
        const q1 = Math.max(q0, hi(pl, b, sw, w, ow));
        for (let c = 0; c < ci; c++) {
          let dst = colBase + ((a * kw + b) * ci + c) * cols;
          for (let i = n0; i < n0 + mm; i++, dst += pix) {
            const src0 = xtBase + (c * n + i) * plane;
            if (y0 > 0) heap.fill(0, dst, dst + y0 * ow);
            if (y1 < oh) heap.fill(0, dst + y1 * ow, dst + pix);
            if (y1 === y0) continue;
            if (contiguous) {
              // rows y0..y1 of this tap are one run of the plane (W = OW); border columns wrap and are zeroed below
              const s = src0 + (y0 + a - pt) * w + (b - pl);
              const d = dst + y0 * ow;
              const len = (y1 - y0) * ow;
              const l0 = Math.max(0, xtBase - s),
                l1 = Math.min(len, xtEnd - s);
              heap.copyWithin(d + l0, s + l0, s + l1);
              if (q0 > 0 || q1 < ow) {
                for (let y = y0; y < y1; y++) {
                  const r = dst + y * ow;
                  for (let q = 0; q < q0; q++) heap[r + q] = 0;
                  for (let q = q1; q < ow; q++) heap[r + q] = 0;
                }
              }
            } else {
              for (let y = y0; y < y1; y++) {
                const r = dst + y * ow;
                const srow = src0 + (y * sh + a - pt) * w + (b - pl);
                for (let q = 0; q < q0; q++) heap[r + q] = 0;
                for (let q = q0; q < q1; q++) heap[r + q] = heap[srow + q * sw];
                for (let q = q1; q < ow; q++) heap[r + q] = 0;
              }
            }
          }
        }
      }
    }
    const part = run('BatchMatMul', backend, { a: colInfo, b: dyInfo }, { transposeA: false, transposeB: false });
    free(backend, colInfo, dyInfo);
    if (!acc) acc = part;
    else {
      const av = bk.typedArrayFromHeap(acc),
        pv = bk.typedArrayFromHeap(part);
      for (let j = 0; j < av.length; j++) av[j] += pv[j];
      free(backend, part);
    }
  }
  free(backend, xt);
  const out = run('Reshape', backend, { x: acc! }, { shape: [kh, kw, ci, co] });
  free(backend, acc!);
  return out;
}

/**
 * dW by the project's WASM SIMD kernel (src/core/backend/filter-grad-simd.ts): operands read from the backend's heap,
 * the result written into a new output tensor; no intermediate tensors.
 */
export function conv2dBackpropFilterSimd(
  backend: unknown,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const bk = backend as HeapBackend;
  const info = filterGradInfo(x, dy, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const [oh, ow] = [dy.shape[1], dy.shape[2]];
  const out = bk.makeOutput([kh, kw, ci, co], 'float32');
  // views only after the allocation (an allocation may grow, and so detach, the heap)
  filterGradSimd(
    bk.typedArrayFromHeap(x),
    bk.typedArrayFromHeap(dy),
    {
      x: x.shape as [number, number, number, number],
      filter: [kh, kw, ci, co],
      out: [oh, ow],
      strides: [info.strideHeight, info.strideWidth],
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    },
    bk.typedArrayFromHeap(out),
  );
  return out;
}

let registered = false;
/**
 * 'simd' (default, also 'auto'): conv2dBackpropFilterSimd for every layer, or the gemm where WASM SIMD is missing.
 * 'gemm': conv2dBackpropFilterGemm for every layer. 'legacy': the choice before issue 24
 * (im2col + one matmul when KH·KW·Ci ≥ 256, the dilated forward conv otherwise), kept for the bench's interleaved
 * comparison (core.convnet3.dw_path_speedup). 'im2col' / 'conv': one legacy formulation for every layer.
 */
export type FilterGradImpl = 'auto' | 'simd' | 'gemm' | 'legacy' | 'im2col' | 'conv';
export const FILTER_GRAD_IMPLS: readonly FilterGradImpl[] = ['auto', 'simd', 'gemm', 'legacy', 'im2col', 'conv'];
let filterGradImpl: FilterGradImpl = 'simd';
const filterGradCounts = { simd: 0, gemm: 0, im2col: 0, conv: 0 };

/**
 * Choose the Conv2DBackpropFilter formulation (benchmarks and tests compare them). `chunk`: im2colFloats, the legacy
 * im2col's chunk size in floats (default 16 Mi); gemmCols, the gemm's output positions per matmul (default 2,048);
 * gemmWholeFloats, the largest im2col the gemm builds whole (default 0 = always chunk).
 */
export function setFilterGradImpl(
  impl: FilterGradImpl,
  chunk: { im2colFloats?: number; gemmCols?: number; gemmWholeFloats?: number } = {},
): void {
  filterGradImpl = impl;
  if (chunk.im2colFloats) colChunk = chunk.im2colFloats;
  if (chunk.gemmCols) gemmCols = chunk.gemmCols;
  if (chunk.gemmWholeFloats !== undefined) gemmWholeFloats = chunk.gemmWholeFloats;
}

export function filterGradImplName(): FilterGradImpl {
  return filterGradImpl;
}

/** How many times each Conv2DBackpropFilter formulation has run on 'wasm' since start (tests prove which ran). */
export function filterGradCalls(): { simd: number; gemm: number; im2col: number; conv: number } {
  return { ...filterGradCounts };
}

/**
 * Register the project's gradient kernels for the 'wasm' backend (idempotent). Call after importing
 * '@tensorflow/tfjs-backend-wasm' and before training. Safe to call before the backend is initialised.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as {
        strides: number | [number, number];
        pad: Pad;
        dataFormat: string;
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: number[];
      };
      if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('wasm Conv2DBackpropFilter: only NHWC');
      const rows = a.filterShape[0] * a.filterShape[1] * a.filterShape[2];
      const impl =
        filterGradImpl === 'auto' || filterGradImpl === 'simd'
          ? simdFilterGradUnavailable()
            ? 'gemm'
            : 'simd'
          : filterGradImpl === 'legacy'
            ? rows >= 256
              ? 'im2col'
              : 'conv'
            : filterGradImpl;
      filterGradCounts[impl]++;
      if (impl === 'simd') {
        return conv2dBackpropFilterSimd(backend, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
      }
      if (impl === 'gemm') {
        return conv2dBackpropFilterGemm(backend, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
      }
      return impl === 'im2col'
        ? conv2dBackpropFilterIm2col(backend, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode)
        : conv2dBackpropFilterViaConv(backend, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
    },
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as {
        strides: number | [number, number];
        pad: Pad;
        dataFormat: string;
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        inputShape: number[];
      };
      if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('wasm Conv2DBackpropInput: only NHWC');
      return conv2dBackpropInputViaConv(backend, dy, filter, a.inputShape, a.strides, a.pad, a.dimRoundingMode);
    },
  });
}

/** Kernels the two models need for training; `missingKernels('wasm')` lists any absent ones. */
export const TRAINING_KERNELS = [
  'Conv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'AvgPool',
  'AvgPoolGrad',
  'Mean',
  'Sum',
  'Sub',
  'Add',
  'AddN',
  'Multiply',
  'RealDiv',
  'Rsqrt',
  'SquaredDifference',
  'Relu',
  'Step',
  'Reshape',
  'BatchMatMul',
  'Transpose',
  'Max',
  'Exp',
  'Log',
  'Neg',
  'Softmax',
  'OneHot',
  'Cast',
  'Fill',
  'Pow',
  'Square',
  'Tile',
  'Sqrt',
  'Greater',
  'Select',
  'ZerosLike',
] as const;

export function missingKernels(backendName: string, names: readonly string[] = TRAINING_KERNELS): string[] {
  return names.filter((n) => !tf.getKernel(n, backendName));
}
