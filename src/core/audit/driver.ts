/**
 * The driver of the per-example unlearning audit (issue 21; docs/audit.md), shared by `npm run audit` and the page's
 * audit worker (src/worker/audit-job.ts). For each model of the plan (src/core/results/audit.ts `planAudit`): its original is loaded from the
 * weights cache or trained on its half of the pool (until it memorises) and cached; then every audited method is
 * applied with the model's forget set (candidates ∩ half), and φ of the result on every pool image is put in the
 * record store at once (resumable per model and method). Progress and results are events; an AbortSignal cancels
 * between and inside trainings. `analyseAuditMethod` (tfjs-free) turns the records into the report.
 */
import type { ImageDataset, Model, Progress } from '../types';
import { LabError, throwIfCancelled } from '../types';
import { Rng } from '../rng';
import { realSource } from '../data/source';
import { createModel } from '../models';
import {
  trainModel,
  predictLogits,
  serializeWeights,
  deserializeWeights,
  decodeWeights,
  firstNonFiniteParam,
} from '../train';
import {
  openWeights,
  sealWeights,
  trainingDataFingerprint,
  specFingerprint,
  WEIGHTS_CACHE_VERSION,
  WEIGHTS_FORMAT_VERSION,
} from '../train/weights-cache';
import { runMethod, resolveHParams, type UnlearnMethod } from '../unlearn';
import type { ParallelTrainer } from '../parallel/engine';
import type { MethodName, WeightsCache } from '../contracts';
import { METHOD_NAMES } from '../methods/registry';
import { logitConfidence } from '../results/audit-stats';
import { computeSubClasses, buildReducedRetain, convnet3Factory, type ReducedRetain } from '../condense';
import {
  AUDIT_CONDENSE,
  auditArm,
  auditRecordId,
  type AuditMethod,
  type AuditModelPlan,
  type AuditPlan,
  type AuditRecord,
} from '../results/audit';

/** Finished records by id, each under the key that says exactly what produced it (the CLI keeps them as files). */
export interface AuditStore {
  get(id: string, key: string): Promise<AuditRecord | null>;
  put(id: string, key: string, record: AuditRecord): Promise<void>;
}

/** An AuditStore in memory (tests, the page). */
export class MemoryAuditStore implements AuditStore {
  readonly map = new Map<string, { key: string; record: AuditRecord }>();
  async get(id: string, key: string) {
    const e = this.map.get(id);
    return e && e.key === key ? e.record : null;
  }
  async put(id: string, key: string, record: AuditRecord) {
    this.map.set(id, { key, record });
  }
}

export type AuditEvent =
  | { kind: 'model-start'; model: string; role: 'shadow' | 'target'; done: number; total: number }
  | {
      kind: 'original';
      model: string;
      source: 'cache' | 'trained';
      seconds: number;
      trainAcc?: number;
      epochs?: number;
    }
  | { kind: 'record'; model: string; method: AuditMethod; id: string; reused: boolean; seconds: number }
  | { kind: 'progress'; model: string; progress: Progress }
  | { kind: 'log'; level: 'info' | 'warn'; message: string };

export interface AuditDriverOptions {
  dataset: ImageDataset;
  plan: AuditPlan;
  /** originals (keyed by their half's content, the recipe and the init; like the session's cache) */
  cache?: WeightsCache;
  store: AuditStore;
  signal?: AbortSignal;
  onEvent?: (e: AuditEvent) => void;
  /** model ids to run (a fan-out cell); default every shadow and target of the plan */
  only?: string[];
  /** methods outside the registry, by name (the tests' planted leak) */
  extraMethods?: Record<string, UnlearnMethod>;
  parallel?: ParallelTrainer | null;
  /** process CPU seconds (Node: process.cpuUsage); when given, records carry CPU seconds next to wall seconds */
  cpuClock?: () => number;
}

/** Every model of the plan, shadows first. */
export const auditModels = (plan: AuditPlan): AuditModelPlan[] => [...plan.shadows, ...plan.targets];

const modelConfig = (plan: AuditPlan, ds: ImageDataset) => ({
  arch: plan.settings.model.arch,
  width: plan.settings.model.width,
  numClasses: ds.classes.length,
});

/** The init seed of a model: shadows from the pool seed, targets from the audit seed. */
const initRng = (plan: AuditPlan, m: AuditModelPlan) =>
  m.role === 'shadow'
    ? new Rng(`audit-pool:${plan.settings.poolSeed}`).fork(`init-${m.id}`)
    : new Rng(`audit:${plan.seed}`).fork(`init-${m.id}`);

/** Weights-cache key of a model's original: what shapes its weights, the content of its half included. */
export function originalKey(ds: ImageDataset, plan: AuditPlan, m: AuditModelPlan, workers = 1): string {
  const s = plan.settings;
  return JSON.stringify({
    v: WEIGHTS_CACHE_VERSION,
    format: WEIGHTS_FORMAT_VERSION,
    audit: 1,
    dataset: s.dataset,
    data: trainingDataFingerprint(
      ds,
      Int32Array.from(m.half, (p) => plan.pool[p]),
    ),
    model: s.model,
    pretrain: s.pretrain,
    init: initRng(plan, m).seedLabel,
    workers,
  });
}

/** The key of a (model, method) record: the original's key, the forget set's content, the method and its resolved settings. */
export function recordKey(
  ds: ImageDataset,
  plan: AuditPlan,
  m: AuditModelPlan,
  method: AuditMethod,
  workers = 1,
): string {
  const s = plan.settings;
  const orig = originalKey(ds, plan, m, workers);
  if (method === 'Original') return JSON.stringify({ orig, method, pool: poolPrint(ds, plan) });
  const { withDC } = auditArm(method);
  return JSON.stringify({
    orig,
    method,
    pool: poolPrint(ds, plan),
    forget: trainingDataFingerprint(
      ds,
      Int32Array.from(m.forget, (p) => plan.pool[p]),
    ),
    hp: hpOfAny(plan, method, ds),
    rng: methodRng(plan, m, method).seedLabel,
    // the w/ DC arm: what shapes its reduced retain set (absent for the real arm, so older records keep their keys)
    ...(withDC ? { condense: s.condense ?? AUDIT_CONDENSE } : {}),
  });
}

const poolPrint = (ds: ImageDataset, plan: AuditPlan) => specFingerprint({ p: trainingDataFingerprint(ds, plan.pool) });
/** a registered method or the w/ DC arm of one */
const isRegistered = (m: string) => (METHOD_NAMES as readonly string[]).includes(auditArm(m).base);
const hpOf = (plan: AuditPlan, method: MethodName, ds: ImageDataset, withDC: boolean) =>
  resolveHParams(
    method,
    { dataset: ds.id, arch: plan.settings.model.arch, withDC },
    plan.settings.hparams[method] ?? {},
    plan.settings.epochScale,
  );
/** the resolved settings of a registered method (its arm's defaults), or a supplied method's own entry */
const hpOfAny = (plan: AuditPlan, method: AuditMethod, ds: ImageDataset) => {
  const { base, withDC } = auditArm(method);
  return isRegistered(method) ? hpOf(plan, base as MethodName, ds, withDC) : (plan.settings.hparams[method] ?? {});
};
const methodRng = (plan: AuditPlan, m: AuditModelPlan, method: AuditMethod) =>
  new Rng(`audit:${plan.seed}`).fork(`${m.id}-${method}`);

/**
 * Runs (or resumes) the models of the plan: every record missing from the store is computed and put. Returns the
 * records of the models run, by record id.
 */
export async function runAudit(o: AuditDriverOptions): Promise<Map<string, AuditRecord>> {
  const { plan, dataset: ds, store, signal } = o;
  const emit = o.onEvent ?? (() => {});
  const workers = o.parallel?.workers ?? 1;
  for (const method of plan.settings.methods) {
    if (method !== 'Original' && !isRegistered(method) && !o.extraMethods?.[method]) {
      throw new LabError(`unknown method '${method}' (known: Original, ${METHOD_NAMES.join(', ')})`, 'audit');
    }
  }
  const all = auditModels(plan);
  if (o.only) {
    const unknown = o.only.filter((id) => !all.some((m) => m.id === id));
    if (unknown.length)
      throw new LabError(
        `unknown model(s) ${unknown.join(', ')} (the plan has ${all.map((m) => m.id).join(', ')})`,
        'audit',
      );
  }
  const models = o.only ? all.filter((m) => o.only!.includes(m.id)) : all;
  const out = new Map<string, AuditRecord>();
  const testIdx = Int32Array.from({ length: ds.test.n }, (_, i) => i);
  const testUsed = realSource(ds, ds.test, testIdx);
  const poolSrc = realSource(ds, ds.train, plan.pool);
  const cfg = modelConfig(plan, ds);
  for (const [done, m] of models.entries()) {
    throwIfCancelled(signal);
    emit({ kind: 'model-start', model: m.id, role: m.role, done, total: models.length });
    const pending: Array<{ method: AuditMethod; id: string; key: string }> = [];
    for (const method of plan.settings.methods) {
      const id = auditRecordId(m, method, plan.seed);
      const key = recordKey(ds, plan, m, method, workers);
      const prev = await store.get(id, key);
      if (prev && prev.phi.length === plan.pool.length && prev.phi.every(Number.isFinite)) {
        out.set(id, prev);
        emit({ kind: 'record', model: m.id, method, id, reused: true, seconds: prev.methodSeconds });
      } else pending.push({ method, id, key });
    }
    if (!pending.length) continue;
    const { model: original, info } = await loadOrTrain(o, m, workers);
    try {
      for (const { method, id, key } of pending) {
        throwIfCancelled(signal);
        const t0 = performance.now();
        const c0 = o.cpuClock?.();
        let result: Model = original;
        let reduced: ReducedRetain | null = null;
        let condenseSeconds: number | undefined;
        try {
          if (method !== 'Original') {
            const forgetSet = new Set(m.forget);
            const retainIdx = Int32Array.from(
              Array.from(m.half).filter((p) => !forgetSet.has(p)),
              (p) => plan.pool[p],
            );
            const forgetIdx = Int32Array.from(m.forget, (p) => plan.pool[p]);
            const rng = methodRng(plan, m, method);
            const { base, withDC } = auditArm(method);
            const realRetain = realSource(ds, ds.train, retainIdx);
            if (withDC) {
              const c0 = performance.now();
              reduced = await condenseFor(o, m, rng.fork('condense'), forgetIdx, retainIdx);
              condenseSeconds = (performance.now() - c0) / 1000;
            }
            const ctx = {
              original,
              retain: reduced ? reduced.source : realRetain,
              retainReal: reduced ? realRetain : undefined,
              forget: realSource(ds, ds.train, forgetIdx),
              testUsed,
              hp: hpOfAny(plan, method, ds),
              rng,
              signal,
              withDC,
              parallel: o.parallel,
              createFresh: () => createModel(cfg, rng.fork('fresh')),
              onProgress: (p: Progress) =>
                emit({ kind: 'progress', model: m.id, progress: { ...p, label: `${m.id} ${method}` } }),
            };
            const extra = o.extraMethods?.[method];
            result = extra ? await extra(ctx) : (await runMethod(base as MethodName, ctx)).model;
          }
        } finally {
          reduced?.dispose();
        }
        try {
          const bad = await firstNonFiniteParam(result);
          if (bad !== null) throw new LabError(`${method} on ${m.id}: parameter ${bad} holds NaN or Infinity`, 'audit');
          const methodSeconds = method === 'Original' ? 0 : (performance.now() - t0) / 1000;
          const methodCpu = c0 === undefined || method === 'Original' ? 0 : o.cpuClock!() - c0;
          const logits = await predictLogits(result, poolSrc, { signal, parallel: o.parallel });
          const phi = Array.from(logitConfidence(logits, plan.poolLabels, cfg.numClasses));
          if (!phi.every(Number.isFinite)) throw new LabError(`${method} on ${m.id}: φ is not finite`, 'audit');
          const record: AuditRecord = {
            phi,
            trainSeconds: info.seconds,
            methodSeconds,
            ...(condenseSeconds !== undefined ? { condenseSeconds } : {}),
            ...(o.cpuClock ? { trainCpuSeconds: info.cpuSeconds ?? 0, methodCpuSeconds: methodCpu } : {}),
            ...(info.trainAcc !== undefined ? { trainAcc: info.trainAcc } : {}),
            ...(info.epochs !== undefined ? { epochs: info.epochs } : {}),
          };
          await store.put(id, key, record);
          out.set(id, record);
          emit({ kind: 'record', model: m.id, method, id, reused: false, seconds: methodSeconds });
        } finally {
          if (result !== original) result.dispose();
        }
      }
    } finally {
      original.dispose();
    }
  }
  return out;
}

/**
 * The reduced retain set of a w/ DC arm on one model: k-means sub-classes on its half (random-ConvNet features), then
 * the partition by its forget set and Blend on the free clusters — the lab's condensation stage on the model's data.
 */
async function condenseFor(
  o: AuditDriverOptions,
  m: AuditModelPlan,
  rng: Rng,
  forgetIdx: Int32Array,
  retainIdx: Int32Array,
): Promise<ReducedRetain> {
  const { plan, dataset: ds, signal } = o;
  const c = plan.settings.condense ?? AUDIT_CONDENSE;
  const C = ds.classes.length;
  const trainIdx = Int32Array.from(m.half, (p) => plan.pool[p]);
  const emit = o.onEvent ?? (() => {});
  const onProgress = (progress: Progress) =>
    emit({ kind: 'progress', model: m.id, progress: { ...progress, label: `${m.id} condense ${progress.label}` } });
  const sub = await computeSubClasses({
    dataset: ds,
    trainIdx,
    ipc: c.ipc,
    maxIter: c.kmeansMaxIter,
    rng: rng.fork('kmeans'),
    signal,
    createNet: convnet3Factory(C, c.netWidth),
    onProgress,
  });
  const reduced = await buildReducedRetain({
    dataset: ds,
    sub,
    trainIdx,
    forgetIdx,
    retainIdx,
    ipc: c.ipc,
    iterations: c.iterations,
    lrMode: c.lrMode,
    forgetMode: 'uniform',
    rng: rng.fork('blend'),
    signal,
    createNet: convnet3Factory(C, c.netWidth),
    onProgress,
  });
  if (!reduced.blend.losses.every(Number.isFinite) || !reduced.blend.weights.every((w) => w.every(Number.isFinite))) {
    reduced.dispose();
    throw new LabError(`Blend diverged on ${m.id}; nothing was kept`, 'audit');
  }
  return reduced;
}

async function loadOrTrain(
  o: AuditDriverOptions,
  m: AuditModelPlan,
  workers: number,
): Promise<{ model: Model; info: { seconds: number; cpuSeconds?: number; trainAcc?: number; epochs?: number } }> {
  const { plan, dataset: ds, signal } = o;
  const emit = o.onEvent ?? (() => {});
  const key = originalKey(ds, plan, m, workers);
  const model = createModel(modelConfig(plan, ds), initRng(plan, m));
  try {
    const cached = await o.cache?.get(key).catch(() => null);
    if (cached) {
      try {
        const payload = openWeights(key, cached);
        const { header, weights } = decodeWeights(payload);
        const bad = weights.findIndex((w) => !w.every(Number.isFinite));
        if (bad >= 0) throw new LabError(`parameter ${header.params[bad].name} holds NaN or Infinity`);
        deserializeWeights(model, payload);
        emit({ kind: 'original', model: m.id, source: 'cache', seconds: 0 });
        return { model, info: { seconds: 0 } };
      } catch (e) {
        emit({
          kind: 'log',
          level: 'warn',
          message: `${m.id}: cached original unusable (${(e as Error).message}); retraining`,
        });
      }
    }
    const p = plan.settings.pretrain;
    const t0 = performance.now();
    const c0 = o.cpuClock?.();
    const r = await trainModel({
      model,
      source: realSource(
        ds,
        ds.train,
        Int32Array.from(m.half, (q) => plan.pool[q]),
      ),
      epochs: p.epochs,
      batchSize: p.batchSize,
      warmup: p.warmup,
      untilAcc: p.targetTrainAcc,
      optimizer: { kind: 'sgd', lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay },
      rng: initRng(plan, m).fork('shuffle'),
      signal,
      stage: 'pretrain',
      label: `${m.id} original`,
      parallel: o.parallel,
      onProgress: (progress) => emit({ kind: 'progress', model: m.id, progress }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = c0 === undefined ? undefined : o.cpuClock!() - c0;
    const bad = await firstNonFiniteParam(model);
    if (bad !== null) throw new LabError(`${m.id}: the original diverged (parameter ${bad}); nothing cached`, 'audit');
    const trainAcc = r.accs[r.accs.length - 1];
    await o.cache
      ?.put(key, sealWeights(key, await serializeWeights(model)))
      .catch((e: Error) =>
        emit({ kind: 'log', level: 'warn', message: `could not cache ${m.id}'s original: ${e.message}` }),
      );
    emit({ kind: 'original', model: m.id, source: 'trained', seconds, trainAcc, epochs: r.epochs });
    return { model, info: { seconds, cpuSeconds, trainAcc, epochs: r.epochs } };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
