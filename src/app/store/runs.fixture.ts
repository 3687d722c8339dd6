/**
 * Results and runs for the runs-list tests (runs.test.ts, runs-db.test.ts, runs-list.test.ts, history.test.ts):
 * checked results (core `checkImportedResult`) of one seed — the `smoke` preset's settings unless told otherwise —
 * and runs made of them.
 */
import type { ExperimentResult } from '../../core/lite';
import { PRESETS, checkImportedResult } from '../../core/lite';
import type { LabRun } from '../compare';

export interface ResultOpts {
  epochScale?: number;
  retrainForget?: number;
  /** uniform fraction (default: smoke's) */
  fraction?: number;
  /** class mode with this class (null = drawn from the seed; `drawn` is then the class the seed drew) */
  forgetClass?: number | null;
  drawn?: number;
  dataset?: string;
  trainPerClass?: number;
  pretrainEpochs?: number;
  methods?: string[];
  /** extra hyper-parameters (spec.unlearn.hparams) */
  hparams?: Record<string, Record<string, number>>;
  /** both arms and 10-epoch curves: a result about the size of a smoke Compare's */
  big?: boolean;
}

/** A checked result of one seed: CF and Retrain w/o DC with the given forget accuracies (and a short curve). */
export function result(seed: number, forgetAcc: number, opts: ResultOpts = {}): ExperimentResult {
  const epochs = opts.big ? 10 : 2;
  const m = (name: string, f: number, withDC = false) => ({
    name,
    withDC,
    round: 0,
    unlearnSeconds: 1,
    overheadSeconds: 0,
    metrics: { retainAcc: 90, forgetAcc: f, testAcc: 60, mia: 55, lossMia: 52 },
    curve: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      forgetAcc: Math.min(100, f + 10 * (epochs - 1 - i)),
      retainAcc: 80 + i,
      testAcc: 55 + i / 2,
      mia: 60 - i,
    })),
    losses: { forget: [1, 2], test: [3] },
  });
  const classMode = opts.forgetClass !== undefined;
  const methods = (opts.methods ?? ['Retrain', 'CF']).flatMap((name) => {
    const f = name === 'Retrain' ? (opts.retrainForget ?? 50) : forgetAcc;
    return opts.big ? [m(name, f), m(name, f + 1, true)] : [m(name, f)];
  });
  const smoke = structuredClone(PRESETS.smoke.spec);
  return checkImportedResult({
    spec: {
      ...smoke,
      dataset: opts.dataset ?? smoke.dataset,
      trainPerClass: opts.trainPerClass ?? smoke.trainPerClass,
      seed,
      forget: classMode
        ? { mode: 'class', class: opts.forgetClass, fraction: smoke.forget.fraction }
        : { mode: 'uniform', class: null, fraction: opts.fraction ?? smoke.forget.fraction },
      pretrain: { ...smoke.pretrain, epochs: opts.pretrainEpochs ?? smoke.pretrain.epochs },
      unlearn: {
        ...smoke.unlearn,
        epochScale: opts.epochScale ?? smoke.unlearn.epochScale,
        methods: opts.methods ?? smoke.unlearn.methods,
        hparams: opts.hparams ?? {},
      },
    },
    env: { backend: 'wasm', versions: {}, startedAt: `2026-11-29T00:00:0${seed % 10}.000Z`, seconds: 1 },
    split: {
      trainSize: 10,
      retainSize: 9,
      forgetSize: 1,
      testUsedSize: 1,
      testEvalSize: 1,
      forgetClass: classMode ? (opts.forgetClass ?? opts.drawn ?? 0) : null,
    },
    pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
    methods,
  });
}

export const run = (id: string, seeds: ExperimentResult[], preset: string | null = 'smoke'): LabRun => ({
  id,
  name: id,
  named: true,
  source: 'recent',
  at: '',
  preset,
  seeds,
});

/** An in-memory localStorage. */
export class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}
