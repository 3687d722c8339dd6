import { describe, expect, it } from 'vitest';
import type { ExperimentResult, MethodResult } from '../contracts';
import { CSV_COLUMNS, csvField, csvRunOf, markdownTable, resultsCsv } from './report';
import { METRICS } from '../metrics';
import { DEFAULT_SPEC, mergeSpec } from '../presets';

const method = (
  name: MethodResult['name'],
  withDC: boolean,
  x: number,
  extra: Partial<MethodResult['metrics']> = {},
): MethodResult => ({
  name,
  withDC,
  round: 0,
  unlearnSeconds: x / 10,
  overheadSeconds: withDC ? 1.5 : 0,
  curve: [],
  metrics: { retainAcc: x, forgetAcc: x / 2, testAcc: x - 1, mia: 50 + x / 10, lossMia: 50, ...extra },
});

function experiment(seed: number, mode: 'class' | 'uniform', methods: MethodResult[]): ExperimentResult {
  const spec = mergeSpec(DEFAULT_SPEC, { seed, forget: { mode, class: null, fraction: 0.1 } });
  return {
    spec,
    methods,
    env: { backend: 'cpu', versions: {}, startedAt: `2026-01-0${seed + 1}T00:00:00.000Z`, seconds: 1 },
    split: {
      trainSize: 100,
      retainSize: 90,
      forgetSize: 10,
      testUsedSize: 7,
      testEvalSize: 3,
      forgetClass: mode === 'class' ? 4 : null,
    },
    pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
  };
}

const parse = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .map((l) => l.split(','));

describe('results CSV', () => {
  const a = experiment(0, 'uniform', [method('Retrain', false, 70), method('A-CF', true, 80)]);
  const b = experiment(1, 'class', [method('CF', false, 60, { testAccRetained: 65 })]);

  it("has fixed columns: method, arm, round, every metric of the table, then the run's identity", () => {
    expect(CSV_COLUMNS).toEqual([
      'method',
      'withDC',
      'round',
      ...METRICS.map((d) => d.id),
      'run',
      'preset',
      'dataset',
      'forgetMode',
      'forgetClass',
      'seed',
      'miaNote',
    ]);
    const rows = parse(resultsCsv([csvRunOf(b, 'cell-1', 'quick-class')]));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const row = Object.fromEntries(rows[0].map((c, i) => [c, rows[1][i]]));
    expect(row).toMatchObject({
      method: 'CF',
      withDC: 'false',
      round: '0',
      retainAcc: '60',
      forgetAcc: '30',
      testAcc: '59',
      testAccRetained: '65',
      mia: '56',
      lossMia: '50',
      unlearnSeconds: '6',
      overheadSeconds: '0',
      run: 'cell-1',
      preset: 'quick-class',
      dataset: 'cifar10',
      forgetMode: 'class',
      forgetClass: '4',
      seed: '1',
    });
    // uniform: no class, no preset given; the run id defaults to the start time
    const ua = Object.fromEntries(parse(resultsCsv([csvRunOf(a)]))[1].map((v, i) => [CSV_COLUMNS[i], v]));
    expect(ua).toMatchObject({
      forgetClass: '',
      testAccRetained: '',
      preset: '',
      run: a.env.startedAt,
      forgetMode: 'uniform',
      seed: '0',
    });
  });

  it("concatenates: the CSV of several runs = one header + each run's lines", () => {
    const both = resultsCsv([csvRunOf(a, 'a'), csvRunOf(b, 'b')]);
    const one = resultsCsv([csvRunOf(a, 'a')]);
    const two = resultsCsv([csvRunOf(b, 'b')]);
    expect(one.split('\n')[0]).toBe(two.split('\n')[0]); // same header whatever the runs hold
    expect(both).toBe(one + two.split('\n').slice(1).join('\n'));
    expect(parse(both)).toHaveLength(1 + 3);
    for (const r of parse(both)) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it('quotes fields as RFC 4180 says and leaves absent or non-finite values empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(0)).toBe('0');
    expect(csvField(false)).toBe('false');
    const csv = resultsCsv([csvRunOf(a, 'run "x", v2')]);
    expect(csv.split('\n')[1]).toContain(',"run ""x"", v2",');
  });

  it('writes the point value of a metric given as an interval over seeds', () => {
    const m = method('CF', false, 60);
    (m.metrics as unknown as Record<string, unknown>).mia = {
      mean: 47.5,
      ci95: [44, 51],
      n: 3,
      values: [46, 47.5, 49],
    };
    const row = parse(resultsCsv([{ methods: [m] }]))[1];
    expect(row[CSV_COLUMNS.indexOf('mia')]).toBe('47.5');
  });
});

describe('markdown table', () => {
  it('shows the retained-class column only when a result has it, with gaps to Retrain', () => {
    const u = experiment(0, 'uniform', [method('Retrain', false, 70), method('CF', false, 60)]);
    expect(markdownTable(u)).not.toContain('retained cls');
    expect(markdownTable(u)).toContain(
      '| CF | 56.00 | 50.0 (+0.0) | 60.0 (-10.0) | 30.0 (-5.0) | 59.0 (-10.0) | 6.0 |',
    );
    const c = experiment(0, 'class', [
      method('Retrain', false, 70, { testAccRetained: 72 }),
      method('CF', false, 60, { testAccRetained: 65 }),
    ]);
    expect(markdownTable(c)).toContain('Test (retained cls) (w/o DC)');
    expect(markdownTable(c)).toMatch(/\| 65\.0 \(-7\.0\) \| 6\.0 \|$/m);
  });

  it("takes the MIA's gap to Retrain from the filtered variant and marks a class-artefact paper MIA", () => {
    // class forgetting: Retrain's paper MIA came from the unfiltered swapped branch (94.7); filtered it reads 49.0
    const c = experiment(0, 'class', [
      method('Retrain', false, 70, { mia: 94.7, miaFiltered: 49 }),
      method('CF', false, 60, { mia: 60, miaFiltered: 60 }),
    ]);
    const md = markdownTable(c);
    expect(md).toContain('MIA (filtered) (w/o DC)');
    expect(md).toContain('| Retrain | 94.70 (class artefact, spec §10 C9) | 49.00 |');
    expect(md).toContain('| CF | 60.00 | 60.00 (+11.0) |'); // not −34.7 against the artefact
    const text = resultsCsv([csvRunOf(c, 'x')]);
    const lines = text.trim().split('\n');
    expect(CSV_COLUMNS.at(-1)).toBe('miaNote');
    expect(lines[1].endsWith(',"class artefact, spec §10 C9"')).toBe(true); // RFC 4180 quoting of the comma
    expect(lines[2].endsWith(',')).toBe(true); // CF: no note
    expect(parse(text)[1][CSV_COLUMNS.indexOf('miaFiltered')]).toBe('49');
  });

  it('older results without the filtered variant show no MIA gap at all (never one from the unfiltered branch)', () => {
    const old = experiment(0, 'class', [method('Retrain', false, 70, { mia: 94.7 }), method('CF', false, 60)]);
    const md = markdownTable(old);
    expect(md).not.toContain('MIA (filtered)');
    expect(md).toContain('| CF | 56.00 | 50.0 (+0.0) |');
  });
});

describe('the "Original (no unlearning)" row (issue 20 item 2)', () => {
  const withOriginal = (r: ExperimentResult): ExperimentResult => ({
    ...r,
    pretrain: { ...r.pretrain, metrics: { retainAcc: 97, forgetAcc: 96, testAcc: 55, mia: 70, lossMia: 66 } },
  });
  const r = withOriginal(experiment(0, 'uniform', [method('Retrain', false, 80), method('CF', false, 90)]));

  it('is the first row of the Markdown table, from pretrain.metrics, with its gap to Retrain and no time', () => {
    const lines = markdownTable(r).split('\n');
    expect(lines[2]).toMatch(/^\| Original \(no unlearning\) \| /);
    // Retrain: forget 40 → Original forget 96.0 (+56.0); test 79 → 55.0 (−24.0); no unlearning time
    expect(lines[2]).toContain('96.0 (+56.0)');
    expect(lines[2]).toContain('55.0 (-24.0)');
    expect(lines[2].trim().endsWith('| – |')).toBe(true);
    // without recorded metrics there is no such row
    expect(markdownTable(experiment(0, 'uniform', [method('Retrain', false, 80)]))).not.toContain('Original');
  });

  it('is a CSV line (method "Original (no unlearning)", round 0, no timings) before the methods of its run', () => {
    const rows = parse(resultsCsv([csvRunOf(r, 'cell-a')]));
    expect(rows[1][0]).toBe('Original (no unlearning)');
    const col = (k: string) => CSV_COLUMNS.indexOf(k);
    expect(rows[1][col('forgetAcc')]).toBe('96');
    expect(rows[1][col('round')]).toBe('0');
    expect(rows[1][col('unlearnSeconds')]).toBe('');
    expect(rows[1][col('run')]).toBe('cell-a');
    expect(rows.length).toBe(4);
  });
});
