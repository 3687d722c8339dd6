import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { MAX_RESULT_CHARS, parseImportedResult } from './result-schema';
import { DEFAULT_SPEC } from '../presets';

/** A minimal well-formed result (what `LabSession.result()` writes, JSON round-tripped). */
function good(): Record<string, unknown> {
  const metrics = { retainAcc: 90, forgetAcc: 80, testAcc: 70, mia: 55, lossMia: 51 };
  return JSON.parse(
    JSON.stringify({
      spec: DEFAULT_SPEC,
      env: { backend: 'wasm', versions: { tfjs: '4.22.0' }, startedAt: '2026-01-01T00:00:00Z', seconds: 12 },
      split: {
        trainSize: 3000,
        retainSize: 2700,
        forgetSize: 300,
        testUsedSize: 1400,
        testEvalSize: 600,
        forgetClass: null,
      },
      pretrain: { seconds: 3, testAcc: NaN, trainAcc: 91, reused: false },
      methods: [
        {
          name: 'CF',
          withDC: false,
          round: 0,
          unlearnSeconds: 1,
          overheadSeconds: 0,
          metrics,
          curve: [{ epoch: 1, ...metrics }],
        },
      ],
    }),
  );
}
const msg = (text: string): string => {
  try {
    parseImportedResult(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('parseImportedResult (issue 12 item 4)', () => {
  it('accepts a well-formed result (and its { result } envelope); null numbers come back as NaN', () => {
    const r = parseImportedResult(JSON.stringify(good()));
    expect(r.methods[0].metrics.mia).toBe(55);
    expect(Number.isNaN(r.pretrain.testAcc)).toBe(true);
    expect(parseImportedResult(JSON.stringify({ result: good() })).split.trainSize).toBe(3000);
  });

  it('accepts every experiment cell the CLI wrote into results/ (reproduce, reference)', () => {
    const files = ['results/reproduce/cells', 'results/reference/cells']
      .filter((d) => existsSync(d))
      .flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.endsWith('.json'))
          .map((f) => `${d}/${f}`),
      )
      .filter((f) => !f.includes('condensation'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(() => parseImportedResult(readFileSync(f, 'utf8')), f).not.toThrow();
  });

  it('names the path of the problem', () => {
    const noSplit = good();
    delete noSplit.split;
    expect(msg(JSON.stringify(noSplit))).toBe('result.split: must be an object, got nothing');
    const nullMetrics = good();
    (nullMetrics.methods as Array<Record<string, unknown>>)[0].metrics = null;
    expect(msg(JSON.stringify(nullMetrics))).toBe('result.methods[0].metrics: must be an object, got null');
    const badCurve = good();
    (badCurve.methods as Array<Record<string, unknown>>)[0].curve = [{ epoch: 1 }, 'x'];
    expect(msg(JSON.stringify(badCurve))).toBe('result.methods[0].curve[1]: must be an object, got "x"');
    const badCurve2 = good();
    (badCurve2.methods as Array<Record<string, unknown>>)[0].curve = { epoch: 1 };
    expect(msg(JSON.stringify(badCurve2))).toBe('result.methods[0].curve: must be a list, got an object');
    const badPoint = good();
    (badPoint.methods as Array<Record<string, unknown>>)[0].curve = [{ epoch: 1, mia: 'high' }];
    expect(msg(JSON.stringify(badPoint))).toMatch(
      /^result\.methods\[0\]\.curve\[0\]\.mia: must be a number or null, got "high"/,
    );
    const badSpec = good();
    (badSpec.spec as Record<string, unknown>).model = null;
    expect(msg(JSON.stringify(badSpec))).toBe('result.spec.model: must be an object, got null');
    const badName = good();
    (badName.methods as Array<Record<string, unknown>>)[0].name = 'x'.repeat(5000);
    expect(msg(JSON.stringify(badName)).length).toBeLessThan(300);
    const badSource = good();
    (badSource.pretrain as Record<string, unknown>).source = 'downloaded';
    expect(msg(JSON.stringify(badSource))).toBe(
      'result.pretrain.source: must be trained, cache or shipped, got "downloaded"',
    );
    const badShipped = good();
    Object.assign(badShipped.pretrain as Record<string, unknown>, { source: 'shipped', shipped: { file: 3 } });
    expect(msg(JSON.stringify(badShipped))).toBe('result.pretrain.shipped.file: must be text, got 3');
    expect(msg('{"spec": ')).toMatch(/^result: not valid JSON/);
    expect(msg('[]')).toBe('result: must be an object, got a list of 0');
  });

  it('checks the optional per-class and attack views where present (issue 14 item 2)', () => {
    const views = {
      perClass: { testAcc: [50, 100], forgetAcc: [null, 0] },
      confusion: [
        [1, 1],
        [0, 2],
      ],
      attack: {
        branch: 'direct',
        positive: 'test',
        auc: 75,
        forgetScores: [0.2, 0.5],
        testScores: [0.6, 0.5],
        roc: [
          [0, 0],
          [0, 0.5],
          [1, 1],
        ],
      },
    };
    const withViews = good();
    Object.assign((withViews.methods as Array<Record<string, unknown>>)[0], views);
    Object.assign(withViews.pretrain as Record<string, unknown>, views);
    const r = parseImportedResult(JSON.stringify(withViews));
    expect(r.methods[0].confusion).toEqual(views.confusion);
    expect(r.methods[0].perClass!.forgetAcc).toEqual([null, 0]);
    expect(r.pretrain.attack!.roc).toEqual(views.attack.roc);
    expect(parseImportedResult(JSON.stringify(good())).methods[0].attack).toBeUndefined();
    const ragged = good();
    Object.assign((ragged.methods as Array<Record<string, unknown>>)[0], { confusion: [[1, 1], [0]] });
    expect(msg(JSON.stringify(ragged))).toBe('result.methods[0].confusion[1]: must have 2 entries (square), got 1');
    const badRoc = good();
    Object.assign(badRoc.pretrain as Record<string, unknown>, { attack: { ...views.attack, roc: [[0, 2]] } });
    expect(msg(JSON.stringify(badRoc))).toMatch(/^result\.pretrain\.attack\.roc\[0\]\[1\]: must be in \[0, 1\]/);
  });

  it('refuses an oversized file before parsing it', () => {
    const big = ' '.repeat(MAX_RESULT_CHARS + 1);
    expect(msg(big)).toMatch(/^result: the file is larger than 50 MB, the limit for an imported result/);
  });
});

describe('imported results: depth and semantic checks (issue 19 item 5)', () => {
  type R = Record<string, unknown> & { methods: Array<Record<string, unknown>>; split: Record<string, unknown> };
  const with_ = (f: (r: R) => void) => {
    const r = good() as R;
    f(r);
    return JSON.stringify(r);
  };
  const row = (o: Record<string, unknown>) => ({ ...(good() as R).methods[0], ...o });

  it('a result nested 5,000 deep gets a one-line LabError, not an uncaught RangeError later', () => {
    // built as text (JSON.stringify itself overflows on such a value)
    const deep = '['.repeat(5000) + '1' + ']'.repeat(5000);
    const text = with_((r) => (r.methods[0].notes = 'DEEP')).replace('"DEEP"', deep);
    expect(msg(text)).toMatch(/^result: nests deeper than 64 levels \(not a result file\)$/);
  });

  it('refuses a negative MIA standard error and a fractional sample size', () => {
    const m = (o: Record<string, unknown>) =>
      msg(with_((r) => Object.assign(r.methods[0].metrics as Record<string, unknown>, o)));
    expect(m({ miaSe: -5 })).toMatch(/^result\.methods\[0\]\.metrics\.miaSe: must be in \[0, 100\], got -5/);
    expect(m({ miaPerSide: 2.5 })).toMatch(/miaPerSide: must be an integer/);
  });

  it('refuses duplicate method rows', () => {
    expect(msg(with_((r) => r.methods.push(row({}))))).toMatch(
      /^result\.methods\[1\]: repeats the row of result\.methods\[0\]/,
    );
  });

  it('refuses a forget class in uniform mode, and none in class mode', () => {
    expect(msg(with_((r) => (r.split.forgetClass = 3)))).toMatch(/forgetClass: must be null in uniform forgetting/);
    const cls = with_((r) => {
      (r.spec as { forget: Record<string, unknown> }).forget = { mode: 'class', class: null, fraction: 0.1 };
    });
    expect(msg(cls)).toMatch(/forgetClass: must name the forgotten class/);
  });

  it("refuses methods not in the spec; accepts an Original row and any method the spec lists", () => {
    const only = (r: R) => ((r.spec as { unlearn: { methods: string[] } }).unlearn.methods = ['CF']);
    expect(
      msg(
        with_((r) => {
          only(r);
          r.methods.push(row({ name: 'Retrain' }));
        }),
      ),
    ).toMatch(/^result\.methods\[1\]\.name: "Retrain" is not among the spec's methods \(CF\)/);
    const ok = parseImportedResult(with_((r) => r.methods.push(row({ name: 'Original' }))));
    expect(ok.methods.map((m) => m.name)).toEqual(['CF', 'Original']);
  });
});
