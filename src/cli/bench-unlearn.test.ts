/**
 * The unlearning bench resumes (issue 10 item 3's timing repeats are hours at the `bench` scale): finished timing
 * repeats come back from <dir>/<mode>/timing.json, so a second run over a finished folder runs no timing repeat
 * again and reports the same timings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TimingSample } from '../core';
import { benchUnlearn } from './bench-unlearn';
import { initNodeBackend } from './node-backend';

const dir = mkdtempSync(join(tmpdir(), 'lab-bench-unlearn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench unlearn (smoke preset)', () => {
  it('keeps whole timing repeats and finished methods, and a rerun reuses them', { timeout: 240_000 }, async () => {
    await initNodeBackend();
    process.env.LAB_CACHE_DIR = join(dir, 'cache');
    const logs: string[] = [];
    const first = await benchUnlearn({
      preset: 'smoke',
      repeats: 2,
      workers: 1,
      resumeDir: dir,
      log: (m) => logs.push(m),
    });
    const samples = (mode: string) =>
      (JSON.parse(readFileSync(join(dir, mode, 'timing.json'), 'utf8')) as { samples: TimingSample[] }).samples;
    for (const mode of ['class', 'uniform']) {
      const s = samples(mode);
      expect(s.map((x) => `${x.method}${x.repeat}`)).toEqual([
        'A-CF0',
        'A-CF w/ DC0',
        'CF0',
        'Retrain0',
        'A-CF1',
        'A-CF w/ DC1',
        'CF1',
        'Retrain1',
      ]);
      // end to end with DC = unlearning + the condensation overhead, which is the same within one sitting
      const dc = s.filter((x) => x.method === 'A-CF w/ DC');
      for (const x of dc) expect(x.wallSeconds).toBeCloseTo(x.metrics!.unlearnSeconds + x.metrics!.overheadSeconds, 10);
      expect(dc[0].metrics!.overheadSeconds).toBeGreaterThan(0);
      expect(dc[1].metrics!.overheadSeconds).toBe(dc[0].metrics!.overheadSeconds);
      expect(s.every((x) => x.wallSeconds > 0 && typeof x.loadBefore === 'number')).toBe(true);
      // every repeat really ran (a stored result handed back would repeat its seconds exactly)
      for (const m of ['A-CF', 'CF', 'Retrain', 'A-CF w/ DC']) {
        const [a, b] = s.filter((x) => x.method === m).map((x) => x.wallSeconds);
        expect(a).not.toBe(b);
      }
    }
    const speed = first.rows.find((r) => r.id === 'unlearn.acf_vs_cf_speedup.uniform')!;
    expect(speed.setting).toContain('2 interleaved repeats');
    expect(speed.note).toContain('1-min load average before the runs');
    const e2e = first.rows.find((r) => r.id === 'unlearn.acf_dc_end_to_end_vs_cf_speedup.uniform')!;
    expect(e2e.note).toContain('wall-clock ratio CF/A-CF w/ DC');
    expect(e2e.value).toBe(first.timing.uniform.ratios['CF/A-CF w/ DC'].wall.median);
    // the gap rows come from the first repeat's metrics, kept with its timing
    const gap = first.rows.find((r) => r.id === 'unlearn.acf_forget_gap.uniform')!;
    const m0 = (n: string) => first.timing.uniform.samples.find((s) => s.method === n && s.repeat === 0)!.metrics!;
    expect(gap.value).toBeCloseTo(Math.abs(m0('A-CF').forgetAcc - m0('Retrain').forgetAcc), 10);
    expect(first.rows.find((r) => r.id === 'memory.peak_tensors_after_stage_delta')!.value).toBe(0);

    const again: string[] = [];
    const second = await benchUnlearn({
      preset: 'smoke',
      repeats: 2,
      workers: 1,
      resumeDir: dir,
      log: (m) => again.push(m),
    });
    expect(again.some((l) => l.includes('resuming timing repeats'))).toBe(true);
    expect(again.some((l) => /timing repeat \d/.test(l))).toBe(false); // no repeat ran again
    expect(second.timing.uniform.samples).toEqual(first.timing.uniform.samples);
    expect(second.rows.find((r) => r.id === 'unlearn.acf_vs_cf_speedup.uniform')!.value).toBe(speed.value);
  });
});
