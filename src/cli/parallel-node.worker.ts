/**
 * A Node shard worker (worker_threads): its own tfjs WASM backend with the lab's kernels (node-backend.ts), the
 * transport-neutral `ShardWorker` behind `parentPort`. Started by parallel-node.ts through parallel-boot.mjs.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { ShardWorker } from '../core';
import { transferables } from '../core';
import type { ToWorker } from '../core';

const port = parentPort;
if (!port) throw new Error('parallel-node.worker: not started as a worker thread');
const ready = initNodeBackend('wasm');
const worker = new ShardWorker(() => tf.getBackend());
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue.then(async () => {
    await ready;
    const reply = await worker.handle(msg);
    port.postMessage(reply, transferables(reply));
  });
});
