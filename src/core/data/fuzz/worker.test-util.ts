/**
 * Runs fuzz cases (or the regression set) inside a worker thread, so the test's watchdog can stop a parser
 * that hangs, even in a synchronous loop. Announces every case before running it; reports a summary at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../../rng';
import { KINDS, MAX_INPUT_BYTES, mutate } from './mutate.test-util';
import { judge, seedsOf, TARGETS } from './targets.test-util';
import { REGRESSIONS } from '../fuzz-regressions/regressions.test-util';

export interface FuzzJob {
  mode: 'fuzz' | 'regressions';
  target?: string;
  cases?: number;
  seed?: string;
}
export interface FuzzFailure {
  index: number;
  kind: string;
  problem: string;
  input?: string;
}
export interface FuzzSummary {
  parsed: number;
  rejected: number;
  failures: FuzzFailure[];
  kinds: Record<string, number>;
}
export interface RegressionOutcome {
  name: string;
  message: string | null;
  problem: string | null;
}

const post = (m: unknown) => parentPort!.postMessage(m);
const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

async function outcome(parse: () => unknown): Promise<unknown> {
  try {
    await parse();
    return undefined;
  } catch (e) {
    return e ?? new Error('threw a nullish value');
  }
}

async function fuzz(job: FuzzJob): Promise<FuzzSummary> {
  const t = TARGETS[job.target!];
  const seeds = await seedsOf(t);
  const rng = new Rng(job.seed ?? 'fuzz').fork(t.name);
  const sum: FuzzSummary = { parsed: 0, rejected: 0, failures: [], kinds: {} };
  for (let i = 0; i < job.cases!; i++) {
    const kind = KINDS[i % KINDS.length];
    const seed = seeds[rng.int(seeds.length)];
    const input = mutate(rng, seed, kind, t.absurd).subarray(0, MAX_INPUT_BYTES);
    post({ t: 'case', index: i, kind, bytes: input.length });
    const err = await outcome(() => t.parse(input, t.file));
    sum.kinds[kind] = (sum.kinds[kind] ?? 0) + 1;
    if (err === undefined) sum.parsed++;
    else sum.rejected++;
    const problem = judge(err, t.file);
    if (problem) sum.failures.push({ index: i, kind, problem, input: input.length <= 4096 ? b64(input) : undefined });
  }
  return sum;
}

async function regressions(): Promise<RegressionOutcome[]> {
  const out: RegressionOutcome[] = [];
  for (const [i, r] of REGRESSIONS.entries()) {
    post({ t: 'case', index: i, kind: r.name, bytes: 0 });
    const t = TARGETS[r.target];
    const err = await outcome(() => t.parse(r.bytes(), t.file));
    const message = err === undefined ? null : String((err as Error).message);
    out.push({ name: r.name, message, problem: judge(err, t.file) });
  }
  return out;
}

const job = workerData as FuzzJob;
(job.mode === 'fuzz' ? fuzz(job) : regressions()).then(
  (result) => post({ t: 'done', result }),
  (e) => post({ t: 'crash', message: String((e as Error)?.stack ?? e) }),
);
