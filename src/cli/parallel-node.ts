/**
 * Node transport of data-parallel training: N `worker_threads`, each with its own tfjs WASM backend
 * (parallel-node.worker.ts), behind the core's `WorkerPool` / `ParallelTrainer`. `--workers N` of the CLI picks N;
 * the default is `os.availableParallelism()`. N = 1 means no worker thread at all (the one-worker path).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerPool } from '../core';
import type { ShardPort } from '../core';
import { ParallelTrainer } from '../core';
import type { FromWorker } from '../core';

/** The cores this process may use (the default worker count). */
export function nodeWorkerCount(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * `--workers N` checked against this machine (issue 19 item 5): more workers than cores only slows training and
 * costs a model copy each (16 on 2 cores used 2.7 GB), so it is refused unless `allowMore` (`--oversubscribe`).
 */
export function capWorkers(n: number, allowMore = false, cores = nodeWorkerCount()): number {
  if (n > cores && !allowMore) {
    throw new Error(
      `--workers ${n}: more than the ${cores} core${cores === 1 ? '' : 's'} here; add --oversubscribe to run that many anyway`,
    );
  }
  return n;
}

function nodePort(): ShardPort {
  const w = new Worker(new URL('./parallel-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./parallel-node.worker.ts', import.meta.url).href },
  });
  let terminated = false;
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(onMessage, onFail) {
      w.on('message', (m: FromWorker) => onMessage(m));
      w.on('error', (e: Error) => onFail(e.message));
      w.on('exit', (code) => {
        if (!terminated) onFail(`worker thread exited (code ${code})`);
      });
    },
    terminate: () => {
      terminated = true;
      return w.terminate();
    },
  };
}

/** N shard workers in this process; null for N = 1 (train locally). The caller disposes it. */
export function createNodeParallel(workers: number): ParallelTrainer | null {
  if (!(Number.isInteger(workers) && workers >= 1))
    throw new Error(`--workers: expected an integer ≥ 1, got ${workers}`);
  if (workers === 1) return null;
  const ports: ShardPort[] = [];
  for (let k = 0; k < workers; k++) ports.push(nodePort());
  return new ParallelTrainer(new WorkerPool(ports), 'worker_threads');
}
