/**
 * Node set-up of the compute core: tfjs WASM backend (SIMD) with the project's gradient kernels.
 * Node-only (uses `node:module` to find the .wasm files); the browser uses `src/core/backend/select.ts`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels, missingKernels } from '../core';

export interface NodeBackendInfo {
  backend: string;
  simd: boolean;
  threads: boolean;
  tfjs: string;
  /** training kernels still missing on the backend (should be empty) */
  missing: string[];
}

let ready: Promise<NodeBackendInfo> | null = null;

/** Initialise once: 'wasm' (default) or 'cpu' (reference, slow). */
export function initNodeBackend(backend: 'wasm' | 'cpu' = 'wasm'): Promise<NodeBackendInfo> {
  if (ready && tf.getBackend() === backend) return ready;
  ready = (async () => {
    if (backend === 'wasm') {
      // LAB_WASM_DIR: a folder with the three tfjs .wasm files (bundled tools); default: the installed package
      const dist = process.env.LAB_WASM_DIR ?? dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
      setWasmPaths(join(dist, '/'));
      registerWasmKernels();
    }
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`initNodeBackend: tf.setBackend('${backend}') failed`);
    await tf.ready();
    const simd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : false;
    const threads = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) : false;
    return { backend: tf.getBackend(), simd, threads, tfjs: tf.version.tfjs, missing: missingKernels(backend) };
  })();
  return ready;
}
