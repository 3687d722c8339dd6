import { describe, expect, it } from 'vitest';
import type { ExperimentResult, MethodName, MethodResult } from '../contracts';
import { buildClaims } from './claims';
import { DEFAULT_SPEC, mergeSpec, validateSpec } from '../presets';

const m = (
  name: MethodName,
  retainAcc: number,
  testAcc: number,
  forgetAcc: number,
  mia: number,
  unlearnSeconds = 10,
): MethodResult => ({
  name,
  withDC: false,
  round: 0,
  unlearnSeconds,
  overheadSeconds: 0,
  curve: [],
  metrics: { retainAcc, testAcc, forgetAcc, mia, lossMia: 50 },
});
const cell = (seed: number, methods: MethodResult[]): ExperimentResult => ({
  spec: validateSpec(mergeSpec(DEFAULT_SPEC, { seed })),
  env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 0 },
  split: { trainSize: 0, retainSize: 0, forgetSize: 0, testUsedSize: 0, testEvalSize: 0, forgetClass: null },
  pretrain: { seconds: 0, testAcc: 0, trainAcc: 0, reused: false },
  methods,
});

describe('claims with interval verdicts', () => {
  it('claim 20: best-in-class among approximate methods, Retrain only the reference; the gap to Retrain its own row', () => {
    // per seed: Retrain forget 50 / MIA 50; CF forget 60 / MIA 58 (closest to Retrain: 10 / 8); A-CF forget 63 / MIA 60
    // → forget shortfall |63−50| − 10 = 3, MIA shortfall 10 − 8 = 2; retain: best 95 (CF) − A-CF 93 = 2; test 0 → max 3.
    // Gap to Retrain: max(13, 10) = 13. Seeds add ±0.5 jitter so the interval has width.
    const cells: Record<string, ExperimentResult> = {};
    [0, 1, 2].forEach((s) => {
      const j = (s - 1) * 0.5;
      cells[`single-uniform-seed${s}`] = cell(s, [
        m('Retrain', 99, 80, 50, 50),
        m('CF', 95, 70, 60 + j, 58),
        m('A-CF', 93, 70, 63 + j, 60),
        m('SCRUB', 90, 65, 80, 75),
      ]);
    });
    const claims = buildClaims({ experiments: cells, condensation: [] });
    const c20 = claims.find((c) => c.id === 20 && c.claim.includes('(uniform'))!;
    expect(c20.ours).toMatch(/^shortfall 3\.0 ± 0\.0 pp \(n = 3\)$/);
    expect(c20.reproduces).toBe('reproduces');
    const gap = claims.find((c) => c.id === '20-gap' && c.claim.includes('(uniform'))!;
    expect(gap.ours).toMatch(/^13\.0/);
    expect(gap.reproduces).toBe('does not');
  });

  it('the gap-to-Retrain row reads the filtered MIA in class forgetting (never the class artefact)', () => {
    // Retrain's paper MIA is 95 (unfiltered swapped branch, class artefact); filtered 50. A-CF 55 both ways.
    // Gap = max(|forget 3|, |55 − 50|) = 5, not |55 − 95| = 40. Without the filtered value a class cell counts as n/a.
    const withF = (x: MethodResult, miaFiltered: number): MethodResult => ({
      ...x,
      metrics: { ...x.metrics, miaFiltered },
    });
    const classCell = (seed: number, filtered: boolean): ExperimentResult => {
      const c = cell(seed, [
        filtered ? withF(m('Retrain', 99, 80, 0, 95), 50) : m('Retrain', 99, 80, 0, 95),
        filtered ? withF(m('A-CF', 93, 70, 3 + seed, 55), 55) : m('A-CF', 93, 70, 3 + seed, 55),
        m('CF', 95, 70, 10, 58),
        m('SCRUB', 90, 65, 20, 75),
      ]);
      return { ...c, spec: validateSpec(mergeSpec(c.spec, { forget: { mode: 'class', class: 4, fraction: 0.1 } })) };
    };
    const find = (experiments: Record<string, ExperimentResult>) =>
      buildClaims({ experiments, condensation: [] }).find((c) => c.id === '20-gap' && c.claim.includes('(class'))!;
    const gap = find({ 'single-class-seed0': classCell(0, true), 'single-class-seed1': classCell(1, true) });
    expect(gap.claim).toContain('MIA (filtered)');
    expect(gap.ours).toMatch(/^5\.0/);
    const old = find({ 'single-class-seed0': classCell(0, false), 'single-class-seed1': classCell(1, false) });
    expect(old.ours).not.toMatch(/^40/);
  });

  it("speed claims 16/17 say which number they quote: the cells' single timings, and the bench row's repeats", () => {
    const experiments = {
      'single-uniform-seed0': cell(0, [
        m('Retrain', 99, 80, 50, 50, 100),
        m('CF', 95, 70, 60, 58, 50),
        m('A-CF', 93, 70, 63, 60, 10),
      ]),
    };
    const plain = buildClaims({ experiments, condensation: [] }).find((c) => c.id === 17)!;
    expect(plain.ours).toMatch(/^5\.0.* \(cells\)$/); // CF 50 s ÷ A-CF 10 s, nothing quoted from a bench row
    expect(plain.setting).toContain('a single measurement each, not interleaved repeats');
    const row = {
      id: 'unlearn.acf_vs_cf_speedup.uniform',
      value: 6.25,
      unit: 'x',
      setting: 'bench; 3 interleaved repeats (A-CF, CF, Retrain in rotation)',
      note: 'value = median',
      range: [5, 7] as [number, number],
      repeats: 3,
    };
    const quoted = buildClaims({ experiments, condensation: [], bench: [row] }).find((c) => c.id === 17)!;
    expect(quoted.ours).toContain(
      'bench row unlearn.acf_vs_cf_speedup.uniform (median of 3 interleaved repeats, range 5.00–7.00×): 6.25×',
    );
    expect(quoted.setting).toContain('verdict from the cells');
    const { range: _r, repeats: _n, ...old } = row; // an old single-run row has neither
    const single = buildClaims({ experiments, condensation: [], bench: [old] }).find((c) => c.id === 17)!;
    expect(single.ours).toContain('(single measurement): 6.25×');
  });

  it('one seed is only indicative; claim 3 needs the full-data bench row, not the subset cell', () => {
    const claims = buildClaims({
      experiments: {
        'single-uniform-seed0': cell(0, [
          m('Retrain', 99, 80, 50, 50, 100),
          m('CF', 95, 70, 60, 58, 50),
          m('A-CF', 93, 70, 63, 60, 10),
        ]),
      },
      condensation: [{ id: 'blend.vs_dm_speedup', value: 3581, unit: '×', setting: 'subset', note: '' }],
    });
    expect(claims.find((c) => c.id === 17)).toMatchObject({ reproduces: 'indicative', leaning: 'reproduces', n: 1 });
    expect(claims.find((c) => c.id === 3)).toMatchObject({ reproduces: 'n/a' });
    const withBench = buildClaims({
      experiments: {},
      condensation: [],
      bench: [{ id: 'blend.vs_dm_speedup', value: 753, unit: '×', setting: 'full', note: '' }],
    });
    expect(withBench.find((c) => c.id === 3)).toMatchObject({ reproduces: 'indicative', leaning: 'does not' });
  });
  it('speed claims leave out cells timed on shared cores (reproduce --jobs); accuracy claims keep them', () => {
    const cells: Record<string, ExperimentResult> = {};
    [0, 1, 2].forEach((s) => {
      cells[`single-uniform-seed${s}`] = cell(s, [
        m('Retrain', 99, 80, 50, 50 + s, 20),
        m('CF', 95, 70, 60, 58, 10 + s),
        m('A-CF', 93, 70, 63, 60, 2),
      ]);
    });
    const all = buildClaims({ experiments: cells, condensation: [] });
    const some = buildClaims({
      experiments: cells,
      condensation: [],
      sharedCores: ['single-uniform-seed0', 'single-uniform-seed2'],
    });
    const row = (cs: typeof all, id: number | string) => cs.find((c) => c.id === id)!;
    expect(row(all, 17).n).toBe(3);
    expect(row(some, 17).n).toBe(1);
    expect(row(some, 17).ours).toContain('5.5×');
    expect(row(some, 17).setting).toContain('2 cell(s) timed on shared cores left out');
    // claim 4 averages both modes per seed: uniform-only cells are left out and listed, not passed off as the average
    expect(row(some, 4).n).toBe(0);
    expect(row(some, 4).setting).toContain('left out (one mode only, not an average of both): seed 1 uniform');
    expect(row(some, '15b').n).toBe(3);
    // with a class cell for seed 1 the seed is complete: the mean of its two modes
    const withClass = {
      ...cells,
      'single-class-seed1': cell(1, [m('CF', 95, 70, 5, 58, 30), m('A-CF', 93, 70, 9, 60, 3)]),
    };
    withClass['single-class-seed1'].spec = validateSpec(
      mergeSpec(DEFAULT_SPEC, { seed: 1, forget: { mode: 'class', class: 2 } }),
    );
    const c4 = row(
      buildClaims({
        experiments: withClass,
        condensation: [],
        sharedCores: ['single-uniform-seed0', 'single-uniform-seed2'],
      }),
      4,
    );
    expect(c4.n).toBe(1);
    // uniform seed 1: 1 − 2/11 = 81.82 %; class seed 1: 1 − 3/30 = 90 % → mean 85.9 %
    expect(c4.ours).toMatch(/^85\.9%/);
  });

  it('with no cell timed on quiet cores, speed claims take an indicative verdict from the bench repeats', () => {
    const experiments = {
      'single-uniform-seed0': cell(0, [m('Retrain', 99, 80, 50, 50, 100), m('CF', 95, 70, 60, 58, 50)]),
      'single-class-seed0': cell(0, [m('Retrain', 99, 80, 0, 50, 100), m('CF', 95, 70, 5, 58, 50)]),
    };
    experiments['single-class-seed0'].spec = validateSpec(
      mergeSpec(DEFAULT_SPEC, { forget: { mode: 'class', class: 3 } }),
    );
    const speed = (mode: string, lo: number, hi: number, repeats = 3) => ({
      id: `unlearn.acf_vs_cf_speedup.${mode}`,
      value: (lo + hi) / 2,
      unit: 'x',
      setting: 'bench',
      range: [lo, hi] as [number, number],
      repeats,
    });
    const e2e = (mode: string, lo: number, hi: number) => ({
      ...speed(mode, lo, hi),
      id: `unlearn.acf_dc_end_to_end_vs_cf_speedup.${mode}`,
    });
    const get = (bench: Parameters<typeof buildClaims>[0]['bench'], id: number) =>
      buildClaims({ experiments, condensation: [], bench }).find((c) => c.id === id)!;
    // whole range > 1 → indicative, leaning reproduces (one seed), n = 1, and it says where the verdict came from
    const c17 = get([speed('uniform', 4, 8)], 17);
    expect([c17.reproduces, c17.leaning, c17.n]).toEqual(['indicative', 'reproduces', 1]);
    expect(c17.setting).toContain('verdict from the bench row (no cell was timed on quiet cores)');
    // a range straddling 1× cannot lean either way; < 3 repeats or no row gives no verdict
    expect(get([speed('uniform', 0.8, 1.5)], 17).reproduces).toBe('inconclusive');
    expect(get([speed('uniform', 4, 8, 2)], 17).reproduces).toBe('n/a');
    expect(get([], 17).reproduces).toBe('n/a');
    // claim 4: both modes' rows, as runtime reductions 1 − 1/ratio (ratio 4 → 75 %, 5 → 80 %)
    const c4 = get([speed('class', 4, 4), speed('uniform', 5, 5)], 4);
    expect(c4.ours).toContain(
      'bench rows (single round, median of 3 interleaved repeats): class 75.0 % (75.0–75.0 %), uniform 80.0 %',
    );
    expect([c4.reproduces, c4.leaning]).toEqual(['indicative', 'reproduces']);
    // claim 5 from the end-to-end rows; wholly below 1× in both modes → leaning does not
    const c5 = get([e2e('class', 0.5, 0.9), e2e('uniform', 0.6, 0.8)], 5);
    expect([c5.reproduces, c5.leaning]).toEqual(['indicative', 'does not']);
    expect(c5.source).toContain('unlearn.acf_dc_end_to_end_vs_cf_speedup.class');
  });
});
