/**
 * Unlearning benchmark: A-CF vs CF vs Retrain on a scaled preset, class and 10 % uniform forgetting.
 * Rows: unlearn.acf_vs_cf_speedup.*, unlearn.acf_vs_retrain_speedup.*, unlearn.acf_forget_gap.*, unlearn.acf_mia_gap.*,
 * and memory.peak_tensors_after_stage_delta (numTensors after the whole run minus the baseline; must be 0).
 */
import * as tf from '@tensorflow/tfjs';
import { ACF_DC, getPreset, mergeSpec, speedRows, timingRepeats, validateSpec } from '../core';
import type { TimingRepeats } from '../core';
import type { ExperimentResult, MethodResult } from '../core';
import { runExperimentNode } from './experiment';
import type { BenchRow, TimingSample } from '../core';
import { loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { writeAtomic } from './node-io';

/** The samples of an interrupted timing run, when it was for the same spec (else none, with a note). */
async function readTiming(file: string, key: string, log?: (s: string) => void): Promise<TimingSample[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const doc = JSON.parse(text) as { key?: string; samples?: TimingSample[] };
    if (doc.key !== key || !Array.isArray(doc.samples)) {
      log?.(`  ${file} is for another spec or worker count: timing repeats start afresh`);
      return undefined;
    }
    log?.(`  resuming timing repeats from ${file} (${doc.samples.length} runs)`);
    // JSON keeps an unmetered NaN as null
    return doc.samples.map((x) => ({ ...x, cpuSeconds: typeof x.cpuSeconds === 'number' ? x.cpuSeconds : NaN }));
  } catch (e) {
    log?.(`  ignoring unreadable ${file} (${(e as Error).message})`);
    return undefined;
  }
}

/**
 * The speed rows come from `repeats` (≥ 3) interleaved runs of A-CF, CF and Retrain on the same session (same
 * original model, same split) after the experiment (which runs only A-CF): median and range of the per-repeat
 * ratios, wall and process CPU seconds (src/core/results/timing.ts). The gap rows come from the first repeat.
 */
export async function benchUnlearn(
  opts: { preset?: string; log?: (s: string) => void; repeats?: number; workers?: number; resumeDir?: string } = {},
): Promise<{ rows: BenchRow[]; results: ExperimentResult[]; timing: Record<string, TimingRepeats> }> {
  const repeats = opts.repeats ?? 3;
  const timing: Record<string, TimingRepeats> = {};
  const presetName = opts.preset ?? 'bench';
  const base = getPreset(presetName).spec;
  const rows: BenchRow[] = [];
  const results: ExperimentResult[] = [];
  const baseline = tf.memory().numTensors;
  for (const mode of ['class', 'uniform'] as const) {
    const spec = validateSpec(
      mergeSpec(base, {
        forget: { mode, class: mode === 'class' ? null : base.forget.class },
        // the experiment itself only runs A-CF (the original model, its evaluation, a first A-CF run); Retrain, CF
        // and A-CF then run in the timing repeats, whose first repeat also gives the accuracy rows
        unlearn: { methods: ['A-CF'], arms: 'without' },
        curves: false,
        rounds: 1,
      }),
    );
    // resumable (issue 10 item 3 is hours of runs): the timing repeats are kept as whole repeats in
    // <dir>/<mode>/timing.json (only for the same spec and worker count); the experiment itself is cheap (A-CF)
    const dir = opts.resumeDir ? `${opts.resumeDir}/${mode}` : undefined;
    const timingFile = dir ? `${dir}/timing.json` : undefined;
    const key = JSON.stringify({ spec, workers: opts.workers ?? null, repeats });
    const previous = timingFile ? await readTiming(timingFile, key, opts.log) : undefined;
    const res = await runExperimentNode({
      spec,
      log: opts.log,
      workers: opts.workers,
      // no method store: it would hand the timing repeats stored results instead of running them
      afterRun: async (session) => {
        timing[mode] = await timingRepeats(
          ['A-CF', ACF_DC, 'CF', 'Retrain'],
          async (m) => {
            const loadBefore = loadavg()[0];
            const dc = m === ACF_DC;
            const [r] = await session.unlearn([(dc ? 'A-CF' : m) as MethodResult['name']], dc ? 'with' : 'without');
            const { forgetAcc, retainAcc, testAcc, mia } = r.metrics;
            return {
              // with DC: end to end (unlearning + the condensation overhead); its CPU seconds are not metered
              wallSeconds: r.unlearnSeconds + (dc ? r.overheadSeconds : 0),
              cpuSeconds: dc ? NaN : session.lastUnlearnCpuSeconds,
              loadBefore,
              metrics: {
                forgetAcc,
                retainAcc,
                testAcc,
                mia,
                unlearnSeconds: r.unlearnSeconds,
                overheadSeconds: r.overheadSeconds,
              },
            };
          },
          {
            repeats,
            previous,
            onRepeat: async (samples, r) => {
              if (timingFile) await writeAtomic(timingFile, JSON.stringify({ key, samples }, null, 2));
              opts.log?.(`  timing repeat ${r + 1}/${repeats} (${mode}) kept${timingFile ? ` in ${timingFile}` : ''}`);
            },
            ratioPairs: [
              ['CF', 'A-CF'],
              ['Retrain', 'A-CF'],
              ['CF', ACF_DC],
            ],
          },
        );
      },
    });
    results.push(res);
    // accuracy rows from the first timing repeat (every repeat starts from the same original model and split)
    const get = (n: string) => {
      const m = timing[mode].samples.find((s) => s.method === n && s.repeat === 0)?.metrics;
      if (!m) throw new Error(`bench unlearn: no metrics for ${n} in the first timing repeat (${mode})`);
      return { metrics: m as { forgetAcc: number; mia: number } };
    };
    const acf = get('A-CF'),
      cf = get('CF'),
      re = get('Retrain');
    const setting = `${presetName} preset (${spec.dataset}, ${spec.trainPerClass}/class, ${spec.model.arch} w${spec.model.width}, epochScale ${spec.unlearn.epochScale}), ${mode} forgetting, w/o DC, seed ${spec.seed}`;
    rows.push(...speedRows(timing[mode], mode, setting));
    rows.push({
      id: `unlearn.acf_forget_gap.${mode}`,
      value: Math.abs(acf.metrics.forgetAcc - re.metrics.forgetAcc),
      unit: 'pp',
      target: 5,
      setting,
      note: `first timing repeat: A-CF forget ${acf.metrics.forgetAcc.toFixed(1)}%, Retrain ${re.metrics.forgetAcc.toFixed(1)}%, CF ${cf.metrics.forgetAcc.toFixed(1)}%; A-CF's one epoch = ${Math.ceil(res.split.retainSize / 64)} Adam steps here (paper, CIFAR-10: 704)`,
    });
    rows.push({
      id: `unlearn.acf_mia_gap.${mode}`,
      value: Math.abs(acf.metrics.mia - re.metrics.mia),
      unit: 'pp',
      target: 5,
      setting,
      note: `first timing repeat: A-CF MIA ${acf.metrics.mia.toFixed(1)}, Retrain ${re.metrics.mia.toFixed(1)}, CF ${cf.metrics.mia.toFixed(1)}`,
    });
  }
  rows.push({
    id: 'memory.peak_tensors_after_stage_delta',
    value: tf.memory().numTensors - baseline,
    unit: 'tensors',
    target: 0,
    setting:
      'numTensors after two experiments (pretrain, A-CF, evaluation) and their timing repeats (Retrain, CF, A-CF) ' +
      'minus the baseline before them',
  });
  return { rows, results, timing };
}
