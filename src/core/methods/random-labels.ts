/**
 * Random Labels (the RL baseline of SalUn's reference code, after Golatkar et al. 2020 / Graves et al. 2021; not in the
 * paper: docs/modern-baselines.md). Run: src/core/unlearn/random-labels.ts. Defaults: the reference code's
 * (OPTML-Group/Unlearn-Saliency) arg_parser (10 epochs, lr 0.01, SGD momentum 0.9, wd 5e-4, batch 256).
 */
import { defineMethod, epochs, lr, mom, onPage, scaleEpochCount, wd } from './define';
import { batch256, randomLabelKind } from './salun';

export const RANDOM_LABELS = defineMethod({
  name: 'Random Labels',
  label: 'Random labels',
  color: '#a16207',
  epochCost: 1.1,
  paperTables: { single: false, multi: false },
  approximate: true,
  beyondPaper: {
    source: 'random labelling (RL) as in Fan et al., ICLR 2024',
    url: 'https://github.com/OPTML-Group/Unlearn-Saliency',
  },
  hparams: {
    rl_lr: onPage(lr(0.01, 'SGD learning rate (constant)'), 'rl_lr', 'Random labels lr'),
    rl_epochs: onPage(epochs(10), 'rl_ep', 'Random labels epochs'),
    rl_labels: randomLabelKind(
      "forget-pass labels: 'other' = uniform over the other classes (y′ ≠ y), 'any' = over all classes (reference code)",
    ),
    rl_momentum: mom(0.9),
    rl_wd: wd(5e-4),
    batch_size: batch256,
  },
  scaleEpochs: (hp, s) => {
    hp.rl_epochs = scaleEpochCount(hp.rl_epochs as number, s);
  },
});
