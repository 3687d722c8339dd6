/** SCRUB (docs/paper-notes.md §6.6). Run: src/core/unlearn/scrub.ts. */
import {
  batch,
  col,
  count,
  defineMethod,
  epochs,
  lr,
  mom,
  onPage,
  real,
  scaleEpochCount,
  scaleWarmup,
  wd,
} from './define';

export const SCRUB = defineMethod({
  name: 'SCRUB',
  label: 'SCRUB',
  color: '#0891b2',
  epochCost: 1.5,
  paperTables: { single: true, multi: 3 },
  approximate: true,
  hparams: {
    scrub_lr: onPage(
      lr(
        col(0.01, 0.005, 0.01, 0.005, 0.01, 0.005, 0.01, 0.005, 0.005, 0.001),
        'SGD learning rate (WarmCos per epoch)',
      ),
      'scrub_lr',
      'SCRUB lr',
    ),
    scrub_msteps: onPage(
      count(col(5, 9, 5, 9, 5, 9, 5, 9, 5, 10), 'max passes on epochs 0..msteps (msteps+1 passes, scaled)'),
      'scrub_ms',
      'SCRUB max-steps',
    ),
    scrub_epochs: epochs(15),
    scrub_warmup: count(5, 'WarmCos warm-up epochs (scaled)'),
    scrub_beta: real(0.001, 0, 1e3, 'β: weight of KL_T on retain'),
    scrub_gamma: real(0.99, 0, 1e3, 'γ: weight of CE on retain'),
    scrub_T: real(2, 0, 100, 'KL temperature T', true),
    scrub_forget_weight: real(0.2, 0, 1e3, 'max pass loss = −weight·KL_T on forget'),
    scrub_momentum: mom(0.9),
    scrub_wd: wd(5e-4),
    batch_size: batch,
  },
  /** the number of max passes (msteps+1) scales: msteps' = clamp(round((msteps+1)·s) − 1, 0, E'−1) */
  scaleEpochs: (hp, s) => {
    const e = scaleEpochCount(hp.scrub_epochs as number, s);
    hp.scrub_msteps = Math.max(0, Math.min(e - 1, Math.round(((hp.scrub_msteps as number) + 1) * s) - 1));
    hp.scrub_warmup = scaleWarmup(hp.scrub_warmup as number, e, s);
    hp.scrub_epochs = e;
  },
});
