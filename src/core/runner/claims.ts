/**
 * The paper's claims (spec §9) next to our numbers. Pure: takes the finished cells of `reproduce`, returns rows.
 * A claim is "yes" when our number meets the paper's statement in direction and within the stated tolerance,
 * "no" when it does not, "n/a" when this run has no cell that measures it.
 */
import type { ExperimentResult, MethodResult } from '../contracts';
import type { BenchRow } from './bench-rows';

export interface CellResults {
  experiments: Record<string, ExperimentResult>;
  condensation: BenchRow[];
}

export interface Claim {
  /** the row number in spec §9 ('15b': a second check of the same row) */
  id: number | string;
  claim: string;
  paper: string;
  ours: string;
  setting: string;
  reproduces: 'yes' | 'no' | 'partly' | 'n/a';
  source: string;
}

function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
const fmt = (s: { mean: number; std: number; n: number }, d = 1, unit = '') =>
  s.n === 0 || !Number.isFinite(s.mean) ? '–' : s.n > 1 ? `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}${unit}` : `${s.mean.toFixed(d)}${unit}`;

function cellsOf(c: CellResults, prefix: string): Array<[string, ExperimentResult]> {
  return Object.entries(c.experiments).filter(([id]) => id.startsWith(prefix));
}
function method(r: ExperimentResult, name: string, withDC: boolean, round = 0): MethodResult | undefined {
  return r.methods.find((m) => m.name === name && m.withDC === withDC && m.round === round);
}
function sumRounds(r: ExperimentResult, name: string, withDC: boolean, withOverhead: boolean): number {
  return r.methods.filter((m) => m.name === name && m.withDC === withDC).reduce((a, m) => a + m.unlearnSeconds + (withOverhead ? m.overheadSeconds : 0), 0);
}

export function buildClaims(c: CellResults): Claim[] {
  const claims: Claim[] = [];
  const single = (mode: 'class' | 'uniform') => cellsOf(c, `single-${mode}-`);
  const multi = cellsOf(c, 'multi-');
  const src = (cells: Array<[string, unknown]>) => cells.map(([id]) => `cells/${id}.json`).join(', ') || '–';
  const settingOf = (cells: Array<[string, ExperimentResult]>) => {
    const s = cells[0]?.[1].spec;
    return s ? `${s.dataset} ${s.trainPerClass || 'all'}/class, ${s.model.arch} w${s.model.width}, epochs ×${s.unlearn.epochScale}, IPC ${s.condense.ipc}` : '–';
  };

  // 1: average retained-set reduction
  {
    const red = [...single('class'), ...single('uniform')].map(([, r]) => r.condense).filter(Boolean).map((x) => 100 * (1 - x!.reducedRetainSize / x!.retainSize));
    const s = meanStd(red);
    claims.push({ id: 1, claim: 'Average retained-set reduction by Blend', paper: '44%', ours: fmt(s, 1, '%'), setting: `mean of class and 10% uniform; ${settingOf(single('class'))}`,
      reproduces: s.n === 0 ? 'n/a' : Math.abs(s.mean - 44) <= 10 ? 'yes' : 'no', source: src([...single('class'), ...single('uniform')]) });
  }
  // 12, 14: reduced retain sizes
  for (const [id, mode, paper] of [[12, 'class', 20.0], [14, 'uniform', 60.2]] as const) {
    const cells = single(mode);
    const pct = cells.map(([, r]) => r.condense).filter(Boolean).map((x) => (100 * x!.reducedRetainSize) / x!.retainSize);
    const s = meanStd(pct);
    const bench = c.condensation.find((r) => r.id === (mode === 'class' ? 'reduced_retain.class_ipc1000_pct' : 'reduced_retain.uniform10_ipc1000_pct'));
    const ours = fmt(s, 1, '%') + (bench ? `; condensation cell: ${bench.value.toFixed(1)}% (${bench.setting})` : '');
    const val = bench ? bench.value : s.mean;
    claims.push({ id, claim: `CIFAR-10 ${mode === 'class' ? 'class removal' : '10% uniform'}: reduced retain size`, paper: `${paper}% of retain`, ours, setting: settingOf(cells),
      reproduces: !Number.isFinite(val) ? 'n/a' : Math.abs(val - paper) <= (mode === 'class' ? 0.5 : 10) ? 'yes' : 'no', source: src(cells) + (bench ? ', bench condensation' : '') });
  }
  // 16, 17: A-CF vs CF speed
  for (const [id, mode, paper] of [[16, 'class', 7.6], [17, 'uniform', 7.4]] as const) {
    const cells = single(mode);
    const ratio = cells.map(([, r]) => { const a = method(r, 'A-CF', false), f = method(r, 'CF', false); return a && f ? f.unlearnSeconds / a.unlearnSeconds : NaN; }).filter(Number.isFinite);
    const s = meanStd(ratio);
    claims.push({ id, claim: `A-CF vs CF speed-up, w/o DC, ${mode} forgetting`, paper: `${paper}× (CIFAR-10 R18, GPU)`, ours: fmt(s, 1, '×'), setting: settingOf(cells),
      reproduces: s.n === 0 ? 'n/a' : s.mean >= 5 ? 'yes' : s.mean > 1 ? 'partly' : 'no', source: src(cells) });
  }
  // 4: A-AMU runtime reduction single / multi
  {
    const singleRed = [...single('class'), ...single('uniform')].map(([, r]) => { const a = method(r, 'A-CF', false), f = method(r, 'CF', false); return a && f ? 100 * (1 - a.unlearnSeconds / f.unlearnSeconds) : NaN; }).filter(Number.isFinite);
    const multiRed = multi.flatMap(([, r]) => [['A-CF', 'CF'], ['A-SCRUB', 'SCRUB'], ['A-L1-Sparse', 'L1-Sparse']].map(([a, b]) => { const ta = sumRounds(r, a, false, false), tb = sumRounds(r, b, false, false); return tb > 0 && ta > 0 ? 100 * (1 - ta / tb) : NaN; })).filter(Number.isFinite);
    const s1 = meanStd(singleRed), s2 = meanStd(multiRed);
    claims.push({ id: 4, claim: 'A-AMU runtime reduction vs its base method, single / multi-round', paper: '76.82% / 51.83%', ours: `${fmt(s1, 1, '%')} / ${fmt(s2, 1, '%')}`, setting: 'single: A-CF vs CF; multi: A-CF/CF, A-SCRUB/SCRUB, A-L1/L1 summed over 3 rounds',
      reproduces: s1.n === 0 ? 'n/a' : s1.mean >= 50 && (s2.n === 0 || s2.mean > 0) ? 'yes' : s1.mean > 0 ? 'partly' : 'no', source: src([...single('class'), ...single('uniform'), ...multi]) });
  }
  // 5: end-to-end speed-up Blend + A-AMU
  {
    const e2e1 = [...single('class'), ...single('uniform')].map(([, r]) => { const a = method(r, 'A-CF', true), f = method(r, 'CF', false); return a && f ? 100 * (1 - (a.unlearnSeconds + a.overheadSeconds) / f.unlearnSeconds) : NaN; }).filter(Number.isFinite);
    const e2e2 = multi.map(([, r]) => { const ta = sumRounds(r, 'A-CF', true, true), tb = sumRounds(r, 'CF', false, false); return ta > 0 && tb > 0 ? 100 * (1 - ta / tb) : NaN; }).filter(Number.isFinite);
    const s1 = meanStd(e2e1), s2 = meanStd(e2e2);
    claims.push({ id: 5, claim: 'End-to-end speed-up (Blend + A-CF incl. condensation overhead) vs CF, single / multi-round', paper: '84.61% / 54.45%', ours: `${fmt(s1, 1, '%')} / ${fmt(s2, 1, '%')}`, setting: 'A-CF w/ DC (unlearning + k-means + partition + Blend) vs CF w/o DC',
      reproduces: s1.n === 0 ? 'n/a' : s1.mean >= 50 ? 'yes' : s1.mean > 0 ? 'partly' : 'no', source: src([...single('class'), ...single('uniform'), ...multi]) });
  }
  // 13, 15: Retrain with Blend
  for (const [id, mode, paperT, paperAcc] of [[13, 'class', -75.7, -17.9], [15, 'uniform', -37.8, -6.2]] as const) {
    const cells = single(mode);
    const dt = cells.map(([, r]) => { const a = method(r, 'Retrain', true), b = method(r, 'Retrain', false); return a && b ? 100 * (a.unlearnSeconds / b.unlearnSeconds - 1) : NaN; }).filter(Number.isFinite);
    const dacc = cells.map(([, r]) => { const a = method(r, 'Retrain', true), b = method(r, 'Retrain', false); return a && b ? a.metrics.testAcc - b.metrics.testAcc : NaN; }).filter(Number.isFinite);
    const s1 = meanStd(dt), s2 = meanStd(dacc);
    claims.push({ id, claim: `Retraining with Blend, ${mode === 'class' ? 'class removal' : '10% uniform'}: time change, test-accuracy change`, paper: `${paperT}% time, ${paperAcc} pp test`, ours: `${fmt(s1, 1, '%')} time, ${fmt(s2, 1, ' pp')} test`, setting: settingOf(cells),
      reproduces: s1.n === 0 ? 'n/a' : s1.mean < 0 && s2.mean < 0 ? 'yes' : s1.mean < 0 ? 'partly' : 'no', source: src(cells) });
  }
  // MIA ≈ 50 for retrain (uniform)
  {
    const cells = single('uniform');
    const mia = cells.map(([, r]) => method(r, 'Retrain', false)?.metrics.mia ?? NaN).filter(Number.isFinite);
    const s = meanStd(mia);
    claims.push({ id: '15b', claim: 'Retrain MIA ≈ 50 (10% uniform, w/o DC)', paper: '50.47', ours: fmt(s, 2), setting: settingOf(cells), reproduces: s.n === 0 ? 'n/a' : Math.abs(s.mean - 50) <= 5 ? 'yes' : 'no', source: src(cells) });
  }
  // 20: A-CF within 5 pp of retrain on forget acc and MIA
  for (const mode of ['class', 'uniform'] as const) {
    const cells = single(mode);
    const gaps = cells.map(([, r]) => { const a = method(r, 'A-CF', false), b = method(r, 'Retrain', false); return a && b ? Math.max(Math.abs(a.metrics.forgetAcc - b.metrics.forgetAcc), Math.abs(a.metrics.mia - b.metrics.mia)) : NaN; }).filter(Number.isFinite);
    const s = meanStd(gaps);
    claims.push({ id: 20, claim: `A-CF forget accuracy and MIA within 5 pp of Retrain (${mode})`, paper: '≤ 5 pp', ours: `max gap ${fmt(s, 1, ' pp')}`, setting: settingOf(cells), reproduces: s.n === 0 ? 'n/a' : s.mean <= 5 ? 'yes' : 'no', source: src(cells) });
  }
  // 3, 8: condensation
  {
    const row = (id: string) => c.condensation.find((r) => r.id === id);
    const sp = row('blend.vs_dm_speedup');
    claims.push({ id: 3, claim: 'Blend speed vs DM (paper iteration counts)', paper: '≈1500×', ours: sp ? `${sp.value.toFixed(0)}×` : '–', setting: sp?.setting ?? '–', reproduces: !sp ? 'n/a' : sp.value >= 1000 ? 'yes' : 'no', source: sp ? 'cells/condensation-ipc10.json' : '–' });
    const b = row('blend.ipc10_test_acc'), d = row('dm.ipc10_test_acc'), rr = row('random.ipc10_test_acc');
    claims.push({ id: 8, claim: 'Test accuracy of ConvNet trained on IPC-10 CIFAR-10 (Blend / DM / random real)', paper: 'Blend 35.03%, DM 32.2%, random ≈26%', ours: b ? `Blend ${b.value.toFixed(1)}%, DM ${d?.value.toFixed(1) ?? '–'}%, random ${rr?.value.toFixed(1) ?? '–'}%` : '–', setting: b?.setting ?? '–',
      reproduces: !b ? 'n/a' : b.value >= 30 && (!rr || b.value >= rr.value) ? 'yes' : rr && b.value >= rr.value ? 'partly' : 'no', source: b ? 'cells/condensation-ipc10.json' : '–' });
  }
  return claims;
}

export function claimsMarkdown(claims: Claim[]): string {
  const lines = ['| # | claim (paper §9) | paper | ours | setting | reproduces | from |', '|---|---|---|---|---|---|---|'];
  for (const c of claims) lines.push(`| ${c.id} | ${c.claim} | ${c.paper} | ${c.ours} | ${c.setting} | ${c.reproduces} | ${c.source} |`);
  return lines.join('\n');
}
