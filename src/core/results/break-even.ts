/**
 * The break-even number of unlearning requests (issue 20 item 3). Condensation has two parts with different lives
 * (docs/paper-notes.md §4, §8): k-means on the random-ConvNet features is paid once per dataset; the partition and
 * Blend are paid again for every forget request. With DC a request costs `Blend + partition + unlearning on the
 * reduced set`, without it `unlearning on the full retain set`. After N requests DC has paid off when
 *   N · (saving − Blend cost) ≥ k-means cost,   saving = unlearn seconds w/o DC − unlearn seconds w/ DC,
 * so R* = k-means ÷ (saving − Blend cost), or "never" when the per-request saving does not exceed Blend's cost.
 *
 * Interval (stated wherever R* is shown): 95 % t-intervals over cells of the k-means cost [k₋, k₊] and of the net
 * per-request saving [s₋, s₊]; R* lies in [k₋ ÷ s₊, k₊ ÷ s₋], with "never" as the upper end when s₋ ≤ 0 and as the
 * whole interval when s₊ ≤ 0. (Conservative: the two intervals are combined as if independent extremes.)
 * A method whose cells ran it at a scaled budget can be read at the paper's budget: its per-epoch saving times the
 * paper's epochs (`factor`), labelled "extrapolated" by the caller.
 */
import type { ExperimentResult } from '../contracts';
import { interval, type Interval } from '../stats';

export interface BreakEvenParts {
  /** k-means (features + clustering) seconds, paid once per dataset */
  oneTime: number;
  /** partition + Blend seconds, paid per request */
  blend: number;
  /** unlearning seconds saved by the reduced retain set per request (w/o DC − w/ DC), × factor */
  saving: number;
}

export interface BreakEven {
  n: number;
  oneTime: Interval;
  blend: Interval;
  saving: Interval;
  /** saving − Blend per request */
  net: Interval;
  /** R* from the means; Infinity = never */
  requests: number;
  /** [low, high]; Infinity = never; NaN when n < 2 */
  ci95: [number, number];
}

/** One cell's parts for `method` (its w/o-DC and w/-DC results of round 0); null when the cell lacks them. */
export function breakEvenParts(r: ExperimentResult, method: string, factor = 1): BreakEvenParts | null {
  const c = r.condense;
  const wo = r.methods.find((m) => m.name === method && !m.withDC && m.round === 0);
  const w = r.methods.find((m) => m.name === method && m.withDC && m.round === 0);
  if (!c || !wo || !w || !(factor > 0)) return null;
  const parts = {
    oneTime: c.kmeansSeconds,
    blend: c.partitionSeconds + c.blendSeconds,
    saving: (wo.unlearnSeconds - w.unlearnSeconds) * factor,
  };
  return Object.values(parts).every(Number.isFinite) ? parts : null;
}

const ratio = (k: number, s: number) => (s > 0 ? k / s : Infinity);

/** R* with its interval over the cells' parts (module comment). */
export function breakEven(parts: BreakEvenParts[]): BreakEven {
  const oneTime = interval(parts.map((p) => p.oneTime));
  const blend = interval(parts.map((p) => p.blend));
  const saving = interval(parts.map((p) => p.saving));
  const net = interval(parts.map((p) => p.saving - p.blend));
  const requests = ratio(oneTime.mean, net.mean);
  const [k0, k1] = oneTime.ci95;
  const [s0, s1] = net.ci95;
  const ci95: [number, number] =
    parts.length < 2 ? [NaN, NaN] : s1 <= 0 ? [Infinity, Infinity] : [Math.max(0, k0) / s1, ratio(k1, s0)];
  return { n: parts.length, oneTime, blend, saving, net, requests, ci95 };
}

/** "12.3 requests (95 % 4.1 – never, n = 3)", "never (…)", or "–" without cells. */
export function formatBreakEven(b: BreakEven): string {
  if (!b.n) return '–';
  const r = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'never');
  const head = Number.isFinite(b.requests)
    ? `${r(b.requests)} requests (pays off from request ${Math.max(1, Math.ceil(b.requests))})`
    : 'never';
  const iv =
    b.n < 2
      ? 'n = 1'
      : b.ci95[0] === Infinity
        ? `95 %: never, n = ${b.n}`
        : `95 % ${r(b.ci95[0])} – ${r(b.ci95[1])}, n = ${b.n}`;
  const s = (iv2: Interval) => `${iv2.mean.toFixed(1)} s`;
  return `${head} (${iv}; k-means ${s(b.oneTime)} once, Blend + partition ${s(b.blend)} per request, saving ${s(b.saving)} per request)`;
}
