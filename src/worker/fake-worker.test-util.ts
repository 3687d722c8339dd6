import type { WorkerLike } from './client';
import type { WorkerToApp } from './protocol';

/** A fake lab worker for client/protocol tests: records posts; the test answers through `reply` or `crash`. */
export class FakeWorker implements WorkerLike {
  posted: Array<Record<string, unknown>> = [];
  terminated = false;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  onmessageerror: ((ev: MessageEvent) => void) | null = null;
  postMessage(msg: unknown): void {
    this.posted.push(msg as Record<string, unknown>);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(data: WorkerToApp): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  /** an error event as a browser raises it for an uncaught error at lab.worker.js:7 */
  crash(message: string): void {
    this.onerror?.({ message, filename: 'lab.worker.js', lineno: 7, preventDefault() {} } as unknown as ErrorEvent);
  }
}
