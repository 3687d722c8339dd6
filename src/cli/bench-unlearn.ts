/**
 * Unlearning benchmark: A-CF vs CF vs Retrain on a scaled preset, class and 10 % uniform forgetting.
 * Rows: unlearn.acf_vs_cf_speedup.*, unlearn.acf_vs_retrain_speedup.*, unlearn.acf_forget_gap.*, unlearn.acf_mia_gap.*,
 * and memory.peak_tensors_after_stage_delta (numTensors after the whole run minus the baseline; must be 0).
 */
import * as tf from '@tensorflow/tfjs';
import { getPreset, mergeSpec, validateSpec } from '../core';
import type { ExperimentResult, MethodResult } from '../core';
import { runExperimentNode } from './experiment';
import type { BenchRow } from '../core';

export async function benchUnlearn(opts: { preset?: string; log?: (s: string) => void; workers?: number } = {}): Promise<{ rows: BenchRow[]; results: ExperimentResult[] }> {
  const presetName = opts.preset ?? 'bench';
  const base = getPreset(presetName).spec;
  const rows: BenchRow[] = [];
  const results: ExperimentResult[] = [];
  const baseline = tf.memory().numTensors;
  for (const mode of ['class', 'uniform'] as const) {
    const spec = validateSpec(mergeSpec(base, {
      forget: { mode, class: mode === 'class' ? null : base.forget.class },
      unlearn: { methods: ['Retrain', 'CF', 'A-CF'], arms: 'without' }, curves: false, rounds: 1,
    }));
    const res = await runExperimentNode({ spec, log: opts.log, workers: opts.workers });
    results.push(res);
    const get = (n: string): MethodResult => res.methods.find((m) => m.name === n && !m.withDC)!;
    const acf = get('A-CF'), cf = get('CF'), re = get('Retrain');
    const setting = `${presetName} preset (${spec.dataset}, ${spec.trainPerClass}/class, ${spec.model.arch} w${spec.model.width}, epochScale ${spec.unlearn.epochScale}), ${mode} forgetting, w/o DC, seed ${spec.seed}`;
    rows.push({ id: `unlearn.acf_vs_cf_speedup.${mode}`, value: cf.unlearnSeconds / acf.unlearnSeconds, unit: 'x', target: 5, setting,
      note: `CF ${cf.unlearnSeconds.toFixed(1)} s, A-CF ${acf.unlearnSeconds.toFixed(1)} s` });
    rows.push({ id: `unlearn.acf_vs_retrain_speedup.${mode}`, value: re.unlearnSeconds / acf.unlearnSeconds, unit: 'x', target: null, setting,
      note: `Retrain ${re.unlearnSeconds.toFixed(1)} s` });
    rows.push({ id: `unlearn.acf_forget_gap.${mode}`, value: Math.abs(acf.metrics.forgetAcc - re.metrics.forgetAcc), unit: 'pp', target: 5, setting,
      note: `A-CF forget ${acf.metrics.forgetAcc.toFixed(1)}%, Retrain ${re.metrics.forgetAcc.toFixed(1)}%, CF ${cf.metrics.forgetAcc.toFixed(1)}%; A-CF's one epoch = ${Math.ceil(res.split.retainSize / 64)} Adam steps here (paper, CIFAR-10: 704)` });
    rows.push({ id: `unlearn.acf_mia_gap.${mode}`, value: Math.abs(acf.metrics.mia - re.metrics.mia), unit: 'pp', target: 5, setting,
      note: `A-CF MIA ${acf.metrics.mia.toFixed(1)}, Retrain ${re.metrics.mia.toFixed(1)}, CF ${cf.metrics.mia.toFixed(1)}` });
  }
  rows.push({ id: 'memory.peak_tensors_after_stage_delta', value: tf.memory().numTensors - baseline, unit: 'tensors', target: 0,
    setting: 'numTensors after two full experiments (pretrain, Retrain, CF, A-CF, evaluation) minus the baseline before them' });
  return { rows, results };
}
