/** A-SCRUB (docs/paper-notes.md §5.4): SCRUB with the A-AMU objective. Run: src/core/unlearn/a-scrub.ts. */
import { amuKnobs, batch, defineMethod, onPage, real } from './define';

export const A_SCRUB = defineMethod({
  name: 'A-SCRUB',
  label: 'A-SCRUB',
  color: '#db2777',
  epochCost: 5,
  paperTables: { single: false, multi: 4 },
  approximate: true,
  hparams: {
    ...amuKnobs('ascrub', 1e-4, { key: 'ascrub_lr', label: 'A-SCRUB Adam lr' }),
    ascrub_lambda: onPage(
      real(34, 0, 1e4, 'λ: weight of MMD² between Gaussianised test and forget losses'),
      'ascrub_lam',
      'A-SCRUB λ',
    ),
    ascrub_beta: real(0.001, 0, 1e3, 'β: weight of KL_T on retain'),
    ascrub_gamma: real(0.99, 0, 1e3, 'γ: weight of (mean CE)² on retain'),
    ascrub_T: real(2, 0, 100, 'KL temperature T', true),
    ascrub_forget_weight: real(0.2, 0, 1e3, 'forget pass loss = −weight·KL_T'),
    ascrub_retain: {
      type: 'enum',
      value: 'reduced',
      values: ['reduced', 'real'],
      doc:
        "w/ DC: train on D_r^red ('reduced', recommended) or the real D_r as multiround_cond_unlearn.py does " +
        "('real', §10 C4)",
    },
    batch_size: batch,
  },
  scaleEpochs: 'fixed',
});
