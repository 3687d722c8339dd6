/** Bad distillation (docs/paper-notes.md §6.3). Run: src/core/unlearn/bad-distillation.ts. */
import { batch, col, defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd } from './define';

const RATIO = 0.6234455830656301;
const RATIO_CINIC = 0.7234455830656301;

export const BAD_DISTILLATION = defineMethod({
  name: 'Bad Distillation',
  label: 'Bad distillation',
  color: '#7c3aed',
  epochCost: 1.5,
  paperTables: { single: true, multi: false },
  approximate: true,
  hparams: {
    bad_distill_lr: onPage(
      lr(col(0.01, 0.005, 0.005, 0.003, 0.01, 0.005, 0.005, 0.004, 0.005, 0.005), 'SGD learning rate (constant)'),
      'bd_lr',
      'Bad distillation lr',
    ),
    bad_distill_epochs: onPage(epochs(col(20, 20, 30, 30, 20, 20, 30, 30, 20, 20)), 'bd_ep', 'Bad distillation epochs'),
    partial_retain_ratio: real(
      col(RATIO, RATIO, RATIO, RATIO, RATIO, RATIO, RATIO, RATIO, RATIO_CINIC, RATIO_CINIC),
      0,
      1,
      'fraction of D_r sub-sampled w/o DC (ignored w/ DC: all of D_r^red, §10 C6)',
      true,
    ),
    bad_distill_T: real(2, 0, 100, 'KL temperature T', true),
    bad_distill_momentum: mom(0.9),
    bad_distill_wd: wd(5e-4),
    batch_size: batch,
  },
  scaleEpochs: (hp, s) => {
    hp.bad_distill_epochs = scaleEpochCount(hp.bad_distill_epochs as number, s);
  },
});
