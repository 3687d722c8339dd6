/**
 * What the stages of a LabSession share (runner/session.ts): the spec, the options, the per-round splits and the
 * helpers every stage uses — seeded Rng forks, log and stage events, split sources, the model configuration — and
 * the guards that turn a divergence or an unevaluable split into a LabError.
 */
import type { ImageDataset, Split, StageName } from '../types';
import { LabError, NORMALISATION } from '../types';
import { Rng } from '../rng';
import { realSource } from '../data/source';
import { DivergedError } from '../train';
import type { ShippedModels } from '../train/shipped-models';
import { SPLIT_RNG, makeSplit, nextRoundSplit } from '../eval';
import type { ReducedRetain } from '../condense';
import type { ParallelTrainer } from '../parallel/engine';
import type { CondenseResult, EventSink, ExperimentSpec, MethodStore, StoreStamp, WeightsCache } from '../contracts';
import { specFingerprint, trainingDataFingerprint } from '../train/weights-cache';
import { validateSpecWithWarnings } from '../presets';

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

export interface RoundState {
  round: number;
  split: Split;
  /** cumulative forget set up to and including this round (for re-partitioning, docs/paper-notes.md §8) */
  cumulativeForget: Int32Array;
  reduced?: ReducedRetain;
  condense?: CondenseResult;
}

export const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;

export class SessionContext {
  spec: ExperimentSpec;
  readonly opts: LabSessionOptions;
  rounds: RoundState[] = [];
  /** seconds spent inside stages (the result's env.seconds outside runAll) */
  busySeconds = 0;
  private lastWarnings = '';

  constructor(opts: LabSessionOptions, spec?: ExperimentSpec) {
    this.opts = opts;
    const { spec: s, warnings } = validateSpecWithWarnings(spec ?? {});
    this.spec = s;
    this.emitWarnings(warnings);
  }

  /** Schema warnings as 'warn' log events (once per distinct set, so re-applying the same spec stays quiet). */
  emitWarnings(warnings: string[]): void {
    const key = warnings.join('\n');
    if (key === this.lastWarnings) return;
    this.lastWarnings = key;
    for (const w of warnings) this.emitLog(w, 'warn');
  }

  dropRounds(): void {
    for (const r of this.rounds) r.reduced?.dispose();
    this.rounds = [];
    // the round-0 split (and with it the training set) may change with the next spec
    this.dataPrint = null;
  }

  private dataPrint: string | null = null;
  /** `trainingDataFingerprint` of the round-0 training set (computed once: it reads every training pixel) */
  dataFingerprint(): string {
    this.dataPrint ??= trainingDataFingerprint(this.opts.dataset, this.round(0).split.trainIdx);
    return this.dataPrint;
  }

  /** The dataset's normalisation when it differs from the standard constants of its id (NORMALISATION), else null. */
  normalisation(): { mean: number[]; std: number[] } | null {
    const ds = this.opts.dataset;
    const std = NORMALISATION[ds.id];
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    return std && same(ds.mean, std.mean) && same(ds.std, std.std) ? null : { mean: [...ds.mean], std: [...ds.std] };
  }

  /** What a stored record of this run must carry to be reused (MethodStore; issue 19 item 3). */
  storeStamp(method: string, arm: string, round: number): StoreStamp {
    return {
      spec: specFingerprint(this.spec),
      seed: this.spec.seed,
      arm,
      round,
      method,
      data: this.dataFingerprint() + (this.normalisation() ? ` norm ${JSON.stringify(this.normalisation())}` : ''),
    };
  }

  rng(label: string): Rng {
    return new Rng(this.spec.seed).fork(label);
  }

  emitLog(message: string, level: 'info' | 'warn' = 'info'): void {
    this.opts.sink({ kind: 'log', level, message });
  }

  async timed<T>(stage: StageName, label: string | undefined, fn: () => Promise<T>): Promise<T> {
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

  round(r: number): RoundState {
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
          rng: this.rng(SPLIT_RNG),
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

  sources(split: Split) {
    const ds = this.opts.dataset;
    return {
      retain: realSource(ds, ds.train, split.retainIdx),
      forget: realSource(ds, ds.train, split.forgetIdx),
      testUsed: realSource(ds, ds.test, split.testUsedIdx),
      testEval: realSource(ds, ds.test, split.testEvalIdx),
    };
  }

  modelConfig() {
    return { arch: this.spec.model.arch, width: this.spec.model.width, numClasses: this.opts.dataset.classes.length };
  }
}

/**
 * Run a training stage; a divergence (non-finite loss) becomes a LabError naming the stage, with a hint.
 * Nothing is cached or kept by the caller when this throws.
 */
export async function guardDivergence<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DivergedError) throw new LabError(`${e.message}; nothing was cached. ${DIVERGED_HINT}`, where);
    throw e;
  }
}

const DIVERGED_HINT = 'Lower the learning rate or the momentum, or raise the batch size.';

export function divergedWeights(where: string, param: string): LabError {
  return new LabError(
    `diverged: parameter ${param} holds NaN or Infinity at the end of the stage; ` +
      `nothing was cached. ${DIVERGED_HINT}`,
    where,
  );
}

/** Minimum examples per side of the MIA's cross-validation (5 folds). */
const MIA_MIN = 5;

/**
 * Fail before any training when the evaluation sets cannot support the MIA (docs/paper-notes.md §7.2 compares the
 * forget set with the evaluation test images of the forget set's classes, 5-fold CV): a clear error instead of a crash
 * mid-run.
 */
export function checkEvaluable(split: Split, testLabels: Uint8Array): void {
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
