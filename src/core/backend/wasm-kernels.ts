/**
 * Convolution gradient kernels for the tfjs WASM backend, expressed as forward convolutions (which the
 * backend runs through XNNPACK):
 *
 *  - `Conv2DBackpropFilter` (missing in tfjs-backend-wasm 4.22): the filter gradient is a conv2d of the input
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

let registered = false;
let filterGradImpl: 'auto' | 'im2col' | 'conv' = 'auto';

/**
 * Choose the Conv2DBackpropFilter formulation (benchmarks compare them). 'auto': im2col + matmul when the
 * filter has ≥ 256 rows (KH·KW·Ci; the WASM matmul is slow for few rows), the dilated forward conv otherwise
 * (e.g. the 3-channel first layer). Measured on this machine (CPU ms, batch 64): first layer conv 140 vs
 * im2col 230; 16×16×128 layer 311 vs 304; 8×8×128 layer 109 vs 73.
 */
export function setFilterGradImpl(impl: 'auto' | 'im2col' | 'conv', chunkFloats?: number): void {
  filterGradImpl = impl;
  if (chunkFloats) colChunk = chunkFloats;
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
      const useIm2col = filterGradImpl === 'im2col' || (filterGradImpl === 'auto' && rows >= 256);
      return useIm2col
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
