import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Issue 23 item 2: a method is its card (plus its run). A fixture card is added the way the recipe says — one more
// entry in src/core/methods/registry.ts — and everything the page and the reports show for it follows, with no
// other file edited: its colour, its URL rows (round trip through a share link), spec validation of its
// hyper-parameters, its row in the report, its series in the per-epoch curves chart, and the CLI's `--methods`
// option (the real `npm run reproduce` in a child process whose module loader swaps in the same fixture registry).
// (Its run function is not needed for these views.)
// The fixture card, plain data: the same object enters the mocked registry here and the CLI's registry below.
const { FIXTURE } = vi.hoisted(() => ({
  FIXTURE: {
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
  },
}));

vi.mock('../core/methods/registry', async (importOriginal) => {
  const m = (await importOriginal()) as {
    METHOD_CARDS: ReadonlyArray<{ name: string }>;
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
const { armKey, emptyRun, parseArmKey, reduceRun } = await import('./runState');

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

  it('gets its series, in its colour, in the per-epoch curves chart', () => {
    let run = emptyRun();
    for (const [method, epoch, forgetAcc] of [
      ['Retrain', 0, 30],
      ['Fixture', 0, 40],
      ['Fixture', 1, 20],
    ] as const) {
      const metrics = { forgetAcc };
      run = reduceRun(run, { kind: 'epoch', method: method as 'Retrain', withDC: false, round: 0, epoch, metrics });
    }
    const key = armKey('Fixture', false);
    expect(run.curves[key].map((p) => p.forgetAcc)).toEqual([40, 20]);
    // what MethodCurves draws for each series key: the method's colour (its `?? '#555'` is never reached)
    const colours = Object.keys(run.curves).map((k) => METHOD_COLORS[parseArmKey(k).method]);
    expect(colours).toEqual([METHOD_COLORS.Retrain, '#123456']);
  });
});

describe('a fixture method in the CLI', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const registry = pathToFileURL(join(root, 'src/core/methods/registry.ts')).href;

  /** `npm run reproduce -- ARGS` with the registry module resolved to the real one plus the fixture card. */
  function reproduce(args: string[]) {
    const dir = mkdtempSync(join(tmpdir(), 'fixture-method-'));
    try {
      const fixtureRegistry = join(dir, 'registry.ts');
      writeFileSync(
        fixtureRegistry,
        `import * as m from ${JSON.stringify(registry)};\n` +
          `const FIXTURE = ${JSON.stringify(FIXTURE)};\n` +
          'export const METHOD_CARDS = [...m.METHOD_CARDS, FIXTURE];\n' +
          'export const METHOD_NAMES = METHOD_CARDS.map((c) => c.name);\n' +
          'export const methodCard = (name: string) => METHOD_CARDS.find((c) => c.name === name);\n',
      );
      const fixtureUrl = pathToFileURL(fixtureRegistry).href;
      writeFileSync(
        join(dir, 'hooks.mjs'),
        `export async function resolve(spec, ctx, next) {\n` +
          `  const r = await next(spec, ctx);\n` +
          `  return r.url === ${JSON.stringify(registry)} && ctx.parentURL !== ${JSON.stringify(fixtureUrl)}\n` +
          `    ? { ...r, url: ${JSON.stringify(fixtureUrl)} } : r;\n` +
          `}\n`,
      );
      writeFileSync(
        join(dir, 'register.mjs'),
        "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
      );
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, 'src/cli/reproduce.ts', ...args],
        { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LAB_DEBUG: '' } },
      );
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('`reproduce --methods` accepts it, and lists it among the known methods for a bad name', () => {
    const out = join(tmpdir(), 'fixture-method-out');
    const ok = reproduce(['--preset', 'smoke', '--out', out, '--list-cells', '--json', '--methods', 'Retrain,Fixture']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const cells = (JSON.parse(ok.stdout) as Array<{ kind: string; spec?: { unlearn: { methods: string[] } } }>).filter(
      (c) => c.kind === 'experiment',
    );
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) expect(c.spec!.unlearn.methods).toEqual(['Retrain', 'Fixture']);
    const bad = reproduce(['--preset', 'smoke', '--out', out, '--list-cells', '--methods', 'Retrain,Nope']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/methods\[1\]: must be one of .*"Fixture", got "Nope"/);
  }, 240_000);
});
