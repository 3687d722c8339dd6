/**
 * Test-side watchdog: runs a fuzz job in a worker thread (TypeScript via tsx) and fails if a case makes no
 * progress for `idleMs` (a hang) or the whole job exceeds `totalMs`. Generous limits: they only catch hangs.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { FuzzJob } from './worker.test-util';

export interface WatchdogLimits {
  idleMs: number;
  totalMs: number;
}

export function runInWorker<T>(job: FuzzJob, limits: WatchdogLimits): Promise<T> {
  const entry = fileURLToPath(new URL('./worker.test-util.ts', import.meta.url));
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const w = new Worker(code, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  return new Promise<T>((resolve, reject) => {
    let last = 'start-up';
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      clearTimeout(total);
      void w.terminate();
      f();
    };
    const hang = (what: string) => finish(() => reject(new Error(`${what}: stopped at ${last} (a hang?)`)));
    let idle = setTimeout(() => hang(`no progress for ${limits.idleMs} ms`), limits.idleMs);
    const total = setTimeout(() => hang(`over ${limits.totalMs} ms in all`), limits.totalMs);
    w.on('message', (m: { t: string; index?: number; kind?: string; bytes?: number; result?: T; message?: string }) => {
      clearTimeout(idle);
      idle = setTimeout(() => hang(`no progress for ${limits.idleMs} ms`), limits.idleMs);
      if (m.t === 'case') last = `case ${m.index} (${m.kind}, ${m.bytes} bytes)`;
      else if (m.t === 'done') finish(() => resolve(m.result as T));
      else if (m.t === 'crash') finish(() => reject(new Error(`fuzz worker failed at ${last}: ${m.message}`)));
    });
    w.on('error', (e) => finish(() => reject(new Error(`fuzz worker died at ${last}: ${e?.stack ?? e}`))));
    w.on('exit', (code) => finish(() => reject(new Error(`fuzz worker exited (code ${code}) at ${last}`))));
  });
}
