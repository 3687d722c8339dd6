/** CF / fine-tune (docs/paper-notes.md §6.2). Run: src/core/unlearn/cf.ts. */
import { batch, col, count, defineMethod, epochs, lr, mom, onPage, scaleWarmCos, wd } from './define';

export const CF = defineMethod({
  name: 'CF',
  label: 'CF',
  color: '#2563eb',
  paperTables: { single: true, multi: 1 },
  approximate: true,
  hparams: {
    cf_lr: onPage(
      lr(col(0.04, 0.04, 0.03, 0.03, 0.04, 0.3, 0.03, 0.12, 0.04, 0.04), 'SGD learning rate'),
      'cf_lr',
      'CF lr',
    ),
    cf_epochs: onPage(epochs(50), 'cf_ep', 'CF epochs'),
    cf_momentum: mom(0.502),
    cf_wd: wd(0.0014),
    cf_warmup: count(col(5, 5, 5, 5, 5, 5, 5, 3, 5, 5), 'WarmCos warm-up epochs (scaled)'),
    batch_size: batch,
  },
  scaleEpochs: scaleWarmCos('cf'),
});
