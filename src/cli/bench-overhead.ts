/**
 * Bench row `condense.overhead_share` (issue 24 item 2): condensation's time (k-means + partition + Blend) as a share
 * of the unlearning it serves, at the paper's epoch budgets. One run of the preset: its original model, condensation
 * once, then CF with DC for ONE epoch (its per-epoch time on the reduced retain set, measured) and A-CF with DC at its
 * paper budget (one epoch, measured). CF's time at the paper's 50 epochs is that epoch × 50 — extrapolated, and the
 * row says so. The value is the share against CF; the note also gives the share against A-CF, and the per-request part
 * (partition + Blend; k-means is paid once per dataset, docs/claims.md "R*, the break-even number of requests").
 *
 * `npm run bench` measures it at the `bench` setting (a few minutes); the `reference`-size row
 * (`condense.overhead_share.reference`, full CIFAR-10 at IPC 1000, ≈ 30–50 min) runs only with `--reference-share`.
 */
import { loadavg } from 'node:os';
import { epochsOf, getPreset, mergeSpec, paperSpecFor, validateSpec } from '../core';
import type { BenchRow, ExperimentSpec } from '../core';
import { runExperimentNode } from './experiment';

export interface OverheadShare {
  row: BenchRow;
  spec: ExperimentSpec;
}

/** The spec of the measurement: the preset with CF held to one epoch, both methods with DC only, no curves. */
export function overheadSpec(preset: string): ExperimentSpec {
  const base = getPreset(preset).spec;
  return validateSpec(
    mergeSpec(base, {
      unlearn: { methods: ['CF', 'A-CF'], arms: 'with', hparams: { ...base.unlearn.hparams, CF: { cf_epochs: 1 } } },
      curves: false,
      rounds: 1,
    }),
  );
}

export async function benchOverheadShare(
  opts: { preset?: string; id?: string; workers?: number; log?: (s: string) => void } = {},
): Promise<OverheadShare> {
  const preset = opts.preset ?? 'bench';
  const spec = overheadSpec(preset);
  const load0 = loadavg()[0];
  const res = await runExperimentNode({ spec, workers: opts.workers, log: opts.log });
  const load1 = loadavg()[0];
  const c = res.condense;
  const cf = res.methods.find((m) => m.name === 'CF' && m.withDC);
  const acf = res.methods.find((m) => m.name === 'A-CF' && m.withDC);
  if (!c || !cf || !acf)
    throw new Error(`bench overhead share (${preset}): the run has no condensation or no CF / A-CF`);
  const paperCf = epochsOf(paperSpecFor(spec), 'CF', 'cf_epochs');
  if (!paperCf) throw new Error('bench overhead share: the paper preset has no CF epochs');
  const overhead = c.kmeansSeconds + c.partitionSeconds + c.blendSeconds;
  const cfPaper = cf.unlearnSeconds * paperCf;
  const pct = (x: number) => `${x.toFixed(1)} %`;
  const setting =
    `${preset} preset (${spec.dataset}, ${spec.trainPerClass || 'all'}/class, ${spec.model.arch} w${spec.model.width}, ` +
    `IPC ${spec.condense.ipc}), ${spec.forget.mode} forgetting, seed ${spec.seed}`;
  return {
    spec,
    row: {
      id: opts.id ?? 'condense.overhead_share',
      value: (100 * overhead) / cfPaper,
      unit: '%',
      setting,
      note:
        `extrapolated: condensation ${overhead.toFixed(1)} s (k-means ${c.kmeansSeconds.toFixed(1)} s once per dataset, ` +
        `partition ${c.partitionSeconds.toFixed(2)} s + Blend ${c.blendSeconds.toFixed(1)} s per request) ÷ CF with DC at ` +
        `the paper's ${paperCf} epochs (one measured epoch ${cf.unlearnSeconds.toFixed(1)} s × ${paperCf} = ` +
        `${cfPaper.toFixed(0)} s, on ${c.reducedRetainSize} of ${c.retainSize} retain images); per-request part ` +
        `${pct((100 * (c.partitionSeconds + c.blendSeconds)) / cfPaper)}; against A-CF with DC at its paper budget ` +
        `(one epoch, measured ${acf.unlearnSeconds.toFixed(1)} s): ${pct((100 * overhead) / acf.unlearnSeconds)}; ` +
        `paper ≈ 7.5 % (claim 2); 1-min load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`,
    },
  };
}
