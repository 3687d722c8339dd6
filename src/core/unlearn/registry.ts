/**
 * How each unlearning method runs, keyed by its name. The card of each method (name, label, hyper-parameters,
 * epoch scaling) is in src/core/methods/<method>.ts and listed in src/core/methods/registry.ts; its run function
 * is in ./<method>.ts and listed here (a `Record` over the names, so a card without a run is a type error).
 */
import type { Model } from '../types';
import { LabError } from '../types';
import { METHOD_NAMES, type MethodName } from '../methods/registry';
import type { UnlearnContext, UnlearnMethod } from './common';
import { retrain } from './retrain';
import { cf } from './cf';
import { acf } from './a-cf';
import { badDistillation } from './bad-distillation';
import { l1Sparse } from './l1-sparse';
import { pruning } from './pruning';
import { scrub } from './scrub';
import { aScrub } from './a-scrub';
import { aL1Sparse } from './a-l1-sparse';
import { salun } from './salun';
import { negGradPlus } from './neggrad-plus';
import { randomLabels } from './random-labels';

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
  SalUn: salun,
  'NegGrad+': negGradPlus,
  'Random Labels': randomLabels,
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
