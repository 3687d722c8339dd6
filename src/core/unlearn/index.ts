/**
 * Unlearning methods (spec §5, §6): one file per method, all with the `UnlearnMethod` signature, the registry
 * `METHODS`, `runMethod`, and the hyper-parameter table / resolver.
 */
import type { Model } from '../types';
import { LabError } from '../types';
import type { MethodName } from '../contracts';
import { METHOD_NAMES } from '../contracts';
import type { UnlearnContext, UnlearnMethod } from './common';
import { retrain } from './retrain';
import { cf } from './cf';
import { acf } from './acf';
import { badDistillation } from './bad-distillation';
import { l1Sparse } from './l1-sparse';
import { pruning } from './pruning';
import { scrub } from './scrub';
import { aScrub } from './a-scrub';
import { aL1Sparse } from './a-l1-sparse';

export type { UnlearnContext, UnlearnMethod } from './common';
export { klT, klFromLogTarget, l1Norm, meanCE, steepCE, offTape, AmuSampler, amuRegulariser, MethodLoop } from './common';
export type { AmuOptions } from './common';
export {
  HPARAM_TABLE, SETTINGS, settingKey, defaultHParams, scaleHParams, validateHParam, resolveHParams,
} from './hparams';
export type { SettingKey, SettingQuery, HParamDef, PerSetting } from './hparams';
export { retrain } from './retrain';
export { cf } from './cf';
export { acf, runAmu, amuStepLoss } from './acf';
export { badDistillation, badTeacherLogTarget } from './bad-distillation';
export { l1Sparse, l1AlphaAt } from './l1-sparse';
export { pruning, pruneRate, isPruneEpoch, ConvPruner } from './pruning';
export { scrub } from './scrub';
export { aScrub, aScrubMinLoss } from './a-scrub';
export { aL1Sparse } from './a-l1-sparse';
export * from './amu';

export const METHODS: Record<MethodName, UnlearnMethod> = {
  Retrain: retrain,
  CF: cf,
  'A-CF': acf,
  'Bad Distillation': badDistillation,
  'L1-Sparse': l1Sparse,
  Pruning: pruning,
  SCRUB: scrub,
  'A-SCRUB': aScrub,
  'A-L1-Sparse': aL1Sparse,
};

/**
 * Run one method. `seconds` is wall-clock unlearning time excluding time spent in `ctx.onEpoch` (the runner's
 * per-epoch evaluation). The returned model is new and owned by the caller; `ctx.original` is untouched.
 */
export async function runMethod(name: MethodName, ctx: UnlearnContext): Promise<{ model: Model; seconds: number }> {
  const method = (METHOD_NAMES as readonly string[]).includes(name) ? METHODS[name] : undefined;
  if (!method) throw new LabError(`unknown method '${String(name)}' (known: ${METHOD_NAMES.join(', ')})`, 'runMethod');
  let hookSeconds = 0;
  const onEpoch = ctx.onEpoch;
  const wrapped: UnlearnContext = {
    ...ctx,
    onEpoch: onEpoch
      ? async (epoch, model) => {
        const t = performance.now();
        try {
          await onEpoch(epoch, model);
        } finally {
          hookSeconds += (performance.now() - t) / 1000;
        }
      }
      : undefined,
  };
  const t0 = performance.now();
  const model = await method(wrapped);
  return { model, seconds: (performance.now() - t0) / 1000 - hookSeconds };
}
