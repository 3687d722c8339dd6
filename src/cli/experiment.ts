/**
 * `npm run experiment -- --config spec.json --out result.json [--preset NAME] [--seed N] [--seeds N|a,b,c]
 *    [--resume-dir DIR] [--md table.md] [--backend wasm|cpu|webgpu]`
 *
 * Runs a whole experiment headless in Node (the same core as the browser worker) and writes the result JSON
 * (results-format.md) plus a paper-style markdown table next to it. With more than one seed (`--seeds` or the
 * spec's `seeds`) it runs once per seed and writes `{spec, seeds, perSeed, aggregate}` with intervals
 * (runner/seeds.ts). Every finished method is kept under the resume folder (default `<out>.parts/seed<N>/`) as it
 * finishes; re-running the same command resumes without redoing finished methods or the original model.
 */
import { parseArgs } from 'node:util';
import { readFile, stat } from 'node:fs/promises';
import { LabSession, CancelledError } from '../core';
import { getPreset, mergeSpec, seedList, validateSpec, validateSpecWithWarnings, DEFAULT_SPEC, runSeeds, seedsMarkdown, seedsCsv } from '../core';
import { markdownReport } from '../core';
import type { ExperimentResult, ExperimentSpec, RunEvent } from '../core';
import { FileMethodStore } from './method-store';
import { initNodeBackend, parseBackendFlag } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';

export interface RunCliOptions {
  spec: ExperimentSpec;
  quiet?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** folder holding the prepared datasets (default public/datasets) */
  dataDir?: string;
  /** keep finished methods here and reuse them (resumable; FileMethodStore) */
  methodDir?: string;
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
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const backend = await initNodeBackend();
  const { seed, trainPerClass, testPerClass } = opts.spec;
  const dataset = await loadDatasetNode(opts.spec.dataset, { request: { seed, trainPerClass, testPerClass }, dir: opts.dataDir });
  let lastProgress = 0;
  const sink = (e: RunEvent) => {
    if (opts.quiet) return;
    switch (e.kind) {
      case 'stage':
        log(e.status === 'start' ? `▶ ${e.stage}${e.label ? ` · ${e.label}` : ''}` : `✓ ${e.stage}${e.label ? ` · ${e.label}` : ''} (${fmtSeconds(e.seconds ?? 0)})`);
        break;
      case 'progress': {
        const t = Date.now();
        if (t - lastProgress < 2000) break;
        lastProgress = t;
        const p = e.progress;
        log(`  ${p.label ?? p.stage} epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps}` +
          (p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : '') +
          (p.imgPerSec ? ` ${p.imgPerSec.toFixed(0)} img/s` : '') + (p.etaSeconds !== undefined ? ` ETA ${fmtSeconds(p.etaSeconds)}` : ''));
        break;
      }
      case 'epoch':
        log(`  ${e.method}${e.withDC ? ' w/ DC' : ''} epoch ${e.epoch}: ` + Object.entries(e.metrics).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : v}`).join(', '));
        break;
      case 'method-result': {
        const m = e.result;
        log(`  = ${m.name}${m.withDC ? ' w/ DC' : ''}: retain ${m.metrics.retainAcc.toFixed(1)} forget ${m.metrics.forgetAcc.toFixed(1)} test ${m.metrics.testAcc.toFixed(1)} MIA ${m.metrics.mia.toFixed(1)} in ${m.unlearnSeconds.toFixed(1)} s`);
        break;
      }
      case 'condense-result':
        log(`  reduced retain ${e.result.reducedRetainSize}/${e.result.retainSize} (${((100 * e.result.reducedRetainSize) / e.result.retainSize).toFixed(1)}%)`);
        break;
      case 'log':
        log(`  ${e.level === 'warn' ? '⚠ ' : ''}${e.message}`);
        break;
      default:
        break;
    }
  };
  const methodStore = opts.methodDir ? await FileMethodStore.open(opts.methodDir, opts.spec, log) : undefined;
  const session = new LabSession({
    dataset, sink, cache: new FileWeightsCache(), backendName: backend.backend, methodStore,
    versions: await labVersions(), machine: machineInfo(), cpuClock: processCpuSeconds,
  }, opts.spec);
  try {
    const result = await session.runAll(opts.signal);
    await opts.afterRun?.(session, result);
    return result;
  } finally {
    session.dispose();
  }
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' }, preset: { type: 'string' }, out: { type: 'string' }, md: { type: 'string' },
      seed: { type: 'string' }, seeds: { type: 'string' }, 'resume-dir': { type: 'string' },
      quiet: { type: 'boolean' }, help: { type: 'boolean' }, backend: { type: 'string' },
    },
  });
  if (values.help) {
    console.log('usage: npm run experiment -- [--preset NAME] [--config spec.json] [--seed N] [--seeds N|a,b,c] ' +
      '[--resume-dir DIR] --out result.json [--md table.md] [--backend wasm|cpu|webgpu]');
    return;
  }
  const be = await initNodeBackend(parseBackendFlag(values.backend));
  if (be.adapter) console.error(`backend webgpu on ${be.adapter}${be.tuning ? ` · ${be.tuning}` : ''}`);
  let base = DEFAULT_SPEC;
  if (values.preset) base = getPreset(values.preset).spec;
  let input: unknown = {};
  if (values.config) {
    const size = await stat(values.config).then((st) => (st.isFile() ? st.size : -1), () => -2);
    if (size === -1) throw new Error(`${values.config}: not a file`);
    if (size > MAX_CONFIG_BYTES) {
      const n = (x: number) => x.toLocaleString('en-US');
      throw new Error(`${values.config}: ${n(size)} bytes; a spec is at most ${n(MAX_CONFIG_BYTES)}`);
    }
    const text = await readFile(values.config, 'utf8').catch((e: Error) => { throw new Error(`${values.config}: cannot read (${e.message})`); });
    try { input = JSON.parse(text); } catch (e) { throw new Error(`${values.config}: not valid JSON (${(e as Error).message})`); }
  }
  const checked = validateSpecWithWarnings(input, base);
  for (const w of checked.warnings) process.stderr.write(`⚠ ${w}\n`);
  let spec = checked.spec;
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new Error(`--seed: expected a non-negative integer, got "${values.seed}"`);
    spec = validateSpec(mergeSpec(spec, { seed: Number(values.seed) }));
  }
  if (values.seeds !== undefined) spec = validateSpec(mergeSpec(spec, { seeds: parseSeedsArg(values.seeds) }));
  const out = values.out ?? 'result.json';
  const stem = out.replace(/\.json$/i, '');
  const resumeDir = values['resume-dir'] ?? `${stem}.parts`;
  const md = values.md ?? stem + '.md';
  const ac = abortOnSigint();
  const seeds = seedList(spec);
  if (seeds.length === 1) {
    const one = validateSpec(mergeSpec(spec, { seed: seeds[0], seeds: 1 }));
    const result = await runExperimentNode({ spec: one, quiet: values.quiet, signal: ac.signal, methodDir: `${resumeDir}/seed${seeds[0]}` });
    await writeAtomic(out, JSON.stringify(result, null, 2));
    await writeAtomic(md, markdownReport(result));
    console.log(markdownReport(result));
  } else {
    const multi = await runSeeds(spec, (s, seed) => runExperimentNode({
      spec: s, quiet: values.quiet, signal: ac.signal, methodDir: `${resumeDir}/seed${seed}`,
    }), { signal: ac.signal, onSeed: (seed, i, n) => process.stderr.write(`== seed ${seed} (${i}/${n})\n`) });
    const text = [
      `# Experiment over ${multi.seeds.length} seeds`, '', seedsMarkdown(multi.aggregate), '',
      ...multi.perSeed.map((r) => markdownReport(r, `Seed ${r.spec.seed}`).replace(/^# /, '## ')),
    ].join('\n');
    await writeAtomic(out, JSON.stringify(multi, null, 2));
    await writeAtomic(md, text);
    await writeAtomic(`${stem}.intervals.csv`, seedsCsv(multi.aggregate));
    console.log(text);
    console.log(`wrote ${stem}.intervals.csv (one interval per method × arm × metric)`);
  }
  console.log(`\nwrote ${out} and ${md}`);
}

/** `--seeds 3` (a count) or `--seeds 0,4,7` (a list). */
export function parseSeedsArg(v: string): number | number[] {
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d+(,\d+)+$/.test(v)) return v.split(',').map(Number);
  throw new Error(`--seeds: expected a count (3) or a comma-separated list (0,4,7), got "${v}"`);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  main().catch((e: Error) => {
    console.error(`experiment: ${e.message}`);
    process.exit(e instanceof CancelledError ? 130 : 1);
  });
}
