import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC, METHOD_CARDS, PAGE_DEFAULT_PRESET, PRESETS, validateSpec } from '../core/lite';
import {
  METHOD_LABELS,
  PARAMS,
  PARAM_BY_KEY,
  coerce,
  defaultParams,
  matchPreset,
  paramsFromSpec,
  specFromParams,
  urlParamsMarkdown,
} from './params';
import { parseSearch, shareLink, toSearch } from './url';

describe('parameter table', () => {
  it('has unique names and URL keys, and defaults that pass their own validation', () => {
    const names = new Set(PARAMS.map((p) => p.name));
    const keys = new Set(PARAMS.map((p) => p.key));
    expect(names.size).toBe(PARAMS.length);
    expect(keys.size).toBe(PARAMS.length);
    expect(keys.has('preset')).toBe(false);
    expect(keys.has('autorun')).toBe(false);
    for (const p of PARAMS) expect(coerce(p, p.default), p.name).toMatchObject({ ok: true });
  });

  it("defaults describe the page's default preset, first-look (per-method overrides stay empty)", () => {
    const spec = specFromParams(defaultParams());
    const want = PRESETS[PAGE_DEFAULT_PRESET].spec;
    expect(PAGE_DEFAULT_PRESET).toBe('first-look');
    expect(validateSpec(spec)).toEqual({ ...want, unlearn: { ...want.unlearn, hparams: {} } });
    // the page default differs from the CLI's default (quick) only in the feature-net width
    expect({ ...want, condense: { ...want.condense, netWidth: 128 } }).toEqual(DEFAULT_SPEC);
    expect(matchPreset(defaultParams())).toBe('first-look');
  });

  it('every preset survives spec → params → spec', () => {
    for (const [name, pr] of Object.entries(PRESETS)) {
      const back = validateSpec(specFromParams(paramsFromSpec(pr.spec)));
      const want = validateSpec(pr.spec);
      expect(back, name).toEqual(want);
    }
  });

  it('recognises a preset from its params', () => {
    const p = paramsFromSpec(PRESETS.smoke.spec);
    expect(matchPreset({ ...p, backend: 'wasm' })).toBe('smoke');
    // machine settings are not part of an experiment
    expect(matchPreset({ ...p, workers: 3, softwareGpu: true })).toBe('smoke');
    expect(matchPreset({ ...p, seed: 99 })).toBeNull();
  });

  it('sends a per-method hyper-parameter only when changed and the method is selected', () => {
    const p = defaultParams();
    p['hp.A-CF.acf_lr'] = 1e-3;
    expect(specFromParams(p).unlearn.hparams['A-CF']).toEqual({ acf_lr: 1e-3 });
    p.methods = ['CF'];
    expect(specFromParams(p).unlearn.hparams['A-CF']).toBeUndefined();
  });

  it('per-method hyper-parameters come from the core table and are validated by the core', () => {
    const p = defaultParams();
    p['hp.A-CF.acf_lambda'] = 12;
    p['hp.CF.cf_epochs'] = 3;
    p.methods = ['CF', 'A-CF'];
    const spec = validateSpec(specFromParams(p));
    expect(spec.unlearn.hparams).toEqual({ CF: { cf_epochs: 3 }, 'A-CF': { acf_lambda: 12 } });
    const ms = PARAM_BY_KEY.get('scrub_ms')!;
    expect(coerce(ms, '2.5')).toMatchObject({ ok: false });
    expect(coerce(ms, 'default')).toEqual({ ok: true, value: null });
    expect(coerce(PARAM_BY_KEY.get('acf_lr')!, '0')).toMatchObject({ ok: false });
  });

  it('coerces and rejects values by type and range', () => {
    const w = PARAM_BY_KEY.get('w')!;
    expect(coerce(w, '16')).toEqual({ ok: true, value: 16 });
    expect(coerce(w, '1.5')).toMatchObject({ ok: false });
    expect(coerce(w, '0')).toMatchObject({ ok: false });
    expect(coerce(w, 'abc')).toMatchObject({ ok: false });
    const ff = PARAM_BY_KEY.get('ff')!;
    expect(coerce(ff, '0')).toMatchObject({ ok: false });
    expect(coerce(ff, '0.25')).toEqual({ ok: true, value: 0.25 });
    const fc = PARAM_BY_KEY.get('fc')!;
    expect(coerce(fc, 'auto')).toEqual({ ok: true, value: null });
    expect(coerce(fc, '3')).toEqual({ ok: true, value: 3 });
    expect(coerce(fc, '10')).toMatchObject({ ok: false });
    const m = PARAM_BY_KEY.get('m')!;
    expect(coerce(m, 'A-CF,CF,CF')).toEqual({ ok: true, value: ['A-CF', 'CF'] });
    expect(coerce(m, 'CF,Nope')).toMatchObject({ ok: false });
    expect(coerce(m, '')).toMatchObject({ ok: false });
  });
});

describe('hyper-parameter rows from the method cards', () => {
  it('give every page-marked hyper-parameter of every card a row: its URL key and label, in registry order', () => {
    const rows = PARAMS.filter((p) => p.group === 'hparams').map((p) => [p.name, p.key, p.label]);
    const fromCards = METHOD_CARDS.flatMap((c) =>
      Object.entries(c.hparams)
        .filter(([, d]) => d.page)
        .map(([hp, d]) => [`hp.${c.name}.${hp}`, d.page!.key, d.page!.label]),
    );
    expect(rows).toEqual(fromCards);
    // share links stay valid: two keys pinned as written in links that exist
    expect(rows[0]).toEqual(['hp.Retrain.retrain_lr', 'rt_lr', 'Retrain lr']);
    expect(rows.find(([n]) => n === 'hp.A-L1-Sparse.asparse_l1_alpha')).toEqual([
      'hp.A-L1-Sparse.asparse_l1_alpha',
      'al1_a',
      'A-ℓ1 α',
    ]);
    expect(METHOD_LABELS['L1-Sparse']).toBe('ℓ1-sparse');
  });
});

describe('URL documentation', () => {
  it('docs/url-parameters.md is the generated table (UPDATE_DOCS=1 rewrites it)', () => {
    const file = fileURLToPath(new URL('../../docs/url-parameters.md', import.meta.url));
    const text = readFileSync(file, 'utf8');
    const head = text.slice(0, text.indexOf('## Keys\n\n') + '## Keys\n\n'.length);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(file, `${head}${urlParamsMarkdown()}\n`);
    expect(readFileSync(file, 'utf8')).toBe(`${head}${urlParamsMarkdown()}\n`);
  });

  it('lists every key', () => {
    const md = urlParamsMarkdown();
    for (const p of PARAMS) expect(md).toContain(`| \`${p.key}\` |`);
    expect(md).toContain('`autorun`');
  });
});

describe('URL round trip', () => {
  it('restores exactly the same params from a copied link', () => {
    const p = paramsFromSpec(PRESETS.smoke.spec);
    p.seed = 7;
    p.forgetMode = 'class';
    p.forgetClass = 3;
    p.methods = ['Retrain', 'A-CF', 'SCRUB'];
    p['hp.A-CF.acf_lambda'] = 10;
    p['hp.SCRUB.scrub_msteps'] = 2;
    p.backend = 'wasm';
    const link = shareLink('http://127.0.0.1:4173/index.html?old=1#x', p);
    const url = new URL(link);
    expect(url.hash).toBe('');
    const parsed = parseSearch(url.search);
    expect(parsed.ignored).toEqual([]);
    expect(parsed.params).toEqual(p);
  });

  it('applies a preset first and lets explicit keys override it', () => {
    const r = parseSearch('?preset=smoke&seed=5&be=wasm&autorun=1');
    expect(r.preset).toBe('smoke');
    expect(r.autorun).toBe(true);
    expect(r.params.dataset).toBe('synthetic');
    expect(r.params.seed).toBe(5);
    expect(r.params.backend).toBe('wasm');
    expect(r.ignored).toEqual([]);
  });

  it('falls back to defaults for unknown keys and invalid values, listing each', () => {
    const r = parseSearch('?w=-3&ds=imagenet&zzz=1&m=CF,Bogus&seed=1.5&ipc=20&preset=nope&autorun=maybe');
    const d = defaultParams();
    expect(r.params.width).toBe(d.width);
    expect(r.params.dataset).toBe(d.dataset);
    expect(r.params.methods).toEqual(d.methods);
    expect(r.params.seed).toBe(d.seed);
    expect(r.params.ipc).toBe(20);
    expect(r.autorun).toBe(false);
    expect(r.ignored).toHaveLength(7);
    expect(r.ignored.join('\n')).toMatch(/zzz \(unknown parameter\)/);
    expect(r.ignored.join('\n')).toMatch(/preset=nope/);
  });

  it('never lets markup through unchanged as a value and clips long junk', () => {
    const evil = '<img src=x onerror=alert(1)>'.repeat(5);
    const r = parseSearch(`?ds=${encodeURIComponent(evil)}&${encodeURIComponent(evil)}=1`);
    expect(r.params.dataset).toBe(defaultParams().dataset);
    for (const line of r.ignored) expect(line.length).toBeLessThan(200);
  });

  it('rejects invalid combinations through the core validator', () => {
    const r = parseSearch('?fm=class&r=3');
    expect(r.ignored.some((l) => /combination/.test(l))).toBe(true);
    expect(r.params.rounds).toBe(defaultParams().rounds);
    // the fallback keeps the machine settings of the link
    const w = parseSearch('?fm=class&r=3&wk=3&be=wasm');
    expect(w.params.workers).toBe(3);
    expect(w.params.backend).toBe('wasm');
  });

  it('toSearch lists every table key', () => {
    const q = new URLSearchParams(toSearch(defaultParams()));
    for (const p of PARAMS) expect(q.has(p.key), p.key).toBe(p.type !== 'optnum');
  });
});
