/** Splits and evaluation (docs/paper-notes.md §1.2–1.4, §7, §8). */
export {
  makeSplit,
  nextRoundSplit,
  cumulativeForgetIdx,
  indicesByClass,
  TEST_USED_FRACTION,
  SPLIT_RNG,
  experimentSubset,
  experimentImages,
} from './split';
export type { MakeSplitOptions } from './split';
export { stablePhi, phiOne, perExampleLoss } from './phi';
export {
  fitLogReg1D,
  predictProba,
  logRegObjective,
  logRegGradient,
  stratifiedKFold,
  auc,
  crossValPredictProba,
} from './logreg';
export type { LogReg1D, LogRegOptions } from './logreg';
export {
  liraMiaScore,
  liraMia,
  bootstrapAucSe,
  paperMia,
  lossLrMia,
  MIA_SWAP_THRESHOLD,
  MIA_BOOTSTRAP_RESAMPLES,
} from './mia';
export type { MiaOptions, MiaScore, PaperMiaResult, LossMiaOptions } from './mia';
export { evaluateModel } from './evaluate';
export {
  argmaxRows,
  confusionMatrix,
  perClassAccuracy,
  rocCurve,
  rocArea,
  downsampleRoc,
  attackView,
  perClassView,
  ROC_MAX_POINTS,
} from './views';
export type { EvalSources, EvaluateOptions, EvalResult } from './evaluate';
