/**
 * The single parameter table (tensorflow/playground's PROPS idea): every experiment setting is declared once
 * here with its type, default, range/options, URL key and control kind. Controls, validation, the URL and the
 * conversion to an ExperimentSpec are all driven by this table.
 *
 * Pure module (no DOM): unit-tested in params.test.ts (which also covers url.ts).
 */
import { PAGE_DEFAULT_PRESET, PRESETS } from '../core/lite';
import { specRange, type SpecPath } from '../core/lite';
import type { ExperimentSpec, MethodName } from '../core/lite';
import { METHOD_CARDS, METHOD_NAMES } from '../core/lite';
import type { Arch, DatasetId } from '../core/lite';
import { HPARAM_TABLE, resolveHParams } from '../core/lite';
import type { BackendPref } from '../worker/protocol';
import { BACKEND_PREFS } from '../worker/protocol';
import { VIEW_VALUES } from './views';

export type ParamValue = number | string | boolean | null | string[];

export type Group = 'data' | 'model' | 'forget' | 'condense' | 'methods' | 'hparams' | 'run' | 'device';

interface Base<V extends ParamValue> {
  /** stable name (store key) */
  name: string;
  /** URL query key (short, stable) */
  key: string;
  label: string;
  help?: string;
  group: Group;
  default: V;
  /** where the value lives in the ExperimentSpec (dot path); absent for app-only params */
  path?: string;
  /** for per-method hyper-parameters: only shown when this method is selected */
  method?: MethodName;
  /** the core's hyper-parameter name (per-method overrides) */
  hparam?: string;
  /** shown under "more settings" in its group */
  advanced?: boolean;
}

export interface IntParam extends Base<number> {
  type: 'int';
  min: number;
  max: number;
  step?: number;
  control: 'number' | 'range';
}
export interface FloatParam extends Base<number> {
  type: 'float';
  min: number;
  max: number;
  /** exclusive lower bound */
  minExclusive?: boolean;
  step?: number;
  control: 'number' | 'range';
}
export interface EnumParam extends Base<string> {
  type: 'enum';
  options: ReadonlyArray<{ value: string; label: string }>;
  control: 'select' | 'radio';
}
/** integer or null ("auto"), e.g. the forgotten class */
export interface OptIntParam extends Base<number | null> {
  type: 'optint';
  min: number;
  max: number;
  nullLabel: string;
  control: 'select';
}
/** number or null (= the core's default), e.g. a per-method hyper-parameter override */
export interface OptNumParam extends Base<number | null> {
  type: 'optnum';
  int: boolean;
  min: number;
  max: number;
  minExclusive: boolean;
  control: 'number';
}
export interface BoolParam extends Base<boolean> {
  type: 'bool';
  control: 'checkbox';
}
export interface MultiParam extends Base<string[]> {
  type: 'multi';
  options: ReadonlyArray<{ value: string; label: string }>;
  control: 'checkboxes';
}

export type ParamDef = IntParam | FloatParam | EnumParam | OptIntParam | OptNumParam | BoolParam | MultiParam;
export type Params = Record<string, ParamValue>;

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

/** the page's defaults: the `first-look` preset (fast first visit, issue 14), not the CLI's `quick` */
const D = PRESETS[PAGE_DEFAULT_PRESET].spec;
/** Ranges come from the core's one spec schema (src/core/spec-schema.ts), never declared twice. */
const intRange = (path: SpecPath) => ({ min: specRange(path).min, max: specRange(path).max });
const numRange = (path: SpecPath) => specRange(path);
const dflt = <T>(path: string): T => getPath(D, path) as T;

/**
 * Per-method key hyper-parameters, shown when their method is selected: the ones a method card marks `page`
 * (src/core/methods/<method>.ts, with their URL key and label). Bounds and docs come from the same declaration;
 * `null` means "the paper's default for this dataset, model and arm" (resolved by the core), so only values the
 * user sets are sent — and they are taken literally (not scaled).
 */
const KEY_HPARAMS: Array<{ method: MethodName; hp: string; key: string; label: string }> = METHOD_CARDS.flatMap((c) =>
  Object.entries(c.hparams).flatMap(([hp, d]) => (d.page ? [{ method: c.name, hp, ...d.page }] : [])),
);

function hparamParam(h: (typeof KEY_HPARAMS)[number]): OptNumParam {
  const def = HPARAM_TABLE[h.method]?.[h.hp];
  if (!def || (def.type !== 'num' && def.type !== 'int'))
    throw new Error(`params: ${h.method}.${h.hp} is not a numeric hyper-parameter of the core`);
  return {
    name: `hp.${h.method}.${h.hp}`,
    key: h.key,
    label: h.label,
    help: def.doc,
    group: 'hparams',
    method: h.method,
    hparam: h.hp,
    type: 'optnum',
    int: def.type === 'int',
    min: def.min ?? 0,
    max: def.max ?? 1e6,
    minExclusive: !!def.minOpen,
    control: 'number',
    path: `unlearn.hparams.${h.method}.${h.hp}`,
    default: null,
  };
}

/** The core's resolved value of a hyper-parameter for the current settings (placeholder of an empty field). */
export function resolvedHParam(params: Params, def: OptNumParam, withDC: boolean): number | null {
  if (!def.method || !def.hparam) return null;
  try {
    const hp = resolveHParams(
      def.method,
      { dataset: params.dataset as DatasetId, arch: params.arch as Arch, withDC },
      {},
      (params.epochScale as number) ?? 1,
    );
    const v = hp[def.hparam];
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

export const METHOD_LABELS = Object.fromEntries(METHOD_CARDS.map((c) => [c.name, c.label])) as Record<
  MethodName,
  string
>;

export const PARAMS: readonly ParamDef[] = [
  {
    name: 'dataset',
    key: 'ds',
    label: 'Dataset',
    group: 'data',
    type: 'enum',
    control: 'select',
    path: 'dataset',
    default: dflt<string>('dataset'),
    options: [
      { value: 'cifar10', label: 'CIFAR-10' },
      { value: 'svhn', label: 'SVHN' },
      { value: 'synthetic', label: 'Synthetic (built in)' },
    ],
  },
  {
    name: 'trainPerClass',
    key: 'tpc',
    label: 'Train images / class',
    help: '0 = all',
    group: 'data',
    type: 'int',
    control: 'number',
    ...intRange('trainPerClass'),
    step: 10,
    path: 'trainPerClass',
    default: dflt('trainPerClass'),
  },
  {
    name: 'testPerClass',
    key: 'xpc',
    label: 'Test images / class',
    help: '0 = all; split 70 % regulariser / 30 % evaluation',
    group: 'data',
    type: 'int',
    control: 'number',
    ...intRange('testPerClass'),
    step: 10,
    path: 'testPerClass',
    default: dflt('testPerClass'),
  },
  {
    name: 'arch',
    key: 'arch',
    label: 'Model',
    group: 'model',
    type: 'enum',
    control: 'select',
    path: 'model.arch',
    default: dflt('model.arch'),
    options: [
      { value: 'convnet3', label: 'ConvNet-3' },
      { value: 'resnet18', label: 'ResNet-18' },
    ],
  },
  {
    name: 'width',
    key: 'w',
    label: 'Width',
    help: 'ConvNet-3 channels (paper 128); ResNet-18 first-stage channels (paper 64)',
    group: 'model',
    type: 'int',
    control: 'number',
    ...intRange('model.width'),
    path: 'model.width',
    default: dflt('model.width'),
  },
  {
    name: 'pretrainEpochs',
    key: 'pe',
    label: 'Pretrain epochs',
    group: 'model',
    type: 'int',
    control: 'number',
    ...intRange('pretrain.epochs'),
    path: 'pretrain.epochs',
    default: dflt('pretrain.epochs'),
  },
  {
    name: 'pretrainLr',
    key: 'plr',
    label: 'Pretrain lr',
    group: 'model',
    type: 'float',
    control: 'number',
    ...numRange('pretrain.lr'),
    step: 0.01,
    path: 'pretrain.lr',
    default: dflt('pretrain.lr'),
  },
  {
    name: 'batchSize',
    key: 'bs',
    label: 'Pretrain batch',
    group: 'model',
    type: 'int',
    control: 'number',
    ...intRange('pretrain.batchSize'),
    path: 'pretrain.batchSize',
    default: dflt('pretrain.batchSize'),
    advanced: true,
  },
  {
    name: 'pretrainMomentum',
    key: 'pmom',
    label: 'Pretrain momentum',
    group: 'model',
    type: 'float',
    control: 'number',
    ...numRange('pretrain.momentum'),
    step: 0.05,
    path: 'pretrain.momentum',
    default: dflt('pretrain.momentum'),
    advanced: true,
  },
  {
    name: 'pretrainWd',
    key: 'pwd',
    label: 'Pretrain weight decay',
    group: 'model',
    type: 'float',
    control: 'number',
    ...numRange('pretrain.weightDecay'),
    step: 1e-4,
    path: 'pretrain.weightDecay',
    default: dflt('pretrain.weightDecay'),
    advanced: true,
  },
  {
    name: 'pretrainWarmup',
    key: 'pwu',
    label: 'Pretrain warm-up epochs',
    group: 'model',
    type: 'int',
    control: 'number',
    ...intRange('pretrain.warmup'),
    path: 'pretrain.warmup',
    default: dflt('pretrain.warmup'),
    advanced: true,
  },
  {
    name: 'forgetMode',
    key: 'fm',
    label: 'Forget',
    group: 'forget',
    type: 'enum',
    control: 'radio',
    path: 'forget.mode',
    default: dflt('forget.mode'),
    options: [
      { value: 'uniform', label: 'Uniform %' },
      { value: 'class', label: 'One class' },
    ],
  },
  {
    name: 'forgetClass',
    key: 'fc',
    label: 'Class to forget',
    group: 'forget',
    type: 'optint',
    control: 'select',
    ...intRange('forget.class'),
    nullLabel: 'drawn from seed',
    path: 'forget.class',
    default: dflt<number | null>('forget.class'),
  },
  {
    name: 'forgetFraction',
    key: 'ff',
    label: 'Forget fraction',
    help: 'uniform mode (paper 0.1)',
    group: 'forget',
    type: 'float',
    control: 'number',
    ...numRange('forget.fraction'),
    step: 0.01,
    path: 'forget.fraction',
    default: dflt('forget.fraction'),
  },
  {
    name: 'rounds',
    key: 'r',
    label: 'Rounds',
    help: 'sequential uniform rounds (§4.5)',
    group: 'forget',
    type: 'int',
    control: 'number',
    ...intRange('rounds'),
    path: 'rounds',
    default: dflt('rounds'),
  },
  {
    name: 'ipc',
    key: 'ipc',
    label: 'IPC (sub-classes / class)',
    group: 'condense',
    type: 'int',
    control: 'number',
    ...intRange('condense.ipc'),
    path: 'condense.ipc',
    default: dflt('condense.ipc'),
  },
  {
    name: 'iterations',
    key: 'it',
    label: 'Blend iterations',
    group: 'condense',
    type: 'int',
    control: 'number',
    ...intRange('condense.iterations'),
    path: 'condense.iterations',
    default: dflt('condense.iterations'),
  },
  {
    name: 'condenseEnabled',
    key: 'dc',
    label: 'Condensation enabled',
    help: 'needed for the w/ DC arm',
    group: 'condense',
    type: 'bool',
    control: 'checkbox',
    path: 'condense.enabled',
    default: dflt('condense.enabled'),
    advanced: true,
  },
  {
    name: 'resampleNet',
    key: 'rsn',
    label: 'New random feature net per Blend iteration',
    help: 'DM-style; the paper keeps one net',
    group: 'condense',
    type: 'bool',
    control: 'checkbox',
    path: 'condense.resampleNet',
    default: dflt('condense.resampleNet'),
    advanced: true,
  },
  {
    name: 'kmeansMaxIter',
    key: 'kmi',
    label: 'k-means max iterations',
    group: 'condense',
    type: 'int',
    control: 'number',
    ...intRange('condense.kmeansMaxIter'),
    path: 'condense.kmeansMaxIter',
    default: dflt('condense.kmeansMaxIter'),
    advanced: true,
  },
  {
    name: 'lrMode',
    key: 'blr',
    label: 'Blend step',
    group: 'condense',
    type: 'enum',
    control: 'select',
    path: 'condense.lrMode',
    help:
      "paper regime: lr/T = the paper's CIFAR-10 IPC-1000 per-cluster step (1.11 class, 1.59 uniform) at any IPC " +
      '(documented deviation); paper polynomial: lr_b(IPC) as in the paper',
    default: dflt('condense.lrMode'),
    advanced: true,
    options: [
      { value: 'paper-regime', label: "Paper's regime (lr/T fixed)" },
      { value: 'paper-polynomial', label: "Paper's polynomial lr_b(IPC)" },
    ],
  },
  {
    name: 'netWidth',
    key: 'nw',
    label: 'Feature-net width (k-means, Blend)',
    help: 'random ConvNet-3 width; paper 128',
    group: 'condense',
    type: 'int',
    control: 'number',
    ...intRange('condense.netWidth'),
    path: 'condense.netWidth',
    default: dflt('condense.netWidth'),
    advanced: true,
  },
  {
    name: 'methods',
    key: 'm',
    label: 'Methods',
    group: 'methods',
    type: 'multi',
    control: 'checkboxes',
    path: 'unlearn.methods',
    default: [...dflt<string[]>('unlearn.methods')],
    // the modern baselines beyond the paper (docs/modern-baselines.md) say so next to their box
    options: METHOD_NAMES.map((m) => ({
      value: m,
      label: METHOD_CARDS.find((c) => c.name === m)?.beyondPaper
        ? `${METHOD_LABELS[m]} (not in the paper)`
        : METHOD_LABELS[m],
    })),
  },
  {
    name: 'arms',
    key: 'arms',
    label: 'Compare arms',
    group: 'methods',
    type: 'enum',
    control: 'select',
    path: 'unlearn.arms',
    default: dflt('unlearn.arms'),
    options: [
      { value: 'both', label: 'w/o and w/ DC' },
      { value: 'without', label: 'w/o DC only' },
      { value: 'with', label: 'w/ DC only' },
    ],
  },
  {
    name: 'epochScale',
    key: 'es',
    label: 'Baseline epoch scale',
    help: 'multiplies every baseline’s paper epoch count; A-* methods keep 1 epoch',
    group: 'methods',
    type: 'float',
    control: 'number',
    ...numRange('unlearn.epochScale'),
    step: 0.01,
    path: 'unlearn.epochScale',
    default: dflt('unlearn.epochScale'),
  },
  {
    name: 'curves',
    key: 'cv',
    label: 'Per-epoch curves',
    group: 'methods',
    type: 'bool',
    control: 'checkbox',
    path: 'curves',
    default: dflt('curves'),
  },
  ...KEY_HPARAMS.map(hparamParam),
  {
    name: 'seed',
    key: 'seed',
    label: 'Seed',
    group: 'run',
    type: 'int',
    control: 'number',
    ...intRange('seed'),
    path: 'seed',
    default: dflt('seed'),
  },
  {
    name: 'seeds',
    key: 'seeds',
    label: 'Seeds',
    group: 'run',
    type: 'int',
    control: 'number',
    ...intRange('seeds'),
    help: 'Compare runs once per seed (seed, seed+1, …) and shows mean ± 95 % interval; gaps to Retrain paired per seed',
    path: 'seeds',
    default: dflt<number>('seeds'),
  },
  {
    name: 'live',
    key: 'live',
    label: 'Live mode',
    help:
      'rerun on every change: a forget setting reruns the methods in seconds, a method’s own knob only that method ' +
      '(the original model is kept; try the live preset); seed, data, model and IPC run as a normal job',
    group: 'run',
    type: 'bool',
    control: 'checkbox',
    default: false,
  },
  {
    name: 'backend',
    key: 'be',
    label: 'Backend',
    group: 'device',
    type: 'enum',
    control: 'select',
    default: 'auto',
    options: BACKEND_PREFS.map((b) => ({ value: b, label: b === 'auto' ? 'auto (webgpu → webgl → wasm → cpu)' : b })),
  },
  {
    name: 'workers',
    key: 'wk',
    label: 'Training workers',
    group: 'device',
    type: 'int',
    control: 'number',
    min: 0,
    max: 64,
    default: 0,
    help: 'data-parallel WASM workers; 0 = all cores (navigator.hardwareConcurrency), 1 = train in the lab worker only',
  },
  {
    name: 'softwareGpu',
    key: 'swgpu',
    label: 'Allow software WebGPU',
    help: 'diagnostic: use a software adapter (SwiftShader), ~50× slower than WASM; refused by default',
    group: 'device',
    type: 'bool',
    control: 'checkbox',
    default: false,
    advanced: true,
  },
];

export const PARAM_BY_NAME: ReadonlyMap<string, ParamDef> = new Map(PARAMS.map((p) => [p.name, p]));
export const PARAM_BY_KEY: ReadonlyMap<string, ParamDef> = new Map(PARAMS.map((p) => [p.key, p]));

export function defaultParams(): Params {
  const out: Params = {};
  for (const p of PARAMS) out[p.name] = Array.isArray(p.default) ? [...p.default] : p.default;
  return out;
}

const INT_TEXT = /^[+-]?\d{1,16}$/;
const DECIMAL_TEXT = /^[+-]?(?:\d{1,32}(?:\.\d{0,32})?|\.\d{1,32})(?:[eE][+-]?\d{1,3})?$/;

/**
 * A number written in plain decimal (the form `formatValue` writes), or the reason it is not one. Whitespace,
 * hexadecimal / binary / octal forms (`0x10`), `Infinity` and, for integers, exponents or fractions (`1e3`, `2.0`)
 * are refused — `Number()` would accept them all, and turn a whitespace-only value into 0.
 */
export function parseDecimal(raw: string, int: boolean): number | string {
  if (raw.trim() === '') return 'empty value';
  if (int) return INT_TEXT.test(raw) ? Number(raw) : 'not a decimal integer';
  if (!DECIMAL_TEXT.test(raw)) return 'not a decimal number';
  return Number(raw);
}

/**
 * Check one value against its declaration. Returns the normalised value, or an error string.
 * Accepts typed values (from controls) and strings (from the URL).
 */
export function coerce(p: ParamDef, raw: unknown): { ok: true; value: ParamValue } | { ok: false; error: string } {
  const bad = (why: string) => ({ ok: false as const, error: why });
  switch (p.type) {
    case 'int':
    case 'float': {
      const v = typeof raw === 'string' ? parseDecimal(raw, p.type === 'int') : raw;
      if (typeof v === 'string') return bad(v);
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('not a number');
      if (p.type === 'int' && !Number.isInteger(v)) return bad('not an integer');
      const lowOk = p.type === 'float' && p.minExclusive ? v > p.min : v >= p.min;
      if (!lowOk || v > p.max)
        return bad(`out of range ${p.type === 'float' && p.minExclusive ? '(' : '['}${p.min}, ${p.max}]`);
      return { ok: true, value: v };
    }
    case 'optint': {
      if (raw === null || raw === '' || raw === 'auto') return { ok: true, value: null };
      const v = typeof raw === 'string' ? parseDecimal(raw, true) : raw;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < p.min || v > p.max)
        return bad(`must be "auto" or an integer in [${p.min}, ${p.max}]`);
      return { ok: true, value: v };
    }
    case 'optnum': {
      if (raw === null || raw === '' || raw === 'default') return { ok: true, value: null };
      const v = typeof raw === 'string' ? parseDecimal(raw, p.int) : raw;
      if (typeof v === 'string') return bad(v);
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('not a number');
      if (p.int && !Number.isInteger(v)) return bad('not an integer');
      if ((p.minExclusive ? v <= p.min : v < p.min) || v > p.max)
        return bad(`out of range ${p.minExclusive ? '(' : '['}${p.min}, ${p.max}]`);
      return { ok: true, value: v };
    }
    case 'bool': {
      if (raw === true || raw === 'true' || raw === '1') return { ok: true, value: true };
      if (raw === false || raw === 'false' || raw === '0') return { ok: true, value: false };
      return bad('must be 0 or 1');
    }
    case 'enum': {
      if (typeof raw === 'string' && p.options.some((o) => o.value === raw)) return { ok: true, value: raw };
      return bad(`must be one of ${p.options.map((o) => o.value).join(', ')}`);
    }
    case 'multi': {
      const list = typeof raw === 'string' ? (raw === '' ? [] : raw.split(',')) : raw;
      if (!Array.isArray(list)) return bad('must be a comma-separated list');
      const allowed = new Set(p.options.map((o) => o.value));
      const unknown = list.filter((x) => typeof x !== 'string' || !allowed.has(x));
      if (unknown.length) return bad(`unknown ${unknown.map((u) => JSON.stringify(String(u))).join(', ')}`);
      if (list.length === 0) return bad('choose at least one');
      // keep the given order (it is the run order), drop duplicates
      return { ok: true, value: [...new Set(list as string[])] };
    }
  }
}

/** Text form of a value for the URL. */
export function formatValue(p: ParamDef, v: ParamValue): string {
  if (p.type === 'multi') return (v as string[]).join(',');
  if (p.type === 'bool') return v ? '1' : '0';
  if (p.type === 'optint') return v === null ? 'auto' : String(v);
  if (p.type === 'optnum') return v === null ? 'default' : String(v);
  return String(v);
}

/** Build the ExperimentSpec described by params (not yet validated by the core). */
export function specFromParams(params: Params, base: ExperimentSpec = D): ExperimentSpec {
  const spec = structuredClone(base) as unknown as Record<string, unknown>;
  setPath(spec, 'unlearn.hparams', {});
  const selected = new Set((params.methods as string[] | undefined) ?? []);
  for (const p of PARAMS) {
    if (!p.path) continue;
    const v = params[p.name] ?? p.default;
    if (p.type === 'optnum' && (v === null || (p.method && !selected.has(p.method)))) continue;
    setPath(spec, p.path, Array.isArray(v) ? [...v] : v);
  }
  return spec as unknown as ExperimentSpec;
}

/** Read params back from a spec (presets, imported results). Values the table cannot hold keep their default. */
export function paramsFromSpec(spec: ExperimentSpec, keep: Params = defaultParams()): Params {
  const out: Params = { ...keep };
  for (const p of PARAMS) {
    if (!p.path) continue;
    const v = getPath(spec, p.path);
    if (v === undefined) {
      if (p.type === 'optnum') out[p.name] = null;
      continue;
    }
    const c = coerce(p, v);
    out[p.name] = c.ok ? c.value : p.default;
  }
  return out;
}

/** Params visible in the UI for the current selection (hyper-parameters of unselected methods are hidden). */
export function visibleParams(params: Params, group: Group): ParamDef[] {
  const selected = new Set((params.methods as string[] | undefined) ?? []);
  return PARAMS.filter((p) => p.group === group && (!p.method || selected.has(p.method)));
}

export function backendPref(params: Params): BackendPref {
  return (params.backend as BackendPref) ?? 'auto';
}

/** The 'Training workers' setting (0 = all cores). */
export function workersPref(params: Params): number {
  return typeof params.workers === 'number' ? params.workers : 0;
}

/** Machine settings: not part of an experiment (presets and specs leave them alone). */
const DEVICE_PARAMS = new Set(['backend', 'workers', 'softwareGpu', 'live']);

/** Name of the preset these params equal (the backend does not count), or null. */
export function matchPreset(params: Params): string | null {
  const sameAs = (a: Params, b: Params) =>
    PARAMS.every((p) => DEVICE_PARAMS.has(p.name) || JSON.stringify(a[p.name]) === JSON.stringify(b[p.name]));
  for (const [name, pr] of Object.entries(PRESETS)) if (sameAs(params, paramsFromSpec(pr.spec))) return name;
  return null;
}

/** Markdown table of the URL parameters (docs/url-parameters.md "Keys"), generated from the table itself. */
export function urlParamsMarkdown(): string {
  const range = (p: ParamDef): string => {
    switch (p.type) {
      case 'int':
      case 'float':
        return `${p.type === 'float' && p.minExclusive ? '(' : '['}${p.min}, ${p.max}]${p.type === 'int' ? ' integer' : ''}`;
      case 'optint':
        return `auto or [${p.min}, ${p.max}]`;
      case 'optnum':
        return `default or ${p.minExclusive ? '(' : '['}${p.min}, ${p.max}]${p.int ? ' integer' : ''}`;
      case 'bool':
        return '0 / 1';
      case 'enum':
        return p.options.map((o) => o.value).join(' \\| ');
      case 'multi':
        return `comma list of ${p.options.map((o) => o.value).join(', ')}`;
    }
  };
  const rows = PARAMS.map(
    (p) =>
      `| \`${p.key}\` | ${p.label}${p.help ? ` — ${p.help}` : ''} | ${range(p)} | ${p.type === 'optnum' ? 'paper default' : formatValue(p, p.default)} |`,
  );
  return [
    '| key | setting | values | default |',
    '|---|---|---|---|',
    '| `preset` | start from a preset (explicit keys override it) | ' + Object.keys(PRESETS).join(' \\| ') + ' | – |',
    '| `autorun` | start Compare on load (not when the link needs a notice: then the page asks first; removed from the address bar once Compare starts) | 0 / 1 | 0 |',
    '| `view` | the page view shown (a per-method id = Inspect at that view) | ' +
      VIEW_VALUES.join(' \\| ') +
      ' | setup |',
    '| `method` | the method every per-method view shows: `NAME~ARM[~rN]`, e.g. `A-CF~with`, `CF~without~r2` | a method, `with` / `without`, round | A-CF |',
    ...rows,
  ].join('\n');
}
