/**
 * The page's typed client of the lab worker (main thread; DOM-free apart from the Worker-like object the factory
 * returns, so it can be unit-tested with a fake).
 *
 * - Every request gets an id; the promise `send` returns settles with the worker's `done` or `error` of that id,
 *   typed by the request's kind (`ReplyOf<K>`, see REPLY_KIND in protocol.ts): `send({ kind: 'condense' })`
 *   resolves with `{ kind: 'condense', condense, experiment }`. The worker's handlers are type-checked against
 *   the same table (lab.worker.ts), so the cast in `send` holds.
 * - `cancel(id)` posts a `cancel` message; the worker answers the request with `error` + `cancelled: true`, which
 *   rejects its promise with a `CommandError` whose `cancelled` is true.
 * - A crash (uncaught error, undeserialisable message, or silence past `unresponsiveMs` while requests are
 *   outstanding) terminates the worker, starts a fresh one and rejects every pending request with a
 *   `WorkerCrashError` saying what happened; `onRestart` tells the owner, which re-initialises.
 */
import type { DoneResult, ReplyOf, RequestBody, RequestKind, WorkerToApp } from './protocol';
import { isWorkerToApp } from './protocol';

/** The subset of `Worker` the client uses. */
export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
  onmessageerror?: ((ev: MessageEvent) => void) | null;
}

/** The worker answered a request with an error (or a cancellation, `cancelled: true`). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly cancelled: boolean,
    readonly command: RequestKind,
  ) {
    super(message);
    this.name = cancelled ? 'CancelledError' : 'CommandError';
  }
}

/** The worker died (or was restarted) while a request was outstanding. */
export class WorkerCrashError extends Error {
  constructor(
    message: string,
    readonly command?: RequestKind,
  ) {
    super(message);
    this.name = 'WorkerCrashError';
  }
}

/** A request in flight: its id (for `cancel`) and its typed reply. */
export interface Sent<K extends RequestKind> {
  id: number;
  promise: Promise<ReplyOf<K>>;
}

interface Pending {
  kind: RequestKind;
  resolve: (r: DoneResult) => void;
  reject: (e: Error) => void;
}

export interface ClientOptions {
  /** messages other than pong (events, progress, memory, ready, and done/error after their promise settled) */
  onMessage: (msg: WorkerToApp) => void;
  /** the worker crashed or stopped answering and was restarted; `reason` says what happened */
  onRestart: (reason: string) => void;
  /** ms between heartbeats while a request is outstanding */
  heartbeatMs?: number;
  /** ms without any message (pings unanswered) after which the worker is declared unresponsive */
  unresponsiveMs?: number;
  /** timer functions (injectable for tests) */
  now?: () => number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

export class LabClient {
  private worker: WorkerLike;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private lastHeard = 0;
  private heartbeat: unknown = null;
  private restarts = 0;
  private disposed = false;
  private readonly now: () => number;

  constructor(
    private readonly factory: () => WorkerLike,
    private readonly opts: ClientOptions,
  ) {
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

  /** Send a request; the promise settles with the `done` of the same id (typed by kind) or rejects. */
  send<B extends RequestBody>(body: B, transfer: Transferable[] = []): Sent<B['kind']> {
    if (this.disposed) throw new WorkerCrashError(`the worker client was disposed; "${body.kind}" was not sent`);
    const id = this.nextId++;
    const promise = new Promise<DoneResult>((resolve, reject) => {
      this.pending.set(id, { kind: body.kind, resolve, reject });
    }) as Promise<ReplyOf<B['kind']>>;
    // keep unhandled-rejection noise away when the caller ignores the promise
    promise.catch(() => undefined);
    if (this.pending.size === 1) this.lastHeard = this.now();
    this.worker.postMessage({ ...body, id }, transfer);
    this.ensureHeartbeat();
    return { id, promise };
  }

  /** Abort a running or queued request (its promise rejects when the worker confirms). */
  cancel(id: number): void {
    if (this.pending.has(id)) this.worker.postMessage({ kind: 'cancel', id });
  }

  /** Abort everything outstanding, newest first (Stop). */
  cancelAll(): void {
    for (const id of [...this.pending.keys()].reverse()) this.cancel(id);
  }

  /** Kill the worker and start a fresh one; pending requests reject with `WorkerCrashError(reason)`. */
  restart(reason: string): void {
    if (this.disposed) return;
    try {
      this.worker.terminate();
    } catch {
      /* already gone */
    }
    const pend = [...this.pending.values()];
    this.pending.clear();
    this.stopHeartbeat();
    this.restarts++;
    this.worker = this.spawn();
    for (const p of pend) p.reject(new WorkerCrashError(reason, p.kind));
    this.opts.onRestart(reason);
  }

  /** Terminate the worker for good; pending requests reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopHeartbeat();
    const pend = [...this.pending.values()];
    this.pending.clear();
    for (const p of pend) p.reject(new WorkerCrashError('the worker client was disposed', p.kind));
    this.worker.terminate();
  }

  private spawn(): WorkerLike {
    const w = this.factory();
    w.onmessage = (ev) => {
      if (w === this.worker) this.handle(ev.data);
    };
    w.onerror = (ev) => {
      const where = ev.filename ? ` (${ev.filename}:${ev.lineno ?? '?'})` : '';
      const msg = ev.message ? `${ev.message}${where}` : 'the worker failed to start or threw an uncaught error';
      if (typeof ev.preventDefault === 'function') ev.preventDefault();
      if (w === this.worker) this.restart(`Worker crashed: ${msg}`);
    };
    w.onmessageerror = () => {
      if (w === this.worker) this.restart('Worker crashed: a message could not be deserialised');
    };
    this.lastHeard = this.now();
    return w;
  }

  private handle(data: unknown): void {
    this.lastHeard = this.now();
    if (!isWorkerToApp(data)) return;
    const msg = data;
    if (msg.kind === 'pong') return;
    if (msg.kind === 'done' || msg.kind === 'error') {
      const p = this.pending.get(msg.id);
      if (p) {
        this.pending.delete(msg.id);
        if (msg.kind === 'error') p.reject(new CommandError(msg.message, msg.cancelled, p.kind));
        else p.resolve(msg.result);
      }
      if (this.pending.size === 0) this.stopHeartbeat();
    }
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
