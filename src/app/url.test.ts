import { describe, expect, it } from 'vitest';
import { PRESETS } from '../core/lite';
import { defaultParams, paramsFromSpec } from './params';
import { parseSearch, specProblem, toSearch } from './url';
import { DEFAULT_PLACE, methodParam, parseMethodParam, parsePlace, placeParam } from './views';
import { armKey } from './runState';

describe('sharing (issue 22 item 4)', () => {
  it('drops only the offending key of an invalid combination and keeps the valid ones', () => {
    const d = defaultParams();
    const r = parseSearch('?ipc=200&tpc=150&seed=7&w=16');
    expect(specProblem(r.params)).toBeNull();
    expect(r.params.trainPerClass).toBe(150);
    expect(r.params.seed).toBe(7);
    expect(r.params.width).toBe(16);
    expect(r.params.ipc).toBe(d.ipc);
    expect(r.ignored).toHaveLength(1);
    expect(r.ignored[0]).toMatch(/^ipc=200 \(settings combination rejected: .*ipc.*; using \d+\)$/);
  });

  it('falls back to the preset value of a dropped key, and says so', () => {
    const smoke = paramsFromSpec(PRESETS.smoke.spec);
    const r = parseSearch('?preset=smoke&fm=class&r=3&seed=4');
    expect(specProblem(r.params)).toBeNull();
    expect(r.params.rounds).toBe(smoke.rounds);
    expect(r.params.forgetMode).toBe('class');
    expect(r.params.seed).toBe(4);
    expect(r.ignored).toHaveLength(1);
    expect(r.ignored[0]).toMatch(/^r=3 .* from the smoke preset\)$/);
  });

  it('drops a given key when the validator names a setting the link did not give', () => {
    // the preset's IPC stays; the link's too-small trainPerClass is the one dropped
    const smoke = paramsFromSpec(PRESETS.smoke.spec);
    const ipc = smoke.ipc as number;
    const r = parseSearch(`?preset=smoke&tpc=${Math.max(1, ipc - 1)}&seed=3`);
    expect(specProblem(r.params)).toBeNull();
    expect(r.params.ipc).toBe(ipc);
    expect(r.params.trainPerClass).toBe(smoke.trainPerClass);
    expect(r.params.seed).toBe(3);
    expect(r.ignored.map((l) => l.split(' ')[0])).toEqual([`tpc=${Math.max(1, ipc - 1)}`]);
  });

  it('reads and writes the preset, the view and the selected method', () => {
    const p = paramsFromSpec(PRESETS.smoke.spec);
    p.seed = 9;
    const method = armKey('A-CF', true, 0);
    const q = toSearch(p, { preset: 'smoke', place: { top: 'inspect', inspect: 'attack' }, method });
    expect(q.startsWith('?preset=smoke&')).toBe(true);
    expect(new URLSearchParams(q).get('view')).toBe('attack');
    expect(new URLSearchParams(q).get('method')).toBe('A-CF~with');
    const r = parseSearch(q);
    expect(r.ignored).toEqual([]);
    expect(r.preset).toBe('smoke');
    expect(r.params).toEqual(p);
    expect(r.place).toEqual({ top: 'inspect', inspect: 'attack' });
    expect(r.method).toBe(method);
    expect(r.autorun).toBe(false);
    expect(toSearch(p, { autorun: true })).toMatch(/&autorun=1$/);
    // an unknown preset name is not written
    expect(toSearch(p, { preset: 'nope' })).not.toContain('preset=');
  });

  it('lists a bad view or method as a notice and keeps the rest', () => {
    const r = parseSearch('?view=nowhere&method=Nope~with&seed=2');
    expect(r.params.seed).toBe(2);
    expect(r.place).toBeNull();
    expect(r.method).toBeNull();
    expect(r.ignored.join('\n')).toMatch(/view=nowhere \(unknown view; known: setup, run, inspect/);
    expect(r.ignored.join('\n')).toMatch(/method=Nope~with \(unknown method "Nope"\)/);
  });
});

describe('view and method parameters', () => {
  it('round-trips every place and method key', () => {
    expect(parsePlace('run')).toEqual({ ...DEFAULT_PLACE, top: 'run' });
    expect(parsePlace('gallery')).toEqual({ top: 'inspect', inspect: 'gallery' });
    expect(placeParam({ top: 'inspect', inspect: 'losses' })).toBe('losses');
    expect(placeParam({ top: 'paper', inspect: 'losses' })).toBe('paper');
    for (const key of [armKey('CF', false, 0), armKey('NegGrad+', true, 2), armKey('Bad Distillation', true, 0)]) {
      const back = parseMethodParam(methodParam(key));
      expect(back).toEqual({ ok: true, key });
    }
    expect(methodParam(armKey('CF', false, 2))).toBe('CF~without~r3');
    expect(parseMethodParam('A-CF')).toEqual({ ok: true, key: armKey('A-CF', false, 0) });
    expect(parseMethodParam('A-CF~both')).toMatchObject({ ok: false, error: expect.stringMatching(/arm/) });
    expect(parseMethodParam('A-CF~with~r0')).toMatchObject({ ok: false, error: expect.stringMatching(/round/) });
  });
});
