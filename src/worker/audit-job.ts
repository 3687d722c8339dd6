/**
 * The page's audit job (issue 21 item 4; docs/audit.md "On the page"): the core's `runAudit` (the same driver as
 * `npm run audit`) in a worker, with progress and an ETA, then the report of every method and the images of the
 * most exposed candidates for the gallery. The records go to the store as they finish (the worker passes the
 * IndexedDB one, src/worker/audit-store.ts), so a job started again after a reload or a Stop resumes from them;
 * the originals go to the weights cache. Cancelling (the AbortSignal) stops within one training step; the driver
 * frees every tensor it made and writes no record it did not finish.
 *
 * No `self` here: lab.worker.ts dispatches the `audit` and `auditImages` requests to these functions, and
 * audit-job.test.ts drives them through the real client and protocol.
 */
import {
  LabError,
  METHOD_NAMES,
  auditArm,
  analyseAuditMethod,
  auditModels,
  auditRecordId,
  estimatedEpochs,
  makeSyntheticDataset,
  methodCard,
  originalKey,
  planAudit,
  requireImages,
  recordKey,
  runAudit,
  type AuditEvent,
  type AuditMethod,
  type AuditModelPlan,
  type AuditPlan,
  type AuditSettings,
  type AuditStore,
  type ImageDataset,
  type MethodName,
  type WeightsCache,
} from '../core';
import type { AuditDataRef, AuditImages, AuditJob, AuditJobResult, AuditProgress } from './protocol';

/** Test images per class of the audit's synthetic dataset (as `npm run audit` generates it, src/cli/audit.ts). */
export const AUDIT_SYNTHETIC_TEST_PER_CLASS = 8;
/** Gallery: the most exposed candidates of every method. */
export const GALLERY_PER_METHOD = 8;

/** The data reference of settings (synthetic: the CLI's generation for this pool). */
export function auditDataRef(s: AuditSettings): AuditDataRef {
  return s.dataset === 'synthetic'
    ? { id: 'synthetic', trainPerClass: s.poolPerClass, testPerClass: AUDIT_SYNTHETIC_TEST_PER_CLASS }
    : { id: s.dataset };
}

/** The synthetic dataset of a data reference: the images `npm run audit` plays a synthetic audit on. */
export function syntheticAuditDataset(ref: Extract<AuditDataRef, { id: 'synthetic' }>): ImageDataset {
  return makeSyntheticDataset({ seed: 0, trainPerClass: ref.trainPerClass, testPerClass: ref.testPerClass });
}

export interface ResolvedAuditData {
  dataset: ImageDataset;
  settings: AuditSettings;
  data: AuditJobResult['data'];
  notice?: string;
}

/**
 * The dataset of an audit: the preset's real dataset when `loadReal` finds it (prepared, cached or imported), else
 * the synthetic one with the same settings otherwise and a notice saying why (the records are keyed by the data,
 * so the two never mix).
 */
export async function resolveAuditData(
  settings: AuditSettings,
  loadReal: (
    id: 'cifar10' | 'svhn',
  ) => Promise<{ dataset: ImageDataset; source: 'prepared' | 'cache' | 'import' } | { missing: string }>,
): Promise<ResolvedAuditData> {
  const synthetic = (s: AuditSettings, notice?: string): ResolvedAuditData => {
    const ref = auditDataRef(s) as Extract<AuditDataRef, { id: 'synthetic' }>;
    const dataset = syntheticAuditDataset(ref);
    return {
      dataset,
      settings: s,
      data: { ...ref, source: 'synthetic', classes: dataset.classes },
      ...(notice ? { notice } : {}),
    };
  };
  if (settings.dataset === 'synthetic') return synthetic(settings);
  const got = await loadReal(settings.dataset);
  if ('missing' in got) {
    return synthetic(
      { ...settings, dataset: 'synthetic' },
      `${settings.dataset === 'cifar10' ? 'CIFAR-10' : 'SVHN'} is not available here (${got.missing}); this audit ` +
        'ran on the synthetic dataset with the same settings otherwise.',
    );
  }
  return {
    dataset: got.dataset,
    settings,
    data: { id: settings.dataset, source: got.source, classes: got.dataset.classes },
  };
}

/** One unit of work: an original to train or a record to compute, weighted by its images × epochs. */
interface WorkItem {
  model: string;
  /** 'original' or the method */
  what: string;
  units: number;
  done: number;
}

/**
 * Progress and ETA of a job. Work = the originals still to train and the records still to compute, each weighted
 * by images × epochs (an original by the epochs the trained ones needed so far, at first half the cap; a method
 * by its estimated epochs × its per-epoch cost factor from its card × the retain images; every record adds a
 * forward pass over the pool). The ETA is the remaining work at the rate measured since the job started; reused
 * records count as done and never enter the rate.
 */
export class AuditWork {
  private readonly items = new Map<string, WorkItem>();
  private readonly t0: number;
  private originalEpochs: number[] = [];
  private current = '';
  /** the largest share shown so far: re-weighing the originals never moves the bar back */
  private shown = 0;
  recordsDone = 0;

  constructor(
    private readonly plan: AuditPlan,
    private readonly ds: ImageDataset,
    pending: { records: Array<{ model: string; method: AuditMethod }>; originals: string[] },
    readonly total: number,
    readonly reused: number,
    private readonly now: () => number,
  ) {
    this.t0 = now();
    this.recordsDone = reused;
    const models = new Map(auditModels(plan).map((m) => [m.id, m]));
    const s = plan.settings;
    for (const id of pending.originals) {
      this.items.set(`${id}|original`, { model: id, what: 'original', units: this.originalUnits(id), done: 0 });
    }
    for (const { model, method } of pending.records) {
      const m = models.get(model)!;
      const retain = m.half.length - m.forget.length;
      const forward = plan.pool.length / 3;
      let units = forward;
      const base = auditArm(method).base;
      if (method !== 'Original' && (METHOD_NAMES as readonly string[]).includes(base)) {
        const epochs = estimatedEpochs(base as MethodName, {
          dataset: ds.id,
          model: { arch: s.model.arch },
          unlearn: { epochScale: s.epochScale, hparams: s.hparams },
        });
        units += epochs * (methodCard(base as MethodName)?.epochCost ?? 1) * retain;
      } else if (method !== 'Original') units += retain;
      this.items.set(`${model}|${method}`, { model, what: method, units, done: 0 });
    }
  }

  private originalUnits(model: string): number {
    const m = auditModels(this.plan).find((x) => x.id === model)!;
    const seen = this.originalEpochs;
    const epochs = seen.length
      ? seen.reduce((a, b) => a + b, 0) / seen.length
      : Math.max(1, this.plan.settings.pretrain.epochs / 2);
    return epochs * m.half.length;
  }

  /** Folds one driver event in. */
  event(e: AuditEvent): void {
    if (e.kind === 'progress') {
      const p = e.progress;
      const what = /\boriginal$/.test(p.label ?? '') ? 'original' : (p.label ?? '').replace(`${e.model} `, '');
      const item = this.items.get(`${e.model}|${what}`);
      const frac = p.epochs > 0 ? Math.min(1, (p.epoch - 1 + (p.steps > 0 ? p.step / p.steps : 0)) / p.epochs) : 0;
      if (item) item.done = Math.max(item.done, frac * item.units);
      this.current = `${e.model}: ${what}${p.epochs > 1 ? `, epoch ${Math.min(p.epoch, p.epochs)}/${p.epochs}` : ''}`;
    } else if (e.kind === 'model-start') {
      this.current = `${e.model} (${e.role})`;
    } else if (e.kind === 'original') {
      const item = this.items.get(`${e.model}|original`);
      if (item) {
        item.done = item.units;
        if (e.source === 'trained' && e.epochs !== undefined) {
          this.originalEpochs.push(e.epochs);
          // re-weigh the originals still to train by the epochs the trained ones needed
          for (const it of this.items.values())
            if (it.what === 'original' && it.done === 0) it.units = this.originalUnits(it.model);
        }
      }
    } else if (e.kind === 'record') {
      const item = this.items.get(`${e.model}|${e.method}`);
      if (item) item.done = item.units;
      // reused records were counted when the job started
      if (!e.reused) this.recordsDone = Math.min(this.total, this.recordsDone + 1);
    }
  }

  progress(jobId: string): AuditProgress {
    let units = 0,
      done = 0;
    for (const it of this.items.values()) {
      units += it.units;
      done += it.done;
    }
    const elapsed = (this.now() - this.t0) / 1000;
    const left = units - done;
    const eta = done > 0 && elapsed > 0 ? left / (done / elapsed) : left === 0 ? 0 : null;
    const recordShare = this.total ? this.recordsDone / this.total : 1;
    this.shown = Math.max(this.shown, units > 0 ? Math.min(1, done / units) : recordShare);
    return {
      jobId,
      done: this.recordsDone,
      total: this.total,
      reused: this.reused,
      fraction: this.shown,
      etaSeconds: eta,
      elapsedSeconds: elapsed,
      current: this.current,
    };
  }
}

/** Training images by dataset index as 32×32 RGBA, in the order given; a LabError names a bad index. */
export function cropImages(ds: ImageDataset, indices: number[]): AuditImages {
  const px = ds.height * ds.width;
  if (ds.channels !== 3 || ds.height !== 32 || ds.width !== 32)
    throw new LabError(`images are ${ds.height}×${ds.width}×${ds.channels}, expected 32×32×3`, 'auditImages');
  const data = new Uint8ClampedArray(indices.length * px * 4);
  indices.forEach((idx, k) => {
    if (!Number.isInteger(idx) || idx < 0 || idx >= ds.train.n)
      throw new LabError(`training image index ${idx} outside 0…${ds.train.n - 1}`, `auditImages[${k}]`);
    requireImages(ds.train, [idx], `auditImages[${k}]`);
    const src = idx * px * 3;
    for (let i = 0; i < px; i++) {
      data[(k * px + i) * 4] = ds.train.images[src + i * 3];
      data[(k * px + i) * 4 + 1] = ds.train.images[src + i * 3 + 1];
      data[(k * px + i) * 4 + 2] = ds.train.images[src + i * 3 + 2];
      data[(k * px + i) * 4 + 3] = 255;
    }
  });
  return { indices, labels: indices.map((i) => ds.train.labels[i]), classes: ds.classes, data };
}

/** The dataset indices the gallery shows: the `k` most exposed candidates of every method (by separation). */
export function galleryIndices(reports: AuditJobResult['reports'], k = GALLERY_PER_METHOD): number[] {
  const out = new Set<number>();
  for (const { report } of reports) {
    if (!report) continue;
    const c = report.perCandidate;
    c.index
      .map((index, e) => ({ index, sep: c.separation[e] }))
      .filter((x): x is { index: number; sep: number } => x.sep !== null)
      .sort((a, b) => b.sep - a.sep)
      .slice(0, k)
      .forEach((x) => out.add(x.index));
  }
  return [...out];
}

export interface AuditJobOptions {
  job: AuditJob;
  /** the dataset and the settings as played (resolveAuditData) */
  resolved: ResolvedAuditData;
  store: AuditStore;
  /** the originals' weights (the worker passes the lab's IndexedDB weights cache) */
  cache?: WeightsCache;
  signal?: AbortSignal;
  onProgress: (p: AuditProgress) => void;
  /** a line for the log (a cached original that could not be used, …) */
  onLog?: (level: 'info' | 'warn', message: string) => void;
  /** ms clock (tests inject one) */
  now?: () => number;
  /** at most one progress message per this many ms (default 250; records and model starts always report) */
  progressEveryMs?: number;
}

/** Runs (or resumes) the job and analyses every method. */
export async function runAuditJob(o: AuditJobOptions): Promise<AuditJobResult> {
  const { job, store, signal } = o;
  const { dataset: ds, settings } = o.resolved;
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const plan = planAudit(ds.train.labels, ds.classes.length, settings, job.seed);
  // what is finished already (a resumed job), and which originals are cached: the work that is left
  const pending: Array<{ model: string; method: AuditMethod }> = [];
  const originals: string[] = [];
  let reused = 0;
  for (const m of auditModels(plan)) {
    let missing = false;
    for (const method of settings.methods) {
      if (await store.get(auditRecordId(m, method, plan.seed), recordKey(ds, plan, m, method))) reused++;
      else {
        pending.push({ model: m.id, method });
        missing = true;
      }
    }
    if (missing && !(await o.cache?.get(originalKey(ds, plan, m)).catch(() => null))) originals.push(m.id);
  }
  const total = auditModels(plan).length * settings.methods.length;
  const work = new AuditWork(plan, ds, { records: pending, originals }, total, reused, now);
  let last = -Infinity;
  const report = (force: boolean) => {
    const t = now();
    if (!force && t - last < (o.progressEveryMs ?? 250)) return;
    last = t;
    o.onProgress(work.progress(job.jobId));
  };
  report(true);
  const records = await runAudit({
    dataset: ds,
    plan,
    store,
    cache: o.cache,
    signal,
    onEvent: (e) => {
      work.event(e);
      if (e.kind === 'log') o.onLog?.(e.level, e.message);
      report(e.kind === 'record' || e.kind === 'model-start');
    },
  });
  const reports: AuditJobResult['reports'] = settings.methods.map((method) => {
    try {
      const phiOf = (m: AuditModelPlan, meth: AuditMethod) =>
        records.get(auditRecordId(m, meth, plan.seed))?.phi ?? null;
      return { method, report: analyseAuditMethod(plan, method, phiOf) };
    } catch (e) {
      return { method, error: (e as Error).message };
    }
  });
  const computed = records.size - reused;
  const result: AuditJobResult = {
    jobId: job.jobId,
    preset: job.preset,
    seed: job.seed,
    settings,
    data: o.resolved.data,
    ...(o.resolved.notice ? { notice: o.resolved.notice } : {}),
    reports,
    records: { computed: Math.max(0, computed), reused, total },
    seconds: (now() - t0) / 1000,
    images: cropImages(ds, galleryIndices(reports)),
  };
  o.onProgress({ ...work.progress(job.jobId), done: total, fraction: 1, etaSeconds: 0, current: 'report' });
  return result;
}
