/**
 * Page transport of data-parallel training: N module workers (train.worker.ts) spawned by the lab worker, behind
 * the core's `WorkerPool` / `ParallelTrainer`. Buffers move as transferables (no SharedArrayBuffer, so static hosts
 * without cross-origin-isolation headers work too). The page's "Workers" setting (URL `wk`) picks N; 0 = all
 * cores (`navigator.hardwareConcurrency`); N = 1 trains in the lab worker itself.
 */
import { WorkerPool } from '../core';
import type { ShardPort } from '../core';
import { ParallelTrainer } from '../core';
import { defaultWorkerCount } from '../core';
import type { FromWorker } from '../core';

function webPort(k: number): ShardPort {
  const w = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: `train-${k + 1}` });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(onMessage, onFail) {
      w.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        onFail(e.message || 'worker error (failed to load?)');
      };
      w.onmessageerror = () => onFail('a message could not be deserialised');
    },
    terminate: () => w.terminate(),
  };
}

/** The worker count a setting asks for: 0 = all cores. */
export function resolveWorkers(setting: number | undefined): number {
  return setting && setting >= 1 ? Math.floor(setting) : defaultWorkerCount();
}

/** N page shard workers, or null for N = 1 (train in the lab worker). The caller disposes it. */
export function createWebParallel(workers: number): ParallelTrainer | null {
  if (workers <= 1) return null;
  const ports: ShardPort[] = [];
  for (let k = 0; k < workers; k++) ports.push(webPort(k));
  return new ParallelTrainer(new WorkerPool(ports), 'web workers');
}
