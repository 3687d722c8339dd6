/**
 * The page's audit job through the real client and protocol (start, progress, cancel, resume): a worker stand-in
 * runs `runAuditJob` in this process the way lab.worker.ts does (its messages go through `structuredClone`, as
 * postMessage would), on a tiny synthetic audit on the tfjs WASM backend (the page's, set up as the CLI does).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  AUDIT_PRESETS,
  MemoryWeightsCache,
  auditModels,
  planAudit,
  registerWasmKernels,
  type AuditSettings,
} from '../core';
import { CommandError, LabClient, type WorkerLike } from './client';
import { isAppToWorker, isWorkerToApp, type AuditJob, type AuditProgress, type WorkerToApp } from './protocol';
import { IdbAuditStore, type AuditRecordsDb, type StoredAuditRecord } from './audit-store';
import { AuditWork, cropImages, resolveAuditData, runAuditJob, syntheticAuditDataset } from './audit-job';

const SETTINGS: AuditSettings = {
  ...AUDIT_PRESETS['audit-smoke'].settings,
  poolPerClass: 6,
  candidateFraction: 0.5,
  shadows: 4,
  targets: 2,
  model: { arch: 'convnet3', width: 4 },
  pretrain: { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 16, warmup: 0, targetTrainAcc: 100 },
  epochScale: 0.02,
  methods: ['Original', 'Retrain'],
  bootstrap: 20,
};

function mapDb() {
  const map = new Map<string, StoredAuditRecord>();
  const db: AuditRecordsDb = {
    get: async (id) => structuredClone(map.get(id)),
    put: async (id, v) => void map.set(id, structuredClone(v)),
    count: async () => map.size,
  };
  return { db, map };
}

/** lab.worker.ts's handling of `audit` and `cancel`, in this process. */
class InProcessWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  private readonly controllers = new Map<number, AbortController>();
  constructor(
    private readonly deps: {
      store: () => IdbAuditStore;
      cache: MemoryWeightsCache;
      onCancelled?: () => void;
    },
  ) {}
  postMessage(msg: unknown): void {
    if (!isAppToWorker(msg)) throw new Error('not a protocol message');
    setTimeout(() => void this.handle(msg), 0);
  }
  terminate(): void {}
  private emit(m: WorkerToApp) {
    this.onmessage?.({ data: structuredClone(m) } as MessageEvent);
  }
  private async handle(msg: unknown) {
    const m = msg as { kind: string; id: number; job?: AuditJob };
    if (m.kind === 'cancel') return this.controllers.get(m.id)?.abort();
    if (m.kind !== 'audit' || !m.job) return;
    const ctrl = new AbortController();
    this.controllers.set(m.id, ctrl);
    this.emit({ kind: 'started', id: m.id, command: 'audit' });
    try {
      const resolved = await resolveAuditData(m.job.settings, async () => ({ missing: 'not in this test' }));
      const result = await runAuditJob({
        job: m.job,
        resolved,
        store: this.deps.store(),
        cache: this.deps.cache,
        signal: ctrl.signal,
        progressEveryMs: 0,
        onProgress: (progress) => this.emit({ kind: 'auditProgress', id: m.id, progress }),
      });
      this.emit({ kind: 'done', id: m.id, result: { kind: 'audit', result }, seconds: 0 });
    } catch (e) {
      const cancelled = (e as Error).name === 'CancelledError';
      this.emit({ kind: 'error', id: m.id, message: (e as Error).message, cancelled });
    } finally {
      this.controllers.delete(m.id);
    }
  }
}

function setup(afterPut: (written: number) => void = () => undefined) {
  const { db, map } = mapDb();
  const put = db.put;
  db.put = async (id, v) => {
    await put(id, v);
    afterPut(map.size);
  };
  const stores: IdbAuditStore[] = [];
  const cache = new MemoryWeightsCache();
  const messages: WorkerToApp[] = [];
  const client = new LabClient(
    () =>
      new InProcessWorker({
        store: () => {
          const s = new IdbAuditStore(db);
          stores.push(s);
          return s;
        },
        cache,
      }),
    { onMessage: (m) => messages.push(m), onRestart: () => undefined, setInterval: () => 1, clearInterval: () => {} },
  );
  const progressOf = (id: number) =>
    messages
      .filter((m): m is Extract<WorkerToApp, { kind: 'auditProgress' }> => m.kind === 'auditProgress' && m.id === id)
      .map((m) => m.progress);
  return { client, map, stores, cache, messages, progressOf };
}

const job = (seed: number): AuditJob => ({ jobId: `test-${seed}`, preset: 'audit-smoke', settings: SETTINGS, seed });

describe('the audit job over the worker protocol', () => {
  beforeAll(async () => {
    const wasm = createRequire(import.meta.url).resolve(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    );
    setWasmPaths(join(dirname(wasm), '/'));
    registerWasmKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
  });

  it('guards know the audit messages', () => {
    expect(isAppToWorker({ kind: 'audit', id: 3, job: job(0) })).toBe(true);
    expect(isAppToWorker({ kind: 'auditImages', id: 4, data: { id: 'cifar10' }, indices: [1] })).toBe(true);
    const progress: AuditProgress = {
      jobId: 'j',
      done: 1,
      total: 2,
      reused: 0,
      fraction: 0.5,
      etaSeconds: 3,
      elapsedSeconds: 3,
      current: 'shadow0: original',
    };
    expect(isWorkerToApp({ kind: 'auditProgress', id: 3, progress })).toBe(true);
  });

  it('start → progress → cancel leaves no tensor and only whole records; the same job again resumes and gives the uninterrupted report', async () => {
    // cancel once the third record is written (the worker sees it within one training step)
    let cancel = () => {};
    const { client, map, stores, progressOf } = setup((n) => n === 3 && cancel());
    const baseline = tf.memory().numTensors;
    const ds = syntheticAuditDataset({ id: 'synthetic', trainPerClass: 6, testPerClass: 8 });
    const plan = planAudit(ds.train.labels, 10, SETTINGS, 0);
    const total = auditModels(plan).length * SETTINGS.methods.length;

    // start, then cancel after the first records are written
    const a = client.send({ kind: 'audit', job: job(0) });
    cancel = () => client.cancel(a.id);
    const err = await a.promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).cancelled).toBe(true);
    expect(progressOf(a.id)[0]).toMatchObject({ jobId: 'test-0', done: 0, total, reused: 0, etaSeconds: null });
    expect(tf.memory().numTensors).toBe(baseline);
    const written = stores[0].written;
    expect(written).toBeGreaterThanOrEqual(3);
    expect(written).toBeLessThan(total); // stopped part-way
    expect(map.size).toBe(written);
    for (const v of map.values()) {
      expect(v.record.phi.length).toBe(plan.pool.length);
      expect(v.record.phi.every(Number.isFinite)).toBe(true);
    }

    // resume: what was finished is reused, only the rest is computed; progress to the end, then the typed reply
    const b = client.send({ kind: 'audit', job: job(0) });
    const rb = await b.promise;
    expect(rb.kind).toBe('audit');
    const pb = progressOf(b.id);
    expect(pb[0]).toMatchObject({ done: written, reused: written, total });
    expect(pb.at(-1)).toMatchObject({ done: total, fraction: 1 });
    expect(pb.some((p) => p.etaSeconds !== null && p.etaSeconds > 0 && p.fraction > 0 && p.fraction < 1)).toBe(true);
    for (let i = 1; i < pb.length; i++) {
      expect(pb[i].done).toBeGreaterThanOrEqual(pb[i - 1].done);
      expect(pb[i].fraction).toBeGreaterThanOrEqual(pb[i - 1].fraction);
    }
    expect(rb.result.records).toEqual({ computed: total - written, reused: written, total });
    expect(stores[1].written).toBe(total - written);
    expect(map.size).toBe(total);
    expect(rb.result.reports.map((r) => r.method)).toEqual(['Original', 'Retrain']);
    for (const r of rb.result.reports) expect(r.report, r.error).toBeDefined();
    expect(rb.result.data).toMatchObject({ id: 'synthetic', source: 'synthetic', trainPerClass: 6 });
    expect(rb.result.images.indices.length).toBeGreaterThan(0);
    expect(rb.result.images.data.length).toBe(rb.result.images.indices.length * 32 * 32 * 4);
    expect(tf.memory().numTensors).toBe(baseline);

    // the resumed job's report is the one an uninterrupted job gives
    const fresh = setup();
    const rf = await fresh.client.send({ kind: 'audit', job: job(0) }).promise;
    expect(rf.result.records).toEqual({ computed: total, reused: 0, total });
    for (const [k, r] of rb.result.reports.entries()) {
      expect(r.report?.auc).toBe(rf.result.reports[k].report?.auc);
      expect(r.report?.pairs).toEqual(rf.result.reports[k].report?.pairs);
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('audit job helpers', () => {
  it('the ETA is the remaining work at the measured rate; reused records are done and never timed', () => {
    const ds = syntheticAuditDataset({ id: 'synthetic', trainPerClass: 6, testPerClass: 8 });
    const plan = planAudit(ds.train.labels, 10, SETTINGS, 0);
    let t = 0;
    const work = new AuditWork(
      plan,
      ds,
      {
        records: [
          { model: 'shadow0', method: 'Original' },
          { model: 'shadow0', method: 'Retrain' },
        ],
        originals: ['shadow0'],
      },
      4,
      2,
      () => t,
    );
    expect(work.progress('j')).toMatchObject({ done: 2, total: 4, reused: 2, fraction: 0, etaSeconds: null });
    t = 10_000;
    work.event({
      kind: 'progress',
      model: 'shadow0',
      progress: { stage: 'pretrain', label: 'shadow0 original', epoch: 1, epochs: 2, step: 2, steps: 2 },
    });
    const p = work.progress('j');
    // half of the original (1 of 2 epochs) took 10 s
    expect(p.fraction).toBeGreaterThan(0);
    expect(p.etaSeconds).toBeCloseTo((10 * (1 - p.fraction)) / p.fraction, 6);
    expect(p.current).toBe('shadow0: original, epoch 1/2');
    work.event({ kind: 'original', model: 'shadow0', source: 'trained', seconds: 20, epochs: 2 });
    work.event({ kind: 'record', model: 'shadow0', method: 'Original', id: 'x', reused: false, seconds: 0 });
    work.event({ kind: 'record', model: 'shadow0', method: 'Retrain', id: 'y', reused: false, seconds: 1 });
    expect(work.progress('j')).toMatchObject({ done: 4, fraction: 1, etaSeconds: 0 });
  });

  it('crops training images to RGBA and names a bad index', () => {
    const ds = syntheticAuditDataset({ id: 'synthetic', trainPerClass: 2, testPerClass: 1 });
    const img = cropImages(ds, [3, 0]);
    expect(img.labels).toEqual([ds.train.labels[3], ds.train.labels[0]]);
    expect(Array.from(img.data.slice(0, 4))).toEqual([
      ...Array.from(ds.train.images.slice(3 * 3072, 3 * 3072 + 3)),
      255,
    ]);
    expect(() => cropImages(ds, [0, 20])).toThrow(/auditImages\[1\].*index 20 outside 0…19/);
  });

  it('falls back to the synthetic dataset with a notice when the real one is missing', async () => {
    const r = await resolveAuditData({ ...SETTINGS, dataset: 'cifar10' }, async () => ({ missing: 'no manifest' }));
    expect(r.settings.dataset).toBe('synthetic');
    expect(r.data).toMatchObject({ id: 'synthetic', trainPerClass: 6, testPerClass: 8, source: 'synthetic' });
    expect(r.notice).toMatch(/CIFAR-10 is not available here \(no manifest\)/);
  });
});
