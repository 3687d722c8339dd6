/**
 * The one reproduce driver, shared by `npm run reproduce` (cells in files) and the page's Reproduce panel (cells in
 * browser storage): walk a plan of cells, resume the finished ones from a `CellStore` (same id and same spec),
 * run the others with a `CellRunner`, store each as soon as it finishes, and gather the results into the claims,
 * the Markdown report and the CSV. Pure orchestration: no tfjs, no files, no DOM.
 */
import type { ExperimentResult, ExperimentSpec } from '../contracts';
import type { BenchRow } from './bench-rows';
import { buildClaims, claimsMarkdown, type CellResults, type Claim } from './claims';
import { budgetMarkdown, budgetRows, speedReading } from './budgets';
import { csvRunOf, markdownReport, resultsCsv } from './report';

export interface PlannedCell {
  id: string;
  title: string;
  /** 'condensation': the §4.2 benchmark cell (CLI only), which yields bench rows instead of an experiment */
  kind?: 'experiment' | 'condensation';
  spec?: ExperimentSpec;
}

/** A finished cell as stored: `spec` is the key it ran with (a cell resumes only when its key is unchanged). */
export interface StoredCell {
  spec?: unknown;
  seconds?: number;
  /** timed while other jobs shared the machine's cores (`reproduce --jobs N`): never used for speed claims */
  sharedCores?: boolean;
  result?: ExperimentResult;
  rows?: BenchRow[];
}

/** Where finished cells are kept: files in Node (`<out>/cells/<id>.json`), localStorage in the page. */
export interface CellStore {
  /** the stored cell, or null when there is none (or it cannot be read) */
  get(cell: PlannedCell): Promise<StoredCell | null>;
  put(cell: PlannedCell, stored: StoredCell): Promise<void>;
}

/** Runs one cell: an experiment result, or the condensation benchmark's rows. */
export type CellRunner = (cell: PlannedCell) => Promise<{ result?: ExperimentResult; rows?: BenchRow[] }>;

export type CellEvent =
  | { kind: 'resumed'; cell: PlannedCell; stored: StoredCell; seconds: number | null }
  /** `ran` cells of `toRun` have run in this invocation before this one */
  | { kind: 'start'; cell: PlannedCell; ran: number; toRun: number }
  | { kind: 'done'; cell: PlannedCell; stored: StoredCell; seconds: number }
  | { kind: 'failed'; cell: PlannedCell; seconds: number; error: unknown };

export interface DriveOptions {
  cells: PlannedCell[];
  store: CellStore;
  run: CellRunner;
  /** the key a stored cell must match to be resumed (default: the cell's spec) */
  keyOf?: (cell: PlannedCell) => unknown;
  /** which cells may RUN (e.g. `--only`); finished cells of the others still enter the results */
  runnable?: (cell: PlannedCell) => boolean;
  /** ignore stored cells (run everything runnable again) */
  fresh?: boolean;
  onCell?: (e: CellEvent) => void;
  now?: () => number;
  /** rows of `npm run bench` (the full-data measurements some claims use), when available */
  bench?: BenchRow[];
  /** the cells run now share the cores with other jobs: their stored timings are marked `sharedCores: true` */
  sharedCores?: boolean;
}

export interface CellTiming {
  id: string;
  seconds: number | null;
  reused: boolean;
  sharedCores?: boolean;
}

export interface DriveResult {
  done: CellResults;
  timing: CellTiming[];
  claims: Claim[];
  /** the cell that failed (the driver stops there), if any */
  failure?: { cell: PlannedCell; error: unknown };
}

const sameKey = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The finished cells of a plan in a store (same id and same key), by id. */
export async function finishedCells(
  opts: Pick<DriveOptions, 'cells' | 'store' | 'keyOf' | 'fresh'>,
): Promise<Map<string, StoredCell>> {
  const keyOf = opts.keyOf ?? ((c: PlannedCell) => c.spec);
  const finished = new Map<string, StoredCell>();
  if (opts.fresh) return finished;
  for (const cell of opts.cells) {
    const prev = await opts.store.get(cell);
    if (prev && sameKey(prev.spec, keyOf(cell))) finished.set(cell.id, prev);
  }
  return finished;
}

/** Run a reproduction plan, resuming finished cells; stops at the first cell that fails. */
export async function driveReproduction(opts: DriveOptions): Promise<DriveResult> {
  const keyOf = opts.keyOf ?? ((c: PlannedCell) => c.spec);
  const runnable = opts.runnable ?? (() => true);
  const now = opts.now ?? Date.now;
  const finished = await finishedCells(opts);
  const done: CellResults = { experiments: {}, condensation: [], ...(opts.bench ? { bench: opts.bench } : {}) };
  const timing: CellTiming[] = [];
  const take = (cell: PlannedCell, s: StoredCell) => {
    if ((cell.kind ?? 'experiment') === 'experiment') done.experiments[cell.id] = s.result as ExperimentResult;
    else done.condensation = s.rows ?? [];
    if (s.sharedCores) done.sharedCores = [...(done.sharedCores ?? []), cell.id];
  };
  const toRun = opts.cells.filter((c) => runnable(c) && !finished.has(c.id)).length;
  let ran = 0;
  let failure: DriveResult['failure'];
  for (const cell of opts.cells) {
    const prev = finished.get(cell.id);
    if (prev) {
      take(cell, prev);
      const seconds = prev.seconds ?? prev.result?.env.seconds ?? null;
      timing.push({ id: cell.id, seconds, reused: true, ...(prev.sharedCores ? { sharedCores: true } : {}) });
      opts.onCell?.({ kind: 'resumed', cell, stored: prev, seconds });
      continue;
    }
    if (!runnable(cell)) continue;
    opts.onCell?.({ kind: 'start', cell, ran, toRun });
    const t0 = now();
    let out: Awaited<ReturnType<CellRunner>>;
    try {
      out = await opts.run(cell);
    } catch (error) {
      opts.onCell?.({ kind: 'failed', cell, seconds: (now() - t0) / 1000, error });
      failure = { cell, error };
      break;
    }
    const seconds = (now() - t0) / 1000;
    const shared = opts.sharedCores ? { sharedCores: true } : {};
    const stored: StoredCell =
      out.rows && !out.result
        ? { spec: keyOf(cell), seconds, ...shared, rows: out.rows }
        : { spec: keyOf(cell), seconds, ...shared, result: out.result };
    take(cell, stored);
    await opts.store.put(cell, stored);
    timing.push({ id: cell.id, seconds, reused: false, ...shared });
    opts.onCell?.({ kind: 'done', cell, stored, seconds });
    ran++;
  }
  return { done, timing, claims: buildClaims(done), ...(failure ? { failure } : {}) };
}

/**
 * The reproduction report: `head` (title, provenance), the claims table, `afterClaims` (notes), then each
 * experiment cell's own report as a section, in plan order.
 */
export function reproductionReport(opts: {
  head: string[];
  claims: Claim[];
  experiments: Record<string, ExperimentResult>;
  cells: PlannedCell[];
  afterClaims?: string[];
}): string {
  return [
    ...opts.head,
    claimsMarkdown(opts.claims),
    '',
    ...scaleNotes(opts.cells, opts.experiments),
    ...(opts.afterClaims ?? []),
    ...Object.entries(opts.experiments).map(
      ([id, r]) =>
        `\n---\n\n<!-- cell ${id} -->\n` +
        markdownReport(r, opts.cells.find((c) => c.id === id)?.title ?? id).replace(/^# /, '## '),
    ),
  ].join('\n');
}

/**
 * How to read the report at its scale (CLI and page alike): the speed reading and every budget next to the paper's,
 * from the plan's single-round uniform cell (else its first experiment cell) and, once it has finished, the retain
 * size that cell reports.
 */
function scaleNotes(cells: PlannedCell[], experiments: Record<string, ExperimentResult>): string[] {
  const cell = cells.find((c) => c.spec?.forget.mode === 'uniform' && c.spec.rounds === 1) ?? cells.find((c) => c.spec);
  if (!cell?.spec) return [];
  const retain = experiments[cell.id]?.split.retainSize;
  return [
    speedReading(cell.spec, { retain }),
    '',
    ...budgetMarkdown(budgetRows(cell.spec, { retain }), `Budgets of “${cell.title}” next to the paper's`),
  ];
}

/** The CSV of every finished experiment cell (run = cell id), in plan order. */
export function reproductionCsv(experiments: Record<string, ExperimentResult>, preset?: string): string {
  return resultsCsv(Object.entries(experiments).map(([id, r]) => csvRunOf(r, id, preset)));
}
