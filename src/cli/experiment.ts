/**
 * `npm run experiment -- --config spec.json --out result.json [--preset NAME] [--seed N] [--md table.md] [--backend wasm|cpu]`
 *
 * Runs a whole experiment headless in Node (the same core as the browser worker) and writes the result JSON
 * (results-format.md) plus a paper-style markdown table next to it.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { LabSession } from '../core';
import { getPreset, mergeSpec, validateSpec, DEFAULT_SPEC } from '../core';
import { markdownReport } from '../core';
import type { ExperimentResult, ExperimentSpec, RunEvent } from '../core';
import { initNodeBackend } from './node-backend';
import { createNodeParallel, nodeWorkerCount } from './parallel-node';
import { parseWorkerCount } from '../core';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';

export interface RunCliOptions {
  spec: ExperimentSpec;
  quiet?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** data-parallel training workers (default: the cores available, `os.availableParallelism()`; 1 = in-thread) */
  workers?: number;
}

/** Run one experiment in this process; shared by `experiment`, `bench` and `reproduce`. */
export async function runExperimentNode(opts: RunCliOptions): Promise<ExperimentResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const backend = await initNodeBackend();
  const dataset = await loadDatasetNode(opts.spec.dataset, { seed: opts.spec.seed });
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
  const parallel = createNodeParallel(opts.workers ?? nodeWorkerCount());
  if (parallel && !opts.quiet) log(`training on ${parallel.workers} worker threads (--workers 1: in this thread)`);
  const session = new LabSession({
    dataset, sink, cache: new FileWeightsCache(), backendName: backend.backend,
    versions: await labVersions(), machine: machineInfo(), parallel,
  }, opts.spec);
  try {
    return await session.runAll(opts.signal);
  } finally {
    session.dispose();
    await parallel?.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' }, preset: { type: 'string' }, out: { type: 'string' }, md: { type: 'string' },
      seed: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' }, workers: { type: 'string' },
    },
  });
  if (values.help) {
    console.log('usage: npm run experiment -- [--preset NAME] [--config spec.json] [--seed N] [--workers N] --out result.json [--md table.md]');
    return;
  }
  let base = DEFAULT_SPEC;
  if (values.preset) base = getPreset(values.preset).spec;
  let input: unknown = {};
  if (values.config) {
    const text = await readFile(values.config, 'utf8').catch((e: Error) => { throw new Error(`${values.config}: cannot read (${e.message})`); });
    try { input = JSON.parse(text); } catch (e) { throw new Error(`${values.config}: not valid JSON (${(e as Error).message})`); }
  }
  let spec = validateSpec(input, base);
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new Error(`--seed: expected a non-negative integer, got "${values.seed}"`);
    spec = validateSpec(mergeSpec(spec, { seed: Number(values.seed) }));
  }
  const out = values.out ?? 'result.json';
  const ac = new AbortController();
  process.on('SIGINT', () => { process.stderr.write('\ncancelling…\n'); ac.abort(); });
  const workers = values.workers !== undefined ? parseWorkerCount(values.workers, '--workers') : undefined;
  const result = await runExperimentNode({ spec, quiet: values.quiet, signal: ac.signal, workers });
  await writeAtomic(out, JSON.stringify(result, null, 2));
  const md = values.md ?? out.replace(/\.json$/i, '') + '.md';
  await writeAtomic(md, markdownReport(result));
  console.log(markdownReport(result));
  console.log(`\nwrote ${out} and ${md}`);
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  main().catch((e: Error) => {
    console.error(`experiment: ${e.message}`);
    process.exit(1);
  });
}
