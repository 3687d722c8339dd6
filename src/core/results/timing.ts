/**
 * Speed ratios that survive a noisy machine (issue 10 item 3): ≥ 3 interleaved repeats of the timed methods
 * (A-CF, CF, Retrain, … in rotation: A B C, A B C, …, so slow phases of the machine hit every method alike), each
 * timed in wall seconds and in process CPU seconds; ratios are formed per repeat (same phase) and summarised by
 * median and range. Pure orchestration: `runOnce` unlearns one method and returns its unlearning seconds (wall);
 * `cpuSeconds` (Node: process.cpuUsage) reads the process CPU clock — absent in a browser, then CPU is NaN; runOnce may
 * report its own CPU seconds over exactly its timed span (the session's `lastUnlearnCpuSeconds`), which then win.
 */
export interface TimingSample {
  method: string;
  repeat: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** the machine's 1-minute load average just before the run (Node: os.loadavg), so a reader can judge quietness */
  loadBefore?: number;
  /** what the timed run produced (e.g. forget accuracy, MIA), kept with its timing so a resumed bench still has it */
  metrics?: Record<string, number>;
}

export interface RatioSummary {
  /** numerator ÷ denominator seconds, per repeat */
  values: number[];
  median: number;
  min: number;
  max: number;
}

export interface TimingRepeats {
  repeats: number;
  samples: TimingSample[];
  /** per method: median and range of wall and CPU seconds */
  methods: Record<string, { wall: RatioSummary; cpu: RatioSummary }>;
  /** `${slow}/${fast}` → ratios per repeat, wall and CPU */
  ratios: Record<string, { wall: RatioSummary; cpu: RatioSummary }>;
}

export function medianRange(values: number[]): RatioSummary {
  const v = values.filter(Number.isFinite);
  if (!v.length) return { values, median: NaN, min: NaN, max: NaN };
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { values, median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

/**
 * Runs every method `repeats` times, interleaved, and summarises. `ratioPairs` lists [slow, fast] method pairs
 * (e.g. ['CF', 'A-CF'], ['Retrain', 'A-CF']); each ratio is slow ÷ fast within the same repeat.
 *
 * Resumable by whole repeats: `previous` holds the samples of an interrupted run; a repeat that has every method
 * there is reused, any other repeat runs again in full (so each ratio still pairs runs of one sitting), and
 * `onRepeat` hears all samples so far after each finished repeat (to persist them).
 */
export async function timingRepeats(
  methods: string[],
  runOnce: (
    method: string,
    repeat: number,
  ) => Promise<{ wallSeconds: number; cpuSeconds?: number; loadBefore?: number; metrics?: Record<string, number> }>,
  opts: {
    repeats?: number;
    ratioPairs?: Array<[string, string]>;
    cpuSeconds?: () => number;
    previous?: TimingSample[];
    onRepeat?: (samples: TimingSample[], repeat: number) => Promise<void> | void;
  } = {},
): Promise<TimingRepeats> {
  const repeats = opts.repeats ?? 3;
  if (!(Number.isInteger(repeats) && repeats >= 1))
    throw new Error(`timingRepeats: repeats must be a positive integer, got ${repeats}`);
  const cpu = opts.cpuSeconds ?? (() => NaN);
  const samples: TimingSample[] = [];
  for (let r = 0; r < repeats; r++) {
    const kept = methods.map((m) => opts.previous?.find((s) => s.method === m && s.repeat === r));
    if (kept.every((s) => s !== undefined)) {
      samples.push(...(kept as TimingSample[]));
      continue;
    }
    for (const method of methods) {
      const c0 = cpu();
      const t = await runOnce(method, r);
      // CPU seconds reported by runOnce (over exactly the timed span) win over the clock around the whole call
      const cpuSeconds = t.cpuSeconds !== undefined && Number.isFinite(t.cpuSeconds) ? t.cpuSeconds : cpu() - c0;
      samples.push({
        method,
        repeat: r,
        wallSeconds: t.wallSeconds,
        cpuSeconds,
        ...(t.loadBefore !== undefined ? { loadBefore: t.loadBefore } : {}),
        ...(t.metrics ? { metrics: t.metrics } : {}),
      });
    }
    await opts.onRepeat?.([...samples], r);
  }
  const of = (m: string, k: 'wallSeconds' | 'cpuSeconds') => samples.filter((s) => s.method === m).map((s) => s[k]);
  const out: TimingRepeats = { repeats, samples, methods: {}, ratios: {} };
  for (const m of methods)
    out.methods[m] = { wall: medianRange(of(m, 'wallSeconds')), cpu: medianRange(of(m, 'cpuSeconds')) };
  for (const [slow, fast] of opts.ratioPairs ?? []) {
    const ratio = (k: 'wallSeconds' | 'cpuSeconds') =>
      Array.from({ length: repeats }, (_, r) => {
        const a = samples.find((s) => s.method === slow && s.repeat === r),
          b = samples.find((s) => s.method === fast && s.repeat === r);
        return a && b ? a[k] / b[k] : NaN;
      });
    out.ratios[`${slow}/${fast}`] = { wall: medianRange(ratio('wallSeconds')), cpu: medianRange(ratio('cpuSeconds')) };
  }
  return out;
}

/** "median 5.1× (range 4.2–6.0, 3 repeats)" — a ratio or seconds summary in words. */
export function fmtMedianRange(r: RatioSummary, digits = 1, unit = '×'): string {
  if (!Number.isFinite(r.median)) return '–';
  const n = r.values.filter(Number.isFinite).length;
  return `median ${r.median.toFixed(digits)}${unit} (range ${r.min.toFixed(digits)}–${r.max.toFixed(digits)}, ${n} repeats)`;
}

/**
 * The bench's speed rows from interleaved repeats: `unlearn.acf_vs_cf_speedup.<mode>` and
 * `unlearn.acf_vs_retrain_speedup.<mode>`, value = the median wall-clock ratio over the repeats; the note gives its
 * range, the CPU-seconds ratio (median and range) and each method's median seconds, and says which number the value is.
 */
/** The timing-repeat name of A-CF run on the condensed retain set, timed end to end (with condensation overhead). */
export const ACF_DC = 'A-CF w/ DC';

export function speedRows(
  t: TimingRepeats,
  mode: string,
  setting: string,
): Array<{
  id: string;
  value: number;
  unit: string;
  target: number | null;
  setting: string;
  note: string;
  range: [number, number];
  repeats: number;
}> {
  const secs = (m: string) => {
    const x = t.methods[m];
    return x ? `${m} ${fmtMedianRange(x.wall, 1, ' s wall')}, ${fmtMedianRange(x.cpu, 1, ' s CPU')}` : '';
  };
  const order = [...new Set(t.samples.map((x) => x.method))].join(', ');
  const row = (id: string, slow: string, target: number | null, fast = 'A-CF', extra = '') => {
    const r = t.ratios[`${slow}/${fast}`];
    if (!r) throw new Error(`speedRows: no ${slow}/${fast} ratio in the timing repeats`);
    const loads = t.samples.map((x) => x.loadBefore).filter((x): x is number => x !== undefined);
    const load = loads.length
      ? ` 1-min load average before the runs ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}.`
      : '';
    return {
      id: `unlearn.${id}.${mode}`,
      value: r.wall.median,
      unit: 'x',
      target,
      range: [r.wall.min, r.wall.max] as [number, number],
      repeats: r.wall.values.filter(Number.isFinite).length,
      setting: `${setting}; ${t.repeats} interleaved repeats (${order || 'A-CF, CF, Retrain'} in rotation), same original model`,
      note:
        `value = median of the per-repeat wall-clock ratio ${slow}/${fast}, ${fmtMedianRange(r.wall, 2)}; ` +
        `process CPU seconds ratio ${fmtMedianRange(r.cpu, 2)}. ${secs(slow)}; ${secs(fast)}.${extra}${load}`,
    };
  };
  // the end-to-end row (paper claim 5) when the repeats timed A-CF with condensation (its seconds include the
  // condensation overhead of the run, measured once per sitting)
  const e2e = t.ratios[`CF/${ACF_DC}`]
    ? [
        row(
          'acf_dc_end_to_end_vs_cf_speedup',
          'CF',
          null,
          ACF_DC,
          ` ${ACF_DC} seconds = its unlearning + the condensation overhead (k-means, partition, Blend; measured once per sitting, so its CPU seconds are not metered: –).`,
        ),
      ]
    : [];
  return [row('acf_vs_cf_speedup', 'CF', 5), row('acf_vs_retrain_speedup', 'Retrain', null), ...e2e];
}
