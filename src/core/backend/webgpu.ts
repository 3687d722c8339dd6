/**
 * The lab's WebGPU set-up over tfjs-backend-webgpu 4.22, with its known defects fixed or overridden:
 *
 *  - the backend factory is ours: it refuses software adapters by adapter info (SwiftShader, llvmpipe, lavapipe,
 *    …, not only `isFallbackAdapter`) unless allowed, requests the limits the backend needs plus the adapter's real
 *    `maxStorageBuffersPerShaderStage` (tfjs asks only for the default 8), and turns `device.lost` and
 *    `uncapturederror` into a recorded failure that listeners hear about (the stock backend ignores both, so an
 *    invalid shader silently yields zeros);
 *  - `AddN` is chunked into groups that fit the device's storage-buffer limit (stock: one shader with every input,
 *    invalid beyond 7 inputs on a default device → the work is dropped and reads return 0);
 *  - `Conv2DBackpropFilter` can run as a forward convolution (as on WASM, see wasm-kernels.ts) instead of the stock
 *    naive kernel (one thread per filter weight looping over the whole batch);
 *  - the transposed-convolution path (`WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE`, default true in tfjs) and the filter
 *    gradient are chosen by measurement (`tuneWebGPU`), and the self-check (select.ts) guards the choice.
 *
 * No Node-only modules: in Node, `navigator.gpu` must be provided before this runs (src/cli/node-backend.ts).
 * Kernel code touches backend internals (`disposeData`, `device`): re-check after any tfjs upgrade.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterViaConv } from './wasm-kernels';

type TensorInfo = tf.TensorInfo;
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: GpuAdapterInfoLike;
  limits?: Record<string, number>;
  features?: { has(name: string): boolean };
  requestDevice?(desc?: unknown): Promise<GpuDeviceLike>;
}
interface GpuDeviceLike {
  limits: Record<string, number>;
  lost?: Promise<{ reason?: string; message?: string }>;
  addEventListener?(type: string, cb: (ev: { error?: { message?: string } }) => void): void;
}
interface GpuLike {
  requestAdapter(opts?: unknown): Promise<GpuAdapterLike | null>;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|cpu/i;

function gpuObject(): GpuLike | null {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? null;
}

/** One line naming the adapter: vendor, architecture, device, description (whatever it reports). */
export function describeAdapter(a: GpuAdapterLike | null | undefined): string {
  const i = a?.info;
  if (!i) return 'unknown adapter';
  const parts = [i.vendor, i.architecture, i.device, i.description].filter((s) => typeof s === 'string' && s !== '');
  return parts.length ? [...new Set(parts)].join(' · ') : 'unnamed adapter';
}

/** Why `adapter` is a software (CPU) adapter, or null when it looks like real hardware. */
export function softwareAdapterReason(a: GpuAdapterLike): string | null {
  const fallback = a.info?.isFallbackAdapter ?? a.isFallbackAdapter ?? false;
  const i = a.info ?? {};
  const text = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ');
  if (fallback) return `software fallback adapter (${describeAdapter(a)})`;
  const m = SOFTWARE_ADAPTER.exec(text);
  if (m) return `software adapter "${m[0]}" (${describeAdapter(a)})`;
  return null;
}

/** Why WebGPU can't be used here, or null if a usable adapter exists (software ones only with allowSoftware). */
export async function webgpuUnavailable(allowSoftware = false): Promise<string | null> {
  const gpu = gpuObject();
  if (!gpu) return 'WebGPU: navigator.gpu is not available';
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `WebGPU: requestAdapter failed (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!adapter) return 'WebGPU: no GPU adapter';
  const sw = softwareAdapterReason(adapter);
  if (sw && !allowSoftware) return `WebGPU: only a ${sw}, much slower than WASM (refused; swgpu=1 allows it)`;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Failure reporting: device.lost / uncapturederror

type FailureListener = (reason: string) => void;
const listeners = new Set<FailureListener>();
let failure: string | null = null;
let adapterName: string | null = null;

/** The first device error or loss seen since the backend was created, or null. */
export function webgpuFailure(): string | null {
  return failure;
}

/** The adapter the current WebGPU backend runs on (null before it is created). */
export function webgpuAdapterName(): string | null {
  return adapterName;
}

/** Hear about a device loss or an uncaptured device error (once per backend). Returns an unsubscribe. */
export function onWebGPUFailure(cb: FailureListener): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

let muted: string[] | null = null;

/**
 * Run `fn` with device errors muted: they are collected and returned instead of failing the backend (for the
 * diagnostic that shows a stock kernel's defect). Waits a moment after `fn` for late error events (200 ms).
 */
export async function muteWebGPUFailures(fn: () => Promise<void>): Promise<string[]> {
  const got: string[] = [];
  muted = got;
  try {
    await fn();
  } catch (e) {
    got.push(e instanceof Error ? e.message : String(e));
  } finally {
    await new Promise((r) => setTimeout(r, 200));
    muted = null;
  }
  return got;
}

/** Record a failure and tell the listeners (exported for tests and for the worker's own checks). */
export function reportWebGPUFailure(reason: string): void {
  if (muted) {
    muted.push(reason);
    return;
  }
  if (failure) return;
  failure = reason;
  for (const cb of [...listeners]) {
    try {
      cb(reason);
    } catch {
      /* a listener's bug must not hide the failure */
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Backend factory

export interface WebGPUSetupOptions {
  /** accept a software adapter (SwiftShader in headless Chromium; diagnostic, slow) */
  allowSoftware?: boolean;
}

let setupOpts: WebGPUSetupOptions = {};
let registeredFactory = false;

/** Limits tfjs' own factory requests (the adapter's values), plus the storage-buffer limit it forgets. */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Replace tfjs' 'webgpu' backend factory with ours and register the kernel overrides. Call after
 * `import('@tensorflow/tfjs-backend-webgpu')` (which registers the stock factory when navigator.gpu exists) and
 * before `tf.setBackend('webgpu')`. Options apply to the next backend creation.
 */
export async function setupWebGPU(opts: WebGPUSetupOptions = {}): Promise<void> {
  setupOpts = { ...opts };
  const mod = await import('@tensorflow/tfjs-backend-webgpu');
  registerWebGPUKernels();
  if (registeredFactory) return;
  registeredFactory = true;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const gpu = gpuObject();
      if (!gpu) throw new Error('WebGPU: navigator.gpu is not available');
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter || !adapter.requestDevice) throw new Error('WebGPU: no GPU adapter');
      const sw = softwareAdapterReason(adapter);
      if (sw && !setupOpts.allowSoftware) throw new Error(`WebGPU: only a ${sw} (refused)`);
      const requiredLimits: Record<string, number> = {};
      for (const k of LIMITS) {
        if (adapter.limits && typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
      }
      const requiredFeatures = adapter.features?.has('timestamp-query') ? ['timestamp-query'] : [];
      const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
      failure = null;
      adapterName = describeAdapter(adapter) + (sw ? ' (software)' : '');
      void device.lost?.then((info) => {
        // 'destroyed' is our own dispose (a backend switch), not a failure
        if (info?.reason === 'destroyed') return;
        reportWebGPUFailure(`WebGPU device lost (${info?.reason ?? 'unknown'}): ${info?.message || 'no message'}`);
      });
      device.addEventListener?.('uncapturederror', (ev) => {
        reportWebGPUFailure(`WebGPU error: ${ev.error?.message?.split('\n')[0] || 'uncaptured device error'}`);
      });
      return new mod.WebGPUBackend(device as never, adapter.info as never);
    },
    3,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Kernel overrides

const BACKEND = 'webgpu';
let kernelsRegistered = false;
let stockAddN: tf.KernelConfig | undefined;
let stockFilterGrad: tf.KernelConfig | undefined;
let filterGradMode: 'conv' | 'stock' = 'conv';
let addNChunking = true;

interface WebGPULikeBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  device?: { limits?: Record<string, number> };
}

/** Largest number of inputs one AddN shader may take on this device (one storage buffer is the output). */
export function addNGroupSize(backend: unknown): number {
  const lim = (backend as WebGPULikeBackend).device?.limits?.maxStorageBuffersPerShaderStage ?? 8;
  return Math.max(2, Math.min(lim, 8) - 1);
}

/**
 * Turn the AddN fix on or off (tests only: proves that the unfixed kernel fails). When off, the stock kernel runs
 * with every input in one shader.
 */
export function setAddNChunking(on: boolean): void {
  addNChunking = on;
}

/** Conv2DBackpropFilter on WebGPU: 'conv' (a forward convolution, as on WASM) or tfjs' 'stock' naive kernel. */
export function setWebGPUFilterGrad(mode: 'conv' | 'stock'): void {
  filterGradMode = mode;
}
export function webgpuFilterGrad(): 'conv' | 'stock' {
  return filterGradMode;
}

/** The transposed-convolution (Conv2DBackpropInput) path: tfjs' naive kernel or its matmul-based one. */
export function setWebGPUNaiveTranspose(naive: boolean): void {
  tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', naive);
}
export function webgpuNaiveTranspose(): boolean {
  return tf.env().getBool('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE');
}

/** Register the AddN and Conv2DBackpropFilter overrides for 'webgpu' (idempotent; needs the webgpu module loaded). */
export function registerWebGPUKernels(): void {
  if (kernelsRegistered) return;
  stockAddN = tf.getKernel('AddN', BACKEND);
  stockFilterGrad = tf.getKernel('Conv2DBackpropFilter', BACKEND);
  if (!stockAddN || !stockFilterGrad) return; // the webgpu module is not loaded (no navigator.gpu): nothing to fix
  kernelsRegistered = true;
  const addN = stockAddN.kernelFunc;
  tf.unregisterKernel('AddN', BACKEND);
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: BACKEND,
    kernelFunc: (args) => {
      const bk = args.backend as unknown as WebGPULikeBackend;
      let ts = args.inputs as unknown as TensorInfo[];
      const g = addNGroupSize(bk);
      if (!addNChunking || ts.length <= g) return addN(args);
      // sum groups of ≤ g inputs until one group is left; intermediates are freed as soon as they are summed
      const owned = new Set<object>();
      while (ts.length > g) {
        const next: TensorInfo[] = [];
        for (let i = 0; i < ts.length; i += g) {
          const group = ts.slice(i, i + g);
          if (group.length === 1) {
            next.push(group[0]);
            continue;
          }
          const s = addN({ ...args, inputs: group as never }) as TensorInfo;
          for (const t of group)
            if (owned.has(t.dataId)) {
              bk.disposeData(t.dataId);
              owned.delete(t.dataId);
            }
          owned.add(s.dataId);
          next.push(s);
        }
        ts = next;
      }
      const out = addN({ ...args, inputs: ts as never }) as TensorInfo;
      for (const t of ts) if (owned.has(t.dataId)) bk.disposeData(t.dataId);
      return out;
    },
  });
  const stockGrad = stockFilterGrad.kernelFunc;
  tf.unregisterKernel('Conv2DBackpropFilter', BACKEND);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: (args) => {
      if (filterGradMode === 'stock') return stockGrad(args);
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const a = args.attrs as unknown as {
        strides: number | [number, number];
        pad: Pad;
        dataFormat: string;
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: number[];
      };
      if (a.dataFormat && a.dataFormat !== 'NHWC') return stockGrad(args);
      return conv2dBackpropFilterViaConv(
        args.backend,
        x,
        dy,
        a.filterShape,
        a.strides,
        a.pad,
        a.dimRoundingMode,
        BACKEND,
      );
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Choice by measurement

export interface TuneResult {
  /** ms per call of each variant (median of the timed repetitions) */
  filterGradMs: { conv: number; stock: number };
  transposeMs: { naive: number; matmul: number };
  filterGrad: 'conv' | 'stock';
  naiveTranspose: boolean;
  shape: { batch: number; size: number; channels: number };
}

async function timeIt(fn: () => tf.Tensor, reps: number): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const y = fn();
    await y.data();
    ts.push(performance.now() - t0);
    y.dispose();
  }
  ts.sort((p, q) => p - q);
  return ts[Math.floor(ts.length / 2)];
}

/**
 * Time both formulations of the two convolution gradients on the active 'webgpu' backend for one ConvNet layer
 * shape (3×3, stride 1, same padding) and keep the faster of each. Seeded inputs; no tensors left behind.
 */
export async function tuneWebGPU(shape = { batch: 16, size: 16, channels: 32 }, reps = 3): Promise<TuneResult> {
  if (tf.getBackend() !== BACKEND) throw new Error(`tuneWebGPU: the active backend is ${tf.getBackend()}, not webgpu`);
  const { batch, size, channels } = shape;
  const x = tf.randomUniform([batch, size, size, channels], -1, 1, 'float32', 11);
  const dy = tf.randomUniform([batch, size, size, channels], -1, 1, 'float32', 12);
  const w = tf.randomUniform([3, 3, channels, channels], -1, 1, 'float32', 13);
  const wasMode = filterGradMode;
  const wasNaive = webgpuNaiveTranspose();
  try {
    const filter = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, channels, channels],
      } as never) as tf.Tensor;
    const input = () =>
      tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [batch, size, size, channels], 1, 'same');
    filterGradMode = 'conv';
    const conv = await timeIt(filter, reps);
    filterGradMode = 'stock';
    const stock = await timeIt(filter, reps);
    setWebGPUNaiveTranspose(true);
    const naive = await timeIt(input, reps);
    setWebGPUNaiveTranspose(false);
    const matmul = await timeIt(input, reps);
    const r: TuneResult = {
      filterGradMs: { conv, stock },
      transposeMs: { naive, matmul },
      filterGrad: conv <= stock ? 'conv' : 'stock',
      naiveTranspose: naive < matmul,
      shape,
    };
    filterGradMode = r.filterGrad;
    setWebGPUNaiveTranspose(r.naiveTranspose);
    return r;
  } catch (e) {
    filterGradMode = wasMode;
    setWebGPUNaiveTranspose(wasNaive);
    throw e;
  } finally {
    tf.dispose([x, dy, w]);
  }
}
