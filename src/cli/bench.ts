/**
 * `npm run bench [-- --only PREFIX] [--preset bench] [--fresh] [--workers N]` → results/bench.json + results/bench.md (results-format.md).
 * With `--only`, the measured rows replace the rows of the same id in an existing results/bench.json.
 * Gathers the core throughput rows, the condensation rows and the unlearning rows. A benchmark that cannot run is
 * absent from the table (and its error printed), never faked.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, parseBackendFlag } from './node-backend';
import { labVersions, machineInfo, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';
import { capWorkers, nodeWorkerCount } from './parallel-node';
import { checkOutputPaths } from './out-paths';
import type { BenchRow } from '../core';
import { PRESETS } from '../core';
import { parseWorkerCount } from '../core';

type Row = BenchRow & { measuredAt?: string };

type Group = { prefix: string[]; run: () => Promise<BenchRow[]> };

export const BENCH_CLI = defineCli({
  name: 'bench',
  summary: 'Measure the core throughput, condensation and unlearning rows → <out>/bench.json + bench.md.',
  options: {
    only: { type: 'string', arg: 'PREFIXES', help: 'only rows whose id starts with one of these (comma-separated)' },
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      help: 'preset of the unlearning rows (default bench)',
    },
    out: { type: 'string', arg: 'DIR', default: 'results', help: 'folder of bench.json and bench.md' },
    fresh: { type: 'boolean', help: 'drop the rows of an earlier bench.json instead of keeping the unmeasured ones' },
    backend: { type: 'string', arg: 'wasm|cpu|webgpu', help: 'tfjs backend (default wasm)' },
    'resume-dir': {
      type: 'string',
      arg: 'DIR',
      help: 'unlearning rows: finished methods and timing repeats kept here, an interrupted run resumes (default .cache/bench-unlearn; --fresh: none)',
    },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers (default: the cores on WASM/CPU, 1 on WebGPU; 1 = in this thread)',
    },
    oversubscribe: { type: 'boolean', help: 'allow --workers above the cores (each worker holds its own model copy)' },
    'reference-share': {
      type: 'boolean',
      help: 'also measure condense.overhead_share.reference: full CIFAR-10 at IPC 1000 (≈ 30–50 min)',
    },
  },
});

async function main(): Promise<void> {
  const values = parseCli(BENCH_CLI);
  // --workers N: data-parallel workers of the parallel rows and the unlearning runs (default: the cores available)
  const workers =
    values.workers !== undefined
      ? capWorkers(parseWorkerCount(values.workers, '--workers'), values.oversubscribe)
      : undefined;
  // --only takes one prefix or a comma-separated list of prefixes
  const onlyList = (values.only ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const only = onlyList.length === 1 ? onlyList[0] : '';
  const matches = (id: string) => onlyList.length === 0 || onlyList.some((p) => id.startsWith(p));
  const outDir = values.out;
  await checkOutputPaths([{ flag: '--out', path: outDir, kind: 'dir' }]); // before any work (issue 19 item 5)
  const backend = await initNodeBackend(parseBackendFlag(values.backend));
  const groups: Group[] = [
    {
      prefix: ['core.'],
      run: async () => [
        ...(await (await import('./bench-core')).benchCore({ only: onlyList })),
        ...(await (await import('./bench-parallel')).benchParallel({ workers, log: (m) => console.error(m) })),
      ],
    },
    {
      prefix: ['blend.', 'dm.', 'random.', 'reduced_retain.'],
      run: async () => (await import('./bench-condense')).benchCondense({ only }),
    },
    {
      prefix: ['condense.'],
      run: async () => {
        const { benchOverheadShare } = await import('./bench-overhead');
        const log = (m: string) => console.error(m);
        const rows: BenchRow[] = [];
        if (matches('condense.parallel_speedup')) {
          // condensation in this thread vs its feature-network passes on the workers, interleaved, same seed
          const w = workers ?? nodeWorkerCount();
          if (w < 2) console.error('condense.parallel_speedup: needs at least 2 workers (--workers)');
          else {
            const { condenseInterleaved, parallelSpeedupRow } = await import('./condense-timing');
            const doc = await condenseInterleaved({
              perClass: 300,
              ipc: 60,
              iterations: 12,
              workers: w,
              repeats: 1,
              log,
            });
            rows.push(parallelSpeedupRow(doc));
          }
        }
        if (matches('condense.overhead_share'))
          rows.push((await benchOverheadShare({ preset: values.preset ?? 'bench', workers, log })).row);
        if (values['reference-share'])
          rows.push(
            (await benchOverheadShare({ preset: 'reference', id: 'condense.overhead_share.reference', workers, log }))
              .row,
          );
        return rows;
      },
    },
    {
      prefix: ['ux.'],
      run: async () => (await import('./bench-ux')).benchUx({ log: (m) => console.error(m) }),
    },
    {
      prefix: ['unlearn.', 'memory.'],
      run: async () =>
        (await import('./bench-unlearn'))
          .benchUnlearn({
            preset: values.preset,
            workers,
            log: (m) => console.error(m),
            resumeDir: values.fresh ? undefined : (values['resume-dir'] ?? '.cache/bench-unlearn'),
          })
          .then((r) => r.rows),
    },
  ];
  const rows: BenchRow[] = [];
  for (const g of groups) {
    if (onlyList.length && !g.prefix.some((p) => onlyList.some((o) => p.startsWith(o) || o.startsWith(p)))) continue;
    try {
      const t0 = Date.now();
      const got = await g.run();
      console.error(`bench group ${g.prefix.join(',')}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      // memory.* rows are by-products of the unlearning runs: kept whenever their group ran
      for (const r of got)
        if (matches(r.id) || r.id.startsWith('memory.')) {
          rows.push(r);
          console.log(`${r.id}: ${r.value.toFixed(3)} ${r.unit}${r.target != null ? ` (target ${r.target})` : ''}`);
        }
    } catch (e) {
      console.error(`bench group ${g.prefix.join(',')} failed: ${(e as Error).stack ?? e}`);
    }
  }
  // Rows of an earlier run stay unless this run measured the same id again (so `--only` refreshes a group);
  // each row records when it was measured.
  const path = `${outDir}/bench.json`;
  const measuredAt = new Date().toISOString();
  let kept: BenchRow[] = [];
  if (!values.fresh && existsSync(path)) {
    try {
      const prev = JSON.parse(await readFile(path, 'utf8')) as { rows?: BenchRow[] };
      const ids = new Set(rows.map((r) => r.id));
      kept = (prev.rows ?? []).filter((r) => !ids.has(r.id));
    } catch (e) {
      console.error(`bench: ignoring unreadable ${path} (${(e as Error).message})`);
    }
  }
  const all = [...kept, ...rows.map((r) => ({ ...r, measuredAt }))].sort((a, b) => a.id.localeCompare(b.id));
  const doc = {
    createdAt: measuredAt,
    machine: machineInfo(),
    backend: backend.backend,
    versions: { ...(await labVersions()), tfjs: tf.version_core },
    rows: all,
  };
  await writeAtomic(path, JSON.stringify(doc, null, 2));
  await writeAtomic(`${outDir}/bench.md`, benchMarkdown(doc));
  console.log(
    `wrote ${path} and ${outDir}/bench.md (${rows.length} rows measured now, ${kept.length} kept from earlier runs)`,
  );
}

export function benchMarkdown(doc: {
  createdAt: string;
  machine: Record<string, unknown>;
  backend: string;
  versions: Record<string, string>;
  rows: Row[];
}): string {
  const lines = [
    `# Unlearning Lab benchmarks`,
    '',
    `${doc.createdAt} · backend ${doc.backend} · ${doc.machine.cpus} CPUs (${doc.machine.cpuModel}) · tfjs ${doc.versions.tfjs} · lab ${doc.versions.lab}`,
    '',
    '| id | value | unit | target | met | setting | note | measured |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of doc.rows) {
    const lowerIsBetter = /gap|delta|first_row_s|update_s/.test(r.id);
    const met = r.target == null ? '' : (lowerIsBetter ? r.value <= r.target : r.value >= r.target) ? 'yes' : '**no**';
    lines.push(
      `| ${r.id} | ${r.value.toFixed(r.value >= 100 ? 0 : 2)} | ${r.unit} | ${r.target ?? ''} | ${met} | ${r.setting} | ${r.note ?? ''} | ${r.measuredAt?.slice(0, 16) ?? ''} |`,
    );
  }
  return lines.join('\n') + '\n';
}

runCli('bench', main);
