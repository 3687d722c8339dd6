/**
 * The trade-off study, decided in advance (issue 10 item 5): privacy and utility against unlearning time, one line
 * per method. At one spec (default the `bench` scale, 10 % uniform), per seed:
 *   - A-CF at epochs {1, 2, 4, 8, 16, the count nearest the paper's 704 Adam steps}: ONE run of the largest count,
 *     checkpointed after every epoch (A-CF's Adam lr is constant, so epoch e of a longer run is the e-epoch run);
 *   - CF at epochs {1, 2, 5, 10, 25, 50}: a separate run per budget (its WarmCos schedule depends on the budget;
 *     warm-up = the paper's 5 of 50 epochs scaled to the budget, round(5·E/50) ≤ E − 1);
 *   - Retrain at its paper budget (100 epochs), the reference band.
 * Each point: forget / retain / test accuracy, MIA with its bootstrap SE, unlearning seconds. A-CF checkpoints are
 * evaluated with the session's curve evaluator (retain accuracy on a seeded 1,000-image subsample; forget, test and
 * MIA on the full sets); final points use every image.
 */
import type { ExperimentSpec, MethodName } from '../contracts';
import { interval, type Interval } from '../stats';

export const TRADEOFF_ACF_EPOCHS = [1, 2, 4, 8, 16] as const;
export const TRADEOFF_CF_EPOCHS = [1, 2, 5, 10, 25, 50] as const;
export const PAPER_ACF_STEPS = 704;

export interface TradeoffPoint {
  method: MethodName;
  epochs: number;
  /** Adam / SGD steps: epochs · ⌈|retain| / batch⌉ */
  steps: number;
  seed: number;
  forgetAcc: number;
  retainAcc: number;
  testAcc: number;
  mia: number;
  miaSe?: number;
  seconds: number;
  /** 'checkpoint' = epoch e of the longest A-CF run; 'run' = its own run */
  source: 'checkpoint' | 'run';
}

/** A-CF epoch counts of the sweep: the fixed list plus the count nearest 704 steps, sorted, distinct. */
export function acfEpochList(retainSize: number, batchSize = 64): number[] {
  const perEpoch = Math.ceil(retainSize / batchSize);
  const nearest = Math.max(1, Math.round(PAPER_ACF_STEPS / perEpoch));
  return [...new Set([...TRADEOFF_ACF_EPOCHS, nearest])].sort((a, b) => a - b);
}

/** CF's warm-up for a budget of E epochs: the paper's WarmCos(5, 50) scaled, round(5·E/50), at most E − 1. */
export function cfWarmup(epochs: number): number {
  return Math.max(0, Math.min(Math.round((5 * epochs) / 50), epochs - 1));
}

/** Spec overrides of one sweep run (curves only where checkpoints are read). */
export function tradeoffRunSpec(base: ExperimentSpec, method: 'A-CF' | 'CF' | 'Retrain', epochs: number): ExperimentSpec {
  const hp: ExperimentSpec['unlearn']['hparams'] =
    method === 'A-CF' ? { 'A-CF': { acf_epochs: epochs } }
      : method === 'CF' ? { CF: { cf_epochs: epochs, cf_warmup: cfWarmup(epochs) } }
        : { Retrain: { retrain_epochs: epochs, retrain_warmup: Math.max(0, Math.min(Math.round((5 * epochs) / 100), epochs - 1)) } };
  return {
    ...base,
    curves: method === 'A-CF',
    unlearn: { ...base.unlearn, methods: [method], arms: 'without', hparams: hp, epochScale: 1 },
  };
}

export interface TradeoffSummaryRow {
  method: MethodName;
  epochs: number;
  steps: number;
  n: number;
  forgetAcc: Interval;
  retainAcc: Interval;
  testAcc: Interval;
  mia: Interval;
  miaSe: Interval | null;
  seconds: Interval;
}

/** One row per (method, epochs): intervals over seeds. */
export function summariseTradeoff(points: TradeoffPoint[]): TradeoffSummaryRow[] {
  const groups = new Map<string, TradeoffPoint[]>();
  for (const p of points) {
    const k = `${p.method}|${p.epochs}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const order: MethodName[] = ['Retrain', 'A-CF', 'CF'];
  return [...groups.values()]
    .map((g) => {
      const se = g.map((p) => p.miaSe).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      return {
        method: g[0].method, epochs: g[0].epochs, steps: g[0].steps, n: g.length,
        forgetAcc: interval(g.map((p) => p.forgetAcc)), retainAcc: interval(g.map((p) => p.retainAcc)),
        testAcc: interval(g.map((p) => p.testAcc)), mia: interval(g.map((p) => p.mia)),
        miaSe: se.length ? interval(se) : null, seconds: interval(g.map((p) => p.seconds)),
      };
    })
    .sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method) || a.epochs - b.epochs);
}
