/**
 * SalUn (Fan et al., ICLR 2024; not in the paper: docs/modern-baselines.md). Run: src/core/unlearn/salun.ts.
 * Defaults: the reference code's CIFAR-10 ResNet-18 example (OPTML-Group/Unlearn-Saliency, Classification/README.md:
 * 10 epochs, lr 0.013, mask `with_0.5.pt`) and its arg_parser defaults (SGD momentum 0.9, wd 5e-4, batch 256).
 */
import { defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd, type HParamDef } from './define';

/** Random labels of the forget pass: the papers' y′ ≠ y, or the reference code's uniform draw over all classes. */
export const randomLabelKind = (doc: string): HParamDef => ({
  type: 'enum',
  value: 'other',
  values: ['other', 'any'],
  doc,
});
export const batch256: HParamDef = {
  type: 'int',
  value: 256,
  min: 1,
  max: 4096,
  doc: 'minibatch size of the forget and retain passes (reference code: 256)',
};

export const SALUN = defineMethod({
  name: 'SalUn',
  label: 'SalUn',
  color: '#be185d',
  epochCost: 1.1,
  paperTables: { single: false, multi: false },
  approximate: true,
  beyondPaper: { source: 'Fan et al., ICLR 2024', url: 'https://github.com/OPTML-Group/Unlearn-Saliency' },
  hparams: {
    salun_lr: onPage(lr(0.013, 'SGD learning rate (constant)'), 'salun_lr', 'SalUn lr'),
    salun_epochs: onPage(epochs(10), 'salun_ep', 'SalUn epochs'),
    salun_ratio: onPage(
      real(
        0.5,
        0,
        1,
        'saliency ratio: fraction of weights updated (those with the largest absolute forget-CE gradient at the original)',
        true,
      ),
      'salun_ratio',
      'SalUn saliency ratio',
    ),
    salun_labels: randomLabelKind(
      "forget-pass labels: 'other' = uniform over the other classes (paper, y′ ≠ y), 'any' = over all classes (reference code)",
    ),
    salun_momentum: mom(0.9),
    salun_wd: wd(5e-4),
    batch_size: batch256,
  },
  scaleEpochs: (hp, s) => {
    hp.salun_epochs = scaleEpochCount(hp.salun_epochs as number, s);
  },
});
