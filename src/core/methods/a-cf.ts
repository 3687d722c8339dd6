/**
 * A-CF (docs/paper-notes.md §5.3): CF with the A-AMU objective. Run: src/core/unlearn/a-cf.ts (machinery in
 * unlearn/amu.ts).
 */
import { amuKnobs, batch, col, defineMethod, onPage, real } from './define';

export const A_CF = defineMethod({
  name: 'A-CF',
  label: 'A-CF',
  color: '#dc2626',
  epochCost: 5,
  paperTables: { single: true, multi: 2 },
  approximate: true,
  hparams: {
    ...amuKnobs('acf', col(2.4e-4, 2.4e-4, 2.4e-4, 2.4e-4, 2.4e-4, 2.4e-4, 2.4e-4, 2.4e-4, 1e-4, 1e-4), {
      key: 'acf_lr',
      label: 'A-CF Adam lr',
    }),
    acf_lambda: onPage(
      real(34, 0, 1e4, 'λ: weight of MMD² between Gaussianised test and forget losses'),
      'acf_lam',
      'A-CF λ (MMD weight)',
    ),
    batch_size: batch,
  },
  scaleEpochs: 'fixed',
});
