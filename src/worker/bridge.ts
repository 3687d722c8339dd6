/**
 * Main-thread side of the lab worker (squoosh-style abortable bridge): typed requests that return promises,
 * `cancel(id)` to stop a command, a heartbeat that notices an unresponsive worker, and automatic restart of a
 * crashed worker (outstanding requests are rejected with a `WorkerCrashError`; the owner re-initialises).
 *
 * DOM-free apart from the Worker-like object the factory returns, so it can be unit-tested with a fake.
 */
import type { DoneResult, RequestBody, RequestKind, WorkerToApp } from './protocol';
import { isWorkerToApp } from './protocol';

/** The subset of `Worker` the bridge uses. */
export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
  onmessageerror?: ((ev: MessageEvent) => void) | null;
}

export class CommandError extends Error {
  constructor(message: string, readonly cancelled: boolean, readonly command: RequestKind) {
    super(message);
    this.name = cancelled ? 'CancelledError' : 'CommandError';
  }
}

export class WorkerCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

interface Pending {
  kind: RequestKind;
  resolve: (r: DoneResult) => void;
  reject: (e: Error) => void;
}

export interface BridgeOptions {
  /** messages other than done/error/pong (events, progress, memory, ready, ...) */
  onMessage: (msg: WorkerToApp) => void;
  /** the worker crashed or stopped answering and was restarted; `reason` says what happened */
  onRestart: (reason: string) => void;
  /** ms between heartbeats while a command is outstanding */
  heartbeatMs?: number;
  /** ms without any message (and a pending ping) after which the worker is declared unresponsive */
  unresponsiveMs?: number;
  /** timer functions (injectable for tests) */
  now?: () => number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

export class LabBridge {
  private worker: WorkerLike;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastHeard = 0;
  private heartbeat: unknown = null;
  private restarts = 0;
  private disposed = false;
  private readonly now: () => number;

  constructor(private readonly factory: () => WorkerLike, private readonly opts: BridgeOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.worker = this.spawn();
  }

  /** Number of times the worker was restarted. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Ids and kinds of requests not yet answered, oldest first. */
  get outstanding(): Array<{ id: number; kind: RequestKind }> {
    return [...this.pending.entries()].map(([id, p]) => ({ id, kind: p.kind }));
  }

  /** Send a request; the promise settles with the worker's `done` or rejects with its `error`. */
  send(body: RequestBody, transfer: Transferable[] = []): { id: number; promise: Promise<DoneResult> } {
    if (this.disposed) throw new Error('bridge disposed');
    const id = this.nextId++;
    const promise = new Promise<DoneResult>((resolve, reject) => {
      this.pending.set(id, { kind: body.kind, resolve, reject });
    });
    // keep unhandled-rejection noise away when the caller ignores the promise
    promise.catch(() => undefined);
    if (this.pending.size === 1) this.lastHeard = this.now();
    this.worker.postMessage({ ...body, id }, transfer);
    this.ensureHeartbeat();
    return { id, promise };
  }

  /** Abort a running or queued command. */
  cancel(id: number): void {
    if (this.pending.has(id)) this.worker.postMessage({ kind: 'cancel', id });
  }

  /** Abort everything outstanding (Stop). */
  cancelAll(): void {
    for (const id of [...this.pending.keys()].reverse()) this.cancel(id);
  }

  /** Kill the worker and start a fresh one (also used by Reset when a command does not stop). */
  restart(reason: string): void {
    if (this.disposed) return;
    try {
      this.worker.terminate();
    } catch {
      /* already gone */
    }
    const err = new WorkerCrashError(reason);
    const pend = [...this.pending.values()];
    this.pending.clear();
    this.stopHeartbeat();
    this.restarts++;
    this.worker = this.spawn();
    for (const p of pend) p.reject(err);
    this.opts.onRestart(reason);
  }

  dispose(): void {
    this.disposed = true;
    this.stopHeartbeat();
    const pend = [...this.pending.values()];
    this.pending.clear();
    for (const p of pend) p.reject(new WorkerCrashError('bridge disposed'));
    this.worker.terminate();
  }

  private spawn(): WorkerLike {
    const w = this.factory();
    w.onmessage = (ev) => this.handle(ev.data);
    w.onerror = (ev) => {
      const e = ev;
      const where = e.filename ? ` (${e.filename}:${e.lineno ?? '?'})` : '';
      const msg = e.message ? `${e.message}${where}` : 'the worker failed to start or threw an uncaught error';
      if (typeof ev.preventDefault === 'function') ev.preventDefault();
      this.restart(`Worker crashed: ${msg}`);
    };
    w.onmessageerror = () => this.restart('Worker crashed: a message could not be deserialised');
    this.lastHeard = this.now();
    return w;
  }

  private handle(data: unknown): void {
    this.lastHeard = this.now();
    if (!isWorkerToApp(data)) return;
    const msg = data;
    if (msg.kind === 'done' || msg.kind === 'error') {
      const p = this.pending.get(msg.id);
      if (p) {
        this.pending.delete(msg.id);
        if (msg.kind === 'done') p.resolve(msg.result);
        else p.reject(new CommandError(msg.message, msg.cancelled, p.kind));
      }
      if (this.pending.size === 0) this.stopHeartbeat();
      this.opts.onMessage(msg);
      return;
    }
    if (msg.kind === 'pong') return;
    this.opts.onMessage(msg);
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat !== null) return;
    const every = this.opts.heartbeatMs ?? 5000;
    const limit = this.opts.unresponsiveMs ?? 90_000;
    const si = this.opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms));
    this.heartbeat = si(() => {
      if (this.pending.size === 0) {
        this.stopHeartbeat();
        return;
      }
      const silent = this.now() - this.lastHeard;
      if (silent > limit) {
        this.restart(`Worker stopped responding (no message for ${Math.round(silent / 1000)} s); it was restarted`);
        return;
      }
      this.worker.postMessage({ kind: 'ping', id: 0 });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat === null) return;
    const ci = this.opts.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));
    ci(this.heartbeat);
    this.heartbeat = null;
  }
}
