/** Retrain from scratch (docs/paper-notes.md §6.1). Run: src/core/unlearn/retrain.ts. */
import { batch, count, defineMethod, epochs, lr, mom, onPage, scaleWarmCos, wd } from './define';

export const RETRAIN = defineMethod({
  name: 'Retrain',
  label: 'Retrain',
  color: '#374151',
  paperTables: { single: true, multi: false },
  approximate: false,
  hparams: {
    retrain_lr: onPage(lr(0.1, 'SGD learning rate (CLI --retrain_lr; the JSON value is null)'), 'rt_lr', 'Retrain lr'),
    retrain_epochs: onPage(epochs(100), 'rt_ep', 'Retrain epochs'),
    retrain_momentum: mom(0.9),
    retrain_wd: wd(5e-4),
    retrain_warmup: count(5, 'WarmCos warm-up epochs (scaled)'),
    batch_size: batch,
  },
  scaleEpochs: scaleWarmCos('retrain'),
});
