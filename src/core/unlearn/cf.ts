/**
 * CF / fine-tune (docs/paper-notes.md §6.2): pretrained init, mean CE on the retain loader, SGD, WarmCos(cf_warmup, E).
 */
import type { UnlearnMethod } from './common';
import { ceWarmCosFineTune } from './finetune';

export const cf: UnlearnMethod = async (ctx) => ceWarmCosFineTune(ctx, 'CF', 'cf', () => ctx.original.clone());
