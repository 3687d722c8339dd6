/**
 * Backend choice for the browser worker (works in Node too, for tests): WebGPU → WebGL → WASM → CPU, each
 * with a timeout on `setBackend`, software adapters/renderers counted as unavailable, and a self-check
 * (one small ConvNet forward/backward compared with the CPU backend). On any failure the next backend is
 * tried and the reason recorded. No Node-only modules: the caller passes the WASM file URLs.
 * The self-check needs a model, so it is injected (`check`): `selfCheck` in src/core/models/self-check.ts,
 * which sits above both the backend kernels and the models.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../types';
import { registerWasmKernels } from './wasm-kernels';
import {
  setupWebGPU,
  tuneWebGPU,
  webgpuFailure,
  webgpuUnavailable as webgpuUnavailableImpl,
  setWebGPUFilterGrad,
  setWebGPUNaiveTranspose,
  type TuneResult,
} from './webgpu';

export type BackendPreference = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface SelfCheck {
  ok: boolean;
  /** |loss − loss_cpu| */
  lossDiff: number;
  /** max over parameters of ‖g − g_cpu‖ / ‖g_cpu‖ */
  gradRelErr: number;
  /** the candidate's loss (0 or NaN indicate a broken backend) */
  loss?: number;
  reason?: string;
}

/** Compares `backend` with a reference backend; leaves `backend` active. */
export type BackendCheck = (
  backend: string,
  opts: { tolerance?: { loss?: number; grad?: number } },
) => Promise<SelfCheck>;

export interface SelectOptions {
  /** per-backend limit on `setBackend` (default 15 s); a hung init (e.g. threaded WASM) is skipped */
  timeoutMs?: number;
  /** `setWasmPaths` argument: a prefix or a map of the three .wasm file names to URLs */
  wasmPaths?: string | Record<string, string>;
  /** WASM threads (only with cross-origin isolation); undefined keeps tfjs' default */
  wasmThreads?: number;
  /** the self-check run on each candidate (e.g. `selfCheck` of models/self-check.ts); required unless skipped */
  check?: BackendCheck;
  /** skip the self-check (not recommended) */
  skipSelfCheck?: boolean;
  /** tolerances of the self-check */
  tolerance?: { loss?: number; grad?: number };
  /** counts WebGPU fallback adapters / software WebGL as available (default false) */
  allowSoftware?: boolean;
  /** WebGPU: choose the convolution-gradient kernels by measurement (default true); the shape measured */
  tuneWebGPU?: boolean | { batch: number; size: number; channels: number };
}

export interface SelectResult {
  backend: BackendName;
  /** why each earlier backend was not used */
  reasons: string[];
  selfCheck: SelfCheck;
  /** WebGPU: the measured choice of convolution-gradient kernels (absent when not measured) */
  tuning?: TuneResult;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Why WebGPU can't be used here, or null if a hardware adapter exists (software ones only with allowSoftware). */
export const webgpuUnavailable = webgpuUnavailableImpl;

/** The unmasked WebGL renderer string, or null when it can't be read. */
export function webglRenderer(): string | null {
  try {
    const g = globalThis as {
      OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown };
      document?: { createElement(t: string): { getContext(k: string): unknown } };
    };
    const canvas = g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : g.document?.createElement('canvas');
    if (!canvas) return null;
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const r = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof r === 'string' ? r : null;
  } catch {
    return null;
  }
}

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

async function prepare(name: BackendName, opts: SelectOptions): Promise<string | null> {
  if (name === 'webgpu') {
    const why = await webgpuUnavailable(opts.allowSoftware);
    if (why) return why;
    await setupWebGPU({ allowSoftware: opts.allowSoftware });
  } else if (name === 'webgl') {
    if (!tf.findBackendFactory('webgl')) return 'WebGL: backend not registered';
    const r = webglRenderer();
    if (
      r === null &&
      typeof (globalThis as { document?: unknown }).document === 'undefined' &&
      typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined'
    ) {
      return 'WebGL: no canvas in this environment';
    }
    if (r && SOFTWARE_GL.test(r) && !opts.allowSoftware)
      return `WebGL: software renderer (${r}), much slower than WASM`;
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths as never);
    if (opts.wasmThreads !== undefined) wasm.setThreadsCount(opts.wasmThreads);
    registerWasmKernels();
  }
  return null;
}

/** Choose, initialise and self-check a backend; the chosen one is active when this resolves. */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  opts: SelectOptions = {},
): Promise<SelectResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const start = preference === 'auto' ? 0 : Math.max(0, BACKEND_ORDER.indexOf(preference));
  const chain = BACKEND_ORDER.slice(start);
  const reasons: string[] = [];
  const late: Promise<unknown>[] = [];
  for (const name of chain) {
    try {
      const why = await prepare(name, opts);
      if (why) {
        reasons.push(why);
        continue;
      }
      const init = tf.setBackend(name);
      late.push(init);
      const ok = await withTimeout(init, timeoutMs, `${name}: setBackend`);
      if (!ok) {
        reasons.push(`${name}: initialisation failed`);
        continue;
      }
    } catch (e) {
      reasons.push(`${name}: ${errMsg(e)}`);
      continue;
    }
    if (opts.skipSelfCheck || name === 'cpu') {
      const sc: SelfCheck =
        name === 'cpu'
          ? { ok: true, lossDiff: 0, gradRelErr: 0 }
          : { ok: true, lossDiff: NaN, gradRelErr: NaN, reason: 'skipped' };
      guardLate(late, name);
      return { backend: name, reasons, selfCheck: sc };
    }
    const check = opts.check;
    if (!check) throw new LabError('no self-check given (pass `check`, or `skipSelfCheck: true`)', 'selectBackend');
    let tuning: TuneResult | undefined;
    if (name === 'webgpu' && opts.tuneWebGPU !== false) {
      try {
        tuning = await tuneWebGPU(typeof opts.tuneWebGPU === 'object' ? opts.tuneWebGPU : undefined);
      } catch (e) {
        reasons.push(`webgpu: kernel measurement failed (${errMsg(e)}); stock kernels kept`);
      }
    }
    let sc = await webgpuGuard(name, await check(name, { tolerance: opts.tolerance }));
    if (!sc.ok && name === 'webgpu' && tuning && (tuning.filterGrad !== 'stock' || !tuning.naiveTranspose)) {
      // the measured choice failed the self-check: fall back to tfjs' stock kernels and check again
      reasons.push(`webgpu: self-check failed with the measured kernels (${sc.reason ?? 'mismatch'}); retrying stock`);
      setWebGPUFilterGrad('stock');
      setWebGPUNaiveTranspose(true);
      tuning = { ...tuning, filterGrad: 'stock', naiveTranspose: true };
      sc = await webgpuGuard(name, await check(name, { tolerance: opts.tolerance }));
    }
    if (sc.ok) {
      guardLate(late, name);
      return { backend: name, reasons, selfCheck: sc, tuning };
    }
    reasons.push(`${name}: self-check failed (${sc.reason ?? 'mismatch with cpu'})`);
  }
  throw new Error(`no usable backend: ${reasons.join('; ')}`);
}

/** A device error seen while WebGPU ran the self-check fails it, whatever the numbers said. */
async function webgpuGuard(name: BackendName, sc: SelfCheck): Promise<SelfCheck> {
  if (name !== 'webgpu') return sc;
  await new Promise((r) => setTimeout(r, 0)); // let a pending uncapturederror event arrive
  const f = webgpuFailure();
  return f ? { ...sc, ok: false, reason: f } : sc;
}

/** A backend whose init timed out may finish later and switch tfjs over: switch back. */
function guardLate(late: Promise<unknown>[], chosen: string): void {
  for (const p of late) {
    p.then(
      () => {
        if (tf.getBackend() !== chosen) void tf.setBackend(chosen);
      },
      () => undefined,
    );
  }
}
