/**
 * Views of an ExperimentResult: the paper-style markdown table (methods × MIA / retain / forget / test / time,
 * w/o DC | w/ DC), used by the CLI and the page's reproduce report, and a flat CSV (`resultCsv`; the page's CSV
 * export is `resultsCsv` in src/app/runState.ts). Pure functions.
 */
import type { ExperimentResult, MethodResult } from '../contracts';

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

/** Methods of one round grouped by name: [without DC, with DC]. */
export function pairByMethod(methods: MethodResult[], round = 0): Array<{ name: string; without?: MethodResult; with?: MethodResult }> {
  const rows = new Map<string, { name: string; without?: MethodResult; with?: MethodResult }>();
  for (const m of methods) {
    if (m.round !== round) continue;
    const row = rows.get(m.name) ?? { name: m.name };
    if (m.withDC) row.with = m; else row.without = m;
    rows.set(m.name, row);
  }
  return [...rows.values()];
}

/**
 * The paper-style table of one round (methods × MIA / retain / forget / test / time, w/o DC | w/ DC), plus the
 * loss-LR MIA and, for class forgetting, test accuracy over the retained classes. Brackets: gap to Retrain (the
 * reference) in the same arm. With DC, time = unlearning + condensation overhead = end-to-end.
 */
export function markdownTable(result: ExperimentResult, round = 0): string {
  const rows = pairByMethod(result.methods, round);
  const hasWith = rows.some((r) => r.with);
  const hasWithout = rows.some((r) => r.without);
  const arms: Array<'without' | 'with'> = [...(hasWithout ? ['without' as const] : []), ...(hasWith ? ['with' as const] : [])];
  const classMode = result.methods.some((m) => m.metrics.testAccRetained !== undefined);
  const ref = rows.find((r) => r.name === 'Retrain');
  type Key = 'mia' | 'lossMia' | 'retainAcc' | 'forgetAcc' | 'testAcc' | 'testAccRetained';
  const cols: Array<{ key: Key; label: string; digits: number }> = [
    { key: 'mia', label: 'MIA', digits: 2 }, { key: 'lossMia', label: 'Loss-MIA', digits: 1 },
    { key: 'retainAcc', label: 'Retain', digits: 1 }, { key: 'forgetAcc', label: 'Forget', digits: 1 },
    { key: 'testAcc', label: 'Test', digits: 1 },
    ...(classMode ? [{ key: 'testAccRetained' as const, label: 'Test (retained cls)', digits: 1 }] : []),
  ];
  const head = ['Method'];
  for (const a of arms) {
    const tag = a === 'with' ? 'w/ DC' : 'w/o DC';
    for (const c of cols) head.push(`${c.label} (${tag})`);
    head.push(`Time s (${tag})`);
  }
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [r.name];
    for (const a of arms) {
      const m = r[a];
      const rm = ref?.[a];
      if (!m) { cells.push(...cols.map(() => '–'), '–'); continue; }
      for (const c of cols) {
        const v = m.metrics[c.key];
        const rv = rm?.metrics[c.key];
        const gap = v !== undefined && rv !== undefined && r.name !== 'Retrain' ? ` (${v - rv >= 0 ? '+' : ''}${(v - rv).toFixed(1)})` : '';
        cells.push((c.digits === 2 ? f2(v) : f1(v)) + gap);
      }
      cells.push(a === 'with' ? `${f1(m.unlearnSeconds)} + ${f1(m.overheadSeconds)} = ${f1(m.unlearnSeconds + m.overheadSeconds)}` : f1(m.unlearnSeconds));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Whole report: setting, pretraining, condensation, one table per round. */
export function markdownReport(result: ExperimentResult, title = 'Unlearning Lab experiment'): string {
  const s = result.spec;
  const out: string[] = [`# ${title}`, ''];
  out.push(`Dataset **${s.dataset}** (${s.trainPerClass || 'all'} train / ${s.testPerClass || 'all'} test per class), ` +
    `model **${s.model.arch}** width ${s.model.width}, forgetting **${s.forget.mode === 'class' ? `class ${result.split.forgetClass}` : `${(s.forget.fraction * 100).toFixed(0)}% uniform`}**, ` +
    `seed ${s.seed}, backend ${result.env.backend}, ${result.env.seconds.toFixed(0)} s in all.`, '');
  out.push(`Split: train ${result.split.trainSize}, retain ${result.split.retainSize}, forget ${result.split.forgetSize}, ` +
    `test (regulariser) ${result.split.testUsedSize}, test (evaluation) ${result.split.testEvalSize}.`, '');
  out.push(`Original model: test ${f1(result.pretrain.testAcc)}%, train ${f1(result.pretrain.trainAcc)}%` +
    (result.pretrain.metrics ? `, MIA ${f2(result.pretrain.metrics.mia)}, forget ${f1(result.pretrain.metrics.forgetAcc)}%` : '') +
    `, ${result.pretrain.reused ? 'reused from cache' : `${f1(result.pretrain.seconds)} s`}.`, '');
  const conds = result.condenseRounds ?? (result.condense ? [result.condense] : []);
  for (const c of conds) {
    out.push(`Condensation (round ${c.round}, IPC ${c.ipc}): reduced retain ${c.reducedRetainSize} / ${c.retainSize} = ` +
      `${((100 * c.reducedRetainSize) / Math.max(1, c.retainSize)).toFixed(1)}% (${c.freeClusters} blended + ${c.residualImages} residual), ` +
      `k-means ${f2(c.kmeansSeconds)} s, partition ${f2(c.partitionSeconds)} s, Blend ${f2(c.blendSeconds)} s.`, '');
  }
  const rounds = [...new Set(result.methods.map((m) => m.round))].sort((a, b) => a - b);
  for (const r of rounds) {
    if (rounds.length > 1) out.push(`## Round ${r}`, '');
    out.push(markdownTable(result, r), '');
  }
  out.push('MIA = LR-MIA on logit-confidence, AUC % (paper §7.2; ≈50 = forget set indistinguishable from unseen data). ' +
    'Loss-MIA = accuracy % of a logistic regression on per-example losses, forget vs unseen test (NeurIPS 2023 kit style; ≈50 ideal). ' +
    'Accuracies in %. Brackets: gap to Retrain in the same arm. With DC, time = unlearning + condensation overhead (k-means, partition, Blend) = end-to-end.', '');
  return out.join('\n');
}

/** One CSV row per method result. */
export function resultCsv(result: ExperimentResult): string {
  const cols = ['round', 'method', 'withDC', 'unlearnSeconds', 'overheadSeconds', 'retainAcc', 'forgetAcc', 'testAcc', 'testAccRetained', 'mia', 'lossMia'];
  const lines = [cols.join(',')];
  for (const m of result.methods) {
    lines.push([m.round, JSON.stringify(m.name), m.withDC, m.unlearnSeconds, m.overheadSeconds, m.metrics.retainAcc, m.metrics.forgetAcc,
      m.metrics.testAcc, m.metrics.testAccRetained ?? '', m.metrics.mia, m.metrics.lossMia].join(','));
  }
  return lines.join('\n') + '\n';
}
