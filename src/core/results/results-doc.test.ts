import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  RESULTS_BEGIN,
  RESULTS_DOC,
  RESULTS_END,
  auditLines,
  loadResultsInputs,
  renderReadmeBlock,
  renderResultsDoc,
  spliceReadme,
  type ResultsInputs,
} from './results-doc';

// Issue 20 item 1: numbers in prose come from data. The generated results document and README.md's results block
// are what the committed JSON gives, byte for byte; outside generated blocks, results prose carries no figure
// unless it names the JSON value it quotes (the convention below).
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string) => (existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : null);
const inputs = () => loadResultsInputs(read);
const readme = read('README.md')!;

describe('the generated results document and README block', () => {
  it('regenerating from the committed JSON reproduces both byte for byte (else run npm run results-doc)', () => {
    const x = inputs();
    expect(renderResultsDoc(x)).toBe(read(RESULTS_DOC));
    expect(spliceReadme(readme, renderReadmeBlock(x))).toBe(readme);
  });

  it('changing one committed JSON value changes the output, so the byte-for-byte check fails', () => {
    const x = inputs();
    const bump = (mutate: (y: ResultsInputs) => void) => {
      const y = structuredClone(x);
      mutate(y);
      return y;
    };
    const speed = bump((y) => {
      y.bench.rows.find((r) => r.id === 'unlearn.acf_vs_cf_speedup.uniform')!.value += 1;
    });
    expect(spliceReadme(readme, renderReadmeBlock(speed))).not.toBe(readme);
    expect(renderResultsDoc(speed)).not.toBe(read(RESULTS_DOC));
    const claim = bump((y) => {
      y.claims[0].rows[0].ours += ' changed';
    });
    expect(renderResultsDoc(claim)).not.toBe(read(RESULTS_DOC));
    const sweep = bump((y) => {
      y.tradeoff.gapsToRetrain[0].mia.mean += 1;
    });
    expect(renderResultsDoc(sweep)).not.toBe(read(RESULTS_DOC));
  });

  it('says what it knows about the scaling study: not yet run, partial, complete', () => {
    const x = inputs();
    expect(renderResultsDoc({ ...x, scaling: null })).toContain('not yet run');
    const points = [
      { size: 150, seed: 0, method: 'Original' },
      { size: 150, seed: 0, method: 'Retrain' },
    ];
    const partial = renderResultsDoc({ ...x, scaling: { points, missing: ['150/0 CF', '150/0 A-CF'] } });
    expect(partial).toContain('partial: 2 of 4 pieces');
    // a size not started lists nothing as missing: the plan (sizes × seeds × 4 pieces) says what is left
    const planned = renderResultsDoc({ ...x, scaling: { sizes: [150, 300], seeds: [0, 1, 2], points, missing: [] } });
    expect(planned).toContain('partial: 2 of 24 pieces');
    const done = renderResultsDoc({
      ...x,
      scaling: {
        points: ['Original', 'Retrain', 'CF', 'A-CF'].map((method) => ({ size: 150, seed: 0, method })),
        sizes: [150],
        seeds: [0],
        missing: [],
        thresholds: [{ size: 150, n: 3, passes: null }],
      },
    });
    expect(done).toContain('complete: 4 pieces');
    expect(done).toContain('not reached within 16 passes');
  });

  it('answers "does one pass suffice?" from the 1-pass gaps, and flags an extrapolation that leaves the data', () => {
    const x = inputs();
    const gap = (mean: number, lo: number, hi: number) => ({ mean, ci95: [lo, hi] as [number, number], n: 3 });
    const scaling = (forgetLo: number, predicted: number) => ({
      points: [],
      missing: [],
      thresholds: [{ size: 150, n: 3, passes: null }],
      gapsToRetrain: [
        { size: 150, method: 'A-CF', passes: 1, gaps: { forgetAcc: gap(5, forgetLo, 9), mia: gap(1, -2, 4) } },
      ],
      extrapolations: [
        { method: 'A-CF', passes: 1, metric: 'forgetAcc', n: 3, sizes: [150], at: 45000, predicted, ci95: [0, 1] as [number, number] },
      ],
    });
    expect(renderResultsDoc({ ...x, scaling: scaling(1, 5) })).toContain('both within noise at 0 of the 1 sizes');
    expect(renderResultsDoc({ ...x, scaling: scaling(-1, 5) })).toContain('both within noise at 1 of the 1 sizes');
    expect(renderResultsDoc({ ...x, scaling: scaling(1, 5) })).not.toContain('the line leaves the data');
    expect(renderResultsDoc({ ...x, scaling: scaling(1, -20) })).toContain('the line leaves the data');
  });

  it('audit: per-example next to population, and rankings that count only what both attacks can tell apart', () => {
    expect(auditLines(null)[0]).toContain('not yet run');
    const rep = (method: string, auc: number, pop: number) => ({
      seed: 0,
      report: {
      method,
      members: 10,
      nonMembers: 10,
      auc,
      aucCi: [auc - 0.02, auc + 0.02] as [number, number],
      tpr: [0.5, 0.6],
      tprCi: [
        [0.4, 0.6],
        [0.5, 0.7],
      ] as Array<[number, number]>,
      population: {
        auc: pop,
        aucCi: [pop - 0.02, pop + 0.02] as [number, number],
        tpr: [0.1, 0.2],
        tprCi: [
          [0, 0.2],
          [0.1, 0.3],
        ] as Array<[number, number]>,
      },
      },
    });
    const agree = auditLines({ fprs: [0.01, 0.05], reports: [rep('Original', 0.9, 0.8), rep('Retrain', 0.5, 0.5)] });
    expect(agree.join('\n')).toContain('per-example AUC 90.0 % [88.0, 92.0], TPR @ 1 % FPR 50.0 % [40.0, 60.0]');
    expect(agree.at(-1)).toContain('Of 1 method pairs, 1 are told apart by both attacks');
    expect(agree.at(-1)).toContain('0 of those are ranked differently');
    const flip = auditLines({ fprs: [0.01, 0.05], reports: [rep('CF', 0.9, 0.5), rep('A-CF', 0.6, 0.8)] });
    expect(flip.at(-1)).toContain('1 of those are ranked differently');
    const close = auditLines({ fprs: [0.01, 0.05], reports: [rep('CF', 0.9, 0.5), rep('A-CF', 0.89, 0.8)] });
    expect(close.at(-1)).toContain('0 are told apart');
  });

  it('audit over seeds: paired differences under each attack decide what is ordered, and the answer follows them', () => {
    const rep = (seed: number, method: string, auc: number, pop: number) => ({
      seed,
      report: {
        method,
        auc,
        aucCi: [auc - 0.05, auc + 0.05] as [number, number],
        population: { auc: pop, aucCi: [pop - 0.05, pop + 0.05] as [number, number], tpr: [0.1], tprCi: [] },
      },
    });
    const run = (rows: Array<[string, number[], number[]]>) =>
      auditLines({
        fprs: [0.01],
        reports: rows.flatMap(([m, per, pop]) => per.map((a, s) => rep(s, m, a, pop[s]))),
      }).join('\n');
    expect(run([['Original', [0.9], [0.6]]])).not.toContain('Over ');
    // consistent gaps under both attacks: ordered alike
    const alike = run([
      ['Original', [0.9, 0.91, 0.92], [0.6, 0.61, 0.6]],
      ['Retrain', [0.5, 0.49, 0.51], [0.5, 0.5, 0.51]],
      ['A-CF', [0.7, 0.72, 0.71], [0.5, 0.6, 0.45]],
    ]);
    expect(alike).toContain('**Over 3 seeds** (0, 1, 2');
    expect(alike).toMatch(/Original 91\.0 ± [\d.]+ \(n = 3\) \/ 60\.3 ± [\d.]+ \(n = 3\)/);
    expect(alike).toContain('per-example Original > A-CF > Retrain');
    expect(alike).toContain('Of 3 method pairs, 1 are ordered by both attacks');
    expect(alike).toContain('0 of those are ordered differently; 2 are ordered by the per-example attack only');
    expect(alike).toContain('they order them alike; the per-example attack orders more pairs');
    // the population attack reverses a pair the per-example attack also orders: a disagreement, named
    const flip = run([
      ['CF', [0.9, 0.91, 0.92], [0.5, 0.51, 0.5]],
      ['A-CF', [0.6, 0.62, 0.61], [0.7, 0.7, 0.72]],
    ]);
    expect(flip).toContain('1 of those are ordered differently (CF − A-CF: per-example +');
    expect(flip).toContain('order some pairs differently');
    // noise: nothing ordered by both
    const noise = run([
      ['CF', [0.9, 0.5, 0.7], [0.5, 0.7, 0.6]],
      ['A-CF', [0.6, 0.8, 0.7], [0.7, 0.5, 0.6]],
    ]);
    expect(noise).toContain('cannot say whether the two attacks rank the methods alike');
  });

  it('states the budget, its gaps and the cores of every speed-up', () => {
    const doc = renderResultsDoc(inputs());
    for (const line of doc.split('\n').filter((l) => /faster than CF \(range/.test(l))) {
      expect(line).toMatch(/1 pass \(\d+ Adam steps\)/);
      expect(line).toMatch(/gaps to Retrain do not close: forget \+[\d.]+ pp, MIA \+[\d.]+/);
      expect(line).toMatch(/load average/);
      expect(line).toMatch(/With DC, A-CF is [\d.]+× slower end to end/);
    }
  });

  it('names what is missing or malformed, by file', () => {
    expect(() => loadResultsInputs((p) => (p === 'results/bench.json' ? null : read(p)))).toThrow(
      'results/bench.json: missing',
    );
    expect(() => loadResultsInputs((p) => (p === 'results/profile.json' ? '{' : read(p)))).toThrow(
      /^results\/profile\.json: not JSON/,
    );
    expect(() => spliceReadme('# no block\n', 'x')).toThrow(RESULTS_BEGIN);
  });
});

/**
 * The convention for figures in results prose: a number with a unit (%, pp, ×, s, min, h, img/s, ms) outside a
 * generated block must sit on a line that carries `<!-- data: FILE#/json/pointer -->`, and the pointed value,
 * printed at the figure's precision, must be that figure. Generated blocks are README.md's results block and the
 * whole of results/README.md.
 */
const FIGURE = /(?<![\w.])-?\d[\d,]*(?:\.\d+)?\s?(?:%|pp\b|×|x\b|s\b|min\b|h\b|img\/s|ms\b)/g;
const POINTER = /<!-- data: ([^#\s]+)#(\/[^\s]*) -->/g;

function pointerValue(file: string, pointer: string): unknown {
  const text = read(file);
  if (text === null) throw new Error(`${file}: missing`);
  let v: unknown = JSON.parse(text);
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    v = (v as Record<string, unknown> | undefined)?.[key];
  }
  return v;
}

/** The figures of `text` that are neither in a generated block nor tied to the JSON by a pointer that matches. */
export function untiedFigures(text: string, where: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  text.split('\n').forEach((line, i) => {
    if (line.includes(RESULTS_BEGIN)) inBlock = true;
    if (inBlock) {
      if (line.includes(RESULTS_END)) inBlock = false;
      return;
    }
    const figures = [...line.matchAll(FIGURE)].map((m) => m[0]);
    if (!figures.length) return;
    const values = [...line.matchAll(POINTER)].map((m) => pointerValue(m[1], m[2]));
    for (const fig of figures) {
      const num = /-?\d[\d,]*(?:\.\d+)?/.exec(fig)![0].replace(/,/g, '');
      const digits = num.includes('.') ? num.split('.')[1].length : 0;
      const tied = values.some((v) => typeof v === 'number' && v.toFixed(digits) === num);
      if (!tied) out.push(`${where}:${i + 1}: ${fig}`);
    }
  });
  return out;
}

/**
 * README.md and the hand-written notes beside committed results. The docs paragraphs that used to quote results now
 * link the generated document; docs/ as a whole is not checked here, because its figures are mostly settings, rules
 * and paper values (budgets, the forgetting fraction, thresholds) that no results JSON holds.
 */
const RESULTS_PROSE = ['README.md', 'results/reference/README.md', 'results/reproduce/tradeoff/README.md'];

describe('figures in results prose come from data', () => {
  it('README.md outside its results block and the hand-written results prose carry no untied figure', () => {
    expect(RESULTS_PROSE.flatMap((f) => untiedFigures(read(f)!, f))).toEqual([]);
  });

  it('flags an untied figure, accepts a pointer that matches and rejects one that does not', () => {
    expect(untiedFigures('A-CF is 7.7× faster.', 'x.md')).toEqual(['x.md:1: 7.7×']);
    const p = '<!-- data: results/bench.json#/rows/0/value -->';
    const v = (pointerValue('results/bench.json', '/rows/0/value') as number).toFixed(2);
    expect(untiedFigures(`Batched Blend is ${v}× faster ${p}`, 'x.md')).toEqual([]);
    expect(untiedFigures(`Batched Blend is 99.99× faster ${p}`, 'x.md')).toEqual(['x.md:1: 99.99×']);
    expect(untiedFigures(`${RESULTS_BEGIN}\n7.7×\n${RESULTS_END}`, 'x.md')).toEqual([]);
  });
});
