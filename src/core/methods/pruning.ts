/** Pruning (docs/paper-notes.md §6.5). Run: src/core/unlearn/pruning.ts. */
import { LabError, type HParamValue } from '../types';
import { batch, col, count, defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd } from './define';

/** The most epochs a scaled Pruning schedule may have (the `epochs` range of the card). */
const MAX_EPOCHS = 10000;

/**
 * prune_step' = round(step·s) (≥ 1) lowered until it divides E', so the schedule still reaches the target.
 * Both must be whole numbers in 1..MAX_EPOCHS (else a LabError): then the search below ends within E' steps.
 */
export function scalePruning(hp: Record<string, HParamValue>, s: number): void {
  const e = scaleEpochCount(hp.prune_epochs as number, s);
  const want = Math.max(1, Math.round((hp.prune_step as number) * s));
  if (!Number.isInteger(e) || e > MAX_EPOCHS || !Number.isInteger(want)) {
    throw new LabError(
      `epochScale ${s} gives prune_epochs ${e} and prune_step ${want}; the schedule needs whole ` +
        `numbers with at most ${MAX_EPOCHS} epochs`,
      'hparams.Pruning',
    );
  }
  let step = Math.min(want, e); // a step above E' lands on E' anyway, the first divisor below it
  while (e % step !== 0) step--; // ends: step = 1 divides E'
  hp.prune_epochs = e;
  hp.prune_step = step;
}

export const PRUNING = defineMethod({
  name: 'Pruning',
  label: 'Pruning',
  color: '#d97706',
  paperTables: { single: true, multi: false },
  approximate: true,
  hparams: {
    prune_lr: onPage(
      lr(col(0.04, 0.04, 0.03, 0.03, 0.04, 0.04, 0.03, 0.03, 0.01, 0.04), 'SGD learning rate (constant)'),
      'pr_lr',
      'Pruning lr',
    ),
    prune_epochs: epochs(20),
    prune_target: onPage(
      real(0.95, 0, 1, 'final fraction of conv weights pruned (s)', false),
      'pr_s',
      'Pruning target sparsity',
    ),
    prune_step: count(5, 'prune every `step` epochs (scaled)', 1),
    prune_momentum: mom(0.9),
    prune_wd: wd(5e-4),
    batch_size: batch,
  },
  scaleEpochs: scalePruning,
});
