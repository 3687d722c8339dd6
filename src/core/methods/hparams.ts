/**
 * Hyper-parameters of every unlearning method, read from the method cards (src/core/methods/<method>.ts, the
 * paper's defaults: docs/paper-notes.md §5.7 for the A-* methods, §6.8 for the baselines): a resolver that picks the
 * column of a setting, scales epoch counts for scaled presets (each card's `scaleEpochs`), applies per-method overrides
 * and validates them. `HPARAM_TABLE` is the derived read-only view.
 *
 * Setting columns (docs/paper-notes.md §6.8): `{C10|SVHN|CINIC}-{R18|R50}[-DC]`. Mapping of the lab's configurations:
 *  - dataset `synthetic` uses the CIFAR-10 columns; `cinic10` is accepted for completeness;
 *  - arch `convnet3` uses the ResNet-18 column (the paper has no ConvNet-3 unlearning setting; R18 is the
 *    closest budget); there is no CINIC-10 ResNet-50 file, so `cinic10` + `resnet50` falls back to CINIC-R18;
 *  - `withDC` picks the `_condense` column.
 * A-SCRUB and A-L1-Sparse only have CINIC-10 entries in the paper's JSONs; those values are used everywhere.
 *
 * Epoch scaling (`epochScale`, scaled presets; implemented in each card): every multi-epoch baseline's epoch count becomes
 * max(1, round(E·s)); dependent counts are scaled consistently:
 *  - warm-ups (Retrain, CF, SCRUB): round(W·s), at most E'−1;
 *  - SCRUB: the number of max passes (msteps+1) is scaled: msteps' = clamp(round((msteps+1)·s) − 1, 0, E'−1);
 *  - L1-sparse: the plain fine-tuning tail l1_no_l1_epochs' = min(E'−1, max(1 if E₀>0, round(E₀·s)));
 *  - Pruning: prune_step' = round(step·s) (≥1) lowered until it divides E', so the schedule still prunes
 *    ⌊(E'−1)/step'⌋+1 times and reaches the target sparsity.
 * A-* methods keep their single epoch. Overrides are applied AFTER scaling and are taken literally
 * (undefined values are ignored).
 */
import type { Arch, DatasetId, HParamValue } from '../types';
import { LabError } from '../types';
import { SETTINGS, type HParamDef, type PerSetting, type SettingKey } from './define';
import { METHOD_CARDS, METHOD_NAMES, methodCard, type MethodName } from './registry';

export { SETTINGS };
export type { HParamDef, PerSetting, SettingKey };

/** Every method's hyper-parameter declarations, from the method cards (read-only view). */
export const HPARAM_TABLE = Object.fromEntries(METHOD_CARDS.map((c) => [c.name, c.hparams])) as Record<
  MethodName,
  Record<string, HParamDef>
>;

function cardOf(method: string) {
  const card = methodCard(method);
  if (!card) throw new LabError(`unknown method '${String(method)}' (known: ${METHOD_NAMES.join(', ')})`, 'hparams');
  return card;
}

export interface SettingQuery {
  dataset: DatasetId | 'cinic10';
  arch: Arch | 'resnet50';
  withDC: boolean;
}

/** The §6.8 column used for a configuration (see the module comment for the mapping). */
export function settingKey(q: SettingQuery): SettingKey {
  const ds = q.dataset === 'svhn' ? 'SVHN' : q.dataset === 'cinic10' ? 'CINIC' : 'C10';
  const arch = q.arch === 'resnet50' && ds !== 'CINIC' ? 'R50' : 'R18';
  return `${ds}-${arch}${q.withDC ? '-DC' : ''}` as SettingKey;
}

/** Defaults of one method in one setting, unscaled. */
export function defaultHParams(method: MethodName, setting: SettingKey): Record<string, HParamValue> {
  const table = cardOf(method).hparams;
  const col = SETTINGS.indexOf(setting);
  if (col < 0) throw new LabError(`unknown setting '${setting}' (known: ${SETTINGS.join(', ')})`, 'hparams');
  const out: Record<string, HParamValue> = {};
  for (const [k, d] of Object.entries(table)) out[k] = isPerSetting(d.value) ? d.value.perSetting[col] : d.value;
  return out;
}

function isPerSetting(v: HParamValue | PerSetting): v is PerSetting {
  return typeof v === 'object' && v !== null && 'perSetting' in v;
}

/**
 * Epoch-count scaling of one method's (default) values, in place, by its card's `scaleEpochs`; see the module
 * comment. An unknown method is an error (never a silent default).
 */
export function scaleHParams(method: MethodName, hp: Record<string, HParamValue>, s: number): void {
  const card = cardOf(method);
  if (s === 1 || card.scaleEpochs === 'fixed') return;
  card.scaleEpochs(hp, s);
}

/** Check (and coerce numeric / boolean strings of) one override value; throws a LabError naming method and key. */
export function validateHParam(method: MethodName, key: string, value: unknown): HParamValue {
  const table = cardOf(method).hparams;
  const def = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  const where = `hparams.${method}.${key}`;
  if (!def) {
    throw new LabError(
      `unknown hyper-parameter '${key}' for method '${method}' (known: ${Object.keys(table).join(', ')})`,
      where,
    );
  }
  if (def.type === 'enum') {
    if (typeof value !== 'string' || !def.values!.includes(value)) {
      throw new LabError(
        `'${String(value)}' is not valid for ${method} ${key}; expected one of ${def.values!.join(', ')}`,
        where,
      );
    }
    return value;
  }
  if (def.type === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new LabError(`${method} ${key} must be a boolean, got ${JSON.stringify(value)}`, where);
  }
  let x: number;
  if (typeof value === 'number') x = value;
  else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) x = Number(value);
  else throw new LabError(`${method} ${key} must be a number, got ${JSON.stringify(value)}`, where);
  if (!Number.isFinite(x)) throw new LabError(`${method} ${key} must be finite, got ${x}`, where);
  if (def.type === 'int' && !Number.isInteger(x))
    throw new LabError(`${method} ${key} must be an integer, got ${x}`, where);
  const lo = def.min ?? -Infinity,
    hi = def.max ?? Infinity;
  if (x < lo || (def.minOpen && x === lo) || x > hi) {
    throw new LabError(`${method} ${key} = ${x} is out of range ${def.minOpen ? '(' : '['}${lo}, ${hi}]`, where);
  }
  return x;
}

/**
 * Hyper-parameters of `method` for a configuration: the §5.7/§6.8 defaults of its column, epoch counts scaled
 * by `epochScale` (multi-epoch baselines only), then `overrides` (validated, literal).
 */
export function resolveHParams(
  method: MethodName,
  setting: SettingQuery,
  overrides: Record<string, HParamValue> | undefined = {},
  epochScale = 1,
): Record<string, HParamValue> {
  cardOf(method);
  if (!(typeof epochScale === 'number' && Number.isFinite(epochScale) && epochScale > 0)) {
    throw new LabError(`epochScale must be a positive number, got ${String(epochScale)}`, 'hparams');
  }
  const hp = defaultHParams(method, settingKey(setting));
  scaleHParams(method, hp, epochScale);
  for (const [k, v] of Object.entries(overrides ?? {})) if (v !== undefined) hp[k] = validateHParam(method, k, v);
  return hp;
}

/** Typed readers for method code (throw a LabError if a resolved record lacks a key). */
export function hpNum(hp: Record<string, HParamValue>, key: string, method: string): number {
  const v = hp[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new LabError(`missing numeric hyper-parameter '${key}'`, method);
  return v;
}

export function hpStr(hp: Record<string, HParamValue>, key: string, method: string): string {
  const v = hp[key];
  if (typeof v !== 'string') throw new LabError(`missing hyper-parameter '${key}'`, method);
  return v;
}
