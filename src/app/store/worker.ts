/**
 * Worker slice: owns the typed client of the compute worker (src/worker/client.ts) and what the worker reports
 * about itself (backend, dataset, memory, the command running now). `send` is the one way the other slices talk
 * to the worker: it tracks the queue and turns failures into notices. The crash policy lives here too: a crashed
 * worker is restarted and re-initialised, unless it crashed three times within a minute.
 */
import { CommandError, LabClient, WorkerCrashError, type WorkerLike } from '../../worker/client';
import type { BackendInfo, DatasetInfo, ReplyOf, RequestBody, RequestKind, WorkerToApp } from '../../worker/protocol';
import type { DatasetId } from '../../core/lite';
import { backendPref, workersPref } from '../params';
import { endRunningStages } from '../runState';
import type { SliceCreator } from './types';

const COMMAND_LABELS: Record<RequestKind, string> = {
  init: 'Starting the backend',
  loadDataset: 'Loading the dataset',
  importArchive: 'Import',
  setSpec: 'Applying settings',
  pretrain: 'Pretraining',
  condense: 'Condense',
  unlearn: 'Unlearn',
  runAll: 'Run',
  reset: 'Reset',
  gpuDiagnose: 'WebGPU diagnostics',
  audit: 'Audit',
  auditImages: 'Audit images',
};

/** Crashes within this window count towards the "keeps crashing" limit. */
const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES = 3;

export interface WorkerSlice {
  /** the worker client (null until `startWorker`) */
  client: LabClient | null;
  backend: BackendInfo | null;
  workerReady: boolean;
  workerRestarts: number;
  dataset: DatasetInfo | null;
  datasetProgress: { message: string; loaded: number; total: number } | null;
  memory: { numTensors: number; numBytes: number } | null;
  /** the worker command running now (also background ones: init, setSpec, loadDataset) */
  activity: RequestKind | null;
  /** commands sent and not yet answered (queued in the worker) */
  queued: number;
  /** the last WebGPU diagnosis (Device panel), JSON text, or the error */
  gpuDiag: string | null;

  /** Start the worker (once) and initialise it; `autorun` runs Compare when ready. */
  startWorker(makeWorker: () => WorkerLike, opts?: { autorun?: boolean }): void;
  /** Initialise a (fresh) worker: backend, then the current settings. */
  boot(opts?: { autorun?: boolean }): Promise<void>;
  /** Send a request and track it; resolves with its typed reply, or null when it failed (errors become notices). */
  send<B extends RequestBody>(body: B, transfer?: Transferable[]): Promise<ReplyOf<B['kind']> | null>;
  /** Import a dataset archive (one or two files) in the worker. */
  importFiles(files: File[]): Promise<void>;
  /** WebGPU diagnostics (AddN, filter gradient), or with `provoke` a real device error (tests the WASM fallback). */
  gpuDiagnose(provoke?: boolean): Promise<void>;
}

/**
 * Per-step training losses of this page's runs (the first 5,000 steps), on `globalThis.__labStepLosses`: a
 * diagnostic that lets a test compare backends step by step (e2e/webgpu.spec.ts).
 */
type StepLoss = { stage: string; label?: string; epoch: number; step: number; loss: number };
function recordStepLoss(p: { stage: string; label?: string; epoch: number; step: number; loss?: number }): void {
  if (p.loss === undefined) return;
  const g = globalThis as { __labStepLosses?: StepLoss[] };
  const arr = (g.__labStepLosses ??= []);
  if (arr.length < 5000) arr.push({ stage: p.stage, label: p.label, epoch: p.epoch, step: p.step, loss: p.loss });
}

export const createWorkerSlice: SliceCreator<WorkerSlice> = (set, get) => {
  const crashTimes: number[] = [];
  const outstanding = () => get().client?.outstanding.length ?? 0;

  const onMessage = (msg: WorkerToApp) => {
    switch (msg.kind) {
      case 'ready':
        set({ backend: msg.backend, workerReady: true });
        if (msg.backend.notice) {
          get().notify('error', 'WebGPU failed: switched to WASM', [msg.backend.notice], 'gpu-failover');
        }
        break;
      case 'event':
        get().applyEvent(msg.event);
        if (msg.event.kind === 'progress') recordStepLoss(msg.event.progress);
        break;
      case 'datasetInfo':
        set({ dataset: msg.info, datasetProgress: null });
        if (msg.info.notice) get().notify('warn', 'Dataset', [msg.info.notice], 'dataset-notice');
        else get().dropNotices('dataset-notice');
        break;
      case 'datasetProgress':
        set({ datasetProgress: { message: msg.message, loaded: msg.loaded, total: msg.total } });
        break;
      case 'memory':
        set({ memory: { numTensors: msg.numTensors, numBytes: msg.numBytes } });
        break;
      case 'started':
        set((s) => ({ activity: msg.command, busy: s.busy ? { ...s.busy, id: msg.id } : null }));
        break;
      case 'done':
      case 'error':
        set((s) => ({ queued: outstanding(), activity: outstanding() > 0 ? s.activity : null }));
        break;
      default:
        break;
    }
  };

  const onRestart = (reason: string) => {
    set((s) => ({
      workerReady: false,
      workerRestarts: s.workerRestarts + 1,
      busy: null,
      activity: null,
      queued: 0,
      run: endRunningStages(s.run, 'failed'),
      condensed: false,
    }));
    const now = Date.now();
    crashTimes.push(now);
    while (crashTimes.length && now - crashTimes[0] > CRASH_WINDOW_MS) crashTimes.shift();
    if (crashTimes.length >= MAX_CRASHES) {
      get().notify(
        'error',
        'The compute worker keeps crashing',
        [
          reason,
          'Automatic restarts are paused. Try another backend in the Device settings, or press Reset to try again.',
        ],
        'worker-crash',
      );
      return;
    }
    get().notify(
      'error',
      'The compute worker was restarted',
      [reason, 'Settings are kept; the model and condensed set are rebuilt on the next run.'],
      'worker-crash',
    );
    void get().boot();
  };

  return {
    client: null,
    backend: null,
    workerReady: false,
    workerRestarts: 0,
    dataset: null,
    datasetProgress: null,
    memory: null,
    activity: null,
    queued: 0,
    gpuDiag: null,

    startWorker(makeWorker, opts = {}) {
      if (get().client) return;
      set({ client: new LabClient(makeWorker, { onMessage, onRestart }) });
      void get().boot(opts);
    },

    async boot(opts = {}) {
      if (!get().client) return;
      const baseUrl = globalThis.document?.baseURI;
      const init = await get().send({
        kind: 'init',
        backendPref: backendPref(get().params),
        workers: workersPref(get().params),
        baseUrl,
        allowSoftwareGpu: get().params.softwareGpu === true,
      });
      if (!init) return;
      await get().syncSpec();
      if (opts.autorun && get().autorunPending) get().compare();
    },

    async send(body, transfer = []) {
      const client = get().client;
      if (!client) return null;
      const { promise } = client.send(body, transfer);
      set({ queued: client.outstanding.length });
      const label = COMMAND_LABELS[body.kind] ?? body.kind;
      try {
        return await promise;
      } catch (e) {
        if (e instanceof CommandError && e.cancelled) {
          set((s) => ({ run: endRunningStages(s.run, 'stopped') }));
          get().notify('info', `${label} stopped`, ['The page is ready for the next run.'], 'stopped');
        } else if (e instanceof WorkerCrashError) {
          /* onRestart already told the user */
        } else {
          const message = e instanceof Error ? e.message : String(e);
          set((s) => ({ lastError: message, run: endRunningStages(s.run, 'failed') }));
          get().notify('error', `${label} failed`, [message], 'command-error');
        }
        return null;
      } finally {
        set({ queued: outstanding() });
      }
    },

    async gpuDiagnose(provoke = false) {
      set({ gpuDiag: 'running…' });
      const r = await get().send({ kind: 'gpuDiagnose', provoke });
      set({ gpuDiag: r ? JSON.stringify(r.report, null, 2) : `failed: ${get().lastError ?? 'no answer'}` });
    },

    async importFiles(files) {
      if (!files.length) return;
      const [a, b] = files;
      const bytesA = await a.arrayBuffer();
      const bytesB = b ? await b.arrayBuffer() : undefined;
      const transfer = [bytesA, ...(bytesB ? [bytesB] : [])];
      set({ datasetProgress: { message: `Reading ${a.name}`, loaded: 0, total: a.size } });
      const extra = b && bytesB ? { name: b.name, bytes: bytesB } : undefined;
      const r = await get().send({ kind: 'importArchive', name: a.name, bytes: bytesA, extra }, transfer);
      set({ datasetProgress: null });
      if (r) {
        const id = r.info.id as DatasetId;
        set((s) => ({ params: { ...s.params, dataset: id }, condensed: false }));
        get().syncUrl();
        const size = `${r.info.trainSize} train / ${r.info.testSize} test images, cached in this browser.`;
        get().notify('info', `Imported ${a.name}`, [size], 'import-ok');
        void get().syncSpec();
      }
    },
  };
};
