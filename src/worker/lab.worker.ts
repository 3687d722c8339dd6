/// <reference lib="webworker" />
/**
 * The lab's compute worker. Owns tfjs, the dataset and one LabSession. Requests (see protocol.ts) are queued
 * and run one at a time; `cancel` aborts the running one through its AbortController (the session frees its
 * tensors within one step and throws CancelledError); `ping` answers at once while a command runs.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend';
import { createWebParallel, resolveWorkers } from './parallel-web';
import { LabSession, shippedModels, type ShippedModels } from '../core';
import type { ExperimentSpec, ParallelTrainer, RunEvent } from '../core';
import type { DatasetId, ImageDataset } from '../core';
import { CancelledError, LabError } from '../core';
import type { AppToWorker, BackendInfo, DatasetInfo, DoneResult, ReplyOf, Request, WorkerToApp } from './protocol';
import { CommandQueue, isAppToWorker } from './protocol';
import {
  ensureImages,
  importArchive,
  loadDataset,
  perClass,
  probeAvailable,
  sampleGrid,
  type Loaded,
} from './datasets';
import { servesSynthetic, type DataRequest } from '../core';
import { IdbWeightsCache } from './storage';
import { diagnoseWebGPU, onWebGPUFailure, provokeWebGPUError, webgpuFailure } from '../core';
import type { AuditSettings } from '../core';
import { IdbAuditStore, openAuditRecordsDb, type AuditRecordsDb } from './audit-store';
import { auditDataRef, cropImages, resolveAuditData, runAuditJob, syntheticAuditDataset } from './audit-job';
import type { AuditDataRef } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const post = (msg: WorkerToApp, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

const queue = new CommandQueue<Request>();
const controllers = new Map<number, AbortController>();
const weightsCache = new IdbWeightsCache();

let baseUrl = self.location.href;
let backend: BackendInfo | null = null;
let loaded: (Loaded & { requested: DatasetId }) | null = null;
let session: LabSession | null = null;
let parallel: ParallelTrainer | null = null;
let spec: ExperimentSpec | null = null;
let currentId = 0;
let lastMemoryPost = 0;

function postMemory(force = false): void {
  const now = performance.now();
  if (!force && now - lastMemoryPost < 500) return;
  lastMemoryPost = now;
  const m = tf.memory();
  post({ kind: 'memory', numTensors: m.numTensors, numBytes: m.numBytes });
}

function sink(event: RunEvent): void {
  post({ kind: 'event', id: currentId, event });
  if (event.kind === 'progress' || event.kind === 'stage') postMemory(event.kind === 'stage');
}

function datasetInfo(): DatasetInfo {
  if (!loaded) throw new LabError('no dataset loaded', 'worker');
  const ds = loaded.dataset;
  return {
    id: ds.id,
    source: loaded.source,
    classes: ds.classes,
    trainSize: ds.train.n,
    testSize: ds.test.n,
    perClassTrain: perClass(ds),
    grid: sampleGrid(ds),
    notice: loaded.notice,
    available: [],
  };
}

async function announceDataset(): Promise<DatasetInfo> {
  const info = datasetInfo();
  info.available = await probeAvailable(baseUrl);
  post({ kind: 'datasetInfo', info });
  return info;
}

/**
 * Shipped original models next to the page (`models/`, core/train/shipped-models.ts). A missing file is "none";
 * so is an HTML answer (a host's fallback page for unknown paths).
 */
function shippedNextToPage(): ShippedModels {
  const get = async (name: string): Promise<Response | null> => {
    const res = await fetch(new URL(`models/${name}`, baseUrl));
    if (res.status === 404 || (res.ok && (res.headers.get('content-type') ?? '').includes('text/html'))) return null;
    if (!res.ok) throw new LabError(`HTTP ${res.status}`, `models/${name}`);
    return res;
  };
  return shippedModels({
    where: 'models',
    readText: async (name) => (await get(name))?.text() ?? null,
    readBytes: async (name) => {
      const res = await get(name);
      return res ? new Uint8Array(await res.arrayBuffer()) : null;
    },
  });
}

function newSession(ds: ImageDataset): void {
  session?.dispose();
  session = null;
  session = new LabSession({
    dataset: ds,
    sink,
    cache: weightsCache,
    shipped: shippedNextToPage(),
    backendName: backend?.backend ?? tf.getBackend(),
    parallel,
  });
  if (spec) session.setSpec({ ...spec, dataset: ds.id });
}

function requireSession(): LabSession {
  if (!session || !loaded) throw new LabError('load a dataset first', 'worker');
  if (!spec) throw new LabError('no experiment settings yet (setSpec)', 'worker');
  return session;
}

type Sizes = DataRequest;

/** Whether the loaded dataset serves `id` at `sizes` (generated synthetic data: the very one Node would generate). */
function covers(l: NonNullable<typeof loaded>, id: DatasetId, sizes: Sizes): boolean {
  if (l.requested !== id) return false;
  if (l.source !== 'synthetic') return true;
  return servesSynthetic(l.synthetic, sizes);
}

const progressOf = (reqId: number) => (message: string, done: number, total: number) =>
  post({ kind: 'datasetProgress', id: reqId, message, loaded: done, total });

async function ensureDataset(id: DatasetId, sizes: Sizes, reqId: number, signal: AbortSignal): Promise<void> {
  if (loaded && covers(loaded, id, sizes)) {
    // a partly loaded dataset (prepared shards with an image index) downloads what these sizes and seed read
    await ensureImages(loaded.dataset, sizes, progressOf(reqId), signal);
    return;
  }
  const l = await loadDataset(baseUrl, id, sizes, progressOf(reqId), signal);
  loaded = { ...l, requested: id };
  newSession(l.dataset);
  await announceDataset();
}

// ---- the audit (the page runs it in a second instance of this worker; docs/audit.md "On the page") -------------

let auditDb: Promise<AuditRecordsDb | null> | null = null;
/** the last audit dataset, by its data reference (a job started again reuses it) */
let auditData: {
  ref: string;
  dataset: ImageDataset;
  data: Awaited<ReturnType<typeof resolveAuditData>>['data'];
  notice?: string;
} | null = null;

/** A real dataset for the audit: the session's when it is that one, else prepared / cached / imported; never synthetic. */
async function realForAudit(id: 'cifar10' | 'svhn', reqId: number, signal: AbortSignal) {
  if (loaded && loaded.requested === id && loaded.source !== 'synthetic') {
    // the audit's pool and test set span the whole dataset: a partly loaded one is completed first
    try {
      await ensureImages(loaded.dataset, 'all', progressOf(reqId), signal);
    } catch (e) {
      if (signal.aborted) throw e;
      return { missing: errorMessage(e) };
    }
    return { dataset: loaded.dataset, source: loaded.source };
  }
  try {
    // no sizes: every image
    const l = await loadDataset(baseUrl, id, { seed: 0 }, progressOf(reqId), signal, { fallback: false });
    return { dataset: l.dataset, source: l.source as 'prepared' | 'cache' | 'import' };
  } catch (e) {
    if (signal.aborted) throw e;
    return { missing: errorMessage(e) };
  }
}

async function auditDataFor(settings: AuditSettings, reqId: number, signal: AbortSignal) {
  const ref = JSON.stringify(auditDataRef(settings));
  if (auditData?.ref !== ref) {
    const r = await resolveAuditData(settings, (id) => realForAudit(id, reqId, signal));
    auditData = { ref, dataset: r.dataset, data: r.data, ...(r.notice ? { notice: r.notice } : {}) };
  }
  const a = auditData;
  return {
    dataset: a.dataset,
    data: a.data,
    settings: { ...settings, dataset: a.data.id },
    ...(a.notice ? { notice: a.notice } : {}),
  };
}

async function auditImagesOf(ref: AuditDataRef, indices: number[], reqId: number, signal: AbortSignal) {
  if (ref.id === 'synthetic') return cropImages(syntheticAuditDataset(ref), indices);
  if (ref.id !== 'cifar10' && ref.id !== 'svhn')
    throw new LabError(`unknown dataset ${JSON.stringify(ref)}`, 'auditImages');
  const got = await realForAudit(ref.id, reqId, signal);
  if ('missing' in got)
    throw new LabError(`${ref.id} is not available in this browser (${got.missing})`, 'auditImages');
  return cropImages(got.dataset, indices);
}

async function run(req: Request, signal: AbortSignal): Promise<DoneResult> {
  switch (req.kind) {
    case 'init': {
      if (req.baseUrl) baseUrl = req.baseUrl;
      allowSoftwareGpu = !!req.allowSoftwareGpu;
      backend = await initBackend(req.backendPref, undefined, allowSoftwareGpu);
      await parallel?.dispose();
      parallel = null;
      // shard workers run WASM: worth it when this worker trains on WASM / CPU too (not on a GPU backend)
      const n = resolveWorkers(req.workers);
      if ((backend.backend === 'wasm' || backend.backend === 'cpu') && n > 1) {
        parallel = createWebParallel(n);
        backend = {
          ...backend,
          workers: n,
          reasons: [...backend.reasons, `data-parallel training on ${n} WASM workers`],
        };
      } else {
        backend = { ...backend, workers: 1 };
      }
      if (loaded) newSession(loaded.dataset);
      post({ kind: 'ready', backend });
      postMemory(true);
      return { kind: 'init', backend } satisfies ReplyOf<'init'>;
    }
    case 'loadDataset': {
      loaded = null;
      await ensureDataset(req.dataset, spec ?? { trainPerClass: 0, testPerClass: 0 }, req.id, signal);
      return { kind: 'dataset', info: datasetInfo() } satisfies ReplyOf<'loadDataset'>;
    }
    case 'importArchive': {
      const files = [{ name: req.name, bytes: req.bytes }];
      if (req.extra) files.push(req.extra);
      const l = await importArchive(files, (message, done, total) =>
        post({ kind: 'datasetProgress', id: req.id, message, loaded: done, total }),
      );
      loaded = { ...l, requested: l.dataset.id };
      newSession(l.dataset);
      const info = await announceDataset();
      return { kind: 'dataset', info } satisfies ReplyOf<'importArchive'>;
    }
    case 'setSpec': {
      spec = req.spec;
      await ensureDataset(req.spec.dataset, req.spec, req.id, signal);
      requireSession().setSpec({ ...req.spec, dataset: loaded!.dataset.id });
      return { kind: 'ok' } satisfies ReplyOf<'setSpec'>;
    }
    case 'pretrain': {
      await requireSession().pretrain(signal);
      return { kind: 'experiment', experiment: requireSession().result() } satisfies ReplyOf<'pretrain'>;
    }
    case 'condense': {
      const condense = await requireSession().condense(signal);
      return { kind: 'condense', condense, experiment: requireSession().result() } satisfies ReplyOf<'condense'>;
    }
    case 'unlearn': {
      const methods = await requireSession().unlearn(req.methods, req.arms, signal);
      return { kind: 'unlearn', methods, experiment: requireSession().result() } satisfies ReplyOf<'unlearn'>;
    }
    case 'runAll': {
      const experiment = await requireSession().runAll(signal);
      return { kind: 'experiment', experiment } satisfies ReplyOf<'runAll'>;
    }
    case 'reset': {
      if (loaded) newSession(loaded.dataset);
      postMemory(true);
      return { kind: 'ok' } satisfies ReplyOf<'reset'>;
    }
    case 'gpuDiagnose': {
      if (req.provoke) {
        if (tf.getBackend() !== 'webgpu') throw new LabError('the backend is not webgpu', 'gpuDiagnose');
        await provokeWebGPUError();
        await gpuFailover;
        return { kind: 'gpuDiagnose', report: { provoked: true, failure: webgpuFailure(), backend: tf.getBackend() } };
      }
      const report = await diagnoseWebGPU();
      return {
        kind: 'gpuDiagnose',
        report: { ...report, adapter: backend?.adapter, tuning: backend?.tuning, selfCheck: backend?.selfCheck },
      };
    }
    case 'audit': {
      auditDb ??= openAuditRecordsDb();
      const db = await auditDb;
      const log = (level: 'info' | 'warn', message: string) =>
        post({ kind: 'event', id: req.id, event: { kind: 'log', level, message } });
      const store = new IdbAuditStore(db, (m) => log('warn', m));
      if (!db)
        log('warn', 'The browser refused IndexedDB: this audit keeps its records in memory (a reload restarts it).');
      const resolved = await auditDataFor(req.job.settings, req.id, signal);
      const result = await runAuditJob({
        job: req.job,
        resolved,
        store,
        cache: weightsCache,
        signal,
        onLog: log,
        onProgress: (progress) => {
          post({ kind: 'auditProgress', id: req.id, progress });
          postMemory();
        },
      });
      return { kind: 'audit', result } satisfies ReplyOf<'audit'>;
    }
    case 'auditImages': {
      const images = await auditImagesOf(req.data, req.indices, req.id, signal);
      return { kind: 'auditImages', images } satisfies ReplyOf<'auditImages'>;
    }
  }
}

// ---- WebGPU failure → visible fallback to WASM -------------------------------------------------------------------

let allowSoftwareGpu = false;
let gpuFailover: Promise<void> | null = null;

/** Abort what runs (its numbers can't be trusted) and switch to WASM; the Device panel shows the reason. */
function failOver(reason: string): Promise<void> {
  if (gpuFailover) return gpuFailover;
  for (const c of controllers.values()) c.abort();
  gpuFailover = (async () => {
    post({
      kind: 'event',
      id: currentId,
      event: { kind: 'log', level: 'warn', message: `${reason} — switching to WASM` },
    });
    const info = await initBackend('wasm');
    backend = {
      ...info,
      notice: `${reason}. The lab fell back to WASM; the run in progress was stopped — run it again.`,
    };
    backend.reasons = [`webgpu: ${reason}`, ...backend.reasons];
    if (loaded) newSession(loaded.dataset);
    post({ kind: 'ready', backend });
    postMemory(true);
  })();
  return gpuFailover;
}

onWebGPUFailure((reason) => {
  if (backend?.backend === 'webgpu') void failOver(reason);
});

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

function isCancel(e: unknown, signal: AbortSignal): boolean {
  return (
    e instanceof CancelledError ||
    (e instanceof Error && e.name === 'CancelledError') ||
    (signal.aborted && e instanceof Error && e.name === 'AbortError')
  );
}

let pumping = false;
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let req = queue.take(); req; req = queue.take()) {
      const ctrl = new AbortController();
      controllers.set(req.id, ctrl);
      currentId = req.id;
      post({ kind: 'started', id: req.id, command: req.kind });
      const t0 = performance.now();
      try {
        const result = await run(req, ctrl.signal);
        post({ kind: 'done', id: req.id, result, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        const gpu = webgpuFailure();
        if (gpu && gpuFailover) {
          await gpuFailover.catch(() => undefined);
          post({ kind: 'error', id: req.id, message: `${gpu}. Switched to WASM; run again.`, cancelled: false });
          continue;
        }
        const cancelled = isCancel(e, ctrl.signal);
        // a cancelled run keeps what finished so far
        if (cancelled && session && (req.kind === 'unlearn' || req.kind === 'runAll' || req.kind === 'condense')) {
          try {
            const partial = session.result();
            post({
              kind: 'event',
              id: req.id,
              event: {
                kind: 'log',
                level: 'warn',
                message: `Stopped; ${partial.methods.length} method result(s) kept.`,
              },
            });
          } catch {
            /* nothing yet */
          }
        }
        post({ kind: 'error', id: req.id, message: cancelled ? 'Stopped by user' : errorMessage(e), cancelled });
      } finally {
        controllers.delete(req.id);
        queue.finish(req.id);
        postMemory(true);
      }
    }
  } finally {
    pumping = false;
  }
}

self.onmessage = (ev: MessageEvent) => {
  const msg: unknown = ev.data;
  if (!isAppToWorker(msg)) return;
  const m = msg as AppToWorker;
  if (m.kind === 'ping') {
    post({ kind: 'pong', id: m.id, busy: queue.running?.kind ?? null });
    return;
  }
  if (m.kind === 'cancel') {
    const where = queue.cancel(m.id);
    if (where === 'running') controllers.get(m.id)?.abort();
    else if (where === 'removed')
      post({ kind: 'error', id: m.id, message: 'Stopped before it started', cancelled: true });
    return;
  }
  queue.push(m);
  void pump();
};

self.addEventListener('unhandledrejection', (ev) => {
  post({
    kind: 'event',
    id: currentId,
    event: { kind: 'log', level: 'warn', message: `Unhandled: ${errorMessage(ev.reason)}` },
  });
});
