/**
 * The fan-out recipe (docs/fan-out.md "Runs that fan out", cluster/slurm/reproduce.sbatch) simulated locally with exactly
 * its per-job commands on the `smoke` preset: list the cells → pretrain the originals once → run each cell with
 * `--cell` in 2 processes at once → `--report-only`. Its metrics must equal a serial run's, the jobs must reuse the
 * one original model (never train it twice), and their timings must be marked as taken on shared cores.
 * `--jobs 2` (the same thing driven by the CLI itself) must agree too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../core';
import type { StoredCell } from '../core/lite';

const root = mkdtempSync(join(tmpdir(), 'lab-fanout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// the two single-round cells (the multi-round cell is the same code path, 3× the time on a shared 2-core machine)
const COMMON = [
  '--preset',
  'smoke',
  '--seeds',
  '1',
  '--skip-condensation',
  '--methods',
  'A-CF,CF',
  '--only',
  'single-',
];

function reproduce(args: string[], cacheDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/reproduce.ts', ...COMMON, ...args], {
      env: { ...process.env, LAB_CACHE_DIR: cacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const cellFile = (out: string, id: string) =>
  JSON.parse(readFileSync(join(out, 'cells', `${id}.json`), 'utf8')) as StoredCell;
/** everything but the timings: per method its metrics, curve and sizes; the condensation's sizes */
const metricsOf = (r: ExperimentResult) => ({
  split: r.split,
  condense: r.condense ? { retain: r.condense.retainSize, reduced: r.condense.reducedRetainSize } : null,
  methods: r.methods.map((m) => ({ name: m.name, withDC: m.withDC, round: m.round, metrics: m.metrics })),
});
const weightsIn = (cache: string) => readdirSync(join(cache, 'weights')).filter((f) => f.endsWith('.bin'));

describe('reproduce fan-out (smoke preset)', () => {
  it("per-job commands in 2 processes and --jobs 2 give the serial run's metrics, one original model", async () => {
    const listed = await reproduce(['--list-cells', '--json'], join(root, 'cache-list'));
    expect(listed.code, listed.stderr).toBe(0);
    const cells = JSON.parse(listed.stdout) as Array<{ id: string; title: string; spec: { seed: number } }>;
    expect(cells.map((c) => c.id)).toEqual(['single-class-seed0', 'single-uniform-seed0']);
    expect(cells.every((c) => c.spec.seed === 0)).toBe(true);
    // the Slurm array task takes its cell from line $SLURM_ARRAY_TASK_ID + 1 of the plain list
    const plain = await reproduce(['--list-cells'], join(root, 'cache-list'));
    expect(
      plain.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(cells.map((c) => c.id));

    // the serial reference and the simulated array job (own caches: each trains its original itself)
    const serialOut = join(root, 'serial'),
      fanOut = join(root, 'fan'),
      jobsOut = join(root, 'jobs');
    const fanCache = join(root, 'cache-fan');
    const serial = await reproduce(['--out', serialOut], join(root, 'cache-serial'));
    expect(serial.code, serial.stderr).toBe(0);

    const pre = await reproduce(['--out', fanOut, '--pretrain-only'], fanCache);
    expect(pre.code, pre.stderr).toBe(0);
    expect(weightsIn(fanCache)).toHaveLength(1);
    const queue = cells.map((c) => c.id);
    const logs: string[] = [];
    await Promise.all(
      [0, 1].map(async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          const r = await reproduce(['--out', fanOut, '--cell', id, '--shared-cores'], fanCache);
          expect(r.code, r.stderr).toBe(0);
          logs.push(r.stderr);
        }
      }),
    );
    // every job loaded the original model; none trained it again
    expect(logs.every((l) => l.includes('original model loaded from the weights cache'))).toBe(true);
    expect(weightsIn(fanCache)).toHaveLength(1);
    expect(existsSync(join(fanOut, 'REPORT.md'))).toBe(false);
    const gathered = await reproduce(['--out', fanOut, '--report-only'], fanCache);
    expect(gathered.code, gathered.stderr).toBe(0);
    expect(existsSync(join(fanOut, 'REPORT.md'))).toBe(true);
    expect(readFileSync(join(fanOut, 'REPORT.md'), 'utf8')).toContain('shared cores: not used for speed claims');

    const jobs = await reproduce(['--out', jobsOut, '--jobs', '2'], join(root, 'cache-jobs'));
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(weightsIn(join(root, 'cache-jobs'))).toHaveLength(1);

    for (const { id } of cells) {
      const s = cellFile(serialOut, id),
        f = cellFile(fanOut, id),
        j = cellFile(jobsOut, id);
      expect(s.sharedCores).toBeUndefined();
      expect(f.sharedCores).toBe(true);
      expect(j.sharedCores).toBe(true);
      expect(metricsOf(f.result!)).toEqual(metricsOf(s.result!));
      expect(metricsOf(j.result!)).toEqual(metricsOf(s.result!));
    }
    // the speed claims leave the shared-core cells out (no value), the serial run has them
    const claims = (out: string) =>
      JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8')) as Array<{
        id: unknown;
        n: number;
        ours: string;
        setting: string;
      }>;
    expect(claims(serialOut).find((c) => c.id === 17)!.n).toBe(1);
    // cells timed on shared cores give no speed value (a verdict, if any, comes from the bench's repeats and says so)
    for (const out of [fanOut, jobsOut]) {
      const c17 = claims(out).find((c) => c.id === 17)!;
      expect(c17.ours).toMatch(/^– \(cells\)/);
      if (c17.n > 0) expect(c17.setting).toContain('verdict from the bench row (no cell was timed on quiet cores)');
    }
  }, 900_000);
});
