/**
 * Checks of the WebGPU fixes on the active 'webgpu' backend (the page's "Diagnose WebGPU" and the e2e test):
 *  - AddN of many inputs equals the sum computed in JS, with the chunking fix and without device errors (and, to
 *    show the defect is real on this device, without the fix — device errors are muted and reported, not fatal);
 *  - Conv2DBackpropFilter (forward-convolution form and tfjs' stock kernel) against a direct JS reference.
 * Seeded inputs; no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { addNGroupSize, muteWebGPUFailures, setAddNChunking, setWebGPUFilterGrad, webgpuFilterGrad } from './webgpu';

export interface AddNCheck {
  n: number;
  /** max |addN − Σ| with the chunking fix, and the device errors it caused (none expected) */
  fixedErr: number;
  fixedErrors: string[];
  /** max |addN − Σ| with tfjs' stock kernel (NaN when it threw) */
  stockErr: number;
  /** device errors / exceptions the stock kernel caused */
  stockErrors: string[];
}

export interface FilterGradCheck {
  shape: string;
  /** ‖dW − ref‖ / ‖ref‖ of the forward-convolution form and of the stock kernel */
  convRelErr: number;
  stockRelErr: number;
}

export interface WebGPUDiagnosis {
  backend: string;
  maxStorageBuffersPerShaderStage: number | null;
  addN: AddNCheck[];
  filterGrad: FilterGradCheck[];
  seconds: number;
}

async function maxAbsDiff(t: tf.Tensor, ref: Float32Array): Promise<number> {
  const v = await t.data();
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(v[i] - ref[i]));
  return Number.isFinite(m) ? m : Infinity;
}

async function checkAddN(n: number): Promise<AddNCheck> {
  const len = 257;
  const rng = new Rng(`diag/addn/${n}`);
  const arrays = Array.from({ length: n }, () => rng.uniformArray(len, -1, 1));
  const ref = new Float32Array(len);
  for (const a of arrays) for (let i = 0; i < len; i++) ref[i] += a[i];
  // The stock kernel first: a failed shader leaves its output buffer untouched, and a pooled buffer may still hold
  // an earlier correct sum, which would hide the defect. Fresh inputs per run: the failure invalidates the whole
  // command buffer, including the uploads of the tensors recorded in it.
  const run = async (chunked: boolean) => {
    let err = NaN;
    const ts = arrays.map((a) => tf.tensor1d(a));
    const errors = await muteWebGPUFailures(async () => {
      setAddNChunking(chunked);
      try {
        const s = tf.addN(ts);
        try {
          err = await maxAbsDiff(s, ref);
        } finally {
          s.dispose();
        }
      } finally {
        setAddNChunking(true);
        tf.dispose(ts);
      }
    });
    return { err, errors };
  };
  const stock = await run(false);
  const fixed = await run(true);
  return { n, fixedErr: fixed.err, fixedErrors: fixed.errors, stockErr: stock.err, stockErrors: stock.errors };
}

/** Direct filter gradient: dW[a,b,c,o] = Σ_{n,y,x} x[n, y·s+a−pt, x·s+b−pl, c] · dy[n,y,x,o]. */
function refFilterGrad(
  x: Float32Array,
  xs: number[],
  dy: Float32Array,
  ds: number[],
  k: number,
  stride: number,
  pt: number,
  pl: number,
): Float32Array {
  const [n, h, w, ci] = xs;
  const [, oh, ow, co] = ds;
  const out = new Float32Array(k * k * ci * co);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let m = 0; m < n; m++)
            for (let y = 0; y < oh; y++) {
              const iy = y * stride + a - pt;
              if (iy < 0 || iy >= h) continue;
              for (let q = 0; q < ow; q++) {
                const ix = q * stride + b - pl;
                if (ix < 0 || ix >= w) continue;
                s += x[((m * h + iy) * w + ix) * ci + c] * dy[((m * oh + y) * ow + q) * co + o];
              }
            }
          out[((a * k + b) * ci + c) * co + o] = s;
        }
  return out;
}

async function checkFilterGrad(
  n: number,
  size: number,
  ci: number,
  co: number,
  stride: number,
  pad: 'same' | 'valid',
): Promise<FilterGradCheck> {
  const k = 3;
  const info = tf.backend_util.computeConv2DInfo([n, size, size, ci], [k, k, ci, co], stride, 1, pad);
  const rng = new Rng(`diag/filter/${n}/${size}/${ci}/${co}/${stride}/${pad}`);
  const xv = rng.uniformArray(n * size * size * ci, -1, 1);
  const dyv = rng.uniformArray(n * info.outHeight * info.outWidth * co, -1, 1);
  const ref = refFilterGrad(
    xv,
    [n, size, size, ci],
    dyv,
    [n, info.outHeight, info.outWidth, co],
    k,
    stride,
    info.padInfo.top,
    info.padInfo.left,
  );
  const x = tf.tensor4d(xv, [n, size, size, ci]);
  const dy = tf.tensor4d(dyv, [n, info.outHeight, info.outWidth, co]);
  const was = webgpuFilterGrad();
  const rel = async (mode: 'conv' | 'stock') => {
    setWebGPUFilterGrad(mode);
    const g = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: stride,
      pad,
      dataFormat: 'NHWC',
      filterShape: [k, k, ci, co],
    } as never) as tf.Tensor;
    const v = await g.data();
    g.dispose();
    let num = 0,
      den = 0;
    for (let i = 0; i < ref.length; i++) {
      num += (v[i] - ref[i]) ** 2;
      den += ref[i] ** 2;
    }
    const r = Math.sqrt(num / Math.max(den, 1e-30));
    return Number.isFinite(r) ? r : Infinity;
  };
  try {
    const convRelErr = await rel('conv');
    const stockRelErr = await rel('stock');
    const shape = `x ${n}×${size}×${size}×${ci} → ${co}, 3×3, stride ${stride}, ${pad}`;
    return { shape, convRelErr, stockRelErr };
  } finally {
    setWebGPUFilterGrad(was);
    tf.dispose([x, dy]);
  }
}

/** Run the checks on the active backend (meant for 'webgpu'; on others only the arithmetic is checked). */
export async function diagnoseWebGPU(): Promise<WebGPUDiagnosis> {
  const t0 = performance.now();
  const backend = tf.getBackend();
  const lim =
    (tf.backend() as unknown as { device?: { limits?: Record<string, number> } }).device?.limits
      ?.maxStorageBuffersPerShaderStage ?? null;
  const group = addNGroupSize(tf.backend());
  const sizes = [...new Set([group + 1, 12, 3 * group + 2])].sort((a, b) => a - b);
  const addN: AddNCheck[] = [];
  for (const n of sizes) addN.push(await checkAddN(n));
  const filterGrad = [
    await checkFilterGrad(2, 8, 3, 8, 1, 'same'),
    await checkFilterGrad(3, 9, 4, 6, 2, 'same'),
    await checkFilterGrad(2, 7, 5, 4, 1, 'valid'),
    await checkFilterGrad(2, 8, 16, 16, 2, 'valid'),
  ];
  return { backend, maxStorageBuffersPerShaderStage: lim, addN, filterGrad, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Cause a real device error on purpose (tfjs' stock AddN with more inputs than the device's storage-buffer limit),
 * not muted: the failure listeners run as they would for a real fault (tests the visible fallback to WASM).
 */
export async function provokeWebGPUError(): Promise<void> {
  const n = addNGroupSize(tf.backend()) + 8;
  const ts = Array.from({ length: n }, (_, i) => tf.fill([64], i + 1));
  setAddNChunking(false);
  try {
    const s = tf.addN(ts);
    await s.data();
    s.dispose();
  } finally {
    setAddNChunking(true);
    tf.dispose(ts);
  }
  await new Promise((r) => setTimeout(r, 200));
}
