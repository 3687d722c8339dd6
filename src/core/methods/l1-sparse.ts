/** ℓ1-sparse (docs/paper-notes.md §6.4). Run: src/core/unlearn/l1-sparse.ts. */
import { batch, col, count, defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd } from './define';

export const L1_SPARSE = defineMethod({
  name: 'L1-Sparse',
  label: 'ℓ1-sparse',
  color: '#059669',
  paperTables: { single: true, multi: 5 },
  approximate: true,
  hparams: {
    l1_lr: onPage(
      lr(col(0.01, 0.005, 0.01, 0.005, 0.01, 0.005, 0.01, 0.005, 0.01, 0.005), 'SGD learning rate (constant)'),
      'l1_lr',
      'ℓ1-sparse lr',
    ),
    l1_alpha: onPage(
      real(col(1e-4, 1e-4, 1e-5, 1e-5, 1e-4, 8e-4, 1e-5, 5e-4, 1e-4, 1e-4), 0, 1, 'initial L1 weight α (linear decay)'),
      'l1_a',
      'ℓ1-sparse α',
    ),
    l1_epochs: epochs(col(30, 30, 40, 40, 30, 30, 40, 40, 30, 30)),
    l1_no_l1_epochs: count(col(1, 1, 3, 3, 1, 1, 3, 3, 1, 1), 'last epochs without L1 (scaled)'),
    l1_momentum: mom(0.9),
    l1_wd: wd(5e-4),
    batch_size: batch,
  },
  /** the plain fine-tuning tail l1_no_l1_epochs' = min(E'−1, max(1 if E₀>0, round(E₀·s))) */
  scaleEpochs: (hp, s) => {
    const e = scaleEpochCount(hp.l1_epochs as number, s);
    const e0 = hp.l1_no_l1_epochs as number;
    hp.l1_no_l1_epochs = Math.max(0, Math.min(e - 1, Math.max(e0 > 0 ? 1 : 0, Math.round(e0 * s))));
    hp.l1_epochs = e;
  },
});
