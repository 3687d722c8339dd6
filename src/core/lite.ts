/**
 * The tfjs-free entry of the compute core, for the page's main thread (src/app) and the worker protocol that
 * the main thread shares: the contracts (spec, events, results), the presets and spec validation, the method
 * cards (names, labels, hyper-parameters with their ranges, defaults and epoch scaling) and the resolver, report / claims formatting and the reproduce plan. Nothing reachable from
 * here may import tfjs at run time (`import type` is fine); src/core/lite.test.ts walks the import graph to check.
 * Everything else (datasets, models, training, evaluation, condensation, unlearning, the session) is in
 * src/core/index.ts, which re-exports this file too.
 */
export * from './types';
export * from './contracts';
export * from './presets';
export * from './metrics';
export * from './results/report';
export * from './results/reproduce-driver';
export * from './results/claims';
export * from './results/break-even';
export * from './results/reproduce-plan';
export * from './results/seeds';
export * from './results/tradeoff';
export * from './results/timing';
export * from './results/budgets';
export * from './results/scaling';
export * from './results/audit';
export * from './results/audit-stats';
export * from './results/results-doc';
export {
  interval,
  pairedInterval,
  pairedDifferences,
  welchInterval,
  coversZero,
  describeDifference,
  formatInterval,
  halfWidth,
  bootstrapSe,
  valueVerdict,
  directionVerdict,
  verdictText,
  tQuantile,
  tCdf,
} from './stats';
export type { Interval, Verdict, VerdictResult } from './stats';
export {
  parseImportedResult,
  checkImportedResult,
  checkMethodResult,
  checkCondenseResult,
  MAX_RESULT_CHARS,
} from './results/result-schema';
export { SPEC_FIELDS, SPEC_LIMITS, DATASET_IDS, DATASET_CLASSES, specRange, checkSpec, clipValue } from './spec-schema';
export type { SpecField, SpecPath, SpecCheck } from './spec-schema';
export type { BenchRow } from './results/bench-rows';
export { METHOD_CARDS, methodCard } from './methods/registry';
export type { MethodCard } from './methods/define';
export { cheapestFirst, estimatedEpochs, type RunOrderSetting } from './methods/order';
export {
  HPARAM_TABLE,
  SETTINGS,
  settingKey,
  defaultHParams,
  scaleHParams,
  validateHParam,
  resolveHParams,
  hpNum,
  hpStr,
} from './methods/hparams';
export type { SettingKey, SettingQuery, HParamDef, PerSetting } from './methods/hparams';
