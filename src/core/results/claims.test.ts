import { describe, expect, it } from 'vitest';
import type { ExperimentResult, MethodName, MethodResult } from '../contracts';
import { buildClaims, claimsMarkdown, memoNote, NOT_COMPUTABLE, VACUOUS } from './claims';
import { epochsOf, paperSpecFor } from './budgets';
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

describe('issue 20: vacuous claims, claims out of reach, claims 2 / 18 / 19', () => {
  const withOriginal = (c: ExperimentResult, metrics: ExperimentResult['pretrain']['metrics'], trainAcc = 99) => ({
    ...c,
    pretrain: { ...c.pretrain, trainAcc, metrics },
  });
  const uniformCells = (original: ExperimentResult['pretrain']['metrics'], trainAcc = 99) => {
    const cells: Record<string, ExperimentResult> = {};
    [0, 1, 2].forEach((s) => {
      const j = (s - 1) * 0.5;
      cells[`single-uniform-seed${s}`] = withOriginal(
        cell(s, [
          m('Retrain', 99, 80, 50, 50),
          m('CF', 95, 70, 60 + j, 58),
          m('A-CF', 93, 70, 63 + j, 60),
          m('SCRUB', 90, 65, 80, 75),
        ]),
        original,
        trainAcc,
      );
    });
    return cells;
  };
  const c20 = (experiments: Record<string, ExperimentResult>) =>
    buildClaims({ experiments, condensation: [] }).find((c) => c.id === 20 && c.claim.includes('(uniform'))!;

  it('claim 20 is "vacuous at this setting" when the untouched Original passes it too, never "reproduces"', () => {
    // the Original: retain 94, test 70, forget 62, MIA 59 → shortfalls 1, 0, |62−50|−10 = 2, |59−50|−8 = 1 → 2 ≤ 5
    const passing = c20(uniformCells({ retainAcc: 94, testAcc: 70, forgetAcc: 62, mia: 59, lossMia: 50 }));
    expect(passing.reproduces).toBe(VACUOUS);
    expect(passing.ours).toContain('Original shortfall 2.0');
    expect(passing.rule).toContain('Original (no unlearning) also passes');
    expect(claimsMarkdown([passing])).toContain(`| ${VACUOUS} |`);
    // an Original that remembers its forget set (forget 99 → shortfall 39) leaves the verdict standing
    const failing = c20(uniformCells({ retainAcc: 94, testAcc: 70, forgetAcc: 99, mia: 59, lossMia: 50 }));
    expect(failing.reproduces).toBe('reproduces');
    expect(failing.ours).toContain('Original shortfall 39.0');
  });

  it('rows over originals that do not memorise say so (memorisationNote); memorising ones add nothing', () => {
    const orig = { retainAcc: 94, testAcc: 70, forgetAcc: 99, mia: 59, lossMia: 50 };
    expect(c20(uniformCells(orig, 80.14)).setting).toContain('original does not memorise (train 80.1 %)');
    expect(c20(uniformCells(orig, 99)).setting).not.toContain('memorise');
    expect(memoNote([['a', withOriginal(cell(0, []), orig, 90)], ['b', withOriginal(cell(1, []), orig, 94.4)]])).toBe(
      '; original does not memorise (train ≤ 94.4 %)',
    );
  });

  it('every claim of spec §9 (1–30) has a row; the ones out of reach say "not computable here" with a reason', () => {
    const claims = buildClaims({ experiments: {}, condensation: [] });
    const ids = new Set(claims.map((c) => c.id));
    for (let i = 1; i <= 30; i++) expect(ids.has(i), `claim ${i}`).toBe(true);
    const out = claims.filter((c) => c.reproduces === NOT_COMPUTABLE);
    expect(out.map((c) => c.id).sort((a, b) => Number(a) - Number(b))).toEqual([
      6, 7, 9, 10, 11, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
    for (const c of out) expect(c.setting.length, `claim ${c.id}`).toBeGreaterThan(20);
    expect(out.find((c) => c.id === 10)!.setting).toContain('no SVHN offline');
    expect(out.find((c) => c.id === 22)!.setting).toMatch(/CINIC-10.*GPU/);
    expect(out.find((c) => c.id === 28)!.setting).toContain('no multi-round cell');
    expect(claimsMarkdown(out)).toContain('| not computable here |');
  });

  it('claims 25–30 are computed from a multi-round cell when one exists', () => {
    const r = (name: MethodName, withDC: boolean, round: number, s: number, testAcc = 60, mia = 55): MethodResult => ({
      ...m(name, 90, testAcc, 50, mia, s),
      withDC,
      round,
      overheadSeconds: withDC ? 2 : 0,
    });
    const methods: MethodResult[] = [];
    for (const round of [0, 1, 2]) {
      methods.push(
        r('CF', false, round, 40),
        r('CF', true, round, 30),
        r('A-CF', false, round, 10),
        r('A-CF', true, round, 8 - 2 * round),
        r('SCRUB', false, round, 20, round === 2 ? 20 : 60, 52),
        r('SCRUB', true, round, 15, 60, 60),
      );
    }
    const multi = { ...cell(0, methods), pretrain: { seconds: 0, testAcc: 70, trainAcc: 99, reused: false } };
    const claims = buildClaims({ experiments: { 'multi-uniform-seed0': multi }, condensation: [] });
    const get = (id: number) => claims.find((c) => c.id === id)!;
    expect(get(25).ours).toMatch(/^50\.0 pp/); // 70 − 20
    expect(get(26).ours).toMatch(/^8\.0/); // 60 − 52
    expect(get(27).ours).toMatch(/^-25\.0%/); // 90 / 120 − 1
    expect(get(28).ours).toMatch(/^4\.00×/);
    expect(get(29).ours).toMatch(/^0\.0%/); // (8 + 2) / 10 − 1
    expect(get(30).ours).toMatch(/^-40\.0%/); // (4 + 2) / (8 + 2) − 1
    for (const id of [25, 26, 27, 28, 30]) expect(get(id).reproduces, `claim ${id}`).toBe('indicative');
    expect(get(28).setting).toContain("not the paper's CINIC-10");
  });

  it('claim 1 reads the paper\'s 44 % as a size: the reduced retain set as % of the retain set, not 1 − that', () => {
    // per seed class 38 + s and uniform 44 + s of 100 retain images → sizes 41, 42, 43 (mean 42, inside 44 ± 10);
    // the reduction reading would give 58 and fail the same rule
    const mk = (mode: 'class' | 'uniform', seed: number, reduced: number): ExperimentResult => ({
      ...cell(seed, [m('Retrain', 99, 80, 50, 50)]),
      spec: validateSpec(mergeSpec(DEFAULT_SPEC, { seed, forget: { mode, class: 4, fraction: 0.1 } })),
      condense: { retainSize: 100, reducedRetainSize: reduced } as ExperimentResult['condense'],
    });
    const experiments: Record<string, ExperimentResult> = {};
    for (const seed of [0, 1, 2]) {
      experiments[`single-class-seed${seed}`] = mk('class', seed, 38 + seed);
      experiments[`single-uniform-seed${seed}`] = mk('uniform', seed, 44 + seed);
    }
    const c1 = buildClaims({ experiments, condensation: [] }).find((c) => c.id === 1)!;
    expect(c1.ours).toMatch(/^42\.0 ± /);
    expect(c1.reproduces).toBe('reproduces');
    expect(c1.claim).toContain('size reading');
  });

  it('claim 2 extrapolates CF to the paper epochs; 18 / 19 compare A-CF + Blend end to end with A-CF alone', () => {
    const spec = validateSpec(mergeSpec(DEFAULT_SPEC, { unlearn: { epochScale: 0.1 } }));
    const cf = epochsOf(spec, 'CF', 'cf_epochs')!;
    const paperCf = epochsOf(paperSpecFor(spec), 'CF', 'cf_epochs')!;
    const mk = (mode: 'class' | 'uniform', seed: number): ExperimentResult => {
      const base = cell(seed, [
        { ...m('CF', 90, 60, 50, 50, 10), withDC: true, overheadSeconds: 5 },
        m('A-CF', 90, 60, 50, 50, 20),
        { ...m('A-CF', 90, 60, 50, 50, mode === 'class' ? 10 : 20), withDC: true, overheadSeconds: 5 },
      ]);
      return {
        ...base,
        spec: validateSpec(mergeSpec(spec, { seed, forget: { mode, class: 4, fraction: 0.1 } })),
        condense: {
          ipc: 10,
          round: 0,
          kmeansSeconds: 3,
          partitionSeconds: 0,
          blendSeconds: 2,
          retainSize: 100,
          reducedRetainSize: 50,
          freeClusters: 10,
          residualImages: 40,
          emptyClusters: 0,
        } as ExperimentResult['condense'],
      };
    };
    const experiments = { 'single-class-seed0': mk('class', 0), 'single-uniform-seed0': mk('uniform', 0) };
    const claims = buildClaims({ experiments, condensation: [] });
    const c2 = claims.find((c) => c.id === 2)!;
    const share = (100 * 5) / ((10 * paperCf) / cf);
    expect(c2.ours).toMatch(new RegExp(`^${share.toFixed(1)} ± 0\\.0% \\(n = 2\\)`));
    expect(c2.ours).toContain('(extrapolated)');
    expect(c2.setting).toContain(`CF epochs ${cf} → ${paperCf}`);
    expect(claims.find((c) => c.id === 18)!.ours).toMatch(/^-25\.0%/); // (10 + 5) / 20 − 1
    expect(claims.find((c) => c.id === 19)!.ours).toMatch(/^25\.0%/); // (20 + 5) / 20 − 1
    // cells timed on shared cores: quoted as context, no verdict
    const shared = buildClaims({ experiments, condensation: [], sharedCores: Object.keys(experiments) });
    const s18 = shared.find((c) => c.id === 18)!;
    expect(s18.reproduces).toBe('n/a');
    expect(s18.ours).toContain('shared cores (not used for the verdict): -25.0%');
  });
});
