/**
 * Seeded, bounded fuzzing of every byte parser (tar, gzip, CIFAR-10 batch and archive, MAT/SVHN, prepared shard,
 * manifest): each case must parse or throw a LabError naming the file. Cases run in a worker under a watchdog,
 * so a parser that hangs fails the test instead of freezing it. Also replays the regression set.
 */
import { describe, expect, it } from 'vitest';
import { KINDS } from './fuzz/mutate.test-util';
import { runInWorker } from './fuzz/run.test-util';
import type { FuzzSummary, RegressionOutcome } from './fuzz/worker.test-util';
import { REGRESSIONS } from './fuzz-regressions/regressions.test-util';

const CASES = 600;
const SEED = 'issue-12';
// only against hangs: a case normally takes milliseconds
const LIMITS = { idleMs: 15_000, totalMs: 90_000 };

describe('fuzz: every parser parses or throws a LabError naming the file', () => {
  for (const target of ['tar', 'gzip', 'cifarBatch', 'cifarArchive', 'mat', 'shard', 'manifest']) {
    it(`${target}: ${CASES} seeded cases (truncations, bit flips, random bytes, absurd headers)`, async () => {
      const sum = await runInWorker<FuzzSummary>({ mode: 'fuzz', target, cases: CASES, seed: SEED }, LIMITS);
      const failed = sum.failures.length;
      console.log(`${target}: ${sum.parsed} parsed, ${sum.rejected} rejected with a LabError, ${failed} failures`);
      expect(sum.parsed + sum.rejected).toBe(CASES);
      expect(Object.keys(sum.kinds).sort()).toEqual([...KINDS].sort());
      // failures carry the input (base64) so it can be added to fuzz-regressions/
      expect(sum.failures.slice(0, 3)).toEqual([]);
      // the mutations must reach both outcomes (a fuzzer whose inputs all fail at the first check tests little)
      expect(sum.rejected).toBeGreaterThan(CASES / 4);
    }, 120_000);
  }
});

describe('fuzz regression set', () => {
  it('every input that ever broke a parser now gets its LabError (under the hang watchdog)', async () => {
    const out = await runInWorker<RegressionOutcome[]>({ mode: 'regressions' }, LIMITS);
    expect(out.map((o) => o.name)).toEqual(REGRESSIONS.map((r) => r.name));
    for (const [i, r] of REGRESSIONS.entries()) {
      expect(out[i].problem, r.name).toBeNull();
      expect(out[i].message, r.name).toMatch(new RegExp(r.expect));
    }
  }, 120_000);
});
