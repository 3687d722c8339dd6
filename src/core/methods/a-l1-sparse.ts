/**
 * A-ℓ1-sparse (docs/paper-notes.md §5.5): A-CF's objective plus a constant-α L1 penalty. Run:
 * src/core/unlearn/a-l1-sparse.ts.
 */
import { amuKnobs, batch, defineMethod, onPage, real } from './define';

export const A_L1_SPARSE = defineMethod({
  name: 'A-L1-Sparse',
  label: 'A-ℓ1-sparse',
  color: '#65a30d',
  epochCost: 5,
  paperTables: { single: false, multi: 6 },
  approximate: true,
  hparams: {
    ...amuKnobs('asparse', 1e-4, { key: 'al1_lr', label: 'A-ℓ1 Adam lr' }),
    asparse_l1_alpha: onPage(real(1e-4, 0, 1, 'constant L1 weight α over all parameters'), 'al1_a', 'A-ℓ1 α'),
    batch_size: batch,
  },
  scaleEpochs: 'fixed',
});
