/**
 * Unlearning methods (docs/paper-notes.md §5, §6): the run function of each method in its own file (its card, with the
 * hyper-parameters, is in src/core/methods), the registry `METHODS`, `runMethod`, and the A-AMU machinery (./amu.ts).
 */

export type { UnlearnContext, UnlearnMethod } from './common';
export { klT, klFromLogTarget, l1Norm, meanCE, perSampleCE, offTape, MethodLoop } from './common';
export { METHODS, runMethod } from './registry';
export {
  HPARAM_TABLE,
  SETTINGS,
  settingKey,
  defaultHParams,
  scaleHParams,
  validateHParam,
  resolveHParams,
} from '../methods/hparams';
export type { SettingKey, SettingQuery, HParamDef, PerSetting } from '../methods/hparams';
export { retrain } from './retrain';
export { cf } from './cf';
export { acf } from './a-cf';
export { badDistillation, badTeacherLogTarget } from './bad-distillation';
export { l1Sparse, l1AlphaAt } from './l1-sparse';
export { pruning, pruneRate, isPruneEpoch, ConvPruner } from './pruning';
export { scrub } from './scrub';
export { aScrub, aScrubMinLoss } from './a-scrub';
export { aL1Sparse } from './a-l1-sparse';
export * from './amu';
export { salun, forgetGradient, saliencyMask } from './salun';
export { negGradPlus } from './neggrad-plus';
export { randomLabels, drawRandomLabels, WeightMask } from './random-labels';
