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

function run(name: string, backend: unknown, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const k = tf.getKernel(name, BACKEND);
  if (!k) throw new Error(`wasm-kernels: kernel ${name} is not registered for ${BACKEND}`);
  return k.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

function free(backend: unknown, ...ts: TensorInfo[]): void {
  for (const t of ts) (backend as WasmLikeBackend).disposeData(t.dataId);
}

function pairs(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** forward conv, stride 1, given dilation and explicit (non-negative) pads */
function conv(backend: unknown, x: TensorInfo, filter: TensorInfo, dil: [number, number], pt: number, pb: number, pl: number, pr: number): TensorInfo {
  return run('Conv2D', backend, { x, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]],
    dataFormat: 'NHWC',
    dilations: dil,
    dimRoundingMode: undefined,
  });
}

function convInfoOf(xShape: number[], filterShape: number[], strides: number | [number, number], pad: Pad, dimRoundingMode?: 'floor' | 'round' | 'ceil') {
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

/** dW = conv2d(x^T, dy^T, dilation = stride) */
export function conv2dBackpropFilterViaConv(backend: unknown, x: TensorInfo, dy: TensorInfo, filterShape: number[], strides: number | [number, number], pad: Pad, dimRoundingMode?: 'floor' | 'round' | 'ceil'): TensorInfo {
  const info = convInfoOf(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const xt = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }); // [Ci,H,W,N]
  const dyt = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH,OW,N,Co]
  // With a floor in the forward output size the conv below yields ≥ KH×KW positions: slice the first ones.
  const r = conv(backend, xt, dyt, [sh, sw], top, bottom, left, right); // [Ci, ≥KH, ≥KW, Co]
  free(backend, xt, dyt);
  let rr = r;
  if (r.shape[1] !== kh || r.shape[2] !== kw) {
    rr = run('Slice', backend, { x: r }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(backend, r);
  }
  const out = run('Transpose', backend, { x: rr }, { perm: [1, 2, 0, 3] });
  free(backend, rr);
  return out;
}

/** dx = conv2d(dilate(dy, stride), rot180(W)^T, pad K−1−p) */
export function conv2dBackpropInputViaConv(backend: unknown, dy: TensorInfo, filter: TensorInfo, inputShape: number[], strides: number | [number, number], pad: Pad, dimRoundingMode?: 'floor' | 'round' | 'ceil'): TensorInfo {
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
    const p6 = run('PadV2', backend, { x: r6 }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
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
    const bt = Math.max(0, -pt), bl = Math.max(0, -pl);
    const sizeH = ld[0] - bt - Math.max(0, -pb), sizeW = ld[1] - bl - Math.max(0, -pr);
    const cropped = run('Slice', backend, { x: dyd }, { begin: [0, bt, bl, 0], size: [n, sizeH, sizeW, co] });
    if (dydOwned) free(backend, dyd);
    dyd = cropped;
    dydOwned = true;
    pt = Math.max(0, pt); pl = Math.max(0, pl); pb = Math.max(0, pb); pr = Math.max(0, pr);
  }
  const dx = conv(backend, dyd, wf, [1, 1], pt, pb, pl, pr);
  free(backend, wf);
  if (dydOwned) free(backend, dyd);
  if (dx.shape[1] !== h || dx.shape[2] !== w || dx.shape[3] !== ci) {
    throw new Error(`wasm-kernels: Conv2DBackpropInput produced ${dx.shape}, expected ${inputShape}`);
  }
  return dx;
}

let registered = false;

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
      const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[] };
      if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('wasm Conv2DBackpropFilter: only NHWC');
      return conv2dBackpropFilterViaConv(backend, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
    },
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: number[] };
      if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('wasm Conv2DBackpropInput: only NHWC');
      return conv2dBackpropInputViaConv(backend, dy, filter, a.inputShape, a.strides, a.pad, a.dimRoundingMode);
    },
  });
}

/** Kernels the two models need for training; `missingKernels('wasm')` lists any absent ones. */
export const TRAINING_KERNELS = [
  'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'AvgPool', 'AvgPoolGrad', 'Mean', 'Sum', 'Sub', 'Add', 'AddN',
  'Multiply', 'RealDiv', 'Rsqrt', 'SquaredDifference', 'Relu', 'Step', 'Reshape', 'BatchMatMul', 'Transpose', 'Max', 'Exp',
  'Log', 'Neg', 'Softmax', 'OneHot', 'Cast', 'Fill', 'Pow', 'Square', 'Tile', 'Sqrt', 'Greater', 'Select', 'ZerosLike',
] as const;

export function missingKernels(backendName: string, names: readonly string[] = TRAINING_KERNELS): string[] {
  return names.filter((n) => !tf.getKernel(n, backendName));
}
