import type { WorkerLike } from '../../worker/client';
import type { WorkerToApp } from '../../worker/protocol';

/** A fake lab worker for the store's tests: records posts; the test answers through `reply` or `crash`. */
export class FakeWorker implements WorkerLike {
  posted: Array<Record<string, unknown>> = [];
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  postMessage(msg: unknown): void {
    this.posted.push(msg as Record<string, unknown>);
  }
  terminate(): void {}
  reply(data: WorkerToApp): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault() {} } as unknown as ErrorEvent);
  }
  last(kind: string) {
    return this.posted.filter((m) => m.kind === kind).at(-1) as { id: number } | undefined;
  }
}
