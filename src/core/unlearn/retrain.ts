/**
 * Retrain from scratch (docs/paper-notes.md §6.1): fresh random network, mean CE on the retain loader, SGD,
 * WarmCos(W, E).
 */
import type { UnlearnMethod } from './common';
import { ceWarmCosFineTune } from './finetune';

export const retrain: UnlearnMethod = async (ctx) =>
  ceWarmCosFineTune(ctx, 'Retrain', 'retrain', () => ctx.createFresh());
