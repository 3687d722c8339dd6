/**
 * `npm run reproduce -- [--preset quick] [--seeds 1] [--out results/reproduce] [--only cell-prefix] [--fresh]`
 *
 * Browser-scale versions of the paper's experiments, headless in Node:
 *   §4.3 single round — class and 10 % uniform forgetting, every single-round method, w/o and w/ DC;
 *   §4.5 multi-round — 3 rounds of 10 % uniform, CF / A-CF / SCRUB / A-SCRUB / L1 / A-L1, w/o and w/ DC;
 *   §4.2 condensation — Blend vs DM vs random real at IPC 10 (the condensation benchmark rows).
 * Every finished cell is written to `<out>/cells/<cell>.json` at once; a re-run skips cells whose JSON exists for
 * the same spec (resumable). The report `<out>/REPORT.md` puts each claim of the paper (spec §9) next to our number.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { planExperimentCells } from '../core/runner/reproduce-plan';
import { markdownReport } from '../core/runner/report';
import type { ExperimentResult, ExperimentSpec } from '../core/runner/contracts';
import { runExperimentNode } from './experiment';
import { fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import type { BenchRow } from '../core/runner/bench-rows';
import { buildClaims, claimsMarkdown, type CellResults } from '../core/runner/claims';

export interface Cell {
  id: string;
  title: string;
  kind: 'experiment' | 'condensation';
  spec?: ExperimentSpec;
}

export function planCells(presetName: string, seeds: number[]): Cell[] {
  const cells: Cell[] = planExperimentCells(presetName, seeds).map((c) => ({ ...c, kind: 'experiment' as const }));
  cells.push({ id: 'condensation-ipc10', title: '§4.2 condensation benchmark (Blend vs DM vs random real, CIFAR-10 IPC 10)', kind: 'condensation' });
  return cells;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    preset: { type: 'string', default: 'quick' }, seeds: { type: 'string', default: '1' }, out: { type: 'string', default: 'results/reproduce' },
    only: { type: 'string' }, fresh: { type: 'boolean' }, 'skip-condensation': { type: 'boolean' }, 'condense-per-class': { type: 'string' },
  } });
  const nSeeds = Number(values.seeds);
  if (!Number.isInteger(nSeeds) || nSeeds < 1 || nSeeds > 10) throw new Error(`--seeds: expected an integer 1..10, got "${values.seeds}"`);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const out = values.out!;
  const cells = planCells(values.preset!, seeds).filter((c) => (!values.only || c.id.startsWith(values.only)) && !(values['skip-condensation'] && c.kind === 'condensation'));
  const condensePerClass = values['condense-per-class'] ? Number(values['condense-per-class']) : 1000;
  if (!Number.isInteger(condensePerClass) || condensePerClass < 10 || condensePerClass > 5000) throw new Error(`--condense-per-class: expected an integer 10..5000, got "${values['condense-per-class']}"`);
  const keyOf = (cell: Cell) => (cell.kind === 'condensation' ? { condensePerClass } : cell.spec);
  const t0 = Date.now();
  const done: CellResults = { experiments: {}, condensation: [] };
  for (const [i, cell] of cells.entries()) {
    const path = `${out}/cells/${cell.id}.json`;
    const elapsed = (Date.now() - t0) / 1000;
    const eta = i > 0 ? (elapsed / i) * (cells.length - i) : NaN;
    console.error(`[${i + 1}/${cells.length}] ${cell.title} — elapsed ${fmtSeconds(elapsed)}${i > 0 ? `, ETA ${fmtSeconds(eta)}` : ''}`);
    if (!values.fresh && existsSync(path)) {
      const prev = JSON.parse(await readFile(path, 'utf8'));
      if (JSON.stringify(prev.spec ?? null) === JSON.stringify(keyOf(cell) ?? null)) {
        console.error('  (done earlier; reusing ' + path + ')');
        if (cell.kind === 'experiment') done.experiments[cell.id] = prev.result as ExperimentResult;
        else done.condensation = prev.rows as BenchRow[];
        continue;
      }
    }
    if (cell.kind === 'experiment') {
      const result = await runExperimentNode({ spec: cell.spec! });
      done.experiments[cell.id] = result;
      await writeAtomic(path, JSON.stringify({ spec: cell.spec, result }, null, 2));
      await writeAtomic(`${out}/cells/${cell.id}.md`, markdownReport(result, cell.title));
    } else {
      const { benchCondense } = await import('./bench-condense');
      // browser-scale §4.2: a CIFAR-10 subset, IPC 10; the reduced-retain rows at IPC = 1/5 of the images per class
      // (≈5 images per cluster as the paper's IPC 1000 on 5000 per class). `npm run bench` measures the full scale.
      const rows = await benchCondense({ only: '', trainPerClass: condensePerClass, testPerClass: 300, ipcLarge: Math.max(10, Math.round(condensePerClass / 5)) });
      done.condensation = rows;
      await writeAtomic(path, JSON.stringify({ spec: keyOf(cell), rows }, null, 2));
    }
  }
  const claims = buildClaims(done);
  const report = [
    `# Reproduction report — preset \`${values.preset}\``, '',
    `Generated ${new Date().toISOString()} by \`npm run reproduce -- --preset ${values.preset} --seeds ${nSeeds}\` on ${JSON.stringify(machineInfo())}, lab ${JSON.stringify(await labVersions())}.`,
    `Total ${fmtSeconds((Date.now() - t0) / 1000)}. Each row links the cell JSON it comes from (\`cells/*.json\`).`, '',
    claimsMarkdown(claims), '',
    ...Object.entries(done.experiments).map(([id, r]) => `\n---\n\n<!-- cell ${id} -->\n` + markdownReport(r, cells.find((c) => c.id === id)?.title ?? id).replace(/^# /, '## ')),
  ].join('\n');
  await writeAtomic(`${out}/REPORT.md`, report);
  await writeAtomic(`${out}/claims.json`, JSON.stringify(claims, null, 2));
  console.log(claimsMarkdown(claims));
  console.log(`\nwrote ${out}/REPORT.md`);
}

main().catch((e: Error) => { console.error(`reproduce: ${e.stack ?? e.message}`); process.exit(1); });
