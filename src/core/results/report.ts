/**
 * Views of an ExperimentResult: the paper-style markdown table (methods × the report's metrics / time,
 * w/o DC | w/ DC) and the one CSV of method results. Pure, tfjs-free functions used by the CLI (experiment and
 * reproduce reports, results.csv) and the page (reproduce report, CSV export). Columns come from the metric
 * table in src/core/metrics.ts.
 */
import type { Arm, ExperimentResult, ExperimentSpec, MethodResult } from '../contracts';
import type { Metrics } from '../types';
import { armLabel, armOf, armsOf, isWithDC } from '../contracts';
import { memorisationNote } from './memorisation';
import {
  METRICS,
  MIA_CLASS_ARTEFACT,
  MIA_GAP_NOTE,
  metricPoint,
  metricsFor,
  miaClassArtefact,
  type MetricDef,
} from '../metrics';

/** The row of the untouched original model (`pretrain.metrics`) in every table and CSV (issue 20 item 2). */
export const ORIGINAL_ROW = 'Original (no unlearning)';

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const fmt = (x: number | undefined, digits: number) =>
  x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);

/** Methods of one round grouped by name: [without DC, with DC]. */
export function pairByMethod(
  methods: MethodResult[],
  round = 0,
): Array<{ name: string; without?: MethodResult; with?: MethodResult }> {
  const rows = new Map<string, { name: string; without?: MethodResult; with?: MethodResult }>();
  for (const m of methods) {
    if (m.round !== round) continue;
    const row = rows.get(m.name) ?? { name: m.name };
    row[armOf(m.withDC)] = m;
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
  const arms: Arm[] = armsOf('both').filter((a) => rows.some((r) => r[a]));
  const ref = rows.find((r) => r.name === 'Retrain');
  // optional metrics (e.g. test accuracy over the retained classes) only when some result has them
  const present = (d: MetricDef) => result.methods.some((m) => metricPoint(m, d) !== undefined);
  const cols = metricsFor('report').filter((d) => !d.optional || present(d));
  const head = ['Method'];
  for (const a of arms) {
    const tag = armLabel(a);
    for (const c of cols) head.push(`${c.label} (${tag})`);
    head.push(`Time s (${tag})`);
  }
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  // the untouched original model, before any request (first round's table only): no arm, no unlearning time
  const first = Math.min(...result.methods.map((m) => m.round));
  const orig = result.pretrain.metrics;
  if (orig && round === first) {
    const cells = [ORIGINAL_ROW];
    for (const a of arms) {
      const rm = ref?.[a];
      for (const c of cols) {
        const v = c.source === 'metrics' ? metricPoint({ metrics: orig }, c) : undefined;
        const rv = rm ? metricPoint(rm, c) : undefined;
        const gap =
          c.summary.gap && v !== undefined && rv !== undefined
            ? ` (${v - rv >= 0 ? '+' : ''}${(v - rv).toFixed(1)})`
            : '';
        cells.push(fmt(v, c.digits) + gap);
      }
      cells.push('–');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  for (const r of rows) {
    const cells = [r.name];
    for (const a of arms) {
      const m = r[a];
      const rm = ref?.[a];
      if (!m) {
        cells.push(...cols.map(() => '–'), '–');
        continue;
      }
      for (const c of cols) {
        const v = metricPoint(m, c);
        const rv = rm ? metricPoint(rm, c) : undefined;
        const gap =
          c.summary.gap && v !== undefined && rv !== undefined && r.name !== 'Retrain'
            ? ` (${v - rv >= 0 ? '+' : ''}${(v - rv).toFixed(1)})`
            : '';
        const artefact = c.id === 'mia' && miaClassArtefact(m) ? ` (${MIA_CLASS_ARTEFACT})` : '';
        cells.push(fmt(v, c.digits) + artefact + gap);
      }
      const total = f1(m.unlearnSeconds + m.overheadSeconds);
      cells.push(isWithDC(a) ? `${f1(m.unlearnSeconds)} + ${f1(m.overheadSeconds)} = ${total}` : f1(m.unlearnSeconds));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Whole report: setting, pretraining, condensation, one table per round. */
export function markdownReport(result: ExperimentResult, title = 'Unlearning Lab experiment'): string {
  const s = result.spec;
  const out: string[] = [`# ${title}`, ''];
  out.push(
    `Dataset **${s.dataset}** (${s.trainPerClass || 'all'} train / ${s.testPerClass || 'all'} test per class), ` +
      `model **${s.model.arch}** width ${s.model.width}, forgetting **${s.forget.mode === 'class' ? `class ${result.split.forgetClass}` : `${(s.forget.fraction * 100).toFixed(0)}% uniform`}**, ` +
      `seed ${s.seed}, backend ${result.env.backend}, ${result.env.seconds.toFixed(0)} s in all.`,
    '',
  );
  out.push(
    `Split: train ${result.split.trainSize}, retain ${result.split.retainSize}, forget ${result.split.forgetSize}, ` +
      `test (regulariser) ${result.split.testUsedSize}, test (evaluation) ${result.split.testEvalSize}.`,
    '',
  );
  out.push(
    `Original model: test ${f1(result.pretrain.testAcc)}%, train ${f1(result.pretrain.trainAcc)}%` +
      (result.pretrain.metrics
        ? `, MIA ${f2(result.pretrain.metrics.mia)}, forget ${f1(result.pretrain.metrics.forgetAcc)}%`
        : '') +
      `, ${
        result.pretrain.source === 'shipped'
          ? `the shipped ${result.pretrain.shipped?.file ?? 'model'} (SHA-256 checked)`
          : result.pretrain.reused
            ? 'reused from cache'
            : `${f1(result.pretrain.seconds)} s`
      }; ${memorisationNote(result.pretrain.trainAcc)}.`,
    '',
  );
  const conds = result.condenseRounds ?? (result.condense ? [result.condense] : []);
  for (const c of conds) {
    out.push(
      `Condensation (round ${c.round}, IPC ${c.ipc}): reduced retain ${c.reducedRetainSize} / ${c.retainSize} = ` +
        `${((100 * c.reducedRetainSize) / Math.max(1, c.retainSize)).toFixed(1)}% (${c.freeClusters} blended + ${c.residualImages} residual), ` +
        `k-means ${f2(c.kmeansSeconds)} s, partition ${f2(c.partitionSeconds)} s, Blend ${f2(c.blendSeconds)} s.`,
      '',
    );
  }
  const rounds = [...new Set(result.methods.map((m) => m.round))].sort((a, b) => a - b);
  for (const r of rounds) {
    if (rounds.length > 1) out.push(`## Round ${r}`, '');
    out.push(markdownTable(result, r), '');
  }
  out.push(REPORT_LEGEND, '');
  return out.join('\n');
}

const REPORT_LEGEND =
  'MIA = LR-MIA on logit-confidence, AUC % (paper §7.2; ≈50 = forget set indistinguishable from unseen data). ' +
  'Loss-MIA = accuracy % of a logistic regression on per-example losses, forget vs unseen test (NeurIPS 2023 kit style; ≈50 ideal). ' +
  'MIA (filtered) = the same score with the swapped branch filtered to the forget labels (docs/mia.md). ' +
  'Accuracies in %. Brackets: gap to Retrain in the same arm. ' +
  `${ORIGINAL_ROW}: the original model before any request (it does not depend on DC: the same numbers in both arms, each against that arm's Retrain). ` +
  'With DC, time = unlearning + condensation overhead (k-means, partition, Blend) = end-to-end. ' +
  `${MIA_GAP_NOTE}; "${MIA_CLASS_ARTEFACT}" marks a paper MIA taken from that unfiltered branch.`;

// ---- CSV ----------------------------------------------------------------------------------------------------

/** One run's method results for the CSV: an experiment result, or the methods seen so far with their setting. */
export interface CsvRun {
  /** names the run (a reproduce cell id, a recent run's id); default: the result's start time */
  runId?: string;
  /** the preset the setting came from, when known */
  preset?: string | null;
  spec?: ExperimentSpec;
  /** the class forgotten (class mode), from the result's split */
  forgetClass?: number | null;
  methods: MethodResult[];
  startedAt?: string;
  /** the original model's metrics (`pretrain.metrics`): written as an "Original (no unlearning)" line, round 0 */
  original?: Metrics;
}

/** A run as CsvRun from a whole experiment result. */
export function csvRunOf(result: ExperimentResult, runId?: string, preset?: string | null): CsvRun {
  return {
    runId,
    preset,
    spec: result.spec,
    forgetClass: result.split?.forgetClass,
    methods: result.methods,
    startedAt: result.env?.startedAt,
    ...(result.pretrain?.metrics ? { original: result.pretrain.metrics } : {}),
  };
}

/**
 * The CSV columns, fixed whatever the runs hold, so CSVs of many runs concatenate (drop the later headers):
 * method, arm and round, every metric of the table (its point value: the mean of an interval), then the run's
 * identity — run id, preset, dataset, forget mode, forgotten class, seed — and `miaNote`:
 * `MIA_CLASS_ARTEFACT` (metrics.ts; docs/paper-notes.md §10 C9) where the paper's MIA came from its unfiltered
 * swapped branch (metrics.ts `miaClassArtefact`).
 */
export const CSV_COLUMNS: readonly string[] = [
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
];

/** One CSV field, RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled; empty when absent. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV line's model: a method's result, or the original model (no timings). */
type CsvMethod = Pick<MethodResult, 'withDC' | 'round' | 'metrics'> &
  Partial<Pick<MethodResult, 'unlearnSeconds' | 'overheadSeconds'>> & { name: string };

/** The one CSV of method results: a header line, then per run its Original line (when its metrics are known) and one
 * line per method × arm × round.
 * Fields are quoted as RFC 4180 says; lines end in LF. */
export function resultsCsv(runs: CsvRun[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of runs) {
    const s = run.spec;
    const id = run.runId ?? run.startedAt ?? '';
    const original: CsvMethod[] = run.original
      ? [{ name: ORIGINAL_ROW, withDC: false, round: 0, metrics: run.original }]
      : [];
    for (const m of [...original, ...run.methods]) {
      const forgetClass = run.forgetClass ?? (s?.forget.mode === 'class' ? s.forget.class : '');
      const fields: unknown[] = [
        m.name,
        m.withDC,
        m.round,
        ...METRICS.map((d) => metricPoint(m, d)),
        id,
        run.preset ?? '',
        s?.dataset,
        s?.forget.mode,
        forgetClass,
        s?.seed,
        miaClassArtefact(m) ? MIA_CLASS_ARTEFACT : '',
      ];
      lines.push(fields.map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
