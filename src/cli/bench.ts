/**
 * `npm run bench [-- --only PREFIX] [--preset quick]` → results/bench.json + results/bench.md (results-format.md).
 * Gathers the core throughput rows, the condensation rows and the unlearning rows. A benchmark that cannot run is
 * absent from the table (and its error printed), never faked.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { labVersions, machineInfo, writeAtomic } from './node-io';
import type { BenchRow } from '../core/runner/bench-rows';

type Group = { prefix: string[]; run: () => Promise<BenchRow[]> };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, preset: { type: 'string' }, out: { type: 'string' } } });
  const only = values.only ?? '';
  const outDir = values.out ?? 'results';
  const backend = await initNodeBackend();
  const groups: Group[] = [
    { prefix: ['core.'], run: async () => (await import('./bench-core')).benchCore() },
    { prefix: ['blend.', 'dm.', 'random.', 'reduced_retain.'], run: async () => (await import('./bench-condense')).benchCondense({ only }) },
    { prefix: ['unlearn.', 'memory.'], run: async () => (await import('./bench-unlearn')).benchUnlearn({ preset: values.preset }).then((r) => r.rows) },
  ];
  const rows: BenchRow[] = [];
  for (const g of groups) {
    if (only && !g.prefix.some((p) => p.startsWith(only) || only.startsWith(p))) continue;
    try {
      const got = await g.run();
      for (const r of got) if (!only || r.id.startsWith(only)) { rows.push(r); console.log(`${r.id}: ${r.value.toFixed(3)} ${r.unit}${r.target != null ? ` (target ${r.target})` : ''}`); }
    } catch (e) {
      console.error(`bench group ${g.prefix.join(',')} failed: ${(e as Error).stack ?? e}`);
    }
  }
  const doc = { createdAt: new Date().toISOString(), machine: machineInfo(), backend: backend.backend, versions: { ...(await labVersions()), tfjs: tf.version_core }, rows };
  const suffix = only ? `-${only.replace(/[^a-z0-9_.-]/gi, '')}` : '';
  await writeAtomic(`${outDir}/bench${suffix}.json`, JSON.stringify(doc, null, 2));
  await writeAtomic(`${outDir}/bench${suffix}.md`, benchMarkdown(doc));
  console.log(`wrote ${outDir}/bench${suffix}.json and .md`);
}

export function benchMarkdown(doc: { createdAt: string; machine: Record<string, unknown>; backend: string; versions: Record<string, string>; rows: BenchRow[] }): string {
  const lines = [`# Unlearning Lab benchmarks`, '', `${doc.createdAt} · backend ${doc.backend} · ${doc.machine.cpus} CPUs (${doc.machine.cpuModel}) · tfjs ${doc.versions.tfjs} · lab ${doc.versions.lab}`, '',
    '| id | value | unit | target | met | setting | note |', '|---|---|---|---|---|---|---|'];
  for (const r of doc.rows) {
    const lowerIsBetter = /gap|delta/.test(r.id);
    const met = r.target == null ? '' : (lowerIsBetter ? r.value <= r.target : r.value >= r.target) ? 'yes' : '**no**';
    lines.push(`| ${r.id} | ${r.value.toFixed(r.value >= 100 ? 0 : 2)} | ${r.unit} | ${r.target ?? ''} | ${met} | ${r.setting} | ${r.note ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}

main().catch((e: Error) => { console.error(`bench: ${e.message}`); process.exit(1); });
