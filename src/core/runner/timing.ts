/**
 * Speed ratios that survive a noisy machine (issue 10 item 3): ≥ 3 interleaved repeats of the timed methods
 * (A-CF, CF, Retrain, … in rotation: A B C, A B C, …, so slow phases of the machine hit every method alike), each
 * timed in wall seconds and in process CPU seconds; ratios are formed per repeat (same phase) and summarised by
 * median and range. Pure orchestration: `runOnce` unlearns one method and returns its unlearning seconds (wall);
 * `cpuSeconds` (Node: process.cpuUsage) reads the process CPU clock — absent in a browser, then CPU is NaN.
 */
export interface TimingSample { method: string; repeat: number; wallSeconds: number; cpuSeconds: number }

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
 */
export async function timingRepeats(
  methods: string[],
  runOnce: (method: string, repeat: number) => Promise<{ wallSeconds: number }>,
  opts: { repeats?: number; ratioPairs?: Array<[string, string]>; cpuSeconds?: () => number } = {},
): Promise<TimingRepeats> {
  const repeats = opts.repeats ?? 3;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`timingRepeats: repeats must be a positive integer, got ${repeats}`);
  const cpu = opts.cpuSeconds ?? (() => NaN);
  const samples: TimingSample[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const method of methods) {
      const c0 = cpu();
      const { wallSeconds } = await runOnce(method, r);
      samples.push({ method, repeat: r, wallSeconds, cpuSeconds: cpu() - c0 });
    }
  }
  const of = (m: string, k: 'wallSeconds' | 'cpuSeconds') => samples.filter((s) => s.method === m).map((s) => s[k]);
  const out: TimingRepeats = { repeats, samples, methods: {}, ratios: {} };
  for (const m of methods) out.methods[m] = { wall: medianRange(of(m, 'wallSeconds')), cpu: medianRange(of(m, 'cpuSeconds')) };
  for (const [slow, fast] of opts.ratioPairs ?? []) {
    const ratio = (k: 'wallSeconds' | 'cpuSeconds') => Array.from({ length: repeats }, (_, r) => {
      const a = samples.find((s) => s.method === slow && s.repeat === r), b = samples.find((s) => s.method === fast && s.repeat === r);
      return a && b ? a[k] / b[k] : NaN;
    });
    out.ratios[`${slow}/${fast}`] = { wall: medianRange(ratio('wallSeconds')), cpu: medianRange(ratio('cpuSeconds')) };
  }
  return out;
}
