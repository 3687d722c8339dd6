import { describe, expect, it } from 'vitest';
import { checkSpec, clipValue, SPEC_FIELDS, specRange } from './spec-schema';
import { DEFAULT_SPEC, PRESETS, validateSpec } from './presets';

const check = (input: unknown) => checkSpec(input, DEFAULT_SPEC);
const err = (input: unknown): string => {
  try {
    check(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a LabError');
};

describe('the strict spec schema (issue 12 item 3)', () => {
  it('own keys only: inherited names and __proto__ are unknown fields', () => {
    expect(err({ constructor: 1 })).toMatch(/^spec: unknown field "constructor"/);
    expect(err({ toString: 'x' })).toMatch(/unknown field "toString"/);
    expect(err(JSON.parse('{"__proto__": {"seed": 5}}'))).toMatch(/unknown field "__proto__"/);
    expect(err({ model: { hasOwnProperty: 1 } })).toMatch(/^spec\.model: unknown field "hasOwnProperty"/);
    expect(({} as Record<string, unknown>).seed).toBeUndefined(); // no prototype pollution
  });

  it('pretrain.targetTrainAcc is optional: absent stays absent (cache keys unchanged), set must be in (0, 100]', () => {
    expect('targetTrainAcc' in validateSpec({}).pretrain).toBe(false);
    expect(validateSpec({ pretrain: { targetTrainAcc: 98 } }).pretrain.targetTrainAcc).toBe(98);
    expect(err({ pretrain: { targetTrainAcc: 0 } })).toBe(
      'spec.pretrain.targetTrainAcc: must be a number in (0, 100], got 0',
    );
    expect(err({ pretrain: { targetTrainAcc: 101 } })).toMatch(/targetTrainAcc: must be a number in \(0, 100\]/);
    expect(err({ pretrain: { targetTrainAcc: '98' } })).toMatch(/targetTrainAcc: must be a number/);
  });

  it('nulls and non-objects are rejected with the field path (no TypeError)', () => {
    expect(err({ model: null })).toBe('spec.model: must be an object, got null');
    expect(err({ pretrain: { lr: null } })).toBe('spec.pretrain.lr: must not be null');
    expect(err({ forget: [] })).toMatch(/spec\.forget: must be an object, got a list of 0/);
    expect(validateSpec({ forget: { class: null } }).forget.class).toBeNull();
  });

  it('duplicate method names are an error naming the index', () => {
    expect(err({ unlearn: { methods: ['CF', 'A-CF', 'CF'] } })).toMatch(
      /spec\.unlearn\.methods\[2\]: "CF" is listed twice \(also at \[0\]\)/,
    );
  });

  it('every hyper-parameter override is validated up front, selected or not', () => {
    const sel = { methods: ['CF'] as string[] };
    expect(err({ unlearn: { ...sel, hparams: { CF: { cf_lr: -1 } } } })).toMatch(
      /spec\.unlearn\.hparams\.CF\.cf_lr: .*out of range/,
    );
    expect(err({ unlearn: { ...sel, hparams: { SCRUB: { scrub_lr: 99 } } } })).toMatch(
      /spec\.unlearn\.hparams\.SCRUB\.scrub_lr/,
    );
    expect(err({ unlearn: { ...sel, hparams: { SCRUB: { nope: 1 } } } })).toMatch(/unknown hyper-parameter 'nope'/);
    expect(err({ unlearn: { ...sel, hparams: { Magic: {} } } })).toMatch(
      /spec\.unlearn\.hparams: unknown method "Magic"/,
    );
    expect(err({ unlearn: { ...sel, hparams: { constructor: {} } } })).toMatch(/unknown method "constructor"/);
    expect(err({ unlearn: { ...sel, hparams: { CF: null } } })).toMatch(
      /spec\.unlearn\.hparams\.CF: must be an object/,
    );
    expect(err({ unlearn: { ...sel, hparams: { CF: { cf_lr: { x: 1 } } } } })).toMatch(
      /cf_lr: must be a number, text or true\/false/,
    );
    // a valid override of an unselected method is dropped with a warning (never written into the result)
    const r = check({ unlearn: { ...sel, hparams: { SCRUB: { scrub_lr: 0.01 }, CF: { cf_lr: 0.02 } } } });
    expect(r.spec.unlearn.hparams).toEqual({ CF: { cf_lr: 0.02 } });
    expect(r.warnings.join()).toMatch(/hparams\.SCRUB: SCRUB is not in unlearn\.methods/);
  });

  it('semantic checks: IPC vs images per class, forget class vs classes', () => {
    expect(err({ trainPerClass: 20, condense: { ipc: 60 } })).toMatch(
      /spec\.condense\.ipc: 60 sub-classes per class but only 20/,
    );
    expect(check({ trainPerClass: 20, condense: { ipc: 60 }, unlearn: { arms: 'without' } }).warnings).toEqual([]);
    expect(check({ trainPerClass: 100, condense: { ipc: 60 } }).warnings.join()).toMatch(
      /fewer than 2 images per cluster/,
    );
    expect(check({ trainPerClass: 300, condense: { ipc: 60 } }).warnings).toEqual([]);
    expect(err({ forget: { class: 10 } })).toMatch(
      /spec\.forget\.class: must be an integer in \[0, 9\] or null, got 10/,
    );
  });

  it('values are clipped in messages; nesting and size are bounded', () => {
    const huge = 'x'.repeat(10_000_000);
    const m1 = err({ dataset: huge });
    expect(m1.length).toBeLessThan(300);
    expect(m1).toMatch(/10,000,000 characters/);
    const m2 = err({ unlearn: { hparams: { CF: { [huge.slice(0, 500)]: 1 } } } });
    expect(m2.length).toBeLessThan(600);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) deep = { model: deep };
    expect(err(deep)).toMatch(/nested more than 6 levels deep/);
    expect(err({ unlearn: { methods: Array.from({ length: 20_000 }, () => 'CF') } })).toMatch(/more than 5000 values/);
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    expect(err(many)).toMatch(/… and 20 more$/);
    expect(clipValue('a'.repeat(100), 10)).toBe('"aaaaaaaaaa"… (100 chars)');
  });

  it('one set of ranges: every preset validates, and the ranges are the chosen ones', () => {
    for (const p of Object.values(PRESETS)) expect(() => validateSpec(p.spec)).not.toThrow();
    expect(specRange('trainPerClass').max).toBe(10_000);
    expect(specRange('model.width').max).toBe(512);
    expect(specRange('condense.iterations').max).toBe(10_000);
    expect(specRange('pretrain.lr')).toEqual({ min: 0, max: 10, minExclusive: true });
    expect(err({ trainPerClass: 10_001 })).toMatch(/spec\.trainPerClass: must be an integer in \[0, 10000\]/);
    expect(Object.keys(SPEC_FIELDS)).toContain('unlearn.hparams');
  });
});
