/** CF / fine-tune (spec §6.2): pretrained init, mean CE on the retain loader, SGD, WarmCos(cf_warmup, E). */
import { warmCos } from '../train';
import type { UnlearnMethod } from './common';
import { meanCE, methodHParams, num } from './common';
import { sgdFineTune } from './finetune';

export const cf: UnlearnMethod = async (ctx) => {
  const M = 'CF';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'cf_epochs', M);
  const W = num(hp, 'cf_warmup', M);
  return sgdFineTune(ctx, M, () => ctx.original.clone(), {
    lr: num(hp, 'cf_lr', M),
    momentum: num(hp, 'cf_momentum', M),
    weightDecay: num(hp, 'cf_wd', M),
    epochs: E,
    batchSize: num(hp, 'batch_size', M),
    lrFactor: (e) => warmCos(e, W, E),
    loss: (c) => meanCE(c.model.apply(c.x), c.y),
  });
};
