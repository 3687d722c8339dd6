/** The pretraining stage: the original model, from the shipped models, the weights cache or training, and its record. */
import type { Model, Split } from '../types';
import { LabError, throwIfCancelled } from '../types';
import { realSource } from '../data/source';
import { createModel } from '../models';
import {
  trainModel,
  serializeWeights,
  deserializeWeights,
  decodeWeights,
  accuracy,
  firstNonFiniteParam,
} from '../train';
import {
  openWeights,
  sealWeights,
  trainingDataFingerprint,
  WEIGHTS_CACHE_VERSION,
  WEIGHTS_FORMAT_VERSION,
} from '../train/weights-cache';
import { evaluateModel } from '../eval';
import type { ExperimentResult, PretrainSource } from '../contracts';
import { pickMetrics } from '../metrics';
import type { ForgetGallery } from './gallery';
import { divergedWeights, guardDivergence, now, type SessionContext } from './session-context';

const NO_PRETRAIN: ExperimentResult['pretrain'] = { seconds: 0, testAcc: NaN, trainAcc: NaN, reused: false };

export class PretrainStage {
  original: Model | null = null;
  info: ExperimentResult['pretrain'] = { ...NO_PRETRAIN };

  constructor(
    private readonly ctx: SessionContext,
    private readonly gallery: ForgetGallery,
  ) {}

  drop(): void {
    this.gallery.clear();
    this.original?.dispose();
    this.original = null;
    this.info = { ...NO_PRETRAIN };
  }

  /**
   * Cache key of the original model: format versions, the configuration that shapes it, and a fingerprint of the
   * content of the images and labels it is trained on (so re-prepared data with the same counts misses).
   */
  key(split: Split, workers = this.ctx.opts.parallel?.workers ?? 1): string {
    const s = this.ctx.spec;
    const ds = this.ctx.opts.dataset;
    let h = 0;
    for (let i = 0; i < split.trainIdx.length; i++) h = (Math.imul(h, 31) + split.trainIdx[i]) | 0;
    return JSON.stringify({
      v: WEIGHTS_CACHE_VERSION,
      format: WEIGHTS_FORMAT_VERSION,
      dataset: s.dataset,
      n: ds.train.n,
      classes: ds.classes.length,
      data:
        split === this.ctx.round(0).split ? this.ctx.dataFingerprint() : trainingDataFingerprint(ds, split.trainIdx),
      // the normalisation the pixels are fed through (a manifest's own constants): part of the key when it is not
      // the dataset's standard one, so existing keys (and shipped models) stay valid (issue 19 item 4)
      ...(this.ctx.normalisation() ? { norm: this.ctx.normalisation() } : {}),
      trainPerClass: s.trainPerClass,
      model: s.model,
      pretrain: s.pretrain,
      // data-parallel workers change float summation order, hence the weights: a count is part of the identity
      workers,
      seed: s.seed,
      idxHash: h,
    });
  }

  /** Trains (or loads: shipped model, weights cache) and evaluates the original model, once per spec. */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.original) return;
    const r0 = this.ctx.round(0);
    const ds = this.ctx.opts.dataset;
    const trainSrc = realSource(ds, ds.train, r0.split.trainIdx);
    const srcs = this.ctx.sources(r0.split);
    await this.ctx.timed('pretrain', 'original model', async () => {
      const key = this.key(r0.split);
      const model = createModel(this.ctx.modelConfig(), this.ctx.rng('pretrain-init'));
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
        if (this.ctx.opts.shipped) {
          const key1 = this.key(r0.split, 1);
          try {
            this.ctx.emitLog('looking for a shipped original model');
            const found = await this.ctx.opts.shipped.find(key1);
            if (found) {
              load(key1, found.bytes, true);
              reused = true;
              source = 'shipped';
              shippedInfo = { file: found.entry.file, sha256: found.entry.sha256 };
              this.ctx.emitLog(
                `original model loaded from the shipped ${found.entry.file} (SHA-256 ${found.entry.sha256.slice(0, 12)}…,` +
                  ` built by \`${found.entry.command}\` with one worker)`,
              );
            }
          } catch (e) {
            this.ctx.emitLog(`shipped original model unusable (${(e as Error).message}); not used`, 'warn');
          }
        }
        const cached = reused ? null : await this.ctx.opts.cache?.get(key).catch(() => null);
        if (cached) {
          try {
            load(key, cached);
            reused = true;
            source = 'cache';
            this.ctx.emitLog('original model loaded from the weights cache');
          } catch (e) {
            this.ctx.emitLog(`cached weights unusable (${(e as Error).message}); retraining`, 'warn');
          }
        }
        if (!reused) {
          const p = this.ctx.spec.pretrain;
          const trained = await guardDivergence('pretrain (original model)', () =>
            trainModel({
              model,
              source: trainSrc,
              epochs: p.epochs,
              batchSize: p.batchSize,
              warmup: p.warmup,
              untilAcc: p.targetTrainAcc,
              optimizer: { kind: 'sgd', lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay },
              rng: this.ctx.rng('pretrain-shuffle'),
              signal,
              stage: 'pretrain',
              label: 'original model',
              parallel: this.ctx.opts.parallel,
              onProgress: (progress) => this.ctx.opts.sink({ kind: 'progress', progress }),
              onEpoch: (epoch, stats) =>
                this.ctx.opts.sink({
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
            this.ctx.emitLog(
              `pretraining reached ${p.targetTrainAcc}% running train accuracy after ${epochsTrained} epochs`,
            );
          // validated BEFORE anything is written to the cache: NaN weights are never cached
          const bad = await firstNonFiniteParam(model);
          if (bad !== null) throw divergedWeights('pretrain (original model)', bad);
          await this.ctx.opts.cache
            ?.put(key, sealWeights(key, await serializeWeights(model)))
            .catch((e: Error) => this.ctx.emitLog(`could not cache weights: ${e.message}`, 'warn'));
        }
        const seconds = now() - t0;
        throwIfCancelled(signal);
        const metrics = await evaluateModel(
          model,
          { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
          r0.split,
          this.ctx.rng('eval'),
          { signal, parallel: this.ctx.opts.parallel, views: true },
        );
        const trainAcc = await accuracy(model, trainSrc, { signal, parallel: this.ctx.opts.parallel });
        this.original = model;
        this.gallery.init(r0.split, metrics.losses.forget);
        this.info = {
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
        this.ctx.opts.sink({ kind: 'pretrain-result', result: this.info });
        this.ctx.opts.sink({
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
}
