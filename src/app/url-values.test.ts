/** URL values (issue 12 items 3, 6): one set of ranges with the core schema; strict decimal forms; capped notices. */
import { describe, expect, it } from 'vitest';
import { SPEC_FIELDS, specRange, type SpecPath } from '../core/lite';
import { PARAMS, coerce, defaultParams, parseDecimal } from './params';
import { MAX_URL_NOTICES, parseSearch } from './url';

describe('URL values', () => {
  it('every numeric setting of the page has exactly the core schema range', () => {
    let n = 0;
    for (const p of PARAMS) {
      if (!p.path || !(p.type === 'int' || p.type === 'float' || p.type === 'optint')) continue;
      expect(Object.keys(SPEC_FIELDS), p.path).toContain(p.path);
      const r = specRange(p.path as SpecPath);
      expect([p.min, p.max], p.name).toEqual([r.min, r.max]);
      if (p.type === 'float') expect(!!p.minExclusive, p.name).toBe(r.minExclusive);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(17);
  });

  it('whitespace-only and non-decimal forms are ignored with a notice (never become 0)', () => {
    const d = defaultParams();
    const r = parseSearch('?fc=%20&seed=0x10&tpc=1e3&w=%2016&pe=Infinity&es=0x1&ipc=2.0&xpc=&plr=1e-2&ff=.25');
    expect(r.params.forgetClass).toBe(d.forgetClass);
    expect(r.params.seed).toBe(d.seed);
    expect(r.params.trainPerClass).toBe(d.trainPerClass);
    expect(r.params.width).toBe(d.width);
    expect(r.params.pretrainEpochs).toBe(d.pretrainEpochs);
    expect(r.params.epochScale).toBe(d.epochScale);
    expect(r.params.ipc).toBe(d.ipc);
    expect(r.params.testPerClass).toBe(d.testPerClass);
    // plain decimal floats, with or without an exponent, are fine
    expect(r.params.pretrainLr).toBe(0.01);
    expect(r.params.forgetFraction).toBe(0.25);
    const text = r.ignored.join('\n');
    for (const k of ['fc=', 'seed=0x10', 'tpc=1e3', 'w=', 'pe=Infinity', 'es=0x1', 'ipc=2.0', 'xpc=']) {
      expect(text).toContain(k);
    }
    expect(text).toMatch(/tpc=1e3 \(.*not a decimal integer/);
    expect(text).toMatch(/xpc= \(.*empty value/);
  });

  it('parseDecimal and coerce', () => {
    expect(parseDecimal(' ', true)).toBe('empty value');
    expect(parseDecimal('0b11', false)).toBe('not a decimal number');
    expect(parseDecimal('-12', true)).toBe(-12);
    expect(parseDecimal('3.5e-4', false)).toBe(3.5e-4);
    const seed = PARAMS.find((p) => p.name === 'seed')!;
    expect(coerce(seed, '\t')).toEqual({ ok: false, error: 'empty value' });
    expect(coerce(seed, 7)).toEqual({ ok: true, value: 7 });
  });

  it('notices are capped: "… and 19,990 more"', () => {
    const q = Array.from({ length: 20_000 }, (_, i) => `junk${i}=1`).join('&');
    const r = parseSearch(`?${q}`);
    expect(r.ignored).toHaveLength(MAX_URL_NOTICES + 1);
    expect(r.ignored[MAX_URL_NOTICES]).toBe(`… and ${(20_000 - MAX_URL_NOTICES).toLocaleString('en-US')} more`);
    expect(r.ignored[MAX_URL_NOTICES]).toBe('… and 19,990 more');
  });
});
