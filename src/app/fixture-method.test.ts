import { describe, expect, it, vi } from 'vitest';

// Issue 23 item 2: a method is its card (plus its run). A fixture card is added the way the recipe says — one more
// entry in src/core/methods/registry.ts — and everything the page and the reports show for it follows, with no
// other file edited: its colour, its URL rows (round trip through a share link), spec validation of its
// hyper-parameters, its row in the report. (Its run function is not needed for these views.)
vi.mock('../core/methods/registry', async (importOriginal) => {
  const m = (await importOriginal()) as {
    METHOD_CARDS: ReadonlyArray<{ name: string }>;
  };
  const FIXTURE = {
    name: 'Fixture',
    label: 'Fixture method',
    color: '#123456',
    paperTables: { single: false, multi: false },
    approximate: true,
    hparams: {
      fx_lr: {
        type: 'num',
        value: 0.01,
        min: 0,
        max: 10,
        minOpen: true,
        doc: 'learning rate',
        page: { key: 'fx_lr', label: 'Fixture lr' },
      },
      fx_epochs: { type: 'int', value: 3, min: 1, max: 100, doc: 'epochs' },
    },
    scaleEpochs: 'fixed',
  };
  const METHOD_CARDS = [...m.METHOD_CARDS, FIXTURE];
  return {
    ...m,
    METHOD_CARDS,
    METHOD_NAMES: METHOD_CARDS.map((c) => c.name),
    methodCard: (name: string) => METHOD_CARDS.find((c) => c.name === name),
  };
});

const lite = await import('../core/lite');
const { METHOD_COLORS } = await import('./format');
const { PARAMS, paramsFromSpec, specFromParams, urlParamsMarkdown } = await import('./params');
const { parseSearch, shareLink } = await import('./url');

describe('a fixture method added through its card', () => {
  it('is a method name with its colour', () => {
    expect(lite.METHOD_NAMES).toContain('Fixture');
    expect(METHOD_COLORS.Fixture).toBe('#123456');
  });

  it('gets its URL row, and a share link round-trips its hyper-parameter into the spec', () => {
    const row = PARAMS.find((p) => p.key === 'fx_lr');
    expect(row?.name).toBe('hp.Fixture.fx_lr');
    expect(urlParamsMarkdown()).toContain('| `fx_lr` | Fixture lr');
    const p = paramsFromSpec(lite.PRESETS.smoke.spec);
    p.methods = ['Retrain', 'Fixture'];
    p['hp.Fixture.fx_lr'] = 0.5;
    const parsed = parseSearch(new URL(shareLink('http://127.0.0.1:4173/', p)).search);
    const spec = specFromParams(parsed.params);
    expect(spec.unlearn.methods).toEqual(['Retrain', 'Fixture']);
    expect((spec.unlearn.hparams as Record<string, unknown>).Fixture).toEqual({ fx_lr: 0.5 });
    expect(() => lite.validateSpec({ unlearn: { hparams: { Fixture: { fx_lr: 11 } } } })).toThrow(/fx_lr/);
  });

  it('gets its row in the report', () => {
    const spec = lite.validateSpec({ unlearn: { methods: ['Retrain', 'Fixture'] } });
    const metrics = { retainAcc: 90, forgetAcc: 10, testAcc: 80, mia: 50, lossMia: 50 };
    const method = (name: string) => ({
      name,
      withDC: false,
      round: 0,
      unlearnSeconds: 1,
      overheadSeconds: 0,
      metrics,
      curve: [],
    });
    const result = {
      spec,
      env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 1 },
      split: { trainSize: 1, retainSize: 1, forgetSize: 1, testUsedSize: 1, testEvalSize: 1, forgetClass: null },
      pretrain: { seconds: 0, testAcc: 80, trainAcc: 90, reused: false },
      methods: [method('Retrain'), method('Fixture')],
    } as unknown as Parameters<typeof lite.markdownTable>[0];
    expect(lite.markdownTable(result)).toMatch(/\| Fixture/);
  });
});
