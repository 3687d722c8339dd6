/**
 * `npm run reproduce -- [--preset quick] [--seeds 1] [--out results/reproduce] [--only cell-prefix] [--fresh] [--workers N]`
 *   fan-out: `--list-cells [--json]`, `--cell ID`, `--pretrain-only`, `--report-only`, `--jobs N` (`--help`: all)
 *
 * Browser-scale versions of the paper's experiments, headless in Node:
 *   §4.3 single round — class and 10 % uniform forgetting, every single-round method, w/o and w/ DC;
 *   §4.5 multi-round — 3 rounds of 10 % uniform, CF / A-CF / SCRUB / A-SCRUB / L1 / A-L1, w/o and w/ DC;
 *   §4.2 condensation — Blend vs DM vs random real at IPC 10 (the condensation benchmark rows).
 * Every finished cell is written to `<out>/cells/<cell>.json` at once; a re-run skips cells whose JSON exists for
 * the same spec (resumable). The report `<out>/REPORT.md` puts each claim of the paper (docs/paper-notes.md §9) next to
 * our number; `<out>/results.csv` has every method result of every cell (run = cell id). The loop is the core's
 * reproduce driver (src/core/results/reproduce-driver.ts), shared with the page.
 *
 * Fan-out (docs/fan-out.md "Runs that fan out"): each job runs one cell (`--cell ID`) into the same `<out>/cells/`, the
 * original models are trained once beforehand (`--pretrain-only`, into the weights cache, `LAB_CACHE_DIR`), and
 * `--report-only` gathers the finished cells. `--jobs N` does exactly that with N local child processes; their
 * cells are stored with `sharedCores: true` and left out of the speed claims.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LabSession, finishedCells, mergeSpec, planExperimentCells, validateSpec } from '../core';
import { PRESETS } from '../core';
import type { BenchRow, ExperimentSpec, MethodName, ParallelTrainer } from '../core';
import { driveReproduction, reproductionCsv, reproductionReport } from '../core';
import { claimsMarkdown } from '../core';
import { fileCellStore } from './cell-store-node';
import { loadDatasetNode } from './dataset-node';
import { defaultNodeWorkers, runExperimentNode } from './experiment';
import { parseWorkerCount } from '../core';
import { initNodeBackend, parseBackendFlag } from './node-backend';
import { capWorkers, createNodeParallel } from './parallel-node';
import { checkOutputPaths } from './out-paths';
import { FileWeightsCache, fileShippedModels, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';
import { eventWriter } from './progress';

export interface Cell {
  id: string;
  title: string;
  kind: 'experiment' | 'condensation';
  spec?: ExperimentSpec;
}

/** The plan; `methods` (`--methods`) replaces every experiment cell's method list (small test runs). */
export function planCells(presetName: string, seeds: number[], methods?: MethodName[]): Cell[] {
  const cells: Cell[] = planExperimentCells(presetName, seeds).map((c) => ({
    ...c,
    kind: 'experiment' as const,
    spec: methods ? validateSpec(mergeSpec(c.spec, { unlearn: { methods } })) : c.spec,
  }));
  cells.push({
    id: 'condensation-ipc10',
    title: '§4.2 condensation benchmark (Blend vs DM vs random real, CIFAR-10 IPC 10)',
    kind: 'condensation',
  });
  return cells;
}

export const REPRODUCE_CLI = defineCli({
  name: 'reproduce',
  summary:
    "The paper's experiments at browser scale, cell by cell (resumable) → <out>/REPORT.md, claims.json, " +
    'results.csv.',
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      default: 'quick',
      help: 'the preset every cell starts from',
    },
    seeds: { type: 'string', arg: 'N', default: '1', help: 'seeds 0..N-1 (1..10)' },
    out: { type: 'string', arg: 'DIR', default: 'results/reproduce', help: 'report folder; cells in <out>/cells/' },
    only: { type: 'string', arg: 'PREFIX', help: 'run only cells whose id starts with PREFIX (others still reported)' },
    fresh: { type: 'boolean', help: 'ignore finished cells and run them again' },
    'skip-condensation': { type: 'boolean', help: 'leave out the §4.2 condensation cell' },
    'condense-per-class': {
      type: 'string',
      arg: 'N',
      default: '1000',
      help: 'images per class of that cell (10..5000)',
    },
    methods: { type: 'string', arg: 'A,B', help: "replace every experiment cell's methods (small test runs)" },
    backend: { type: 'string', arg: 'wasm|cpu|webgpu', help: 'tfjs backend (default wasm)' },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers per process (default: the cores on WASM/CPU; --jobs children get the same)',
    },
    oversubscribe: { type: 'boolean', help: 'allow --workers above the cores (each worker holds its own model copy)' },
    'list-cells': { type: 'boolean', help: 'print the cells (id and title) and exit; with --json their specs too' },
    json: { type: 'boolean', help: 'with --list-cells: a JSON array [{id, title, kind, spec}]' },
    cell: { type: 'string', arg: 'ID', help: 'run this one cell (into <out>/cells/) and exit; no report' },
    'pretrain-only': { type: 'boolean', help: 'train the original models of the chosen cells into the weights cache' },
    'report-only': { type: 'boolean', help: 'run nothing: gather the finished cells into the report' },
    jobs: { type: 'string', arg: 'N', default: '1', help: 'N local child processes, each running --cell' },
    'shared-cores': { type: 'boolean', help: 'mark the cells run now as timed on shared cores (set by --jobs)' },
    events: { type: 'boolean', help: 'progress as JSON lines on stdout (RunEvents with "cell", and cell events)' },
  },
  notes: [
    'Cells run one per job: pretrain first (--pretrain-only), then --cell ID per job, then --report-only.',
    'The weights cache is .cache/weights (LAB_CACHE_DIR=DIR: DIR/weights), shared by jobs on one file system.',
  ],
});

/** Original models are keyed by (data, model, pretrain, seed): one training per key, whatever the forgetting. */
export function originalKey(spec: ExperimentSpec): string {
  const { dataset, trainPerClass, testPerClass, model, pretrain, seed } = spec;
  return JSON.stringify({ dataset, trainPerClass, testPerClass, model, pretrain, seed });
}

async function pretrainOriginal(
  spec: ExperimentSpec,
  log: (l: string) => void,
  parallel: ParallelTrainer | null,
): Promise<void> {
  const backend = await initNodeBackend();
  const { seed, trainPerClass, testPerClass } = spec;
  const dataset = await loadDatasetNode(spec.dataset, { request: { seed, trainPerClass, testPerClass } });
  const session = new LabSession(
    {
      dataset,
      cache: new FileWeightsCache(),
      shipped: fileShippedModels(),
      backendName: backend.backend,
      versions: await labVersions(),
      machine: machineInfo(),
      parallel,
      sink: (e) => {
        if (e.kind === 'log') log(`  ${e.message}`);
      },
    },
    spec,
  );
  try {
    await session.pretrain();
  } finally {
    session.dispose();
  }
}

/** Run this script again as a child with `args`; its stderr lines are prefixed, its stdout (events) passed on. */
function child(args: string[], tag: string): Promise<number> {
  return new Promise((resolveP) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: p.stdout }).on('line', (l) => process.stdout.write(l + '\n'));
    createInterface({ input: p.stderr }).on('line', (l) => process.stderr.write(`[${tag}] ${l}\n`));
    p.on('close', (code) => resolveP(code ?? 1));
  });
}

/** Run `tasks` with at most `n` at once; resolves to each task's exit code. */
async function pool(n: number, tasks: Array<() => Promise<number>>): Promise<number[]> {
  const codes: number[] = new Array<number>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        codes[i] = await tasks[i]();
      }
    }),
  );
  return codes;
}

async function main(): Promise<void> {
  const values = parseCli(REPRODUCE_CLI);
  const nSeeds = Number(values.seeds);
  if (!Number.isInteger(nSeeds) || nSeeds < 1 || nSeeds > 10)
    throw new Error(`--seeds: expected an integer 1..10, got "${values.seeds}"`);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const out = values.out;
  // never inside the prepared datasets, never a file (issue 19 item 5), checked before any work
  await checkOutputPaths([{ flag: '--out', path: out, kind: 'dir' }]);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
    throw new Error(`--jobs: expected an integer 1..64, got "${values.jobs}"`);
  const methods = values.methods
    ?.split(',')
    .map((m) => m.trim())
    .filter(Boolean) as MethodName[] | undefined;
  const events = values.events ? eventWriter() : undefined;
  // --only / --skip-condensation choose which cells may RUN; finished cells of the others still enter the report
  const allCells = planCells(values.preset, seeds, methods).filter(
    (c) => !(values['skip-condensation'] && c.kind === 'condensation'),
  );
  if (values.cell !== undefined && !allCells.some((c) => c.id === values.cell)) {
    throw new Error(
      `--cell: no cell "${values.cell}" in this plan (see --list-cells): ${allCells.map((c) => c.id).join(', ')}`,
    );
  }
  const runnable = (c: Cell) =>
    (values.cell !== undefined ? c.id === values.cell : !values.only || c.id.startsWith(values.only)) &&
    !values['report-only'];
  if (values['list-cells']) {
    const listed = allCells.filter((c) => !values.only || c.id.startsWith(values.only));
    console.log(values.json ? JSON.stringify(listed, null, 2) : listed.map((c) => `${c.id}\t${c.title}`).join('\n'));
    return;
  }
  const condensePerClass = Number(values['condense-per-class']);
  if (!Number.isInteger(condensePerClass) || condensePerClass < 10 || condensePerClass > 5000)
    throw new Error(`--condense-per-class: expected an integer 10..5000, got "${values['condense-per-class']}"`);
  const keyOf = (cell: Cell) => (cell.kind === 'condensation' ? { condensePerClass } : cell.spec);
  const store = fileCellStore(out);
  const be = await initNodeBackend(parseBackendFlag(values.backend));
  // one pool of data-parallel workers for every experiment cell of this process. --jobs children get the same count
  // as a serial run would use (the count changes float summation order, so metrics equal serial ones only then);
  // pass --workers 1 to avoid oversubscribing the cores when N jobs run at once.
  const workers =
    values.workers !== undefined
      ? capWorkers(parseWorkerCount(values.workers, '--workers'), values.oversubscribe)
      : undefined;
  const parallel =
    values['report-only'] || (jobs > 1 && values.cell === undefined)
      ? null
      : createNodeParallel(workers ?? defaultNodeWorkers(be.backend));
  if (parallel && !values.events)
    console.error(`training on ${parallel.workers} worker threads (--workers 1: in this thread)`);
  if (values['pretrain-only']) {
    const seen = new Set<string>();
    for (const c of allCells) {
      if (!runnable(c) || !c.spec || seen.has(originalKey(c.spec))) continue;
      seen.add(originalKey(c.spec));
      console.error(`pretraining the original model of ${c.id} (seed ${c.spec.seed})`);
      await pretrainOriginal(c.spec, (l) => console.error(l), parallel);
    }
    console.error(`${seen.size} original model(s) in ${new FileWeightsCache().dir}`);
    await parallel?.dispose();
    return;
  }
  let failedJobs: string[] = [];
  if (jobs > 1 && !values['report-only'] && values.cell === undefined) {
    // the parent: pretrain each distinct original once, then one child per cell (N at a time), then gather
    const finished = await finishedCells({
      cells: allCells,
      store,
      keyOf: (c) => keyOf(c as Cell),
      fresh: values.fresh,
    });
    const todo = allCells.filter((c) => runnable(c) && !finished.has(c.id));
    const pass = [
      '--preset',
      values.preset,
      '--seeds',
      String(nSeeds),
      '--out',
      out,
      '--condense-per-class',
      String(condensePerClass),
      ...(values.methods ? ['--methods', values.methods] : []),
      ...(values.backend ? ['--backend', values.backend] : []),
      ...(values['skip-condensation'] ? ['--skip-condensation'] : []),
      ...(values.fresh ? ['--fresh'] : []),
      ...(values.events ? ['--events'] : []),
      ...(workers !== undefined ? ['--workers', String(workers)] : []),
      ...(values.oversubscribe ? ['--oversubscribe'] : []),
    ];
    const firstOf = new Map<string, Cell>();
    for (const c of todo) if (c.spec && !firstOf.has(originalKey(c.spec))) firstOf.set(originalKey(c.spec), c);
    console.error(`--jobs ${jobs}: ${todo.length} cell(s) to run, ${firstOf.size} original model(s) to train first`);
    const pre = await pool(
      jobs,
      [...firstOf.values()].map((c) => () => child([...pass, '--cell', c.id, '--pretrain-only'], `pretrain ${c.id}`)),
    );
    if (pre.some((x) => x !== 0)) throw new Error('pretraining the original models failed (see the lines above)');
    const codes = await pool(
      jobs,
      todo.map((c) => () => {
        events?.({ kind: 'cell', status: 'job-start', cell: c.id });
        return child([...pass, '--cell', c.id, '--shared-cores'], c.id);
      }),
    );
    failedJobs = todo.filter((_, i) => codes[i] !== 0).map((c) => c.id);
  }
  const t0 = Date.now();
  // the full-data measurements of `npm run bench` (claims 3, 8, 12, 14 use them when present)
  let bench: BenchRow[] | undefined;
  if (existsSync('results/bench.json')) {
    try {
      bench = (JSON.parse(await readFile('results/bench.json', 'utf8')) as { rows: BenchRow[] }).rows;
    } catch (e) {
      console.error(`  ignoring unreadable results/bench.json (${(e as Error).message})`);
    }
  }
  const gatherOnly = values['report-only'] || jobs > 1;
  const { done, timing, claims, failure } = await driveReproduction({
    cells: allCells,
    store,
    keyOf: (c) => keyOf(c as Cell),
    runnable: (c) => !gatherOnly && runnable(c as Cell),
    fresh: values.fresh && !gatherOnly,
    bench,
    sharedCores: values['shared-cores'],
    onCell: (e) => {
      if (events) {
        const { cell, kind, ...rest } = e;
        events({
          kind: 'cell',
          status: kind,
          cell: cell.id,
          ...('seconds' in rest ? { seconds: rest.seconds } : {}),
          ...(kind === 'failed' ? { error: String((e.error as Error)?.message ?? e.error) } : {}),
        });
      }
      if (e.kind === 'resumed')
        console.error(`  ${e.cell.id}: finished earlier, reusing ${out}/cells/${e.cell.id}.json`);
      if (e.kind !== 'start') return;
      const elapsed = (Date.now() - t0) / 1000;
      const eta = e.ran > 0 ? (elapsed / e.ran) * (e.toRun - e.ran) : NaN;
      console.error(
        `[${e.ran + 1}/${e.toRun}] ${e.cell.title} — elapsed ${fmtSeconds(elapsed)}${e.ran > 0 ? `, ETA ${fmtSeconds(eta)}` : ''}`,
      );
    },
    run: async (cell) => {
      // every finished method is kept under <out>/cells/<cell>/ at once: an interrupted cell resumes where it stopped
      if (cell.kind === 'experiment') {
        return {
          result: await runExperimentNode({
            spec: cell.spec!,
            methodDir: `${out}/cells/${cell.id}`,
            parallel,
            events,
            eventContext: { cell: cell.id },
          }),
        };
      }
      const { benchCondense } = await import('./bench-condense');
      // browser-scale §4.2: a CIFAR-10 subset, IPC 10; the reduced-retain rows at IPC = 1/5 of the images per class
      // (≈5 images per cluster as the paper's IPC 1000 on 5000 per class). `npm run bench` measures the full scale.
      return {
        rows: await benchCondense({
          only: '',
          trainPerClass: condensePerClass,
          testPerClass: 300,
          ipcLarge: Math.max(10, Math.round(condensePerClass / 5)),
        }),
      };
    },
  }).finally(() => parallel?.dispose());
  if (failure) throw failure.error;
  if (values.cell !== undefined) {
    console.error(`cell ${values.cell} is in ${out}/cells/${values.cell}.json; gather the report with --report-only`);
    return;
  }
  const missing = allCells.filter((c) => !timing.some((t) => t.id === c.id)).map((c) => c.id);
  if (missing.length) console.error(`  not finished (absent from the report): ${missing.join(', ')}`);
  const cellSeconds = timing.reduce((a, t) => a + (t.seconds ?? 0), 0);
  const timingLine = timing
    .map(
      (t) =>
        `${t.id} ${t.seconds === null ? 'time not recorded' : fmtSeconds(t.seconds)}` +
        `${t.sharedCores ? ' (shared cores: not used for speed claims)' : t.reused ? ' (earlier run)' : ''}`,
    )
    .join(', ');
  const report = reproductionReport({
    head: [
      `# Reproduction report — preset \`${values.preset}\``,
      '',
      `Generated ${new Date().toISOString()} by \`npm run reproduce -- --preset ${values.preset} --seeds ${nSeeds}` +
        `${values.methods ? ` --methods ${values.methods}` : ''}\` on ${JSON.stringify(machineInfo())}, lab ${JSON.stringify(await labVersions())}.`,
      `Cell run times: ${timingLine}; ${fmtSeconds(cellSeconds)} in all (this invocation: ${fmtSeconds((Date.now() - t0) / 1000)}). Each row links the cell JSON it comes from (\`cells/*.json\`).`,
      '',
    ],
    claims,
    experiments: done.experiments,
    cells: allCells,
  });
  await writeAtomic(`${out}/REPORT.md`, report);
  await writeAtomic(`${out}/claims.json`, JSON.stringify(claims, null, 2));
  await writeAtomic(`${out}/results.csv`, reproductionCsv(done.experiments, values.preset));
  events?.({ kind: 'written', files: [`${out}/REPORT.md`, `${out}/claims.json`, `${out}/results.csv`] });
  if (!events) {
    console.log(claimsMarkdown(claims));
    console.log(`\nwrote ${out}/REPORT.md and ${out}/results.csv`);
  }
  if (failedJobs.length)
    throw new Error(`${failedJobs.length} job(s) failed: ${failedJobs.join(', ')} (re-run to resume them)`);
}

runCli('reproduce', main);
