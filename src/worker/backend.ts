/**
 * Backend start-up in the worker, through the core's `selectBackend` (auto order webgpu → webgl → wasm → cpu,
 * timeouts on setBackend, software adapters counted as unavailable, CPU-referenced self-check).
 * WASM is configured first: the `.wasm` files come from Vite (`?url`, handed over as a map) and multithreading
 * is off — threaded WASM's pthread workers die in minified builds, as observed on this project's builds.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  filterGradCalls,
  filterGradImplName,
  selectBackend,
  selfCheck,
  webgpuAdapterName,
  type SelfCheck,
} from '../core';
import type { BackendInfo, BackendPref } from './protocol';

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

// never pick the threaded binary (it would spawn pthread workers that crash in the minified build)
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

function describe(sc: SelfCheck, backend: string): { ok: boolean; message: string } {
  if (!sc.ok) return { ok: false, message: sc.reason ?? 'failed' };
  if (sc.reason === 'skipped') return { ok: true, message: 'skipped' };
  if (backend === 'cpu') return { ok: true, message: 'reference backend (CPU)' };
  const parts = [];
  if (Number.isFinite(sc.lossDiff)) parts.push(`|Δloss| ${sc.lossDiff.toExponential(1)}`);
  if (Number.isFinite(sc.gradRelErr)) parts.push(`grad rel. err ${sc.gradRelErr.toExponential(1)}`);
  return { ok: true, message: `matches CPU on a ConvNet step${parts.length ? ` (${parts.join(', ')})` : ''}` };
}

/**
 * `allowSoftwareGpu` (URL swgpu=1, diagnostic): a software WebGPU adapter (SwiftShader) counts as usable; the
 * kernel measurement then uses a small shape (SwiftShader is ~50× slower than WASM).
 */
export async function initBackend(
  pref: BackendPref,
  timeoutMs = 20_000,
  allowSoftwareGpu = false,
): Promise<BackendInfo> {
  const t0 = performance.now();
  const dw0 = filterGradCalls();
  const sel = await selectBackend(pref, {
    timeoutMs: allowSoftwareGpu ? Math.max(timeoutMs, 60_000) : timeoutMs,
    wasmPaths: WASM_PATHS,
    wasmThreads: 1,
    check: selfCheck,
    allowSoftware: allowSoftwareGpu,
    tuneWebGPU: allowSoftwareGpu ? { batch: 4, size: 8, channels: 16 } : true,
  });
  const seconds = (performance.now() - t0) / 1000;
  const chosen =
    pref === sel.backend
      ? `${sel.backend}: chosen by you`
      : pref === 'auto'
        ? `${sel.backend}: first usable backend in the order webgpu → webgl → wasm → cpu`
        : `${sel.backend}: your choice (${pref}) was not usable; fell back`;
  // which Conv2DBackpropFilter formulation the WASM self-check ran (the same registered kernels train in the
  // page's shard workers, src/worker/train.worker.ts)
  const dw1 = filterGradCalls();
  const dwRan = (['simd', 'gemm', 'im2col', 'conv'] as const).filter((k) => dw1[k] > dw0[k]);
  const wasmDw =
    sel.backend === 'wasm' && dwRan.length
      ? [`wasm filter gradient: ${filterGradImplName()} (self-check ran ${dwRan.join(' + ')})`]
      : [];
  return {
    backend: sel.backend,
    pref,
    reasons: [...sel.reasons, `${chosen}; self-check ${sel.selfCheck.ok ? 'passed' : 'failed'}`, ...wasmDw],
    selfCheck: {
      ...describe(sel.selfCheck, sel.backend),
      seconds,
      gradRelErr: sel.selfCheck.gradRelErr,
      lossDiff: sel.selfCheck.lossDiff,
    },
    threads: sel.backend === 'wasm' ? 1 : undefined,
    versions: { tfjs: tf.version.tfjs },
    adapter: sel.backend === 'webgpu' ? (webgpuAdapterName() ?? undefined) : undefined,
    tuning: sel.tuning ? tuningLine(sel.tuning) : undefined,
  };
}

function tuningLine(t: NonNullable<Awaited<ReturnType<typeof selectBackend>>['tuning']>): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return (
    `filter gradient: ${t.filterGrad === 'conv' ? 'forward conv' : 'tfjs stock'} (conv ${ms(t.filterGradMs.conv)}, ` +
    `stock ${ms(t.filterGradMs.stock)}); transposed conv: ${t.naiveTranspose ? 'naive' : 'matmul'} ` +
    `(naive ${ms(t.transposeMs.naive)}, matmul ${ms(t.transposeMs.matmul)}); measured on ` +
    `${t.shape.batch}×${t.shape.size}×${t.shape.size}×${t.shape.channels}`
  );
}
