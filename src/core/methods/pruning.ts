/** Pruning (spec §6.5). Run: src/core/unlearn/pruning.ts. */
import { batch, col, count, defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd } from './define';

export const PRUNING = defineMethod({
  name: 'Pruning',
  label: 'Pruning',
  hparams: {
    prune_lr: onPage(
      lr(col(0.04, 0.04, 0.03, 0.03, 0.04, 0.04, 0.03, 0.03, 0.01, 0.04), 'SGD learning rate (constant)'),
      'pr_lr', 'Pruning lr'),
    prune_epochs: epochs(20),
    prune_target: onPage(real(0.95, 0, 1, 'final fraction of conv weights pruned (s)', false),
      'pr_s', 'Pruning target sparsity'),
    prune_step: count(5, 'prune every `step` epochs (scaled)', 1),
    prune_momentum: mom(0.9),
    prune_wd: wd(5e-4),
    batch_size: batch,
  },
  /** prune_step' = round(step·s) (≥1) lowered until it divides E', so the schedule still reaches the target */
  scaleEpochs: (hp, s) => {
    const e = scaleEpochCount(hp.prune_epochs as number, s);
    let step = Math.max(1, Math.round((hp.prune_step as number) * s));
    while (e % step !== 0) step--;
    hp.prune_epochs = e;
    hp.prune_step = step;
  },
});
