/** Retrain from scratch (spec §6.1): fresh random network, mean CE on the retain loader, SGD, WarmCos(W, E). */
import { warmCos } from '../train';
import type { UnlearnMethod } from './common';
import { meanCE, methodHParams, num } from './common';
import { sgdFineTune } from './finetune';

export const retrain: UnlearnMethod = async (ctx) => {
  const M = 'Retrain';
  const hp = methodHParams(M, ctx);
  const E = num(hp, 'retrain_epochs', M);
  const W = num(hp, 'retrain_warmup', M);
  return sgdFineTune(ctx, M, () => ctx.createFresh(), {
    lr: num(hp, 'retrain_lr', M),
    momentum: num(hp, 'retrain_momentum', M),
    weightDecay: num(hp, 'retrain_wd', M),
    epochs: E,
    batchSize: num(hp, 'batch_size', M),
    lrFactor: (e) => warmCos(e, W, E),
    loss: (c) => meanCE(c.model.apply(c.x), c.y),
  });
};
