/**
 * `npm run experiment -- --config spec.json --out result.json [--preset NAME] [--seed N] [--seeds N|a,b,c]
 *    [--resume-dir DIR] [--md table.md] [--backend wasm|cpu|webgpu] [--quiet] [--events]`  (`--help`: all options)
 *
 * Runs a whole experiment headless in Node (the same core as the browser worker) and writes the result JSON
 * (results-format.md) plus a paper-style markdown table next to it. With more than one seed (`--seeds` or the
 * spec's `seeds`) it runs once per seed and writes `{spec, seeds, perSeed, aggregate}` with intervals
 * (results/seeds.ts). Every finished method is kept under the resume folder (default `<out>.parts/seed<N>/`) as it
 * finishes; re-running the same command resumes without redoing finished methods or the original model.
 */
import { readFile, stat } from 'node:fs/promises';
import { LabSession } from '../core';
import { PRESETS } from '../core';
import {
  getPreset,
  mergeSpec,
  seedList,
  validateSpec,
  validateSpecWithWarnings,
  DEFAULT_SPEC,
  runSeeds,
  seedsMarkdown,
  seedsCsv,
} from '../core';
import { armOf, armSuffix, markdownReport } from '../core';
import type { ExperimentResult, ExperimentSpec, RunEvent } from '../core';
import { FileMethodStore } from './method-store';
import { acquireOutLock } from './out-lock';
import { checkOutputPaths } from './out-paths';
import { initNodeBackend, parseBackendFlag } from './node-backend';
import { capWorkers, createNodeParallel, nodeWorkerCount } from './parallel-node';
import { parseWorkerCount, type ParallelTrainer } from '../core';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fileShippedModels, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';
import { eventWriter, progressFraction, progressOut, type EventWriter } from './progress';

export interface RunCliOptions {
  spec: ExperimentSpec;
  quiet?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** folder holding the prepared datasets (default public/datasets) */
  dataDir?: string;
  /** keep finished methods here and reuse them (resumable; FileMethodStore) */
  methodDir?: string;
  /**
   * data-parallel training workers (default: the cores available, `os.availableParallelism()`, on the WASM / CPU
   * backends; 1 on WebGPU, whose device the WASM shard workers would not use; 1 = in this thread)
   */
  workers?: number;
  /** a worker pool the caller owns (e.g. one for all seeds); when given, `workers` is ignored and it is not disposed */
  parallel?: ParallelTrainer | null;
  /** `--events`: every RunEvent as a JSON line (with `eventContext`, e.g. the cell or seed) */
  events?: EventWriter;
  eventContext?: Record<string, unknown>;
  /** runs after the experiment, on the same session (its original model), before it is disposed (bench timing) */
  afterRun?: (session: LabSession, result: ExperimentResult) => Promise<void>;
}

/** This process's CPU seconds (user + system, all threads). */
export const processCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Run one experiment in this process; shared by `experiment`, `bench` and `reproduce`. */
export async function runExperimentNode(opts: RunCliOptions): Promise<ExperimentResult> {
  const out = progressOut();
  const log = opts.log ?? ((l: string) => out.line(l));
  const backend = await initNodeBackend();
  const { seed, trainPerClass, testPerClass } = opts.spec;
  const dataset = await loadDatasetNode(opts.spec.dataset, {
    request: { seed, trainPerClass, testPerClass },
    dir: opts.dataDir,
  });
  const sink = (e: RunEvent) => {
    opts.events?.(e, opts.eventContext);
    if (opts.quiet) return;
    switch (e.kind) {
      case 'stage':
        log(
          e.status === 'start'
            ? `▶ ${e.stage}${e.label ? ` · ${e.label}` : ''}`
            : `✓ ${e.stage}${e.label ? ` · ${e.label}` : ''} (${fmtSeconds(e.seconds ?? 0)})`,
        );
        break;
      case 'progress': {
        const p = e.progress;
        if (opts.log) break; // a caller's own log gets whole lines only
        out.bar(
          progressFraction(p),
          `${p.label ?? p.stage} epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps}` +
            (p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : '') +
            (p.imgPerSec ? ` ${p.imgPerSec.toFixed(0)} img/s` : '') +
            (p.etaSeconds !== undefined ? ` ETA ${fmtSeconds(p.etaSeconds)}` : ''),
        );
        break;
      }
      case 'epoch':
        log(
          `  ${e.method}${armSuffix(armOf(e.withDC))} epoch ${e.epoch}: ` +
            Object.entries(e.metrics)
              .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : v}`)
              .join(', '),
        );
        break;
      case 'method-result': {
        const m = e.result;
        log(
          `  = ${m.name}${armSuffix(armOf(m.withDC))}: retain ${m.metrics.retainAcc.toFixed(1)} ` +
            `forget ${m.metrics.forgetAcc.toFixed(1)} test ${m.metrics.testAcc.toFixed(1)} MIA ${m.metrics.mia.toFixed(1)} ` +
            `in ${m.unlearnSeconds.toFixed(1)} s`,
        );
        break;
      }
      case 'condense-result':
        log(
          `  reduced retain ${e.result.reducedRetainSize}/${e.result.retainSize} (${((100 * e.result.reducedRetainSize) / e.result.retainSize).toFixed(1)}%)`,
        );
        break;
      case 'log':
        log(`  ${e.level === 'warn' ? '⚠ ' : ''}${e.message}`);
        break;
      default:
        break;
    }
  };
  const methodStore = opts.methodDir ? await FileMethodStore.open(opts.methodDir, opts.spec, log) : undefined;
  const own = opts.parallel === undefined;
  const parallel = own ? createNodeParallel(opts.workers ?? defaultNodeWorkers(backend.backend)) : opts.parallel;
  if (own && parallel && !opts.quiet)
    log(`training on ${parallel.workers} worker threads (--workers 1: in this thread)`);
  const session = new LabSession(
    {
      dataset,
      sink,
      cache: new FileWeightsCache(),
      shipped: fileShippedModels(),
      backendName: backend.backend,
      methodStore,
      versions: await labVersions(),
      machine: machineInfo(),
      parallel,
      cpuClock: processCpuSeconds,
    },
    opts.spec,
  );
  try {
    const result = await session.runAll(opts.signal);
    await opts.afterRun?.(session, result);
    return result;
  } finally {
    out.clear();
    session.dispose();
    if (own) await parallel?.dispose();
  }
}

/**
 * The default worker count: every core on the WASM / CPU backends; 1 on WebGPU (the shard workers run WASM and
 * would leave the GPU idle).
 */
export function defaultNodeWorkers(backend: string): number {
  return backend === 'wasm' || backend === 'cpu' ? nodeWorkerCount() : 1;
}

/** A spec file larger than this is refused before it is read (a real spec is well under 10 KB). */
const MAX_CONFIG_BYTES = 1 << 20;

/**
 * First Ctrl-C: cancel cleanly (the run stops at its next step and frees its tensors). The handler is installed
 * with `once`, so a second Ctrl-C gets Node's default action and ends the process at once, even if it is busy.
 */
export function abortOnSigint(): AbortController {
  const ac = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    ac.abort();
  });
  return ac;
}

export const EXPERIMENT_CLI = defineCli({
  name: 'experiment',
  summary: "Run one experiment headless (the browser worker's core) → result JSON + a paper-style Markdown table.",
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      help: 'start from this preset (default: the default spec)',
    },
    config: { type: 'string', arg: 'spec.json', help: 'a spec (JSON) merged over the preset' },
    seed: { type: 'string', arg: 'N', help: 'the experiment seed' },
    seeds: { type: 'string', arg: 'N|a,b,c', help: 'run several seeds: a count or a list (aggregate with intervals)' },
    out: { type: 'string', arg: 'FILE', default: 'result.json', help: 'the result JSON' },
    md: { type: 'string', arg: 'FILE', help: 'the Markdown table (default: <out stem>.md)' },
    'resume-dir': { type: 'string', arg: 'DIR', help: 'finished methods kept here (default: <out stem>.parts)' },
    backend: { type: 'string', arg: 'wasm|cpu|webgpu', help: 'tfjs backend (default wasm)' },
    quiet: { type: 'boolean', help: 'no progress lines on stderr' },
    events: { type: 'boolean', help: 'progress as JSON lines on stdout (RunEvents; the table is not printed)' },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers (default: the cores on WASM/CPU, 1 on WebGPU; 1 = in this thread; at most the cores)',
    },
    oversubscribe: { type: 'boolean', help: 'allow --workers above the cores (each worker holds its own model copy)' },
  },
});

async function main(): Promise<void> {
  const values = parseCli(EXPERIMENT_CLI);
  const events = values.events ? eventWriter() : undefined;
  const say = (text: string) => {
    if (!events) console.log(text);
  };
  const backendChoice = parseBackendFlag(values.backend);
  const workers =
    values.workers !== undefined
      ? capWorkers(parseWorkerCount(values.workers, '--workers'), values.oversubscribe)
      : undefined;
  let base = DEFAULT_SPEC;
  if (values.preset) base = getPreset(values.preset).spec;
  let input: unknown = {};
  if (values.config) {
    const size = await stat(values.config).then(
      (st) => (st.isFile() ? st.size : -1),
      () => -2,
    );
    if (size === -1) throw new Error(`${values.config}: not a file`);
    if (size > MAX_CONFIG_BYTES) {
      const n = (x: number) => x.toLocaleString('en-US');
      throw new Error(`${values.config}: ${n(size)} bytes; a spec is at most ${n(MAX_CONFIG_BYTES)}`);
    }
    const text = await readFile(values.config, 'utf8').catch((e: Error) => {
      throw new Error(`${values.config}: cannot read (${e.message})`);
    });
    try {
      input = JSON.parse(text);
    } catch (e) {
      throw new Error(`${values.config}: not valid JSON (${(e as Error).message})`);
    }
  }
  const checked = validateSpecWithWarnings(input, base);
  for (const w of checked.warnings) process.stderr.write(`⚠ ${w}\n`);
  let spec = checked.spec;
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new Error(`--seed: expected a non-negative integer, got "${values.seed}"`);
    spec = validateSpec(mergeSpec(spec, { seed: Number(values.seed) }));
  }
  if (values.seeds !== undefined) spec = validateSpec(mergeSpec(spec, { seeds: parseSeedsArg(values.seeds) }));
  const out = values.out;
  const stem = out.replace(/\.json$/i, '');
  const resumeDir = values['resume-dir'] ?? `${stem}.parts`;
  const md = values.md ?? stem + '.md';
  const seeds = seedList(spec);
  const csv = `${stem}.intervals.csv`;
  // every output checked before any work (issue 19 item 5), then locked against a second writer (item 3)
  await checkOutputPaths([
    { flag: '--out', path: out, kind: 'file' },
    { flag: '--md', path: md, kind: 'file' },
    ...(seeds.length > 1 ? [{ flag: '<out stem>.intervals.csv', path: csv, kind: 'file' as const }] : []),
    { flag: '--resume-dir', path: resumeDir, kind: 'dir' },
  ]);
  const locks = [await acquireOutLock(out, (l) => process.stderr.write(l + '\n'))];
  try {
    locks.push(await acquireOutLock(resumeDir, (l) => process.stderr.write(l + '\n')));
    await runLocked();
  } finally {
    for (const l of locks) await l.release();
  }

  async function runLocked(): Promise<void> {
    const be = await initNodeBackend(backendChoice);
    if (be.adapter) console.error(`backend webgpu on ${be.adapter}${be.tuning ? ` · ${be.tuning}` : ''}`);
    const ac = abortOnSigint();
    // one worker pool for every seed of this process
    const parallel = createNodeParallel(workers ?? defaultNodeWorkers(be.backend));
    if (parallel && !values.quiet && !events) {
      process.stderr.write(`training on ${parallel.workers} worker threads (--workers 1: in this thread)\n`);
    }
    try {
      if (seeds.length === 1) {
        const one = validateSpec(mergeSpec(spec, { seed: seeds[0], seeds: 1 }));
        const result = await runExperimentNode({
          spec: one,
          quiet: values.quiet,
          signal: ac.signal,
          methodDir: `${resumeDir}/seed${seeds[0]}`,
          parallel,
          events,
        });
        await writeAtomic(out, JSON.stringify(result, null, 2));
        await writeAtomic(md, markdownReport(result));
        say(markdownReport(result));
      } else {
        const multi = await runSeeds(
          spec,
          (s, seed) =>
            runExperimentNode({
              spec: s,
              quiet: values.quiet,
              signal: ac.signal,
              methodDir: `${resumeDir}/seed${seed}`,
              parallel,
              events,
              eventContext: { seed },
            }),
          { signal: ac.signal, onSeed: (seed, i, n) => process.stderr.write(`== seed ${seed} (${i}/${n})\n`) },
        );
        const text = [
          `# Experiment over ${multi.seeds.length} seeds`,
          '',
          seedsMarkdown(multi.aggregate),
          '',
          ...multi.perSeed.map((r) => markdownReport(r, `Seed ${r.spec.seed}`).replace(/^# /, '## ')),
        ].join('\n');
        await writeAtomic(out, JSON.stringify(multi, null, 2));
        await writeAtomic(md, text);
        await writeAtomic(csv, seedsCsv(multi.aggregate));
        say(text);
        say(`wrote ${stem}.intervals.csv (one interval per method × arm × metric)`);
      }
    } finally {
      await parallel?.dispose();
    }
    events?.({ kind: 'written', files: [out, md] });
    say(`\nwrote ${out} and ${md}`);
  }
}

/** `--seeds 3` (a count) or `--seeds 0,4,7` (a list). */
export function parseSeedsArg(v: string): number | number[] {
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d+(,\d+)+$/.test(v)) return v.split(',').map(Number);
  throw new Error(`--seeds: expected a count (3) or a comma-separated list (0,4,7), got "${v}"`);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) runCli('experiment', main);
