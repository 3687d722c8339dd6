/**
 * `npm run tradeoff -- [--preset bench] [--seeds 3] [--out results/reproduce] [--mode uniform]`
 *
 * The trade-off sweep of issue 10 item 5 (plan and summary in src/core/results/tradeoff.ts): A-CF at epochs
 * {1, 2, 4, 8, 16, ≈704 steps} (checkpoints of one run), CF at {1, 2, 5, 10, 25, 50} (a run each), Retrain at its
 * paper budget, per seed. Resumable: every finished run writes `<out>/tradeoff/<seed>-<method>-e<E>.json` at once and a
 * re-run skips runs whose file exists for the same spec. Writes `<out>/tradeoff.json` (points + intervals) and
 * `<out>/tradeoff.md`. Timings are single measurements per point, on whatever else the machine was doing — the
 * JSON records the load average before and after each run.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import {
  DATASET_CLASSES,
  LabSession,
  getPreset,
  mergeSpec,
  validateSpec,
  seedList,
  formatInterval,
  summariseTradeoff,
  tradeoffGaps,
  tradeoffRunSpec,
  tradeoffPlan,
  tradeoffPointsOf,
  parseWorkerCount,
  MIA_GAP_NOTE,
} from '../core';
import { PRESETS } from '../core';
import type { ExperimentSpec, MethodResult, TradeoffPoint } from '../core';
import { initNodeBackend } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fileShippedModels, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import { defaultNodeWorkers, parseSeedsArg } from './experiment';
import { capWorkers, createNodeParallel } from './parallel-node';
import { checkOutputPaths } from './out-paths';
import { defineCli, parseCli, runCli } from './options';
import { eventWriter } from './progress';

interface RunFile {
  spec: ExperimentSpec;
  loadBefore: number[];
  loadAfter: number[];
  /** the split's retain size (A-CF steps per epoch); absent in files written before it was recorded */
  retainSize?: number;
  result: MethodResult;
}

/**
 * The split's retain size for a seed's spec, without loading the dataset (report-only): the subset presets give
 * it from their counts (as eval/split.ts draws it); `trainPerClass: 0` (all data) needs the dataset, so is refused.
 */
function retainSizeOfSpec(s: ExperimentSpec): number {
  if (!(s.trainPerClass > 0)) throw new Error('--report-only needs a subset preset (trainPerClass > 0)');
  const n = s.trainPerClass * DATASET_CLASSES[s.dataset];
  return s.forget.mode === 'class' ? n - s.trainPerClass : n - Math.floor((s.forget.fraction ?? 0.1) * n);
}

export const TRADEOFF_CLI = defineCli({
  name: 'tradeoff',
  summary: 'The A-CF / CF / Retrain trade-off sweep per seed → <out>/tradeoff.json + tradeoff.md (resumable).',
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      default: 'bench',
      help: 'the preset the sweep starts from',
    },
    seeds: { type: 'string', arg: 'N|a,b,c', default: '3', help: 'a count or a list of seeds' },
    out: { type: 'string', arg: 'DIR', default: 'results/reproduce', help: 'where tradeoff*.json/.md and the runs go' },
    mode: { type: 'string', arg: 'uniform|class', default: 'uniform', help: 'forgetting mode' },
    cap: { type: 'string', arg: 'N', help: 'drop every point above N epochs (smoke tests of the driver only)' },
    events: { type: 'boolean', help: 'progress as JSON lines on stdout (RunEvents + tradeoff-run; no table printed)' },
    'report-only': {
      type: 'boolean',
      help: 'run nothing: gather the finished runs into tradeoff.json/.md (a partial sweep says which runs are missing)',
    },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers (default: the cores on WASM/CPU; 1 = in this thread)',
    },
    oversubscribe: { type: 'boolean', help: 'allow --workers above the cores (each worker holds its own model copy)' },
  },
});

async function main(): Promise<void> {
  const values = parseCli(TRADEOFF_CLI);
  const events = values.events ? eventWriter() : undefined;
  // --cap N: drop every point above N epochs (smoke tests of the driver only; the study itself runs uncapped)
  const cap = values.cap === undefined ? Infinity : Number(values.cap);
  if (!(cap >= 1)) throw new Error(`--cap: a positive number of epochs, got "${values.cap}"`);
  if (values.mode !== 'uniform' && values.mode !== 'class')
    throw new Error(`--mode: uniform or class, got "${values.mode}"`);
  const base = validateSpec(
    mergeSpec(getPreset(values.preset!).spec, {
      forget: { mode: values.mode, class: null, fraction: 0.1 },
      rounds: 1,
      seeds: parseSeedsArg(values.seeds!),
    }),
  );
  const seeds = seedList(base);
  const out = values.out!;
  await checkOutputPaths([{ flag: '--out', path: out, kind: 'dir' }]); // before any work (issue 19 item 5)
  const dir = `${out}/tradeoff${values.mode === 'class' ? '-class' : ''}`;
  const points: TradeoffPoint[] = [];
  const missing: string[] = [];
  /** runs timed while other jobs shared the cores (1-min load average above cores + 0.5 before or after) */
  const shared: string[] = [];
  const noteLoad = (f: RunFile, what: string) => {
    if (Math.max(f.loadBefore[0] ?? 0, f.loadAfter[0] ?? 0) > os.cpus().length + 0.5) shared.push(what);
  };
  if (values['report-only']) {
    for (const seed of seeds) {
      const seedSpec = validateSpec(mergeSpec(base, { seed, seeds: 1 }));
      const retainSize = retainSizeOfSpec(seedSpec);
      const { acfEpochs, runs } = tradeoffPlan(retainSize, cap);
      for (const run of runs) {
        const path = `${dir}/seed${seed}-${run.method}-e${run.epochs}.json`;
        const file = existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as RunFile) : null;
        const spec = validateSpec(tradeoffRunSpec(seedSpec, run.method, run.epochs));
        if (!file || JSON.stringify(file.spec) !== JSON.stringify(spec)) {
          missing.push(`seed ${seed} ${run.method} ${run.epochs} epochs`);
          continue;
        }
        noteLoad(file, `seed ${seed} ${run.method} ${run.epochs} epochs`);
        points.push(...tradeoffPointsOf(run, file.result, seed, acfEpochs, file.retainSize ?? retainSize));
      }
    }
    const backend = 'as recorded in the run files';
    await writeSweep({ values, seeds, base, out, points, missing, shared, backend, workers: null });
    return;
  }
  const backend = await initNodeBackend();
  // data-parallel training workers (default: the cores available on WASM / CPU); one pool for the whole sweep
  const workers =
    values.workers !== undefined
      ? capWorkers(parseWorkerCount(values.workers, '--workers'), values.oversubscribe)
      : defaultNodeWorkers(backend.backend);
  const parallel = createNodeParallel(workers);
  const t0 = Date.now();
  try {
    for (const seed of seeds) {
      const seedSpec = validateSpec(mergeSpec(base, { seed, seeds: 1 }));
      const dataset = await loadDatasetNode(seedSpec.dataset, { seed });
      const session = new LabSession(
        {
          dataset,
          sink: (e) => events?.(e, { seed }),
          cache: new FileWeightsCache(),
          shipped: fileShippedModels(),
          backendName: backend.backend,
          versions: await labVersions(),
          machine: machineInfo(),
          parallel,
        },
        seedSpec,
      );
      try {
        await session.pretrain();
        const retainSize = session.result().split.retainSize;
        const { acfEpochs, runs } = tradeoffPlan(retainSize, cap);
        for (const run of runs) {
          const spec = validateSpec(tradeoffRunSpec(seedSpec, run.method, run.epochs));
          const path = `${dir}/seed${seed}-${run.method}-e${run.epochs}.json`;
          let file: RunFile | null = null;
          if (existsSync(path)) {
            const prev = JSON.parse(await readFile(path, 'utf8')) as RunFile;
            if (JSON.stringify(prev.spec) === JSON.stringify(spec)) file = prev;
          }
          events?.({
            kind: 'tradeoff-run',
            status: file ? 'resumed' : 'start',
            seed,
            method: run.method,
            epochs: run.epochs,
          });
          if (!file) {
            process.stderr.write(
              `seed ${seed}: ${run.method} ${run.epochs} epochs (elapsed ${fmtSeconds((Date.now() - t0) / 1000)})\n`,
            );
            session.setSpec(spec);
            const loadBefore = os.loadavg();
            const [result] = await session.unlearn([run.method], 'without');
            file = {
              spec,
              loadBefore,
              loadAfter: os.loadavg(),
              retainSize,
              result: { ...result, losses: undefined },
            };
            await writeAtomic(path, JSON.stringify(file, null, 2));
          } else {
            process.stderr.write(
              `seed ${seed}: ${run.method} ${run.epochs} epochs — finished earlier, reusing ${path}\n`,
            );
          }
          noteLoad(file, `seed ${seed} ${run.method} ${run.epochs} epochs`);
          points.push(...tradeoffPointsOf(run, file.result, seed, acfEpochs, retainSize));
        }
      } finally {
        session.dispose();
      }
    }
  } finally {
    await parallel?.dispose();
  }
  await writeSweep({ values, seeds, base, out, points, missing, shared, backend: backend.backend, workers });
}

/** A gap with its interval, and "within noise" when the interval covers 0. */
function gapCell(iv: Parameters<typeof formatInterval>[0]): string {
  const covers0 = iv.n >= 2 && iv.ci95[0] <= 0 && iv.ci95[1] >= 0;
  return `${formatInterval(iv, 1)}${covers0 ? ' (within noise)' : ''}`;
}

async function writeSweep(o: {
  values: { preset?: string; seeds?: string; mode?: string; events?: boolean };
  seeds: number[];
  base: ExperimentSpec;
  out: string;
  points: TradeoffPoint[];
  missing: string[];
  shared: string[];
  backend: string;
  workers: number | null;
}): Promise<void> {
  const { values, seeds, base, out, points, missing, shared, backend, workers } = o;
  const events = values.events ? eventWriter() : undefined;
  const rows = summariseTradeoff(points);
  const gaps = tradeoffGaps(points);
  const stem = `${out}/tradeoff${values.mode === 'class' ? '-class' : ''}`;
  await writeAtomic(
    `${stem}.json`,
    JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        machine: machineInfo(),
        versions: await labVersions(),
        backend,
        workers,
        preset: values.preset,
        mode: values.mode,
        seeds,
        spec: base,
        missing,
        shared,
        points,
        summary: rows,
        gapsToRetrain: gaps,
      },
      null,
      2,
    ),
  );
  const f = (iv: Parameters<typeof formatInterval>[0]) => formatInterval(iv, 1);
  const md = [
    `# Trade-off sweep — preset \`${values.preset}\`, ${values.mode === 'class' ? 'class' : '10 % uniform'} forgetting`,
    '',
    `Generated ${new Date().toISOString()} by \`npm run tradeoff -- --preset ${values.preset} --seeds ${values.seeds}` +
      ` --mode ${values.mode}\` on ${JSON.stringify(machineInfo())}. Seeds ${seeds.join(', ')}; mean ± half-width of ` +
      'the 95 % t-interval over seeds. A-CF rows below its longest run are checkpoints of that run (constant Adam lr); ' +
      'CF rows are separate runs (WarmCos depends on the budget); Retrain at its paper budget is the reference. ' +
      'Seconds are single measurements per run (load averages in the per-run JSON).',
    '',
    ...(missing.length
      ? [`**Partial sweep:** ${missing.length} run(s) not finished yet: ${missing.join('; ')}.`, '']
      : []),
    ...(shared.length
      ? [
          `Runs whose 1-minute load average before or after exceeded the ${machineInfo().cpus as number} cores + 0.5 ` +
            `(other jobs shared the cores; their seconds are not speed measurements): ${shared.join('; ')}.`,
          '',
        ]
      : []),
    '| method | epochs | steps | forget | retain | test | MIA | MIA SE (mean) | seconds |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.method} | ${r.epochs} | ${r.steps} | ${f(r.forgetAcc)} | ${f(r.retainAcc)} | ${f(r.testAcc)} | ` +
        `${f(r.mia)} | ${r.miaSe ? r.miaSe.mean.toFixed(1) : '–'} | ${f(r.seconds)} |`,
    ),
    '',
    '## Gaps to Retrain, paired by seed',
    '',
    "Per seed the point's value minus Retrain's (same split, same original model), then the 95 % t-interval over " +
      'seeds; a gap whose interval covers 0 is within noise. ' +
      `${MIA_GAP_NOTE} (docs/mia.md).`,
    '',
    '| method | epochs | steps | forget gap | MIA (filtered) gap | test gap | retain gap |',
    '|---|---|---|---|---|---|---|',
    ...gaps.map(
      (g) =>
        `| ${g.method} | ${g.epochs} | ${g.steps} | ${gapCell(g.forgetAcc)} | ${gapCell(g.miaFiltered)} | ` +
        `${gapCell(g.testAcc)} | ${gapCell(g.retainAcc)} |`,
    ),
    '',
  ].join('\n');
  await writeAtomic(`${stem}.md`, md);
  events?.({ kind: 'written', files: [`${stem}.json`, `${stem}.md`] });
  if (!events) {
    console.log(md);
    console.log(`wrote ${stem}.json and ${stem}.md`);
  }
}

runCli('tradeoff', main);
