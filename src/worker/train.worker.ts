/**
 * A page shard worker for data-parallel training, spawned by the lab worker (parallel-web.ts): its own tfjs WASM
 * backend with the lab's gradient kernels, the transport-neutral `ShardWorker` (src/core/parallel) behind
 * postMessage. WASM multithreading stays off (as in the lab worker): the parallelism is the workers themselves.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmKernels } from '../core';
import { ShardWorker } from '../core';
import { transferables } from '../core';
import type { ToWorker } from '../core';

tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

async function init(): Promise<void> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('train.worker: the WASM backend did not start');
  await tf.ready();
}

const ready = init();
const worker = new ShardWorker(() => tf.getBackend());
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  queue = queue.then(async () => {
    try {
      await ready;
    } catch (err) {
      self.postMessage({ type: 'error', id: msg.id, message: (err as Error).message });
      return;
    }
    const reply = await worker.handle(msg);
    self.postMessage(reply, { transfer: transferables(reply) });
  });
};
