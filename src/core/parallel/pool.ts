/**
 * The coordinator's side of the protocol (tfjs-free): N shard workers behind a transport-neutral `ShardPort`
 * (Node `worker_threads` in src/cli/parallel-node.ts, page workers in src/worker/parallel-web.ts), requests by id,
 * replies in worker order, a crash or an error reply rejecting every request in flight with a clear `LabError`,
 * and `dispose()` terminating every worker (cancellation and the end of a session).
 */
import { LabError } from '../types';
import type { ModelConfig } from '../types';
import type { EmbedReply, EmbedRequest, FromWorker, StepReply, ToWorker } from './protocol';
import { transferables } from './protocol';

/** One worker as the pool sees it, whatever the transport. */
export interface ShardPort {
  post(msg: ToWorker, transfer: ArrayBuffer[]): void;
  /** replies; `onFail` for a crash / exit / load failure (the worker is unusable afterwards) */
  listen(onMessage: (m: FromWorker) => void, onFail: (reason: string) => void): void;
  terminate(): void | Promise<unknown>;
}

type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void; worker: number };

export class WorkerPool {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: LabError | null = null;
  private disposed = false;
  private modelKey = '';
  /** times the workers built a model (a fresh model has fresh weights: what was sent before is gone) */
  modelEpoch = 0;
  backend = '';

  constructor(private readonly ports: ShardPort[]) {
    if (ports.length < 1) throw new LabError('a worker pool needs at least one worker', 'parallel');
    ports.forEach((p, k) =>
      p.listen(
        (m) => this.onMessage(k, m),
        (reason) => this.fail(new LabError(`worker ${k + 1} of ${ports.length} crashed: ${reason}`, 'parallel')),
      ),
    );
  }

  get size(): number {
    return this.ports.length;
  }

  private onMessage(k: number, m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(new LabError(`worker ${k + 1} of ${this.ports.length}: ${m.message}`, 'parallel'));
    else p.resolve(m);
  }

  private fail(e: LabError): void {
    if (!this.failure) this.failure = e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
  }

  private check(): void {
    if (this.disposed) throw new LabError('the worker pool was disposed', 'parallel');
    if (this.failure) throw this.failure;
  }

  /** Send `make(id)` to worker k; resolves with its reply. */
  request(k: number, make: (id: number) => ToWorker): Promise<FromWorker> {
    this.check();
    const id = this.nextId++;
    const msg = make(id);
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: k });
      try {
        this.ports[k].post(msg, transferables(msg));
      } catch (e) {
        this.pending.delete(id);
        reject(new LabError(`cannot send to worker ${k + 1}: ${(e as Error).message}`, 'parallel'));
      }
    });
  }

  /** Every worker builds (or keeps) a model of `config`; idempotent. */
  async ensureModel(config: ModelConfig): Promise<void> {
    const key = JSON.stringify(config);
    if (key === this.modelKey) return;
    const replies = await Promise.all(
      this.ports.map((_, k) => this.request(k, (id) => ({ type: 'init', id, model: config }))),
    );
    const r = replies[0];
    if (r.type === 'ready') this.backend = r.backend;
    this.modelKey = key;
    this.modelEpoch++;
  }

  /** One step on every worker (`make(k, id)` builds worker k's message, or null to skip it); replies by worker. */
  async step(
    make: (k: number, id: number) => Extract<ToWorker, { type: 'step' }> | null,
  ): Promise<(StepReply | undefined)[]> {
    this.check();
    const jobs = this.ports.map((_, k) => {
      const msg = make(k, 0);
      if (!msg) return Promise.resolve(undefined);
      return this.request(k, (id) => ({ ...msg, id })) as Promise<StepReply>;
    });
    return Promise.all(jobs);
  }

  /** One feature-network pass on every worker (`make(k)` builds worker k's request, or null to skip it). */
  async embed(make: (k: number) => Omit<EmbedRequest, 'id'> | null): Promise<(EmbedReply | undefined)[]> {
    this.check();
    const jobs = this.ports.map((_, k) => {
      const msg = make(k);
      if (!msg) return Promise.resolve(undefined);
      return this.request(k, (id) => ({ ...msg, id })) as Promise<EmbedReply>;
    });
    return Promise.all(jobs);
  }

  /** Live tensors in every worker (the no-leak check). */
  async memory(): Promise<number[]> {
    const r = await Promise.all(this.ports.map((_, k) => this.request(k, (id) => ({ type: 'memory', id }))));
    return r.map((m) => (m.type === 'memory' ? m.numTensors : NaN));
  }

  /** Fault injection (tests): worker k crashes. */
  crash(k: number): Promise<FromWorker> {
    return this.request(k, (id) => ({ type: 'crash', id }));
  }

  /** Terminate every worker; requests in flight reject. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.fail(new LabError('the worker pool was disposed', 'parallel'));
    await Promise.all(this.ports.map((p) => Promise.resolve(p.terminate()).catch(() => undefined)));
  }
}
