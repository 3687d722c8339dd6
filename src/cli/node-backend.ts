/**
 * Node set-up of the compute core: tfjs WASM backend (SIMD) with the project's gradient kernels (default), the CPU
 * reference backend, or WebGPU on a real GPU through Dawn (the npm package `webgpu`, see node-webgpu.ts; software
 * adapters refused, self-checked against the CPU backend). Node-only (uses `node:module` to find the .wasm files);
 * the browser uses `src/core/backend/select.ts`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmKernels,
  missingKernels,
  selfCheck,
  setFilterGradImpl,
  FILTER_GRAD_IMPLS,
  type FilterGradImpl,
} from '../core';
import { LabError } from '../core';

export type NodeBackendName = 'wasm' | 'cpu' | 'webgpu';
export const NODE_BACKENDS: readonly NodeBackendName[] = ['wasm', 'cpu', 'webgpu'];

/** The `--backend` flag of the CLIs: wasm (default), cpu or webgpu; anything else is a clear error. */
export function parseBackendFlag(v: string | undefined): NodeBackendName {
  if (v === undefined || v === '') return 'wasm';
  if ((NODE_BACKENDS as readonly string[]).includes(v)) return v as NodeBackendName;
  throw new LabError(`expected one of ${NODE_BACKENDS.join(', ')}, got "${v}"`, '--backend');
}

export interface NodeBackendInfo {
  backend: string;
  simd: boolean;
  threads: boolean;
  tfjs: string;
  /** training kernels still missing on the backend (should be empty) */
  missing: string[];
  /** webgpu: the adapter, the self-check and the kernels chosen by measurement */
  adapter?: string;
  selfCheck?: { gradRelErr: number; lossDiff: number };
  tuning?: string;
}

let ready: Promise<NodeBackendInfo> | null = null;
let chosen: NodeBackendName | null = null;

/**
 * Initialise once: 'wasm' (default), 'cpu' (reference, slow) or 'webgpu' (a real GPU through Dawn). Without an
 * argument, the backend an earlier call chose stays (so `--backend` set by a CLI holds for everything it runs).
 */
export function initNodeBackend(backend?: NodeBackendName): Promise<NodeBackendInfo> {
  if (backend === undefined && ready) return ready;
  const want = backend ?? chosen ?? 'wasm';
  if (ready && chosen === want && tf.getBackend() === want) return ready;
  chosen = want;
  if (want === 'webgpu') {
    ready = initNodeWebGPU();
    ready.catch(() => {
      ready = null;
      chosen = null;
    });
    return ready;
  }
  ready = (async () => {
    if (want === 'wasm') {
      // LAB_WASM_DIR: a folder with the three tfjs .wasm files (bundled tools); default: the installed package
      const dist =
        process.env.LAB_WASM_DIR ??
        dirname(
          createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
        );
      setWasmPaths(join(dist, '/'));
      registerWasmKernels();
      // LAB_FILTER_GRAD: force a filter-gradient formulation in this process and its training workers (they inherit
      // the environment) — e.g. 'legacy' reproduces numbers recorded before the issue-24 kernel bit for bit
      const dw = process.env.LAB_FILTER_GRAD;
      if (dw) {
        if (!FILTER_GRAD_IMPLS.includes(dw as FilterGradImpl))
          throw new Error(`LAB_FILTER_GRAD: one of ${FILTER_GRAD_IMPLS.join(', ')}, got ${JSON.stringify(dw)}`);
        setFilterGradImpl(dw as FilterGradImpl);
      }
    }
    const ok = await tf.setBackend(want);
    if (!ok) throw new Error(`initNodeBackend: tf.setBackend('${want}') failed`);
    await tf.ready();
    const simd = want === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : false;
    const threads = want === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) : false;
    return { backend: tf.getBackend(), simd, threads, tfjs: tf.version.tfjs, missing: missingKernels(want) };
  })();
  return ready;
}

/**
 * WebGPU in Node: adapter check (one "no GPU adapter: …" line when there is none), the lab's backend factory and
 * kernel fixes, the kernel choice by measurement on a ConvNet-3-sized layer, and the CPU-referenced self-check.
 */
async function initNodeWebGPU(): Promise<NodeBackendInfo> {
  const { findNodeGpuAdapter, allowSoftwareGpu } = await import('./node-webgpu');
  const found = await findNodeGpuAdapter();
  const { selectBackend, webgpuAdapterName } = await import('../core');
  const sel = await selectBackend('webgpu', {
    timeoutMs: 60_000,
    allowSoftware: allowSoftwareGpu(),
    check: selfCheck,
    tuneWebGPU: found.software ? { batch: 4, size: 8, channels: 16 } : { batch: 64, size: 16, channels: 128 },
  });
  if (sel.backend !== 'webgpu') {
    throw new LabError(`no GPU adapter usable: ${sel.reasons.join('; ')}`, 'webgpu (node)');
  }
  const t = sel.tuning;
  const tuning = t
    ? `filter gradient ${t.filterGrad} (conv ${t.filterGradMs.conv.toFixed(2)} ms, stock ` +
      `${t.filterGradMs.stock.toFixed(2)} ms); transposed conv ${t.naiveTranspose ? 'naive' : 'matmul'} (naive ` +
      `${t.transposeMs.naive.toFixed(2)} ms, matmul ${t.transposeMs.matmul.toFixed(2)} ms)`
    : undefined;
  return {
    backend: 'webgpu',
    simd: false,
    threads: false,
    tfjs: tf.version.tfjs,
    missing: missingKernels('webgpu'),
    adapter: webgpuAdapterName() ?? found.name,
    selfCheck: { gradRelErr: sel.selfCheck.gradRelErr, lossDiff: sel.selfCheck.lossDiff },
    tuning,
  };
}
