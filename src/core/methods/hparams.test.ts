import { describe, it, expect } from 'vitest';
import { METHOD_CARDS, METHOD_NAMES, methodCard } from './registry';
import { scalePruning } from './pruning';
import { LabError } from '../types';
import {
  HPARAM_TABLE,
  SETTINGS,
  defaultHParams,
  resolveHParams,
  scaleHParams,
  settingKey,
  validateHParam,
} from './hparams';

const C10 = { dataset: 'cifar10', arch: 'resnet18', withDC: false } as const;

describe('hparams table', () => {
  it('covers every method and every setting column', () => {
    for (const m of METHOD_NAMES) {
      expect(HPARAM_TABLE[m]).toBeDefined();
      for (const s of SETTINGS) {
        const hp = defaultHParams(m, s);
        for (const [k, v] of Object.entries(hp)) {
          expect(v, `${m} ${s} ${k}`).not.toBeUndefined();
          expect(validateHParam(m, k, v)).toEqual(v); // every default passes its own validation
        }
      }
    }
  });

  it('spec §6.8 / §5.7 lookups', () => {
    expect(defaultHParams('SCRUB', 'C10-R18-DC').scrub_msteps).toBe(9);
    expect(defaultHParams('SCRUB', 'CINIC-R18-DC').scrub_msteps).toBe(10);
    expect(defaultHParams('CF', 'SVHN-R18-DC').cf_lr).toBe(0.3);
    expect(defaultHParams('CF', 'SVHN-R50-DC').cf_warmup).toBe(3);
    expect(defaultHParams('L1-Sparse', 'SVHN-R18-DC').l1_alpha).toBe(8e-4);
    expect(defaultHParams('L1-Sparse', 'C10-R50').l1_no_l1_epochs).toBe(3);
    expect(defaultHParams('Bad Distillation', 'SVHN-R50-DC').bad_distill_lr).toBe(0.004);
    expect(defaultHParams('Bad Distillation', 'CINIC-R18').partial_retain_ratio).toBeCloseTo(0.7234455830656301, 15);
    expect(defaultHParams('Pruning', 'CINIC-R18').prune_lr).toBe(0.01);
    expect(defaultHParams('A-CF', 'C10-R18').acf_lr).toBe(2.4e-4);
    expect(defaultHParams('A-CF', 'CINIC-R18-DC').acf_lr).toBe(1e-4);
    const acf = defaultHParams('A-CF', 'SVHN-R50');
    expect([acf.acf_epochs, acf.acf_lambda, acf.acf_k, acf.acf_K, acf.acf_ecdf, acf.acf_square]).toEqual([
      1,
      34,
      2,
      60,
      'one-sided',
      'batch-mean',
    ]);
    expect(defaultHParams('Retrain', 'C10-R18')).toMatchObject({
      retrain_lr: 0.1,
      retrain_epochs: 100,
      retrain_warmup: 5,
      retrain_momentum: 0.9,
      retrain_wd: 5e-4,
    });
    expect(defaultHParams('CF', 'C10-R18')).toMatchObject({ cf_epochs: 50, cf_momentum: 0.502, cf_wd: 0.0014 });
    expect(defaultHParams('A-SCRUB', 'C10-R18')).toMatchObject({
      ascrub_lr: 1e-4,
      ascrub_beta: 0.001,
      ascrub_gamma: 0.99,
      ascrub_T: 2,
    });
    expect(defaultHParams('A-L1-Sparse', 'SVHN-R18')).toMatchObject({ asparse_lr: 1e-4, asparse_l1_alpha: 1e-4 });
  });

  it('maps lab configurations to columns', () => {
    expect(settingKey({ dataset: 'cifar10', arch: 'convnet3', withDC: false })).toBe('C10-R18');
    expect(settingKey({ dataset: 'synthetic', arch: 'resnet18', withDC: true })).toBe('C10-R18-DC');
    expect(settingKey({ dataset: 'svhn', arch: 'resnet50', withDC: true })).toBe('SVHN-R50-DC');
    expect(settingKey({ dataset: 'cinic10', arch: 'resnet50', withDC: false })).toBe('CINIC-R18');
    expect(resolveHParams('SCRUB', { dataset: 'cifar10', arch: 'convnet3', withDC: true }).scrub_msteps).toBe(9);
    expect(resolveHParams('CF', { dataset: 'svhn', arch: 'resnet18', withDC: true }).cf_lr).toBe(0.3);
  });
});

describe('resolveHParams: epoch scaling', () => {
  it('scales baselines consistently and leaves A-* at one epoch', () => {
    const s = 0.1;
    expect(resolveHParams('Retrain', C10, {}, s)).toMatchObject({ retrain_epochs: 10, retrain_warmup: 1 });
    expect(resolveHParams('CF', C10, {}, s)).toMatchObject({ cf_epochs: 5, cf_warmup: 1 });
    expect(resolveHParams('Bad Distillation', C10, {}, s)).toMatchObject({ bad_distill_epochs: 2 });
    expect(resolveHParams('L1-Sparse', C10, {}, s)).toMatchObject({ l1_epochs: 3, l1_no_l1_epochs: 1 });
    expect(resolveHParams('Pruning', C10, {}, s)).toMatchObject({ prune_epochs: 2, prune_step: 1 });
    expect(resolveHParams('SCRUB', C10, {}, s)).toMatchObject({ scrub_epochs: 2, scrub_msteps: 0, scrub_warmup: 1 });
    expect(resolveHParams('SCRUB', { ...C10, withDC: true }, {}, 0.5)).toMatchObject({
      scrub_epochs: 8,
      scrub_msteps: 4,
      scrub_warmup: 3,
    });
    expect(resolveHParams('Pruning', C10, {}, 0.5)).toMatchObject({ prune_epochs: 10, prune_step: 2 });
    for (const m of ['A-CF', 'A-SCRUB', 'A-L1-Sparse'] as const) {
      const p = m === 'A-CF' ? 'acf' : m === 'A-SCRUB' ? 'ascrub' : 'asparse';
      expect(resolveHParams(m, C10, {}, 0.01)[`${p}_epochs`]).toBe(1);
    }
    // tiny scales keep at least one epoch
    expect(resolveHParams('Retrain', C10, {}, 0.001)).toMatchObject({ retrain_epochs: 1, retrain_warmup: 0 });
    expect(resolveHParams('L1-Sparse', C10, {}, 0.001)).toMatchObject({ l1_epochs: 1, l1_no_l1_epochs: 0 });
    // scale 1 = the paper
    expect(resolveHParams('SCRUB', C10, {}, 1)).toMatchObject({ scrub_epochs: 15, scrub_msteps: 5, scrub_warmup: 5 });
    expect(resolveHParams('Pruning', C10, {}, 2)).toMatchObject({ prune_epochs: 40, prune_step: 10 });
  });

  it('applies overrides after scaling, literally, coercing numeric strings', () => {
    const hp = resolveHParams('CF', C10, { cf_epochs: 7, cf_lr: '0.5', cf_ecdf: undefined as never }, 0.1);
    expect(hp.cf_epochs).toBe(7);
    expect(hp.cf_lr).toBe(0.5);
    expect(resolveHParams('A-CF', C10, { acf_ecdf: 'two-sided', acf_square: 'per-sample' })).toMatchObject({
      acf_ecdf: 'two-sided',
      acf_square: 'per-sample',
    });
  });
});

describe('override validation', () => {
  const err = (f: () => unknown): LabError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(LabError);
      return e as LabError;
    }
    throw new Error('expected a LabError');
  };
  it('names method and key', () => {
    let e = err(() => resolveHParams('SCRUB', C10, { scrub_mstep: 3 }));
    expect(e.message).toMatch(/unknown hyper-parameter 'scrub_mstep' for method 'SCRUB'/);
    expect(e.message).toMatch(/scrub_msteps/); // lists the known keys
    e = err(() => resolveHParams('CF', C10, { cf_lr: -1 }));
    expect(e.message).toMatch(/CF cf_lr = -1 is out of range/);
    e = err(() => resolveHParams('CF', C10, { cf_lr: 0 }));
    expect(e.message).toMatch(/out of range \(0, 10\]/);
    e = err(() => resolveHParams('Pruning', C10, { prune_epochs: 2.5 }));
    expect(e.message).toMatch(/Pruning prune_epochs must be an integer/);
    e = err(() => resolveHParams('A-CF', C10, { acf_ecdf: 'both' }));
    expect(e.message).toMatch(/A-CF acf_ecdf/);
    expect(e.message).toMatch(/one-sided, two-sided/);
    e = err(() => resolveHParams('L1-Sparse', C10, { l1_alpha: 'lots' }));
    expect(e.message).toMatch(/L1-Sparse l1_alpha must be a number/);
    e = err(() => resolveHParams('CF', C10, { cf_momentum: 1 }));
    expect(e.message).toMatch(/cf_momentum/);
    e = err(() => resolveHParams('Bad Distillation', C10, { partial_retain_ratio: 1.5 }));
    expect(e.message).toMatch(/Bad Distillation partial_retain_ratio/);
    e = err(() => resolveHParams('Nope' as never, C10));
    expect(e.message).toMatch(/unknown method 'Nope'/);
    e = err(() => resolveHParams('CF', C10, {}, 0));
    expect(e.message).toMatch(/epochScale/);
    e = err(() => resolveHParams('CF', C10, { cf_lr: Number.NaN }));
    expect(e.message).toMatch(/cf_lr/);
  });
});

describe('method cards', () => {
  it('each card declares its epoch scaling; an unknown method is an error, never silent 1-epoch scaling', () => {
    for (const c of METHOD_CARDS) expect(c.scaleEpochs === 'fixed' || typeof c.scaleEpochs === 'function').toBe(true);
    expect(METHOD_CARDS.filter((c) => c.scaleEpochs === 'fixed').map((c) => c.name)).toEqual([
      'A-CF',
      'A-SCRUB',
      'A-L1-Sparse',
    ]);
    const hp = { x_epochs: 10 };
    expect(() => scaleHParams('Nope' as never, hp, 0.5)).toThrow(LabError);
    expect(() => scaleHParams('Nope' as never, hp, 0.5)).toThrow(/unknown method 'Nope'/);
    expect(() => defaultHParams('Nope' as never, 'C10-R18')).toThrow(/unknown method 'Nope'/);
    expect(() => validateHParam('Nope' as never, 'x', 1)).toThrow(/unknown method 'Nope'/);
  });

  it('METHOD_NAMES and HPARAM_TABLE are the cards, in order', () => {
    expect(METHOD_NAMES).toEqual(METHOD_CARDS.map((c) => c.name));
    expect(Object.keys(HPARAM_TABLE)).toEqual([...METHOD_NAMES]);
    for (const c of METHOD_CARDS) expect(HPARAM_TABLE[c.name]).toBe(c.hparams);
    expect(methodCard('SCRUB')?.label).toBe('SCRUB');
    expect(methodCard('nope')).toBeUndefined();
  });
});

describe('Pruning epoch scaling (issue 12: every loop bounded)', () => {
  const scaled = (prune_epochs: number, prune_step: number, s: number) => {
    const hp = { prune_epochs, prune_step };
    scalePruning(hp, s);
    return hp;
  };

  it('lowers the step to a divisor of the scaled epochs, also when it exceeds them', () => {
    expect(scaled(20, 5, 0.5)).toEqual({ prune_epochs: 10, prune_step: 2 }); // round(2.5) = 3 → 2
    expect(scaled(7, 5, 3)).toEqual({ prune_epochs: 21, prune_step: 7 }); // 15 → 7
    expect(scaled(3, 50, 1.5)).toEqual({ prune_epochs: 5, prune_step: 5 }); // 75 > 5 → 5
    expect(scaled(13, 4, 1)).toEqual({ prune_epochs: 13, prune_step: 1 }); // a prime: one-epoch steps
  });

  it('fails with a LabError instead of spinning on non-finite or absurd values', () => {
    const cases: Array<[number, number, number]> = [
      [20, NaN, 0.5],
      [NaN, 5, 0.5],
      [Infinity, 5, 2],
      [20, 5, 1e6],
    ];
    for (const [e, step, s] of cases) {
      const hp = { prune_epochs: e, prune_step: step };
      expect(() => scalePruning(hp, s), `${e} ${step} ${s}`).toThrow(LabError);
      expect(() => scalePruning(hp, s)).toThrow(/^hparams\.Pruning: epochScale .* whole numbers with at most 10000/);
      expect(hp).toEqual({ prune_epochs: e, prune_step: step }); // nothing half-written
    }
    expect(() => resolveHParams('Pruning', C10, {}, 1e6)).toThrow(/hparams\.Pruning/);
  });
});
