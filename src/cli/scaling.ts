/**
 * `npm run scaling -- [--sizes 150,300,600] [--seeds 3] [--out results/scaling]`
 *
 * The scaling study of issue 20 item 5 (plan and summary in src/core/results/scaling.ts): per training-set size and
 * seed, an original pretrained until it memorises, then A-CF (16 passes, checkpoints 1/2/4/8/16), CF (50 epochs) and
 * Retrain (100 epochs), 10 % uniform forgetting, ConvNet-3 w32. Resumable: every finished piece (the original's
 * record, each run) is written at once to `<out>/runs/size<S>/seed<N>-<what>.json` and reused by a re-run of the same
 * plan when its spec matches and its numbers are sane (anything else is recomputed, with a one-line warning).
 * Sizes run smallest first, all seeds of a size before the next size. Writes `<out>/scaling.json` and
 * `<out>/scaling.md` after every run, so a partial study is readable (it lists what is missing).
 * Timings: wall seconds and process CPU seconds (all threads) per run; the 1-min load average before and after.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import {
  LabSession,
  getPreset,
  seedList,
  mergeSpec,
  validateSpec,
  formatInterval,
  coversZero,
  parseWorkerCount,
  scalingSizeSpec,
  scalingRuns,
  scalingRunSpec,
  scalingPointsOf,
  originalPoint,
  scalingGaps,
  scalingThresholds,
  scalingExtrapolations,
  memorisationNote,
  MEMORISES_TRAIN_ACC,
  SCALING_SIZES,
  SCALING_PRETRAIN_CAP,
  PAPER_RETAIN,
} from '../core';
import { PRESETS } from '../core';
import type { ExperimentResult, ExperimentSpec, MethodResult, ScalingPoint, ScalingRun, Interval } from '../core';
import { initNodeBackend } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import { defaultNodeWorkers, parseSeedsArg, processCpuSeconds } from './experiment';
import { createNodeParallel } from './parallel-node';
import { defineCli, parseCli, runCli } from './options';

interface OriginalFile {
  kind: 'scaling-original';
  spec: ExperimentSpec;
  retainSize: number;
  forgetSize: number;
  pretrain: ExperimentResult['pretrain'];
}
interface RunFile {
  kind: 'scaling-run';
  spec: ExperimentSpec;
  loadBefore: number[];
  loadAfter: number[];
  retainSize: number;
  forgetSize: number;
  cpuSeconds: number;
  result: MethodResult;
}

export const SCALING_CLI = defineCli({
  name: 'scaling',
  summary:
    'The scaling study of A-CF’s budget (sizes × seeds; Original, Retrain-100, CF-50, A-CF 16 passes with ' +
    'checkpoints) → <out>/scaling.json + scaling.md (resumable, written after every run).',
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      default: 'bench',
      help: 'the preset whose model and budgets it starts from',
    },
    sizes: { type: 'string', arg: 'a,b,c', default: SCALING_SIZES.join(','), help: 'training images per class' },
    seeds: { type: 'string', arg: 'N|a,b,c', default: '3', help: 'a count or a list of seeds' },
    out: { type: 'string', arg: 'DIR', default: 'results/scaling', help: 'where scaling.json/.md and runs/ go' },
    cap: { type: 'string', arg: 'N', help: 'cap every budget at N epochs (smoke tests of the driver only)' },
    'report-only': { type: 'boolean', help: 'run nothing: gather the finished pieces into scaling.json/.md' },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers (default: the cores on WASM/CPU; 1 = in this thread)',
    },
  },
});

const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

async function readJson<T>(path: string, ok: (x: T) => boolean): Promise<T | null> {
  if (!existsSync(path)) return null;
  try {
    const x = JSON.parse(await readFile(path, 'utf8')) as T;
    if (ok(x)) return x;
    process.stderr.write(`warning: ${path} is not a finished piece of this plan; recomputing it\n`);
  } catch (e) {
    process.stderr.write(`warning: ${path} unreadable (${(e as Error).message}); recomputing it\n`);
  }
  return null;
}

const sameSpec = (a: unknown, b: ExperimentSpec) => JSON.stringify(a) === JSON.stringify(b);
const saneMetrics = (m: unknown) => {
  const x = m as Record<string, unknown> | null;
  return !!x && ['forgetAcc', 'retainAcc', 'testAcc', 'mia'].every((k) => finite(x[k]));
};

function parseSizes(s: string): number[] {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((x) => !Number.isInteger(x) || x < 10 || x > 5000))
    throw new Error(`--sizes: a list of images per class in [10, 5000], got "${s}"`);
  return [...new Set(v)].sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const values = parseCli(SCALING_CLI);
  const sizes = parseSizes(values.sizes!);
  const cap = values.cap === undefined ? Infinity : Number(values.cap);
  if (!(cap >= 1)) throw new Error(`--cap: a positive number of epochs, got "${values.cap}"`);
  const bench = validateSpec(mergeSpec(getPreset(values.preset!).spec, { seeds: parseSeedsArg(values.seeds!) }));
  const seeds = seedList(bench);
  const out = values.out!;
  const runs: ScalingRun[] = scalingRuns().map((r) => ({ ...r, epochs: Math.min(r.epochs, cap) }));
  const sizeSpec = (size: number, seed: number) => {
    const s = scalingSizeSpec(bench, size, seed);
    return cap < Infinity ? validateSpec(mergeSpec(s, { pretrain: { epochs: Math.min(s.pretrain.epochs, cap) } })) : s;
  };
  const dirOf = (size: number) => `${out}/runs/size${size}`;
  const reportOnly = !!values['report-only'];

  const points: ScalingPoint[] = [];
  const missing: string[] = [];
  const shared: string[] = [];
  const originals: Array<{ size: number; seed: number; trainAcc: number; testAcc: number; epochs?: number }> = [];
  const noteLoad = (f: RunFile, what: string) => {
    if (Math.max(f.loadBefore[0] ?? 0, f.loadAfter[0] ?? 0) > os.cpus().length + 0.5) shared.push(what);
  };
  const write = async (backend: string, workers: number | null) =>
    writeStudy({ out, sizes, seeds, bench, points, missing, shared, originals, backend, workers, values });

  let backend = 'as recorded in the run files';
  let workers: number | null = null;
  let parallel: ReturnType<typeof createNodeParallel> | null = null;
  if (!reportOnly) {
    backend = (await initNodeBackend()).backend;
    workers =
      values.workers !== undefined ? parseWorkerCount(values.workers, '--workers') : defaultNodeWorkers(backend);
    parallel = createNodeParallel(workers);
  }
  const t0 = Date.now();
  try {
    for (const size of sizes) {
      for (const seed of seeds) {
        const spec = sizeSpec(size, seed);
        const origPath = `${dirOf(size)}/seed${seed}-Original.json`;
        let orig = await readJson<OriginalFile>(
          origPath,
          (f) => f.kind === 'scaling-original' && sameSpec(f.spec, spec) && saneMetrics(f.pretrain?.metrics),
        );
        let session: LabSession | null = null;
        const open = async () => {
          if (session) return session;
          const dataset = await loadDatasetNode(spec.dataset, { seed });
          session = new LabSession(
            {
              dataset,
              sink: () => {},
              cache: new FileWeightsCache(),
              backendName: backend,
              versions: await labVersions(),
              machine: machineInfo(),
              parallel,
              cpuClock: processCpuSeconds,
            },
            spec,
          );
          process.stderr.write(
            `size ${size} seed ${seed}: original model (elapsed ${fmtSeconds((Date.now() - t0) / 1000)})\n`,
          );
          await session.pretrain();
          return session;
        };
        try {
          if (!orig && !reportOnly) {
            const s = await open();
            const r = s.result();
            orig = {
              kind: 'scaling-original',
              spec,
              retainSize: r.split.retainSize,
              forgetSize: r.split.forgetSize,
              pretrain: { ...r.pretrain, perClass: undefined, confusion: undefined, attack: undefined },
            };
            await writeAtomic(origPath, JSON.stringify(orig, null, 2));
          }
          if (!orig) {
            missing.push(`size ${size} seed ${seed}: original and every run`);
            continue;
          }
          const ctx = {
            size,
            seed,
            retainSize: orig.retainSize,
            forgetSize: orig.forgetSize,
            originalTrainAcc: orig.pretrain.trainAcc,
          };
          originals.push({
            size,
            seed,
            trainAcc: orig.pretrain.trainAcc,
            testAcc: orig.pretrain.testAcc,
            epochs: orig.pretrain.epochsTrained,
          });
          points.push(originalPoint(orig.pretrain.metrics!, ctx));
          for (const run of runs) {
            const rspec = scalingRunSpec(spec, run);
            const path = `${dirOf(size)}/seed${seed}-${run.method}-e${run.epochs}.json`;
            let file = await readJson<RunFile>(
              path,
              (f) => f.kind === 'scaling-run' && sameSpec(f.spec, rspec) && saneMetrics(f.result?.metrics),
            );
            if (!file && !reportOnly) {
              const s = await open();
              process.stderr.write(
                `size ${size} seed ${seed}: ${run.method} ${run.epochs} epochs (elapsed ${fmtSeconds((Date.now() - t0) / 1000)})\n`,
              );
              s.setSpec(rspec);
              const loadBefore = os.loadavg();
              const [result] = await s.unlearn([run.method], 'without');
              file = {
                kind: 'scaling-run',
                spec: rspec,
                loadBefore,
                loadAfter: os.loadavg(),
                retainSize: ctx.retainSize,
                forgetSize: ctx.forgetSize,
                cpuSeconds: s.lastUnlearnCpuSeconds,
                result: { ...result, losses: undefined, perClass: undefined, confusion: undefined, attack: undefined },
              };
              await writeAtomic(path, JSON.stringify(file, null, 2));
            }
            if (!file) {
              missing.push(`size ${size} seed ${seed}: ${run.method} ${run.epochs} epochs`);
              continue;
            }
            noteLoad(file, `size ${size} seed ${seed} ${run.method}`);
            points.push(...scalingPointsOf(run, file.result, file.cpuSeconds, ctx));
            if (!reportOnly) await write(backend, workers);
          }
        } finally {
          (session as LabSession | null)?.dispose();
        }
      }
    }
  } finally {
    await parallel?.dispose();
  }
  await write(backend, workers);
}

const f1 = (iv: Interval) => formatInterval(iv, 1);
const gapCell = (iv: Interval) => `${f1(iv)}${coversZero(iv) ? ' (within noise)' : ''}`;
const ratioCell = (iv: Interval | null) => (iv ? `${formatInterval(iv, 2)}×` : '–');

async function writeStudy(o: {
  out: string;
  sizes: number[];
  seeds: number[];
  bench: ExperimentSpec;
  points: ScalingPoint[];
  missing: string[];
  shared: string[];
  originals: Array<{ size: number; seed: number; trainAcc: number; testAcc: number; epochs?: number }>;
  backend: string;
  workers: number | null;
  values: { preset?: string; sizes?: string; seeds?: string; cap?: string };
}): Promise<void> {
  const { out, points, missing, shared, originals } = o;
  const gaps = scalingGaps(points);
  const thresholds = scalingThresholds(gaps);
  const extrapolations = scalingExtrapolations(points);
  const command =
    `npm run scaling -- --preset ${o.values.preset} --sizes ${o.values.sizes} --seeds ${o.values.seeds}` +
    (o.values.cap ? ` --cap ${o.values.cap}` : '');
  await writeAtomic(
    `${out}/scaling.json`,
    JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        command,
        machine: machineInfo(),
        versions: await labVersions(),
        backend: o.backend,
        workers: o.workers,
        sizes: o.sizes,
        seeds: o.seeds,
        memorisesAt: MEMORISES_TRAIN_ACC,
        originals,
        missing,
        shared,
        points,
        gapsToRetrain: gaps,
        thresholds,
        extrapolations,
      },
      null,
      2,
    ),
  );
  const md: string[] = [
    '# Scaling study — does one pass of A-CF suffice as the data grow?',
    '',
    `Generated ${new Date().toISOString()} by \`${command}\`. ConvNet-3 w${o.bench.model.width}, ${o.bench.dataset} subsets, ` +
      '10 % uniform forgetting; per size and seed an original pretrained until its running train accuracy reached ' +
      `${MEMORISES_TRAIN_ACC} % (epoch cap ${SCALING_PRETRAIN_CAP}), then A-CF ` +
      '(one 16-pass run read at 1, 2, 4, 8, 16 passes), CF (50 epochs) and Retrain (100 epochs). Gaps to Retrain ' +
      'paired by seed; mean ± half-width of the 95 % t-interval over seeds; a gap whose interval covers 0 is ' +
      'within noise. CPU seconds are process CPU-seconds of all threads (robust to other jobs on the cores; A-CF ' +
      'checkpoints below 16 passes are prorated by passes).',
    '',
    ...(missing.length ? [`**Partial study:** not finished yet: ${missing.join('; ')}.`, ''] : []),
    ...(shared.length
      ? [`Runs timed while other jobs shared the cores (wall seconds are not speed results): ${shared.join('; ')}.`, '']
      : []),
    '## Originals',
    '',
    '| size (img/class) | seed | epochs | train | test | memorises? |',
    '|---|---|---|---|---|---|',
    ...originals.map(
      (r) =>
        `| ${r.size} | ${r.seed} | ${r.epochs ?? 'cached'} | ${r.trainAcc.toFixed(1)} | ${r.testAcc.toFixed(1)} | ` +
        `${memorisationNote(r.trainAcc)} |`,
    ),
    '',
    '## Smallest A-CF budget within noise of Retrain (forget accuracy AND MIA)',
    '',
    '| size | n | passes | steps | draws per forget image | CPU vs Retrain | CPU vs CF-50 |',
    '|---|---|---|---|---|---|---|',
    ...thresholds.map((t) =>
      t.row
        ? `| ${t.size} | ${t.n} | ${t.passes} | ${t.row.steps} | ${t.row.draws.toFixed(0)} | ${ratioCell(t.row.cpuVsRetrain)} | ` +
          `${ratioCell(t.row.cpuVsCf)} |`
        : `| ${t.size} | ${t.n} | ${t.note ?? 'not reached within 16 passes'} | | | | |`,
    ),
    '',
    '## Gaps to Retrain, paired by seed',
    '',
    '| size | method | passes | steps | draws/forget | n | forget gap | MIA gap | test gap | retain gap | CPU vs Retrain | CPU vs CF-50 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...gaps.map(
      (g) =>
        `| ${g.size} | ${g.method} | ${g.passes} | ${g.steps} | ${g.draws.toFixed(0)} | ${g.n} | ${gapCell(g.gaps.forgetAcc)} | ` +
        `${gapCell(g.gaps.mia)} | ${gapCell(g.gaps.testAcc)} | ${gapCell(g.gaps.retainAcc)} | ` +
        `${ratioCell(g.cpuVsRetrain)} | ${ratioCell(g.cpuVsCf)} |`,
    ),
    '',
    `## Extrapolation to the paper's ${PAPER_RETAIN.toLocaleString('en-US')} retain images (labelled: beyond the data)`,
    '',
    'Per A-CF checkpoint, a least-squares line of the per-seed gap against log10(retain size), evaluated at ' +
      `${PAPER_RETAIN.toLocaleString('en-US')} with the 95 % interval of the fitted mean. An extrapolation from the ` +
      'sizes listed; it assumes the trend stays linear in log size. A line cannot bend: a predicted gap outside every ' +
      'measured mean says which way the gap moves with size, not how far.',
    '',
    '| passes | gap | sizes fitted | n | slope per decade | predicted gap at 45,000 | 95 % interval |',
    '|---|---|---|---|---|---|---|',
    ...extrapolations.map(
      (e) =>
        `| ${e.passes} | ${e.metric === 'mia' ? 'MIA' : 'forget'} | ${e.sizes.join(', ')} | ${e.n} | ` +
        `${e.slope.toFixed(2)} | ${e.predicted.toFixed(1)} | [${e.ci95[0].toFixed(1)}, ${e.ci95[1].toFixed(1)}] |`,
    ),
    ...(extrapolations.length ? [] : ['', 'Not yet: a fit needs ≥ 3 seeds-with-Retrain over ≥ 2 sizes.']),
    '',
  ];
  await writeAtomic(`${out}/scaling.md`, md.join('\n'));
}

runCli('scaling', main);
