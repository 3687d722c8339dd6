/**
 * LabSession: the experiment runner. Holds dataset, split, original model, condensed sets and method outputs
 * between commands (Condense → Unlearn → Compare in the app; one `runAll` in the CLI) and streams RunEvents.
 *
 * Stage order per round (spec §4.5): split → [pretrain, reused from cache] → [k-means once] → partition →
 * Blend → for each method × arm: unlearn (timed) → evaluate on the real retain / forget / test-eval sets.
 * Every random choice flows from spec.seed through named Rng forks; every stage frees its tensors, also on cancel.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, Model, SampleSource, Split, StageName } from '../types';
import { LabError, NORMALISATION, throwIfCancelled } from '../types';
import { Rng } from '../rng';
import { realSource } from '../data/source';
import { uint8ToRgba } from '../data/batch';
import { createModel } from '../models';
import {
  trainModel,
  serializeWeights,
  deserializeWeights,
  decodeWeights,
  accuracy,
  firstNonFiniteParam,
  DivergedError,
} from '../train';
import {
  openWeights,
  sealWeights,
  specFingerprint,
  trainingDataFingerprint,
  WEIGHTS_CACHE_VERSION,
  WEIGHTS_FORMAT_VERSION,
} from '../train/weights-cache';
import type { ShippedModels } from '../train/shipped-models';
import { makeSplit, nextRoundSplit, evaluateModel } from '../eval';
import {
  computeSubClasses,
  buildReducedRetain,
  convnet3Factory,
  type SubClasses,
  type ReducedRetain,
} from '../condense';
import { runMethod, resolveHParams } from '../unlearn';
import type { ParallelTrainer } from '../parallel/engine';
import type {
  CondenseResult,
  EventSink,
  ExperimentResult,
  ForgetSampleView,
  PrototypeView,
  ExperimentSpec,
  LabSessionApi,
  MethodName,
  MethodResult,
  WeightsCache,
  MethodStore,
  PretrainSource,
  StoreStamp,
} from '../contracts';
import {
  armOf,
  armSuffix,
  armTag,
  armsOf,
  galleryKey,
  isWithDC,
  methodStoreKey,
  specChange,
  type ArmChoice,
} from '../contracts';
import { validateSpecWithWarnings } from '../presets';
import { pickMetrics } from '../metrics';

export interface LabSessionOptions {
  dataset: ImageDataset;
  sink: EventSink;
  cache?: WeightsCache;
  backendName: string;
  versions?: Record<string, string>;
  machine?: Record<string, unknown>;
  /** evaluate at most this many retain images per curve point (seeded subsample); final metrics use all */
  curveRetainCap?: number;
  /** data-parallel workers for training (the caller owns them); absent = train in this thread */
  parallel?: ParallelTrainer | null;
  /**
   * Process CPU seconds (Node: process.cpuUsage); when given, each unlearning's CPU seconds over the same span as
   * its wall seconds are kept in `lastUnlearnCpuSeconds` (the bench's interleaved timing repeats read it).
   */
  cpuClock?: () => number;
  /**
   * finished method results of this spec (resumable long runs): every finished method is put as it finishes; a
   * stored result is reused instead of re-running the method — single-round specs only (multi-round chaining
   * needs each method's output model, which is not stored)
   */
  methodStore?: MethodStore;
  /**
   * shipped original models (train/shipped-models.ts): looked up first, under the key this spec has with one
   * training worker, so a matching spec starts from the same shipped model whatever its worker count or cache
   */
  shipped?: ShippedModels;
}

interface RoundState {
  round: number;
  split: Split;
  /** cumulative forget set up to and including this round (for re-partitioning, spec §8) */
  cumulativeForget: Int32Array;
  reduced?: ReducedRetain;
  condense?: CondenseResult;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;

export class LabSession implements LabSessionApi {
  private spec: ExperimentSpec;
  private readonly opts: LabSessionOptions;
  private original: Model | null = null;
  private pretrainInfo: ExperimentResult['pretrain'] = { seconds: 0, testAcc: NaN, trainAcc: NaN, reused: false };
  private sub: SubClasses | null = null;
  private kmeansSeconds = 0;
  private rounds: RoundState[] = [];
  /** latest output of each method/arm (multi-round chaining) */
  private outputs = new Map<string, Model>();
  private methods: MethodResult[] = [];
  private startedAt = new Date().toISOString();
  /** the forget-sample gallery of round 0 (a seeded sample of forget images and their confidences) */
  private gallery: ForgetSampleView[] = [];
  private static readonly GALLERY_SIZE = 24;
  private busySeconds = 0;
  /** process CPU seconds of the last unlearning (NaN without `cpuClock`) */
  lastUnlearnCpuSeconds = NaN;

  constructor(opts: LabSessionOptions, spec?: ExperimentSpec) {
    this.opts = opts;
    const { spec: s, warnings } = validateSpecWithWarnings(spec ?? {});
    this.spec = s;
    this.emitWarnings(warnings);
  }

  private lastWarnings = '';
  /** Schema warnings as 'warn' log events (once per distinct set, so re-applying the same spec stays quiet). */
  private emitWarnings(warnings: string[]): void {
    const key = warnings.join('\n');
    if (key === this.lastWarnings) return;
    this.lastWarnings = key;
    for (const w of warnings) this.emitLog(w, 'warn');
  }

  // ---- spec & invalidation -------------------------------------------------------------------------------

  setSpec(next: ExperimentSpec): void {
    const { spec, warnings } = validateSpecWithWarnings(next);
    this.emitWarnings(warnings);
    // one rule for the session and the page's run view (contracts.ts specChange)
    const change = specChange(this.spec, spec);
    if (change.original) this.dropOriginal();
    if (change.kmeans) this.sub = null;
    if (change.rounds) this.dropRounds();
    if (change.outputs) this.dropOutputs();
    this.spec = spec;
  }

  private dropOriginal(): void {
    this.gallery = [];
    this.original?.dispose();
    this.original = null;
    this.pretrainInfo = { seconds: 0, testAcc: NaN, trainAcc: NaN, reused: false };
  }
  private dropRounds(): void {
    for (const r of this.rounds) r.reduced?.dispose();
    this.rounds = [];
  }
  private dropOutputs(): void {
    this.gallery = this.gallery.map((g) => ({ ...g, byMethod: {} }));
    for (const m of this.outputs.values()) m.dispose();
    this.outputs.clear();
    this.methods = [];
  }

  dispose(): void {
    this.dropOutputs();
    this.dropRounds();
    this.dropOriginal();
    this.sub = null;
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private rng(label: string): Rng {
    return new Rng(this.spec.seed).fork(label);
  }

  private emitLog(message: string, level: 'info' | 'warn' = 'info'): void {
    this.opts.sink({ kind: 'log', level, message });
  }

  private async timed<T>(stage: StageName, label: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.opts.sink({ kind: 'stage', stage, status: 'start', label });
    const t0 = now();
    try {
      return await fn();
    } finally {
      const seconds = now() - t0;
      this.busySeconds += seconds;
      this.opts.sink({ kind: 'stage', stage, status: 'end', label, seconds });
    }
  }

  private round(r: number): RoundState {
    while (this.rounds.length <= r) {
      const k = this.rounds.length;
      const ds = this.opts.dataset;
      if (k === 0) {
        const split = makeSplit({
          trainLabels: ds.train.labels,
          testLabels: ds.test.labels,
          numClasses: ds.classes.length,
          trainPerClass: this.spec.trainPerClass,
          testPerClass: this.spec.testPerClass,
          mode: this.spec.forget.mode,
          forgetClass: this.spec.forget.class,
          fraction: this.spec.forget.fraction,
          rng: this.rng('split'),
        });
        checkEvaluable(split, ds.test.labels);
        this.rounds.push({ round: 0, split, cumulativeForget: split.forgetIdx });
      } else {
        const prev = this.rounds[k - 1];
        const split = nextRoundSplit(prev.split, this.spec.forget.fraction);
        const cum = new Int32Array(prev.cumulativeForget.length + split.forgetIdx.length);
        cum.set(prev.cumulativeForget, 0);
        cum.set(split.forgetIdx, prev.cumulativeForget.length);
        this.rounds.push({ round: k, split, cumulativeForget: cum });
      }
    }
    return this.rounds[r];
  }

  private sources(split: Split) {
    const ds = this.opts.dataset;
    return {
      retain: realSource(ds, ds.train, split.retainIdx),
      forget: realSource(ds, ds.train, split.forgetIdx),
      testUsed: realSource(ds, ds.test, split.testUsedIdx),
      testEval: realSource(ds, ds.test, split.testEvalIdx),
    };
  }

  private modelConfig() {
    return { arch: this.spec.model.arch, width: this.spec.model.width, numClasses: this.opts.dataset.classes.length };
  }

  /**
   * Cache key of the original model: format versions, the configuration that shapes it, and a fingerprint of the
   * content of the images and labels it is trained on (so re-prepared data with the same counts misses).
   */
  private pretrainKey(split: Split, workers = this.opts.parallel?.workers ?? 1): string {
    const s = this.spec;
    const ds = this.opts.dataset;
    let h = 0;
    for (let i = 0; i < split.trainIdx.length; i++) h = (Math.imul(h, 31) + split.trainIdx[i]) | 0;
    return JSON.stringify({
      v: WEIGHTS_CACHE_VERSION,
      format: WEIGHTS_FORMAT_VERSION,
      dataset: s.dataset,
      n: ds.train.n,
      classes: ds.classes.length,
      data: split === this.round(0).split ? this.dataFingerprint() : trainingDataFingerprint(ds, split.trainIdx),
      // the normalisation the pixels are fed through (a manifest's own constants): part of the key when it is not
      // the dataset's standard one, so existing keys (and shipped models) stay valid (issue 19 item 4)
      ...(this.normalisation() ? { norm: this.normalisation() } : {}),
      trainPerClass: s.trainPerClass,
      model: s.model,
      pretrain: s.pretrain,
      // data-parallel workers change float summation order, hence the weights: a count is part of the identity
      workers,
      seed: s.seed,
      idxHash: h,
    });
  }

  private dataPrint: string | null = null;
  /** `trainingDataFingerprint` of the round-0 training set (computed once: it reads every training pixel) */
  private dataFingerprint(): string {
    this.dataPrint ??= trainingDataFingerprint(this.opts.dataset, this.round(0).split.trainIdx);
    return this.dataPrint;
  }

  /** The dataset's normalisation when it differs from the standard constants of its id (NORMALISATION), else null. */
  private normalisation(): { mean: number[]; std: number[] } | null {
    const ds = this.opts.dataset;
    const std = NORMALISATION[ds.id];
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    return std && same(ds.mean, std.mean) && same(ds.std, std.std) ? null : { mean: [...ds.mean], std: [...ds.std] };
  }

  /** What a stored record of this run must carry to be reused (MethodStore; issue 19 item 3). */
  private storeStamp(method: string, arm: string, round: number): StoreStamp {
    return {
      spec: specFingerprint(this.spec),
      seed: this.spec.seed,
      arm,
      round,
      method,
      data: this.dataFingerprint() + (this.normalisation() ? ` norm ${JSON.stringify(this.normalisation())}` : ''),
    };
  }

  // ---- stages --------------------------------------------------------------------------------------------

  async pretrain(signal?: AbortSignal): Promise<void> {
    if (this.original) return;
    const r0 = this.round(0);
    const ds = this.opts.dataset;
    const trainSrc = realSource(ds, ds.train, r0.split.trainIdx);
    const srcs = this.sources(r0.split);
    await this.timed('pretrain', 'original model', async () => {
      const key = this.pretrainKey(r0.split);
      const model = createModel(this.modelConfig(), this.rng('pretrain-init'));
      try {
        let reused = false;
        let source: PretrainSource = 'trained';
        let shippedInfo: { file: string; sha256: string } | undefined;
        let epochsTrained: number | undefined;
        const t0 = now();
        /** checked on the host before anything is loaded into the model (which then trains from its init) */
        const load = (k: string, sealed: Uint8Array, shipped = false) => {
          // a shipped entry's file SHA-256 is checked by its manifest; it may predate the key digest
          const payload = openWeights(k, sealed, { allowNoKeyDigest: shipped });
          const { header, weights } = decodeWeights(payload);
          const bad = weights.findIndex((w) => !w.every(Number.isFinite));
          if (bad >= 0) throw new LabError(`parameter ${header.params[bad].name} holds NaN or Infinity`);
          deserializeWeights(model, payload);
        };
        if (this.opts.shipped) {
          const key1 = this.pretrainKey(r0.split, 1);
          try {
            this.emitLog('looking for a shipped original model');
            const found = await this.opts.shipped.find(key1);
            if (found) {
              load(key1, found.bytes, true);
              reused = true;
              source = 'shipped';
              shippedInfo = { file: found.entry.file, sha256: found.entry.sha256 };
              this.emitLog(
                `original model loaded from the shipped ${found.entry.file} (SHA-256 ${found.entry.sha256.slice(0, 12)}…,` +
                  ` built by \`${found.entry.command}\` with one worker)`,
              );
            }
          } catch (e) {
            this.emitLog(`shipped original model unusable (${(e as Error).message}); not used`, 'warn');
          }
        }
        const cached = reused ? null : await this.opts.cache?.get(key).catch(() => null);
        if (cached) {
          try {
            load(key, cached);
            reused = true;
            source = 'cache';
            this.emitLog('original model loaded from the weights cache');
          } catch (e) {
            this.emitLog(`cached weights unusable (${(e as Error).message}); retraining`, 'warn');
          }
        }
        if (!reused) {
          const p = this.spec.pretrain;
          const trained = await guardDivergence('pretrain (original model)', () =>
            trainModel({
              model,
              source: trainSrc,
              epochs: p.epochs,
              batchSize: p.batchSize,
              warmup: p.warmup,
              untilAcc: p.targetTrainAcc,
              optimizer: { kind: 'sgd', lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay },
              rng: this.rng('pretrain-shuffle'),
              signal,
              stage: 'pretrain',
              label: 'original model',
              parallel: this.opts.parallel,
              onProgress: (progress) => this.opts.sink({ kind: 'progress', progress }),
              onEpoch: (epoch, stats) =>
                this.opts.sink({
                  kind: 'epoch',
                  method: 'pretrain',
                  withDC: false,
                  round: 0,
                  epoch: epoch + 1,
                  metrics: { retainAcc: stats.acc ?? NaN },
                }),
            }),
          );
          epochsTrained = trained.epochs;
          if (epochsTrained < p.epochs)
            this.emitLog(
              `pretraining reached ${p.targetTrainAcc}% running train accuracy after ${epochsTrained} epochs`,
            );
          // validated BEFORE anything is written to the cache: NaN weights are never cached
          const bad = await firstNonFiniteParam(model);
          if (bad !== null) throw divergedWeights('pretrain (original model)', bad);
          await this.opts.cache
            ?.put(key, sealWeights(key, await serializeWeights(model)))
            .catch((e: Error) => this.emitLog(`could not cache weights: ${e.message}`, 'warn'));
        }
        const seconds = now() - t0;
        throwIfCancelled(signal);
        const metrics = await evaluateModel(
          model,
          { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
          r0.split,
          this.rng('eval'),
          { signal, parallel: this.opts.parallel, views: true },
        );
        const trainAcc = await accuracy(model, trainSrc, { signal, parallel: this.opts.parallel });
        this.original = model;
        this.initGallery(r0.split, metrics.losses.forget);
        this.pretrainInfo = {
          seconds,
          testAcc: metrics.testAcc,
          trainAcc,
          reused,
          source,
          ...(shippedInfo ? { shipped: shippedInfo } : {}),
          ...(epochsTrained !== undefined ? { epochsTrained } : {}),
          metrics: pickMetrics(metrics),
          ...metrics.views,
        };
        this.opts.sink({ kind: 'pretrain-result', result: this.pretrainInfo });
        this.opts.sink({
          kind: 'log',
          level: 'info',
          message: `original model: test ${metrics.testAcc.toFixed(1)}%, train ${trainAcc.toFixed(1)}%, MIA ${metrics.mia.toFixed(1)}`,
        });
      } catch (e) {
        if (this.original !== model) model.dispose();
        throw e;
      }
    });
  }

  private initGallery(split: Split, forgetLosses: Float32Array): void {
    const ds = this.opts.dataset;
    const n = split.forgetIdx.length;
    const pos = Array.from(
      this.rng('gallery').sample(
        Array.from({ length: n }, (_, i) => i),
        LabSession.GALLERY_SIZE,
      ),
    ).sort((a, b) => a - b);
    this.gallery = pos.map((p) => ({
      pos: p,
      label: ds.train.labels[split.forgetIdx[p]],
      image: { width: 32, height: 32, data: uint8ToRgba(ds.train, split.forgetIdx[p]) },
      original: Math.exp(-forgetLosses[p]),
      byMethod: {},
    }));
    this.opts.sink({ kind: 'forget-samples', round: 0, items: this.gallery });
  }

  private updateGallery(key: string, forgetLosses: Float32Array): void {
    if (!this.gallery.length) return;
    this.gallery = this.gallery.map((g) => ({
      ...g,
      byMethod: { ...g.byMethod, [key]: Math.exp(-forgetLosses[g.pos]) },
    }));
    this.opts.sink({ kind: 'forget-samples', round: 0, items: this.gallery });
  }

  async condense(signal?: AbortSignal): Promise<CondenseResult> {
    return this.condenseRound(0, signal);
  }

  private async condenseRound(r: number, signal?: AbortSignal): Promise<CondenseResult> {
    const state = this.round(r);
    if (state.condense && state.reduced) return state.condense;
    const ds = this.opts.dataset;
    const c = this.spec.condense;
    const r0 = this.round(0);
    let kmeansSeconds = 0;
    if (!this.sub) {
      // the schema checks IPC against trainPerClass; with "all" images only the data knows the class sizes
      const perClass = new Int32Array(ds.classes.length);
      for (const i of r0.split.trainIdx) perClass[ds.train.labels[i]]++;
      const smallest = Math.min(...Array.from(perClass).filter((n) => n > 0));
      if (c.ipc > smallest) {
        this.emitLog(
          `condense.ipc ${c.ipc} exceeds the ${smallest} training images of the smallest class: ` +
            'such classes get one image per cluster and are not condensed at all',
          'warn',
        );
      }
      this.sub = await this.timed('kmeans', `IPC ${c.ipc}`, async () => {
        const t0 = now();
        const sub = await computeSubClasses({
          dataset: ds,
          trainIdx: r0.split.trainIdx,
          ipc: c.ipc,
          maxIter: c.kmeansMaxIter,
          rng: this.rng('kmeans'),
          signal,
          createNet: convnet3Factory(ds.classes.length, c.netWidth),
          onProgress: (progress) => this.opts.sink({ kind: 'progress', progress }),
        });
        this.kmeansSeconds = now() - t0;
        return sub;
      });
      kmeansSeconds = this.kmeansSeconds;
    }
    const sub = this.sub;
    let lastPrototypes: PrototypeView[] = [];
    const reduced = await this.timed('condense', `round ${r}`, () =>
      buildReducedRetain({
        dataset: ds,
        sub,
        trainIdx: r0.split.trainIdx,
        forgetIdx: state.cumulativeForget,
        retainIdx: state.split.retainIdx,
        ipc: c.ipc,
        iterations: c.iterations,
        resampleNet: c.resampleNet,
        rng: this.rng(`blend-${r}`),
        signal,
        lrMode: c.lrMode,
        forgetMode: this.spec.forget.mode,
        createNet: convnet3Factory(ds.classes.length, c.netWidth),
        onIter: (iter, iterations, loss) => this.opts.sink({ kind: 'condense-iter', round: r, iter, iterations, loss }),
        onPrototypes: (iter, items) => {
          lastPrototypes = items;
          this.opts.sink({ kind: 'prototypes', iter, items });
        },
        onProgress: (progress) => this.opts.sink({ kind: 'progress', progress }),
      }),
    );
    const badIter = reduced.blend.losses.findIndex((l) => !Number.isFinite(l));
    if (badIter >= 0 || !reduced.blend.weights.every((w) => w.every(Number.isFinite))) {
      reduced.dispose();
      const at =
        badIter >= 0 ? `at iteration ${badIter + 1} (loss ${reduced.blend.losses[badIter]})` : '(non-finite weights)';
      throw new LabError(`Blend diverged ${at}; nothing was kept`, `condense (round ${r})`);
    }
    const result: CondenseResult = {
      ipc: c.ipc,
      round: r,
      kmeansSeconds,
      partitionSeconds: reduced.partitionSeconds,
      blendSeconds: reduced.blendSeconds,
      retainSize: state.split.retainIdx.length,
      reducedRetainSize: reduced.source.size,
      freeClusters: reduced.freeClusters,
      residualImages: reduced.residualImages,
      emptyClusters: reduced.emptyClusters,
      clusterSizes: Array.from(sub.sizes),
      finalLoss: reduced.finalLoss,
      prototypes: lastPrototypes.map((p) => ({
        cluster: p.cluster,
        label: p.label,
        size: p.size,
        rgbaBase64: bytesToBase64(p.image.data),
      })),
    };
    state.reduced = reduced;
    state.condense = result;
    this.opts.sink({
      kind: 'clusters',
      sizes: result.clusterSizes,
      freeClusters: result.freeClusters,
      residualImages: result.residualImages,
      retainSize: result.retainSize,
      reducedRetainSize: result.reducedRetainSize,
    });
    this.opts.sink({ kind: 'condense-result', result });
    return result;
  }

  async unlearn(methods: MethodName[], arms: ArmChoice, signal?: AbortSignal): Promise<MethodResult[]> {
    return this.unlearnRound(0, methods, arms, signal);
  }

  private async unlearnRound(
    r: number,
    methods: MethodName[],
    arms: ArmChoice,
    signal?: AbortSignal,
  ): Promise<MethodResult[]> {
    const store = this.spec.rounds === 1 ? this.opts.methodStore : undefined;
    const out: MethodResult[] = [];
    const armList = armsOf(arms);
    // resume: methods finished in an earlier sitting are taken from the store; only the rest run
    const stored = new Map<string, MethodResult>();
    if (store) {
      for (const arm of armList) {
        for (const name of methods) {
          const prev = await store.get(methodStoreKey(name, isWithDC(arm), r), this.storeStamp(name, armTag(arm), r));
          // the store checked the stamp and the schema; a record of another method, arm or round is never taken
          if (prev && prev.name === name && prev.withDC === isWithDC(arm) && prev.round === r) {
            stored.set(`${name}|${arm}`, prev);
          }
        }
      }
    }
    const pending = armList.flatMap((arm) => methods.filter((n) => !stored.has(`${n}|${arm}`)).map(() => arm));
    // the original model comes from the weights cache on a resume (cheap); it also gives the pretrain record
    await this.pretrain(signal);
    const original = this.original!;
    const state = this.round(r);
    if (pending.some(isWithDC)) {
      const cond = await this.condenseRound(r, signal);
      await store
        ?.putCondense?.(`condense|r${r}`, cond, this.storeStamp('condense', 'dc', r))
        .catch((e: Error) => this.emitLog(`could not store the condensation record: ${e.message}`, 'warn'));
    } else if (armList.some(isWithDC) && !state.condense && store?.getCondense) {
      const prev = await store.getCondense(`condense|r${r}`, this.storeStamp('condense', 'dc', r));
      if (prev) state.condense = prev;
    }
    const srcs = this.sources(state.split);
    const spec = this.spec;
    for (const arm of armList) {
      const withDC = isWithDC(arm); // the boolean of the result JSON and of the method context
      for (const name of methods) {
        throwIfCancelled(signal);
        const key = `${name}|${arm}`;
        const prev = stored.get(key);
        if (prev) {
          this.acceptStored(prev, out);
          continue;
        }
        const start = r > 0 ? (this.outputs.get(key) ?? original) : original;
        const retain: SampleSource = withDC ? state.reduced!.source : srcs.retain;
        const hp = resolveHParams(
          name,
          { dataset: spec.dataset, arch: spec.model.arch, withDC },
          spec.unlearn.hparams[name] ?? {},
          spec.unlearn.epochScale,
        );
        const curve: MethodResult['curve'] = [];
        let evalSeconds = 0;
        const label = `${name}${armSuffix(arm)}${spec.rounds > 1 ? ` (round ${r})` : ''}`;
        const result = await this.timed('unlearn', label, async () => {
          const t0 = now();
          const c0 = this.opts.cpuClock?.() ?? NaN;
          const { model } = await guardDivergence(`unlearn (${label})`, () =>
            runMethod(name, {
              original: start,
              retain,
              forget: srcs.forget,
              testUsed: srcs.testUsed,
              hp,
              withDC,
              signal,
              parallel: this.opts.parallel,
              // the real D_r in the DC arm, for A-SCRUB's ascrub_retain = 'real' (spec §10 C4); unused otherwise
              retainReal: withDC ? srcs.retain : undefined,
              rng: this.rng(`unlearn-${name}-${armTag(arm)}-${r}`), // stable seed names
              createFresh: () => createModel(this.modelConfig(), this.rng(`fresh-${name}-${r}`)),
              onProgress: (p) => this.opts.sink({ kind: 'progress', progress: { ...p, stage: 'unlearn', label } }),
              onTerms: (step, ce2, mmd, lambda) =>
                this.opts.sink({ kind: 'acf-terms', method: name, withDC, step, ce2, mmd, lambda }),
              onEpoch: spec.curves
                ? async (epoch, m) => {
                    const e0 = now();
                    // unlearning seconds up to this checkpoint (earlier curve evaluations excluded)
                    const seconds = e0 - t0 - evalSeconds;
                    const metrics = await evaluateModel(
                      m,
                      { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
                      state.split,
                      this.rng('eval'),
                      { signal, maxRetainEval: this.opts.curveRetainCap ?? 1000, parallel: this.opts.parallel },
                    );
                    const point = { epoch: epoch + 1, seconds, ...pickMetrics(metrics) };
                    curve.push(point);
                    this.opts.sink({
                      kind: 'epoch',
                      method: name,
                      withDC,
                      round: r,
                      epoch: epoch + 1,
                      metrics: pickMetrics(metrics),
                    });
                    evalSeconds += now() - e0;
                  }
                : undefined,
            }),
          );
          const unlearnSeconds = now() - t0 - evalSeconds;
          // CPU over the same span (curve evaluations included when curves are on: run timings with curves off)
          this.lastUnlearnCpuSeconds = (this.opts.cpuClock?.() ?? NaN) - c0;
          try {
            const bad = await firstNonFiniteParam(model);
            if (bad !== null) throw divergedWeights(`unlearn (${label})`, bad);
            const metrics = await evaluateModel(
              model,
              { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
              state.split,
              this.rng('eval'),
              { signal, parallel: this.opts.parallel, views: true },
            );
            const overheadSeconds = withDC
              ? state.condense!.kmeansSeconds + state.condense!.partitionSeconds + state.condense!.blendSeconds
              : 0;
            const mr: MethodResult = {
              name,
              withDC,
              round: r,
              unlearnSeconds,
              overheadSeconds,
              metrics: pickMetrics(metrics),
              curve,
              losses: metrics.losses
                ? { forget: Array.from(metrics.losses.forget), test: Array.from(metrics.losses.testEval) }
                : undefined,
              ...metrics.views,
            };
            if (r === 0) this.updateGallery(galleryKey(name, arm), metrics.losses.forget);
            this.outputs.get(key)?.dispose();
            this.outputs.set(key, model);
            return mr;
          } catch (e) {
            model.dispose();
            throw e;
          }
        });
        this.methods = this.methods.filter((m) => !(m.name === name && m.withDC === withDC && m.round === r));
        this.methods.push(result);
        out.push(result);
        this.opts.sink({ kind: 'method-result', result });
        if (store) {
          await store
            .put(methodStoreKey(name, withDC, r), result, this.storeStamp(name, armTag(arm), r))
            .catch((e: Error) => this.emitLog(`could not store the ${label} result: ${e.message}`, 'warn'));
        }
      }
    }
    return out;
  }

  /** A method result finished in an earlier sitting (methodStore): recorded and announced, not re-run. */
  private acceptStored(result: MethodResult, out: MethodResult[]): void {
    const m = { ...result, resumed: true };
    this.methods = this.methods.filter((x) => !(x.name === m.name && x.withDC === m.withDC && x.round === m.round));
    this.methods.push(m);
    out.push(m);
    this.emitLog(`${m.name}${armSuffix(armOf(m.withDC))}: finished in an earlier sitting, result reused`);
    this.opts.sink({ kind: 'method-result', result: m });
  }

  async runAll(signal?: AbortSignal): Promise<ExperimentResult> {
    const t0 = now();
    const spec = this.spec;
    for (let r = 0; r < spec.rounds; r++) {
      await this.unlearnRound(r, spec.unlearn.methods, spec.unlearn.arms, signal);
    }
    const res = this.result();
    res.env.seconds = now() - t0;
    return res;
  }

  result(): ExperimentResult {
    const r0 = this.rounds[0];
    const conds = this.rounds.map((r) => r.condense).filter((c): c is CondenseResult => !!c);
    return {
      spec: this.spec,
      env: {
        backend: this.opts.backendName,
        versions: { ...(this.opts.versions ?? {}), tfjs: tf.version_core },
        startedAt: this.startedAt,
        seconds: this.busySeconds,
        machine: this.opts.machine,
        workers: this.opts.parallel?.workers ?? 1,
      },
      split: r0
        ? {
            trainSize: r0.split.trainIdx.length,
            retainSize: r0.split.retainIdx.length,
            forgetSize: r0.split.forgetIdx.length,
            testUsedSize: r0.split.testUsedIdx.length,
            testEvalSize: r0.split.testEvalIdx.length,
            forgetClass: r0.split.forgetClass,
          }
        : { trainSize: 0, retainSize: 0, forgetSize: 0, testUsedSize: 0, testEvalSize: 0, forgetClass: null },
      pretrain: this.pretrainInfo,
      condense: conds[0],
      condenseRounds: conds.length > 1 ? conds : undefined,
      methods: [...this.methods],
    };
  }
}

/** Base64 of raw bytes without Node's Buffer (the core runs in browsers too). */
function bytesToBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Run a training stage; a divergence (non-finite loss) becomes a LabError naming the stage, with a hint.
 * Nothing is cached or kept by the caller when this throws.
 */
async function guardDivergence<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DivergedError) throw new LabError(`${e.message}; nothing was cached. ${DIVERGED_HINT}`, where);
    throw e;
  }
}

const DIVERGED_HINT = 'Lower the learning rate or the momentum, or raise the batch size.';

function divergedWeights(where: string, param: string): LabError {
  return new LabError(
    `diverged: parameter ${param} holds NaN or Infinity at the end of the stage; ` +
      `nothing was cached. ${DIVERGED_HINT}`,
    where,
  );
}

/** Minimum examples per side of the MIA's cross-validation (5 folds). */
const MIA_MIN = 5;

/**
 * Fail before any training when the evaluation sets cannot support the MIA (spec §7.2 compares the forget set with
 * the evaluation test images of the forget set's classes, 5-fold CV): a clear error instead of a crash mid-run.
 */
function checkEvaluable(split: Split, testLabels: Uint8Array): void {
  const forgetClasses = new Set<number>();
  if (split.forgetClass !== null) forgetClasses.add(split.forgetClass);
  let eligible = 0;
  for (const i of split.testEvalIdx) if (split.forgetClass === null || forgetClasses.has(testLabels[i])) eligible++;
  if (split.forgetIdx.length < MIA_MIN || eligible < MIA_MIN) {
    throw new LabError(
      `the MIA needs at least ${MIA_MIN} forget images and ${MIA_MIN} evaluation test images of the forgotten ` +
        `class(es); this split has ${split.forgetIdx.length} and ${eligible}. Raise testPerClass (30 % of it is used ` +
        `for evaluation) or trainPerClass / forget.fraction.`,
      'spec',
    );
  }
}

export { LabError };
