/**
 * Evaluation of one model on one split (docs/paper-notes.md §7): accuracies on retain / forget / test-eval, test
 * accuracy over retained classes for class forgetting (§10 C8), the paper's MIA score (forget vs test-eval, §7.2) and
 * the loss-LR MIA, plus per-example losses and φ for histograms. Logits are computed once per set, in batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { Metrics, Model, SampleSource, Split } from '../types';
import { LabError, throwIfCancelled } from '../types';
import type { Rng } from '../rng';
import { perExampleLoss, stablePhi } from './phi';
import { lossLrMia, paperMia, type PaperMiaResult } from './mia';
import type { ModelViews } from '../contracts';
import { argmaxRows, attackView, confusionMatrix, perClassView } from './views';
import type { ParallelEngine } from '../train/api';

export interface EvalSources {
  /** the real retain set D_r (always real, also for "with DC" runs) */
  retain: SampleSource;
  /** the forget set D_f */
  forget: SampleSource;
  /** the 30 % evaluation part of the test subset, D_te_eval */
  testEval: SampleSource;
}

export interface EvaluateOptions {
  /** images per forward pass; default 256 */
  batchSize?: number;
  /** evaluate retain accuracy on at most this many retain samples (seeded subsample); 0/undefined = all */
  maxRetainEval?: number;
  /** skip both MIA scores (they are then NaN); default false */
  skipMia?: boolean;
  /**
   * also return the per-class and attack views (`views`): confusion matrix, per-class accuracies, attack scores
   * and ROC — from the logits and MIA scores computed anyway; for final evaluations (not per curve epoch)
   */
  views?: boolean;
  signal?: AbortSignal;
  /** data-parallel workers for the forward passes (absent: this thread) */
  parallel?: ParallelEngine | null;
}

export interface EvalResult extends Metrics {
  /** the paper's MIA with both branches (`mia` = miaDetail.score); null when skipped */
  miaDetail: PaperMiaResult | null;
  /** per-example CE losses (natural log); `retain` covers the evaluated (possibly subsampled) retain samples */
  losses: { retain: Float32Array; forget: Float32Array; testEval: Float32Array };
  /** φ (logit-scaled confidence) of forget and test-eval samples */
  phi: { forget: Float32Array; testEval: Float32Array };
  /** number of retain samples evaluated */
  retainEvaluated: number;
  /** per-class and attack views, when EvaluateOptions.views (attack only when the MIA ran) */
  views?: ModelViews;
}

/** Logits [n × C] of the samples at `positions` of `src` (row-major), batch by batch. */
async function predictLogitsBatched(
  model: Model,
  src: SampleSource,
  positions: Int32Array,
  batchSize: number,
  signal?: AbortSignal,
  parallel?: ParallelEngine | null,
): Promise<Float32Array> {
  const n = positions.length;
  const C = model.config.numClasses;
  const out = new Float32Array(n * C);
  for (let s = 0; s < n; s += batchSize) {
    throwIfCancelled(signal);
    const pos = positions.subarray(s, Math.min(n, s + batchSize));
    if (parallel) {
      const x = src.gather(pos);
      try {
        out.set(await parallel.predict(model, x), s * C);
      } finally {
        x.dispose();
      }
      continue;
    }
    const logits = tf.tidy(() => {
      const x = src.gather(pos);
      return model.apply(x);
    });
    try {
      const data = await logits.data();
      out.set(data as Float32Array, s * C);
    } finally {
      logits.dispose();
    }
  }
  return out;
}

function accuracy(logits: Float32Array, labels: ArrayLike<number>, C: number, keep?: (y: number) => boolean): number {
  let correct = 0,
    total = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (keep && !keep(y)) continue;
    const off = i * C;
    let best = 0;
    for (let j = 1; j < C; j++) if (logits[off + j] > logits[off + best]) best = j;
    if (best === y) correct++;
    total++;
  }
  return total === 0 ? NaN : (100 * correct) / total;
}

function allPositions(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function pick(labels: Int32Array, pos: Int32Array): Int32Array {
  const out = new Int32Array(pos.length);
  for (let i = 0; i < pos.length; i++) out[i] = labels[pos[i]];
  return out;
}

/**
 * Evaluate `model` on the retain, forget and test-eval sources of `split`. The rng feeds the retain subsample
 * ('retainSubsample'), the paper MIA ('mia') and the loss MIA ('lossMia'), each through its own fork.
 */
export async function evaluateModel(
  model: Model,
  sources: EvalSources,
  split: Pick<Split, 'mode' | 'forgetClass'>,
  rng: Rng,
  opts: EvaluateOptions = {},
): Promise<EvalResult> {
  const batchSize = opts.batchSize ?? 256;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new LabError(`batch size must be a positive integer, got ${batchSize}`, 'evaluateModel');
  const { retain, forget, testEval } = sources;
  if (forget.size === 0) throw new LabError('the forget set is empty', 'evaluateModel');
  if (testEval.size === 0) throw new LabError('the test-eval set is empty', 'evaluateModel');
  const C = model.config.numClasses;

  let retainPos = allPositions(retain.size);
  const maxRetain = opts.maxRetainEval ?? 0;
  if (maxRetain > 0 && maxRetain < retain.size) {
    retainPos = rng.fork('retainSubsample').sample(retainPos, maxRetain).sort();
  }
  const retainLabels = pick(retain.labels, retainPos);
  const forgetPos = allPositions(forget.size);
  const testPos = allPositions(testEval.size);

  const zRetain = await predictLogitsBatched(model, retain, retainPos, batchSize, opts.signal, opts.parallel);
  const zForget = await predictLogitsBatched(model, forget, forgetPos, batchSize, opts.signal, opts.parallel);
  const zTest = await predictLogitsBatched(model, testEval, testPos, batchSize, opts.signal, opts.parallel);
  throwIfCancelled(opts.signal);

  const retainAcc = accuracy(zRetain, retainLabels, C);
  const forgetAcc = accuracy(zForget, forget.labels, C);
  const testAcc = accuracy(zTest, testEval.labels, C);
  const testAccRetained =
    split.mode === 'class' && split.forgetClass !== null
      ? accuracy(zTest, testEval.labels, C, (y) => y !== split.forgetClass)
      : undefined;

  const lRetain = perExampleLoss(zRetain, retainLabels);
  const lForget = perExampleLoss(zForget, forget.labels);
  const lTest = perExampleLoss(zTest, testEval.labels);
  const phiForget = stablePhi(zForget, forget.labels);
  const phiTest = stablePhi(zTest, testEval.labels);

  let miaDetail: PaperMiaResult | null = null;
  let lossMia = NaN;
  if (!opts.skipMia) {
    miaDetail = paperMia(phiForget, forget.labels, phiTest, testEval.labels, rng.fork('mia'));
    lossMia = lossLrMia(lForget, forget.labels, lTest, testEval.labels, rng.fork('lossMia'));
  }

  const result: EvalResult = {
    retainAcc,
    forgetAcc,
    testAcc,
    mia: miaDetail ? miaDetail.score : NaN,
    lossMia,
    miaDetail,
    losses: {
      retain: Float32Array.from(lRetain),
      forget: Float32Array.from(lForget),
      testEval: Float32Array.from(lTest),
    },
    phi: { forget: Float32Array.from(phiForget), testEval: Float32Array.from(phiTest) },
    retainEvaluated: retainPos.length,
  };
  if (testAccRetained !== undefined) result.testAccRetained = testAccRetained;
  if (miaDetail) {
    result.miaFiltered = miaDetail.filtered;
    result.miaSe = miaDetail.se;
    result.miaPerSide = miaDetail.perSide;
  }
  if (opts.views) {
    const confusion = confusionMatrix(argmaxRows(zTest, testEval.size, C), testEval.labels, C);
    const views: ModelViews = {
      perClass: perClassView(confusion, argmaxRows(zForget, forget.size, C), forget.labels, C),
      confusion,
    };
    if (miaDetail) views.attack = attackView(miaDetail.branch, miaDetail.oof.a, miaDetail.oof.b, miaDetail.score);
    result.views = views;
  }
  return result;
}
