/**
 * Experiment presets and spec validation. One declarative table: each preset is a full ExperimentSpec;
 * `validateSpec` fills defaults from DEFAULT_SPEC and rejects out-of-range values with a LabError naming the field.
 *
 * How the presets scale the paper (spec §2.5, §3, §6, §8):
 *  - `paper`: full CIFAR-10, ResNet-18 (width 64), pretraining 200 epochs SGD 0.1 WarmCos(10,200), every baseline
 *    at its paper epoch count (epochScale 1), IPC 1000, Blend 12 iterations, width-128 feature nets. GPU-scale.
 *  - `quick` (= the defaults): CIFAR-10 subset (300 train / 200 test images per class), ConvNet-3 width 32,
 *    pretraining 15 epochs; every baseline's epoch count × 0.1 (Retrain 100→10, CF 50→5, SCRUB 15→2, L1 30→3,
 *    Pruning 20→2, Bad-teacher 20→2), so CF and Retrain keep their relative budgets, while A-* methods keep their
 *    single epoch — which is why A-CF's speed advantage over CF shrinks here (one A-CF epoch costs ≈6 CF epochs:
 *    it also scans 4B forget and 4B test samples per step). IPC 60 keeps the paper's ≈5 images per cluster;
 *    k-means / Blend feature nets are width 32 (paper 128).
 *  - `bench`: the paper's epoch budgets (epochScale 1) on a small subset (100 / class), ConvNet-3 width 32 —
 *    the setting where the A-CF vs CF speed claim (1 epoch vs 50) can be measured on a CPU.
 *  - `browser`: like quick with 150 images per class — a few minutes in a browser tab on WASM.
 *  - `smoke`: synthetic data, 40/class, ConvNet-3 width 8, ≤2 epochs everywhere — for tests.
 */
import { LabError } from '../types';
import type { Arch, DatasetId, ForgetMode } from '../types';
import type { ExperimentSpec, MethodName } from '../contracts';
import { METHOD_NAMES } from '../contracts';

export const ALL_METHODS: MethodName[] = [...METHOD_NAMES];
/** methods of the paper's single-round tables (A-SCRUB / A-L1-Sparse are multi-round methods in the paper) */
export const SINGLE_ROUND_METHODS: MethodName[] = ['Retrain', 'CF', 'A-CF', 'Bad Distillation', 'L1-Sparse', 'Pruning', 'SCRUB'];
/** methods of the paper's multi-round experiment (§8) */
export const MULTI_ROUND_METHODS: MethodName[] = ['CF', 'A-CF', 'SCRUB', 'A-SCRUB', 'L1-Sparse', 'A-L1-Sparse'];

export const DEFAULT_SPEC: ExperimentSpec = {
  dataset: 'cifar10',
  trainPerClass: 300,
  testPerClass: 200,
  model: { arch: 'convnet3', width: 32 },
  forget: { mode: 'uniform', class: null, fraction: 0.1 },
  seed: 0,
  pretrain: { epochs: 15, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 64, warmup: 1 },
  condense: { enabled: true, ipc: 60, iterations: 12, resampleNet: false, kmeansMaxIter: 100, netWidth: 32 },
  unlearn: { methods: ALL_METHODS, arms: 'both', hparams: {}, epochScale: 0.1 },
  rounds: 1,
  curves: true,
};

export interface Preset {
  label: string;
  description: string;
  spec: ExperimentSpec;
}

function preset(label: string, description: string, over: DeepPartial<ExperimentSpec>): Preset {
  return { label, description, spec: mergeSpec(DEFAULT_SPEC, over) };
}

export const PRESETS: Record<string, Preset> = {
  smoke: preset('Smoke test', 'Synthetic data, 40 images/class, ConvNet-3 width 8, ≤2 epochs everywhere. Seconds.', {
    dataset: 'synthetic', trainPerClass: 40, testPerClass: 40, model: { arch: 'convnet3', width: 8 },
    pretrain: { epochs: 2, lr: 0.05, warmup: 0, batchSize: 32 },
    condense: { ipc: 4, iterations: 4, netWidth: 8 },
    unlearn: { methods: ['Retrain', 'CF', 'A-CF'], epochScale: 0.02 },
    curves: true,
  }),
  browser: preset('Browser (minutes)', 'CIFAR-10, 150 images/class, ConvNet-3 width 32, baseline epochs ×0.1, IPC 30.', {
    trainPerClass: 150, testPerClass: 100, pretrain: { epochs: 12 }, condense: { ipc: 30 },
  }),
  quick: preset('Quick (CIFAR-10 subset)', 'CIFAR-10, 300 images/class, ConvNet-3 width 32, baseline epochs ×0.1, IPC 60 (≈5 images/cluster as in the paper).', {}),
  'quick-class': preset('Quick, class forgetting', 'As quick, forgetting one class (drawn from the seed).', {
    forget: { mode: 'class', class: null },
  }),
  bench: preset('Paper epochs, small subset', 'CIFAR-10, 100 images/class, ConvNet-3 width 32, the paper\'s epoch budgets (Retrain 100, CF 50, A-CF 1).', {
    trainPerClass: 100, testPerClass: 100, pretrain: { epochs: 30 }, condense: { ipc: 20 }, unlearn: { epochScale: 1 }, curves: false,
  }),
  'multi-round': preset('Multi-round (§4.5)', 'Three sequential 10% uniform rounds, each method continuing from its own output.', {
    rounds: 3, curves: false, unlearn: { methods: MULTI_ROUND_METHODS },
  }),
  paper: preset('Paper (GPU, hours)', 'Full CIFAR-10, ResNet-18, paper epochs (pretrain 200, Retrain 100, CF 50 …), IPC 1000.', {
    trainPerClass: 0, testPerClass: 0, model: { arch: 'resnet18', width: 64 },
    pretrain: { epochs: 200, lr: 0.1, warmup: 10 },
    condense: { ipc: 1000, iterations: 12, netWidth: 128 },
    unlearn: { epochScale: 1 },
    curves: false,
  }),
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends Array<unknown> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Deep merge of plain objects (arrays replaced, not merged). */
export function mergeSpec(base: ExperimentSpec, over: DeepPartial<ExperimentSpec> | Record<string, unknown>): ExperimentSpec {
  return deepMerge(structuredClone(base), over) as ExperimentSpec;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (isPlain(a) && isPlain(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = deepMerge(a[k], v);
    return out;
  }
  return structuredClone(b);
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const DATASETS: DatasetId[] = ['cifar10', 'svhn', 'synthetic'];
const ARCHS: Arch[] = ['convnet3', 'resnet18'];
const MODES: ForgetMode[] = ['class', 'uniform'];

/**
 * Validate a (possibly partial) spec, filling defaults from `base` (DEFAULT_SPEC). Unknown keys and bad values
 * raise a LabError that names the field (`spec.pretrain.lr: must be a number in (0, 10], got -1`).
 */
export function validateSpec(input: unknown, base: ExperimentSpec = DEFAULT_SPEC): ExperimentSpec {
  if (!isPlain(input)) throw new LabError('expected a JSON object', 'spec');
  checkKeys(input, base as unknown as Record<string, unknown>, 'spec');
  const s = mergeSpec(base, input);
  const errors: string[] = [];
  const num = (path: string, v: unknown, lo: number, hi: number, opts: { int?: boolean; loOpen?: boolean } = {}) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.loOpen ? v > lo : v >= lo) && v <= hi && (!opts.int || Number.isInteger(v));
    if (!ok) errors.push(`spec.${path}: must be ${opts.int ? 'an integer' : 'a number'} in ${opts.loOpen ? '(' : '['}${lo}, ${hi}], got ${JSON.stringify(v)}`);
  };
  const oneOf = (path: string, v: unknown, options: readonly unknown[]) => {
    if (!options.includes(v)) errors.push(`spec.${path}: must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(v)}`);
  };
  oneOf('dataset', s.dataset, DATASETS);
  num('trainPerClass', s.trainPerClass, 0, 100000, { int: true });
  num('testPerClass', s.testPerClass, 0, 100000, { int: true });
  oneOf('model.arch', s.model.arch, ARCHS);
  num('model.width', s.model.width, 1, 1024, { int: true });
  oneOf('forget.mode', s.forget.mode, MODES);
  if (s.forget.class !== null) num('forget.class', s.forget.class, 0, 9, { int: true });
  num('forget.fraction', s.forget.fraction, 0, 0.9, { loOpen: true });
  num('seed', s.seed, 0, 2 ** 31 - 1, { int: true });
  num('pretrain.epochs', s.pretrain.epochs, 0, 1000, { int: true });
  num('pretrain.lr', s.pretrain.lr, 0, 10, { loOpen: true });
  num('pretrain.momentum', s.pretrain.momentum, 0, 0.999);
  num('pretrain.weightDecay', s.pretrain.weightDecay, 0, 1);
  num('pretrain.batchSize', s.pretrain.batchSize, 1, 4096, { int: true });
  num('pretrain.warmup', s.pretrain.warmup, 0, 1000, { int: true });
  if (typeof s.condense.enabled !== 'boolean') errors.push(`spec.condense.enabled: must be true or false`);
  num('condense.ipc', s.condense.ipc, 1, 5000, { int: true });
  num('condense.iterations', s.condense.iterations, 0, 100000, { int: true });
  if (typeof s.condense.resampleNet !== 'boolean') errors.push(`spec.condense.resampleNet: must be true or false`);
  num('condense.kmeansMaxIter', s.condense.kmeansMaxIter, 1, 1000, { int: true });
  num('condense.netWidth', s.condense.netWidth, 1, 512, { int: true });
  if (!Array.isArray(s.unlearn.methods) || s.unlearn.methods.length === 0) errors.push('spec.unlearn.methods: must be a non-empty list');
  else for (const m of s.unlearn.methods) oneOf('unlearn.methods[]', m, METHOD_NAMES);
  oneOf('unlearn.arms', s.unlearn.arms, ['without', 'with', 'both']);
  num('unlearn.epochScale', s.unlearn.epochScale, 0, 10, { loOpen: true });
  if (!isPlain(s.unlearn.hparams)) errors.push('spec.unlearn.hparams: must be an object keyed by method name');
  else for (const k of Object.keys(s.unlearn.hparams)) oneOf('unlearn.hparams key', k, METHOD_NAMES);
  num('rounds', s.rounds, 1, 10, { int: true });
  if (typeof s.curves !== 'boolean') errors.push('spec.curves: must be true or false');
  if (s.rounds > 1 && s.forget.mode !== 'uniform') errors.push('spec.rounds: multi-round unlearning (§8) needs forget.mode "uniform"');
  if (s.unlearn.arms !== 'without' && !s.condense.enabled) errors.push('spec.unlearn.arms: the "with DC" arm needs condense.enabled');
  if (errors.length) throw new LabError(errors.join('; '));
  return s;
}

function checkKeys(input: Record<string, unknown>, base: Record<string, unknown>, path: string): void {
  for (const [k, v] of Object.entries(input)) {
    if (!(k in base)) throw new LabError(`unknown field "${k}" (known: ${Object.keys(base).join(', ')})`, path);
    const b = base[k];
    if (k !== 'hparams' && isPlain(b) && isPlain(v)) checkKeys(v, b, `${path}.${k}`);
  }
}

/** A preset by name, or a LabError listing the known names. */
export function getPreset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new LabError(`unknown preset "${name}" (known: ${Object.keys(PRESETS).join(', ')})`, 'preset');
  return p;
}
