/**
 * Typed message protocol between the app (main thread) and the lab worker (web-llm style discriminated
 * unions: every message has a `kind`; requests carry an `id` the replies echo).
 *
 * Requests run one at a time in the worker, in arrival order; `cancel` and `ping` bypass the queue.
 * Every request is answered by exactly one `done` or `error` with the same id (a cancelled command answers
 * `error` with `cancelled: true`).
 */
import type {
  CondenseResult,
  ExperimentResult,
  ExperimentSpec,
  MethodName,
  MethodResult,
  RunEvent,
} from '../core/lite';
import type { ArmChoice, AuditMethodReport, AuditSettings, DatasetId } from '../core/lite';

export type BackendPref = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_PREFS: readonly BackendPref[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** which arms an `unlearn` request runs (the spec's `unlearn.arms`, core `ArmChoice`) */
export type Arms = ArmChoice;

/** app → worker */
export type Request =
  | {
      kind: 'init';
      id: number;
      backendPref: BackendPref;
      /** document base URL: datasets/ is resolved against it */ baseUrl?: string;
      /** data-parallel training workers: 0/absent = all cores (navigator.hardwareConcurrency), 1 = none */
      workers?: number;
      /** diagnostic (URL swgpu=1): accept a software WebGPU adapter (SwiftShader) */ allowSoftwareGpu?: boolean;
    }
  | { kind: 'loadDataset'; id: number; dataset: DatasetId }
  | {
      kind: 'importArchive';
      id: number;
      name: string;
      bytes: ArrayBuffer;
      extra?: { name: string; bytes: ArrayBuffer };
    }
  | { kind: 'setSpec'; id: number; spec: ExperimentSpec }
  | { kind: 'pretrain'; id: number }
  | { kind: 'condense'; id: number }
  | { kind: 'unlearn'; id: number; methods: MethodName[]; arms: Arms }
  | { kind: 'runAll'; id: number }
  | { kind: 'reset'; id: number }
  | {
      kind: 'gpuDiagnose';
      id: number;
      /** cause a real device error instead (tests the fallback to WASM) */ provoke?: boolean;
    }
  /** run (or resume: finished records are reused) a per-example audit; progress comes as `auditProgress` */
  | { kind: 'audit'; id: number; job: AuditJob }
  /** training images by dataset index (the gallery of an audit.json loaded into the page) */
  | { kind: 'auditImages'; id: number; data: AuditDataRef; indices: number[] };

/** app → worker, outside the queue */
export type Control = { kind: 'cancel'; id: number } | { kind: 'ping'; id: number };

export type AppToWorker = Request | Control;
export type RequestKind = Request['kind'];

/** Distributive Omit so `Omit<Request, 'id'>` stays a union. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type RequestBody = WithoutId<Request>;

export interface BackendInfo {
  /** tfjs backend in use */
  backend: string;
  /** what the user asked for */
  pref: BackendPref;
  /** why this backend: one line per backend tried */
  reasons: string[];
  selfCheck?: { ok: boolean; message: string; seconds?: number; gradRelErr?: number; lossDiff?: number };
  /** whether the WASM backend runs multithreaded */
  threads?: number;
  /** data-parallel training workers in use (1 = training in the lab worker) */
  workers?: number;
  versions: Record<string, string>;
  /** WebGPU: the adapter in use */
  adapter?: string;
  /** WebGPU: the convolution-gradient kernels chosen by measurement, one line */
  tuning?: string;
  /** why the backend changed after start-up (e.g. the WebGPU device was lost and the lab fell back to WASM) */
  notice?: string;
}

export interface DatasetInfo {
  id: DatasetId;
  /** where the images came from: prepared shards, a dropped archive, cache, or the synthetic generator */
  source: 'prepared' | 'cache' | 'import' | 'synthetic';
  classes: string[];
  trainSize: number;
  testSize: number;
  perClassTrain: number[];
  /** 10×10 sample grid, RGBA, gridSize×32 pixels square: row r = class r, 10 images each */
  grid: { width: number; height: number; data: Uint8ClampedArray };
  /** shown to the user (e.g. 'CIFAR-10 not prepared: using the synthetic dataset') */
  notice?: string;
  /** datasets the server has prepared (manifest found) */
  available: Array<{ id: DatasetId; trainSize: number; testSize: number }>;
}

/**
 * A per-example audit the page runs (docs/audit.md "On the page"): an audit preset's settings and one audit seed.
 * The page runs it in a second instance of the lab worker, so the lab's own commands are not queued behind it.
 */
export interface AuditJob {
  /** the page's id of the job (kept in the browser to resume it after a reload) */
  jobId: string;
  /** the audit preset it started from (src/core/results/audit.ts AUDIT_PRESETS) */
  preset: string;
  settings: AuditSettings;
  seed: number;
}

/**
 * The images an audit was played on. A prepared or imported dataset by id; the synthetic one as the CLI generates
 * it for an audit (seed 0, `trainPerClass` = the pool per class, 8 test images per class).
 */
export type AuditDataRef =
  { id: 'cifar10' | 'svhn' } | { id: 'synthetic'; trainPerClass: number; testPerClass: number };

/** Training images by dataset index, 32×32 RGBA each, concatenated in `indices` order. */
export interface AuditImages {
  indices: number[];
  labels: number[];
  classes: string[];
  data: Uint8ClampedArray;
}

/** How far an audit job is: records (one per model and method) and the estimated share of the work. */
export interface AuditProgress {
  jobId: string;
  /** records finished (computed now or reused) of `total` */
  done: number;
  total: number;
  /** records found finished in the browser's store when the job (re)started */
  reused: number;
  /** estimated share of the work done, 0–1 (records weighted by their epochs × images) */
  fraction: number;
  /** seconds left at the rate measured so far in this job; null until something was computed */
  etaSeconds: number | null;
  elapsedSeconds: number;
  /** what runs now, e.g. "shadow3: original, epoch 4/40" */
  current: string;
}

/** A finished audit: one report per method (or why it could not be made) and what the job did. */
export interface AuditJobResult {
  jobId: string;
  preset: string;
  seed: number;
  /** the settings as played (`dataset` is 'synthetic' when the preset's dataset was not available) */
  settings: AuditSettings;
  data: AuditDataRef & { source: 'prepared' | 'cache' | 'import' | 'synthetic'; classes: string[] };
  /** why the dataset differs from the preset's (e.g. CIFAR-10 not available here) */
  notice?: string;
  reports: Array<{ method: string; report?: AuditMethodReport; error?: string }>;
  records: { computed: number; reused: number; total: number };
  seconds: number;
  /** images of the most exposed candidates of every method (the gallery) */
  images: AuditImages;
}

export type DoneResult =
  | { kind: 'init'; backend: BackendInfo }
  | { kind: 'dataset'; info: DatasetInfo }
  | { kind: 'condense'; condense: CondenseResult; experiment: ExperimentResult }
  | { kind: 'unlearn'; methods: MethodResult[]; experiment: ExperimentResult }
  | { kind: 'experiment'; experiment: ExperimentResult }
  | { kind: 'ok' }
  | { kind: 'gpuDiagnose'; report: Record<string, unknown> }
  | { kind: 'audit'; result: AuditJobResult }
  | { kind: 'auditImages'; images: AuditImages };

/**
 * The reply each request kind gets: the request's kind fixes the kind of its `done` result (web-llm style). The
 * client checks it at run time and types `send`'s promise with it; the worker's handlers are checked against it.
 */
export const REPLY_KIND = {
  init: 'init',
  loadDataset: 'dataset',
  importArchive: 'dataset',
  setSpec: 'ok',
  pretrain: 'experiment',
  condense: 'condense',
  unlearn: 'unlearn',
  runAll: 'experiment',
  reset: 'ok',
  gpuDiagnose: 'gpuDiagnose',
  audit: 'audit',
  auditImages: 'auditImages',
} as const satisfies Record<RequestKind, DoneResult['kind']>;

/** The request body of one kind, e.g. `RequestOf<'unlearn'>`. */
export type RequestOf<K extends RequestKind> = Extract<RequestBody, { kind: K }>;
/** The `done` result a request of kind K resolves with. */
export type ReplyOf<K extends RequestKind> = Extract<DoneResult, { kind: (typeof REPLY_KIND)[K] }>;

/** worker → app */
export type WorkerToApp =
  | { kind: 'ready'; backend: BackendInfo }
  | { kind: 'started'; id: number; command: RequestKind }
  | { kind: 'event'; id: number; event: RunEvent }
  | { kind: 'datasetInfo'; info: DatasetInfo }
  | { kind: 'datasetProgress'; id: number; message: string; loaded: number; total: number }
  | { kind: 'done'; id: number; result: DoneResult; seconds: number }
  | { kind: 'error'; id: number; message: string; cancelled: boolean }
  | { kind: 'auditProgress'; id: number; progress: AuditProgress }
  | { kind: 'memory'; numTensors: number; numBytes: number }
  | { kind: 'pong'; id: number; busy: RequestKind | null };

/**
 * The browser database of the page's audits (IndexedDB, its own database so "Clear cached data" and the lab's
 * weights stay apart): `records` holds each finished (model, method) record under its key (the worker's
 * IdbAuditStore), `jobs` the page's current audit job and its last result (src/app/audit-jobs.ts).
 */
export const AUDIT_DB = { name: 'unlearning-lab-audit', version: 1, stores: ['records', 'jobs'] } as const;

/** Commands that run the model (and can therefore be stopped). */
export const LONG_COMMANDS: ReadonlySet<RequestKind> = new Set([
  'pretrain',
  'condense',
  'unlearn',
  'runAll',
  'importArchive',
  'loadDataset',
  'audit',
  'auditImages',
]);

const REQUEST_KINDS: ReadonlySet<string> = new Set<RequestKind>([
  'init',
  'loadDataset',
  'importArchive',
  'setSpec',
  'pretrain',
  'condense',
  'unlearn',
  'runAll',
  'reset',
  'gpuDiagnose',
  'audit',
  'auditImages',
]);

/** Runtime guard for what arrives at the worker (postMessage carries no types). */
export function isAppToWorker(x: unknown): x is AppToWorker {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as { kind?: unknown; id?: unknown };
  if (typeof m.id !== 'number' || typeof m.kind !== 'string') return false;
  return REQUEST_KINDS.has(m.kind) || m.kind === 'cancel' || m.kind === 'ping';
}

export function isWorkerToApp(x: unknown): x is WorkerToApp {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return (
    k === 'ready' ||
    k === 'started' ||
    k === 'event' ||
    k === 'datasetInfo' ||
    k === 'datasetProgress' ||
    k === 'auditProgress' ||
    k === 'done' ||
    k === 'error' ||
    k === 'memory' ||
    k === 'pong'
  );
}

/**
 * The worker's command queue as a pure data structure: one command runs at a time; the rest wait in order.
 * `cancel(id)` removes a waiting command or reports that the running one must be aborted.
 */
export class CommandQueue<T extends { id: number }> {
  private waiting: T[] = [];
  private current: T | null = null;

  get running(): T | null {
    return this.current;
  }

  get pending(): readonly T[] {
    return this.waiting;
  }

  push(cmd: T): void {
    this.waiting.push(cmd);
  }

  /** Next command to run, if none is running. */
  take(): T | null {
    if (this.current || this.waiting.length === 0) return null;
    this.current = this.waiting.shift() ?? null;
    return this.current;
  }

  /** Mark the running command finished. */
  finish(id: number): void {
    if (this.current?.id === id) this.current = null;
  }

  /**
   * Cancel a command: 'removed' when it was still waiting (it never runs), 'running' when it is the current
   * one (the caller aborts it), 'unknown' otherwise.
   */
  cancel(id: number): 'removed' | 'running' | 'unknown' {
    if (this.current?.id === id) return 'running';
    const i = this.waiting.findIndex((c) => c.id === id);
    if (i < 0) return 'unknown';
    this.waiting.splice(i, 1);
    return 'removed';
  }

  /** Drop every waiting command (returns them so each can be answered). */
  clear(): T[] {
    const out = this.waiting;
    this.waiting = [];
    return out;
  }
}
