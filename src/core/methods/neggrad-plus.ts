/**
 * NegGrad+ (Kurmanji et al., NeurIPS 2023, "Towards Unbounded Machine Unlearning"; not in the paper:
 * docs/modern-baselines.md). Run: src/core/unlearn/neggrad-plus.ts. Defaults: the reference code's large-scale
 * (CIFAR-10 ResNet) notebook (meghdadk/SCRUB, large_scale_ictest.ipynb: β 0.9999, 10 epochs, lr 0.01, plain SGD
 * without weight decay, retain batch 128, forget batch 32).
 */
import { count, defineMethod, epochs, lr, mom, onPage, real, scaleEpochCount, wd } from './define';

export const NEGGRAD_PLUS = defineMethod({
  name: 'NegGrad+',
  label: 'NegGrad+',
  color: '#4338ca',
  epochCost: 1.25,
  paperTables: { single: false, multi: false },
  approximate: true,
  beyondPaper: { source: 'Kurmanji et al., NeurIPS 2023', url: 'https://github.com/meghdadk/SCRUB' },
  hparams: {
    ngp_lr: onPage(lr(0.01, 'SGD learning rate (constant)'), 'ngp_lr', 'NegGrad+ lr'),
    ngp_epochs: onPage(
      epochs(10, 'epochs: passes over the retain loader (scaled by epochScale)'),
      'ngp_ep',
      'NegGrad+ epochs',
    ),
    ngp_beta: onPage(
      real(0.9999, 0, 1, 'β: loss = β·CE(retain batch) − (1−β)·CE(forget batch)'),
      'ngp_beta',
      'NegGrad+ β',
    ),
    ngp_momentum: mom(0),
    ngp_wd: wd(0),
    ngp_forget_batch: count(32, 'forget minibatch size (the forget loader is cycled alongside the retain loader)', 1),
    batch_size: {
      type: 'int',
      value: 128,
      min: 1,
      max: 4096,
      doc: 'retain minibatch size (reference code: 128)',
    },
  },
  scaleEpochs: (hp, s) => {
    hp.ngp_epochs = scaleEpochCount(hp.ngp_epochs as number, s);
  },
});
