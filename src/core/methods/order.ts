/**
 * Run order for a page run (issue 14 item 3): the cheapest methods first, so the first rows arrive early.
 * Estimated cost = epochs (the largest of a method's resolved `*_epochs`, at least 1) × a per-epoch factor (the card's `epochCost`) from
 * what one epoch computes per retain image, in CF epochs: 1 for plain fine-tuning (Retrain, CF, L1-Sparse,
 * Pruning); ≈1.5 where a frozen teacher also runs forward (SCRUB, Bad Distillation); 5 for the A-AMU methods,
 * whose every retain batch of B also pushes 4B forget and 4B test images through the network (docs/presets.md's
 * measured "one A-CF epoch ≈ 4–6 CF epochs"). An estimate for ordering only. Ties keep the registry order. Each
 * method draws its own seeded random stream and starts from the original model, so the order changes when rows
 * arrive, not what they say.
 */
import { METHOD_NAMES, methodCard, type MethodName } from './registry';
import { resolveHParams, type SettingQuery } from './hparams';

export interface RunOrderSetting {
  dataset: SettingQuery['dataset'];
  model: { arch: SettingQuery['arch'] };
  unlearn: { epochScale: number; hparams: Partial<Record<string, Record<string, unknown>>> };
}

/** A method's estimated cost in CF epochs over the retain set. */
export function estimatedCost(method: MethodName, s: RunOrderSetting): number {
  return estimatedEpochs(method, s) * (methodCard(method)?.epochCost ?? 1);
}

/** A method's epochs over the retain set (its largest resolved `*_epochs`, at least 1). */
export function estimatedEpochs(method: MethodName, s: RunOrderSetting): number {
  const hp = resolveHParams(
    method,
    { dataset: s.dataset, arch: s.model.arch, withDC: false },
    (s.unlearn.hparams[method] ?? {}) as Parameters<typeof resolveHParams>[2],
    s.unlearn.epochScale,
  );
  let e = 0;
  for (const [k, v] of Object.entries(hp)) if (k.endsWith('_epochs') && typeof v === 'number') e = Math.max(e, v);
  return Math.max(1, e);
}

/** `methods` sorted cheapest first (stable on the registry order). */
export function cheapestFirst(methods: readonly MethodName[], s: RunOrderSetting): MethodName[] {
  const cost = new Map(methods.map((m) => [m, estimatedCost(m, s)]));
  const rank = (m: MethodName) => METHOD_NAMES.indexOf(m);
  return [...methods].sort((a, b) => cost.get(a)! - cost.get(b)! || rank(a) - rank(b));
}
