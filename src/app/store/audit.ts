/**
 * The Audit view's store (issue 21 item 4; docs/audit.md "On the page"): a zustand store of its own, apart from the
 * lab's, because the audit is a background job of its own: it runs in a second instance of the lab worker (started
 * on first need, WASM/CPU or whatever the page's backend setting picks, one training worker), so the lab's Condense /
 * Unlearn / Compare are never queued behind it and the page's thread never trains.
 *
 * - `start` sends the job; `auditProgress` messages give progress and ETA; the reply is the report of every method
 *   and the gallery's images. The job is kept in the browser (audit-jobs.ts) while it runs and with its result when
 *   it ends, so a reload resumes a running job (the worker reuses every finished record) or shows the finished one.
 * - `stop` cancels it (the worker stops within one training step, frees its tensors and keeps the finished records);
 *   `resume` sends the same job again.
 * - `loadFile` / `loadCommitted` show an audit.json of `npm run audit` instead (the gallery's images come from the
 *   worker, from the same dataset).
 */
import { create } from 'zustand';
import { AUDIT_PRESETS, getAuditPreset } from '../../core/lite';
import { CommandError, LabClient, WorkerCrashError, type WorkerLike } from '../../worker/client';
import type { AuditImages, AuditJob, AuditProgress, WorkerToApp } from '../../worker/protocol';
import { backendPref } from '../params';
import { hasFile, loadFile } from '../paper-reports';
import {
  docFromJob,
  galleryIndicesOf,
  galleryRows,
  parseAuditJson,
  parseAuditText,
  type AuditDoc,
} from '../audit-data';
import { openAuditJobs, type AuditJobsStore, type SavedAudit } from '../audit-jobs';
import { useLab } from './index';

/** The committed audit of `npm run audit` (the Paper view lists it too). */
export const COMMITTED_AUDIT = 'results/audit/audit.json';
/** Audit presets offered on the page, the page's own first. */
export const PAGE_AUDIT_PRESETS = ['audit-page', 'audit-smoke', 'audit'] as const;

export type AuditStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'done' | 'stopped' | 'failed';

export interface AuditForm {
  preset: string;
  seed: number;
  shadows: number;
  targets: number;
}

export interface AuditState {
  status: AuditStatus;
  form: AuditForm;
  /** the job running, stopped or last finished in this browser */
  job: AuditJob | null;
  progress: AuditProgress | null;
  /** set when a job was started again (after a reload or a Stop): what it found finished */
  resumed: { afterReload: boolean; reused: number | null; total: number | null } | null;
  /** a line about the job's state (stopped, failed, crashed) */
  message: string | null;
  /** the worker's lines of the running job (warnings), the last few */
  log: string[];
  /** dataset download while the job starts */
  loading: string | null;
  /** the audit shown: this browser's last result, or a loaded audit.json */
  doc: AuditDoc | null;
  images: AuditImages | null;
  imagesNote: string | null;
  /** seed and method the panels show */
  seed: number | null;
  method: string | null;
  /** the audit worker's tensors: now, and when the job started (a stopped or finished job returns to it) */
  tensors: number | null;
  tensorsBefore: number | null;
  persistent: boolean;
  loadError: string | null;

  setForm(patch: Partial<AuditForm>): void;
  start(): Promise<void>;
  stop(): void;
  /** send the job again (`afterReload`: the page found it running when it loaded) */
  resume(opts?: { afterReload?: boolean }): Promise<void>;
  loadFile(file: File): Promise<void>;
  loadCommitted(): Promise<void>;
  show(patch: { seed?: number; method?: string }): void;
}

let factory: (() => WorkerLike) | null = null;
let client: LabClient | null = null;
let jobs: Promise<AuditJobsStore> | null = null;
let requestId: number | null = null;
let saved: SavedAudit | null = null;

const formOf = (preset: string, seed = 0): AuditForm => {
  const s = getAuditPreset(preset).settings;
  return { preset, seed, shadows: s.shadows, targets: s.targets };
};

const jobsStore = () => (jobs ??= openAuditJobs());

async function save(patch: Partial<SavedAudit> & Pick<SavedAudit, 'job' | 'state'>): Promise<void> {
  saved = { startedAt: saved?.startedAt ?? Date.now(), ...saved, ...patch, updatedAt: Date.now() };
  if (patch.state !== 'done') delete saved.result;
  if (patch.state === 'running') delete saved.message;
  try {
    await (await jobsStore()).put(saved);
  } catch {
    /* the browser refused: the job still runs, a reload forgets it */
  }
}

export const useAudit = create<AuditState>()((set, get) => {
  const onMessage = (msg: WorkerToApp) => {
    if (msg.kind === 'auditProgress' && msg.id === requestId) {
      const r = get().resumed;
      set({
        progress: msg.progress,
        loading: null,
        status: get().status === 'starting' ? 'running' : get().status,
        ...(r && r.reused === null
          ? { resumed: { ...r, reused: msg.progress.reused, total: msg.progress.total } }
          : {}),
      });
    } else if (msg.kind === 'memory') {
      set((s) => ({ tensors: msg.numTensors, tensorsBefore: s.tensorsBefore ?? msg.numTensors }));
    } else if (msg.kind === 'datasetProgress' && msg.id === requestId) {
      set({ loading: `${msg.message}${msg.total ? ` (${Math.round((100 * msg.loaded) / msg.total)} %)` : ''}` });
    } else if (msg.kind === 'event' && msg.id === requestId && msg.event.kind === 'log') {
      const line = msg.event.message;
      set((s) => ({ log: [...s.log, line].slice(-5) }));
    }
  };

  const onRestart = (reason: string) => {
    set({
      status: 'failed',
      message: `The audit worker stopped: ${reason}. The finished records are kept; Resume continues.`,
    });
    const job = get().job;
    if (job) void save({ job, state: 'failed', message: reason });
  };

  const ensureClient = (): LabClient | null => {
    if (client) return client;
    if (!factory) return null;
    client = new LabClient(factory, { onMessage, onRestart });
    client.send({
      kind: 'init',
      backendPref: backendPref(useLab.getState().params),
      workers: 1,
      baseUrl: globalThis.document?.baseURI,
    });
    return client;
  };

  /** Ask the worker for the gallery's images of the shown doc (a loaded audit.json). */
  const fetchImages = async (doc: AuditDoc) => {
    const seed = get().seed ?? doc.seeds[0];
    const indices = galleryIndicesOf(galleryRows(doc.rows.filter((r) => r.seed === seed)));
    if (!indices.length) return set({ images: null, imagesNote: null });
    const c = ensureClient();
    if (!c) return set({ imagesNote: 'No worker to read the images with.' });
    set({
      imagesNote:
        get().status === 'running' || get().status === 'starting'
          ? 'Images come when the running audit ends (one worker serves both).'
          : 'Reading the images…',
    });
    try {
      const r = await c.send({ kind: 'auditImages', data: doc.data, indices }).promise;
      if (get().doc === doc) set({ images: r.images, imagesNote: null });
    } catch (e) {
      if (get().doc === doc) set({ images: null, imagesNote: `No images: ${(e as Error).message}` });
    }
  };

  const showDoc = (doc: AuditDoc, images: AuditImages | null = null) => {
    const seed = doc.seeds[0];
    const methods = doc.rows.filter((r) => r.seed === seed && r.report).map((r) => r.method);
    const method = methods.find((m) => m !== 'Original' && m !== 'Retrain') ?? methods[0] ?? null;
    set({ doc, images, imagesNote: null, seed, method, loadError: null });
    if (!images && doc.detailed) void fetchImages(doc);
  };

  const run = async (job: AuditJob, resumed: AuditState['resumed']) => {
    const c = ensureClient();
    if (!c) return;
    set({
      job,
      status: 'starting',
      progress: null,
      resumed,
      message: null,
      log: [],
      loading: null,
      tensorsBefore: get().tensors,
    });
    await save({ job, state: 'running', ...(resumed ? {} : { startedAt: Date.now() }) });
    const sent = c.send({ kind: 'audit', job });
    requestId = sent.id;
    try {
      const r = await sent.promise;
      if (requestId !== sent.id) return;
      set({ status: 'done', message: null });
      showDoc(docFromJob(r.result, saved?.startedAt), r.result.images);
      await save({ job, state: 'done', result: r.result });
    } catch (e) {
      if (requestId !== sent.id) return;
      if (e instanceof CommandError && e.cancelled) {
        const p = get().progress;
        const kept = p ? `${p.done} of ${p.total} records are` : 'the finished records are';
        const message = `Stopped: ${kept} kept in this browser; Resume continues from them.`;
        set({ status: 'stopped', message });
        await save({ job, state: 'stopped', message });
      } else if (e instanceof WorkerCrashError) {
        /* onRestart said it */
      } else {
        const message = (e as Error).message;
        set({ status: 'failed', message: `The audit failed: ${message}` });
        await save({ job, state: 'failed', message });
      }
    } finally {
      if (requestId === sent.id) requestId = null;
    }
  };

  return {
    status: 'idle',
    form: formOf('audit-page'),
    job: null,
    progress: null,
    resumed: null,
    message: null,
    log: [],
    loading: null,
    doc: null,
    images: null,
    imagesNote: null,
    seed: null,
    method: null,
    tensors: null,
    tensorsBefore: null,
    persistent: true,
    loadError: null,

    setForm(patch) {
      const f = { ...get().form, ...patch };
      set({ form: patch.preset && patch.preset !== get().form.preset ? formOf(patch.preset, f.seed) : f });
    },

    async start() {
      const st = get().status;
      if (st === 'starting' || st === 'running' || st === 'stopping') return;
      const f = get().form;
      const base = getAuditPreset(f.preset).settings;
      const job: AuditJob = {
        jobId: `${f.preset}-${f.seed}-${Date.now().toString(36)}`,
        preset: f.preset,
        settings: { ...base, shadows: f.shadows, targets: f.targets },
        seed: f.seed,
      };
      await run(job, null);
    },

    stop() {
      if (requestId === null || !client) return;
      client.cancel(requestId);
      set({ status: 'stopping' });
    },

    async resume(opts = {}) {
      const job = get().job;
      const st = get().status;
      if (!job || st === 'starting' || st === 'running' || st === 'stopping') return;
      await run(job, { afterReload: !!opts.afterReload, reused: null, total: null });
    },

    async loadFile(file) {
      try {
        showDoc(parseAuditText(await file.text(), file.name));
      } catch (e) {
        set({ loadError: (e as Error).message });
      }
    },

    async loadCommitted() {
      try {
        const json = await loadFile(COMMITTED_AUDIT);
        if (json === null) throw new Error(`${COMMITTED_AUDIT} is not in this build`);
        showDoc(parseAuditJson(json, COMMITTED_AUDIT, 'committed'));
      } catch (e) {
        set({ loadError: (e as Error).message });
      }
    },

    show(patch) {
      set(patch);
      const doc = get().doc;
      if (patch.seed !== undefined && doc && doc.origin !== 'live') void fetchImages(doc);
    },
  };
});

/** Whether the build carries the committed audit.json. */
export const hasCommittedAudit = () => hasFile(COMMITTED_AUDIT);

/**
 * Start the audit side of the page (main.tsx): remember how to make its worker, and pick up the job this browser
 * kept — a running one is started again (it resumes from its finished records), a finished one is shown.
 */
export async function startAudit(makeWorker: () => WorkerLike): Promise<void> {
  factory = makeWorker;
  const store = await jobsStore();
  useAudit.setState({ persistent: store.persistent });
  saved = await store.get().catch(() => null);
  if (!saved) return;
  const { job } = saved;
  const form: AuditForm = {
    preset: Object.prototype.hasOwnProperty.call(AUDIT_PRESETS, job.preset) ? job.preset : 'audit-page',
    seed: job.seed,
    shadows: job.settings.shadows,
    targets: job.settings.targets,
  };
  useAudit.setState({ job, form });
  if (saved.state === 'running') {
    void useAudit.getState().resume({ afterReload: true });
  } else if (saved.state === 'done' && saved.result) {
    const doc = docFromJob(saved.result, saved.startedAt);
    const methods = doc.rows.filter((x) => x.report).map((x) => x.method);
    useAudit.setState({
      status: 'done',
      doc,
      images: saved.result.images,
      seed: doc.seeds[0],
      method: methods.find((m) => m !== 'Original' && m !== 'Retrain') ?? methods[0] ?? null,
    });
  } else {
    useAudit.setState({ status: saved.state, message: saved.message ?? null });
  }
}
