/**
 * Per-kernel time of the lab's real training / inference step on a CPU-memory backend (WASM), for
 * `npm run profile` (src/cli/profile-step.ts).
 *
 * tf.profile() is not used: it records a customGrad op's scope and the kernels inside it as two entries (time counted
 * twice) and cannot see the kernels the lab's composite gradient kernels call directly. Instead every kernel
 * registered for the backend is wrapped with performance.now() around its kernelFunc. WASM (and CPU) kernels are
 * synchronous, so the wall time of a call is the kernel's time. A kernel called from inside another kernel (the
 * lab's Conv2DBackpropFilter runs Transpose, Conv2D, BatchMatMul …) is counted once, in its top-level caller; its
 * own time is kept as a sub-row ("of which"). Each top-level call is tagged with its phase: tfjs runs the
 * differentiated function in a scope named 'forward' and back-propagation in one named 'backward'; anything else in a
 * training step is the optimiser's update (and the step's loss bookkeeping).
 *
 * The step time not spent in any kernel ("outside kernels") is tfjs' own bookkeeping (tape, tidy, tensor
 * creation), the batch upload, the loss read-back and the loop's event-loop yield.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel, floatSource, predictLogits, Rng, trainModel } from '../core';
import type { ModelConfig } from '../core';
import { LabError } from '../core';

export const GROUPS = [
  'forward conv',
  'conv input-grad',
  'conv filter-grad',
  'pooling',
  'norm',
  'dense',
  'elementwise',
  'optimizer',
  'other',
  'outside kernels',
] as const;
export type KernelGroup = (typeof GROUPS)[number];

export type Phase = 'forward' | 'backward' | 'update' | 'infer';

/** Kernels that are element-wise maps, reductions or the small loss-side ops (softmax, one-hot, arg-max). */
const ELEMENTWISE = new Set([
  'Abs',
  'Add',
  'AddN',
  'ArgMax',
  'Cast',
  'ClipByValue',
  'Equal',
  'Exp',
  'Greater',
  'GreaterEqual',
  'Less',
  'Log',
  'LogSoftmax',
  'Max',
  'Maximum',
  'Mean',
  'Min',
  'Minimum',
  'Multiply',
  'Neg',
  'NotEqual',
  'OneHot',
  'Pow',
  'Prod',
  'RealDiv',
  'Relu',
  'Relu6',
  'Rsqrt',
  'Select',
  'Sigmoid',
  'Sign',
  'Softmax',
  'Sqrt',
  'Square',
  'SquaredDifference',
  'Step',
  'Sub',
  'Sum',
]);

/** PyTorch ops that move or allocate memory (grouped as 'other'). */
const OTHER_ATEN = new Set([
  ...['t', 'view', 'reshape', '_reshape_alias', 'flatten', 'transpose', 'permute', 'contiguous', 'copy_'],
  ...['empty', 'zeros', 'zero_', 'fill_', 'detach', 'ones_like'],
]);

/**
 * The group of a kernel (tfjs name) or of a PyTorch op (`aten::…`, the top-level op of a phase). The lab's fused
 * instance-norm kernels include the ReLU and the 2×2 average pool; PyTorch runs those as separate ops (compare
 * norm + pooling + ReLU's share of elementwise across the two).
 */
export function kernelGroup(name: string, phase: Phase | string): KernelGroup {
  if (phase === 'update' || phase === 'optimizer') return 'optimizer';
  if (name.startsWith('aten::')) {
    const op = name.slice(6);
    if (/^convolution_backward.*\[input\]/.test(op)) return 'conv input-grad';
    if (/^convolution_backward/.test(op)) return 'conv filter-grad';
    if (/conv/.test(op)) return 'forward conv';
    if (/pool/.test(op)) return 'pooling';
    if (/norm/.test(op) && !/nll/.test(op)) return 'norm';
    if (/^(linear|addmm|mm|matmul|bmm)$/.test(op)) return 'dense';
    if (OTHER_ATEN.has(op)) return 'other';
    return 'elementwise';
  }
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D':
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D':
      return 'forward conv';
    case 'Conv2DBackpropInput':
      return 'conv input-grad';
    case 'Conv2DBackpropFilter':
      return 'conv filter-grad';
    case 'LabInstanceNorm':
    case 'LabInstanceNormGrad':
    case 'FusedBatchNorm':
      return 'norm';
    case 'BatchMatMul':
    case '_FusedMatMul':
      return 'dense';
  }
  if (/Pool/.test(name)) return 'pooling';
  if (ELEMENTWISE.has(name)) return 'elementwise';
  return 'other';
}

/** One kernel's totals over the measured window. */
export interface KernelTotals {
  kernel: string;
  phase: Phase;
  calls: number;
  /** inclusive ms (incl. the kernels it called) */
  ms: number;
  /** for a conv kernel: its layer's input, H×W×C (e.g. '16×16×128') */
  layer?: string;
  /** for a sub-row: the top-level kernel that called it (and that kernel's layer) */
  parent?: string;
  parentLayer?: string;
}

/** Conv kernels whose rows are split per layer. */
const CONV_KERNELS = new Set(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);

/** The layer of a top-level conv kernel call: its input's H×W×C (NHWC), from the input or the attrs. */
function layerOf(name: string, args: Parameters<tf.KernelFunc>[0]): string | undefined {
  const shape =
    name === 'Conv2DBackpropInput'
      ? ((args.attrs as { inputShape?: number[] } | undefined)?.inputShape ?? null)
      : ((args.inputs as { x?: tf.TensorInfo }).x?.shape ?? null);
  return shape && shape.length === 4 ? shape.slice(1).join('×') : undefined;
}

interface Frame {
  name: string;
  t0: number;
  childMs: number;
  phase: Phase;
  top: Frame | null;
  layer?: string;
}

export interface KernelTimer {
  /** top-level kernels (inclusive times) and the kernels called inside them (sub-rows), since the last reset */
  snapshot(): { top: KernelTotals[]; inner: KernelTotals[] };
  reset(): void;
  /** restore the original kernel functions */
  stop(): void;
  /** how many kernels are wrapped */
  readonly wrapped: number;
}

/** Kernel names the lab registers itself (not in tfjs' exported kernel-name constants). */
const LAB_KERNELS = ['LabInstanceNorm', 'LabInstanceNormGrad'];

/** Every kernel registered for `backendName`: tfjs' kernel-name constants and the lab's own, filtered by getKernel. */
export function registeredKernelNames(backendName: string): string[] {
  const names = new Set<string>(LAB_KERNELS);
  for (const v of Object.values(tf as unknown as Record<string, unknown>)) {
    if (typeof v === 'string' && /^_?[A-Z][A-Za-z0-9]*$/.test(v)) names.add(v);
  }
  return [...names].filter((n) => tf.getKernel(n, backendName) != null).sort();
}

interface EngineState {
  state: { scopeStack: { name: string }[] };
}

/** 'forward' / 'backward' while tfjs is inside variableGrads' scopes of those names, else `outside`. */
function phaseNow(outside: Phase): Phase {
  const stack = (tf.engine() as unknown as EngineState).state.scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const n = stack[i].name;
    if (n === 'forward' || n === 'backward') return n;
  }
  return outside;
}

let active: KernelTimer | null = null;

/** CPU ms (user + system) of this process so far */
function cpuMsNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function nullTimer(): KernelTimer {
  return { wrapped: 0, snapshot: () => ({ top: [], inner: [] }), reset: () => {}, stop: () => {} };
}

/**
 * Wrap every kernel registered for the backend with a wall-clock timer. `outside()` names the phase of a top-level
 * kernel outside variableGrads' forward/backward scopes ('update' in a training step, 'infer' in inference).
 * Only one timer at a time; call stop() (in a finally) to restore the kernels.
 */
export function installKernelTimer(backendName: string, outside: () => Phase): KernelTimer {
  if (active) throw new LabError('a kernel timer is already installed; stop() it first', 'installKernelTimer');
  const now = () => performance.now();
  const top = new Map<string, KernelTotals>();
  const inner = new Map<string, KernelTotals>();
  const stack: Frame[] = [];
  const originals: { cfg: tf.KernelConfig; fn: tf.KernelFunc }[] = [];
  const add = (m: Map<string, KernelTotals>, key: string, row: Omit<KernelTotals, 'calls' | 'ms'>, ms: number) => {
    const r = m.get(key);
    if (r) {
      r.calls++;
      r.ms += ms;
    } else m.set(key, { ...row, calls: 1, ms });
  };
  for (const name of registeredKernelNames(backendName)) {
    const cfg = tf.getKernel(name, backendName)!;
    const fn = cfg.kernelFunc;
    originals.push({ cfg, fn });
    (cfg as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      const parent = stack.length ? stack[stack.length - 1] : null;
      const frame: Frame = {
        name,
        t0: now(),
        childMs: 0,
        phase: parent ? parent.phase : phaseNow(outside()),
        top: parent ? (parent.top ?? parent) : null,
        layer: !parent && CONV_KERNELS.has(name) ? layerOf(name, args) : undefined,
      };
      stack.push(frame);
      try {
        return fn(args);
      } finally {
        stack.pop();
        const ms = now() - frame.t0;
        if (parent) parent.childMs += ms;
        if (!parent) {
          const row = { kernel: name, phase: frame.phase, ...(frame.layer ? { layer: frame.layer } : {}) };
          add(top, `${frame.phase}|${name}|${frame.layer ?? ''}`, row, ms);
        } else if (!parent.top) {
          // a kernel called directly by a top-level kernel: a sub-row of it
          add(
            inner,
            `${frame.phase}|${parent.name}|${parent.layer ?? ''}|${name}`,
            { kernel: name, phase: frame.phase, parent: parent.name, parentLayer: parent.layer },
            ms,
          );
        }
      }
    };
  }
  const timer: KernelTimer = {
    wrapped: originals.length,
    snapshot: () => ({
      top: [...top.values()].map((r) => ({ ...r })),
      inner: [...inner.values()].map((r) => ({ ...r })),
    }),
    reset: () => {
      top.clear();
      inner.clear();
    },
    stop: () => {
      for (const { cfg, fn } of originals) (cfg as { kernelFunc: tf.KernelFunc }).kernelFunc = fn;
      originals.length = 0;
      if (active === timer) active = null;
    },
  };
  active = timer;
  return timer;
}

/** A row of the per-step table. */
export interface ProfileRow {
  kernel: string;
  group: KernelGroup;
  phase: string;
  /** calls per step */
  calls: number;
  /** ms per step (inclusive of the kernels it calls) */
  ms: number;
  /** % of the step's wall time */
  pct: number;
  /** conv kernels: the layer's input H×W×C */
  layer?: string;
  /** sub-row: the top-level kernel that called this one ('(own code)' = the caller's own JS between the calls) */
  parent?: string;
  parentLayer?: string;
}

export interface StepProfile {
  /** what was measured (e.g. 'lab train step (trainModel, 1 thread)') */
  label: string;
  /** measured steps (or batches) */
  steps: number;
  /** wall ms per step */
  stepMs: number;
  /** wall ms of each measured step, when known */
  stepMsEach?: number[];
  /** CPU ms (user + system) of this process per step, when known: robust to other processes on the cores */
  cpuMs?: number;
  /** ms per step inside top-level kernels (or ops) */
  kernelMs: number;
  /** stepMs − kernelMs */
  outsideMs: number;
  /** top-level kernels, largest first */
  rows: ProfileRow[];
  /** kernels called inside top-level kernels, with each caller's own code as '(own code)' */
  inner: ProfileRow[];
  /** per group (ms per step, % of step), in GROUPS order, 'outside kernels' last; sums to stepMs */
  groups: { group: KernelGroup; ms: number; pct: number }[];
}

/** Per-step table from totals over `steps` steps whose wall time was `wallMs` in all. */
export function buildStepProfile(
  label: string,
  totals: { top: KernelTotals[]; inner: KernelTotals[] },
  steps: number,
  wallMs: number,
  stepMsEach?: number[],
  cpuMs?: number,
): StepProfile {
  if (!(steps >= 1)) throw new LabError(`steps must be ≥ 1, got ${steps}`, 'buildStepProfile');
  const stepMs = wallMs / steps;
  const pct = (ms: number) => (stepMs > 0 ? (100 * ms) / stepMs : 0);
  const rows: ProfileRow[] = totals.top
    .map((t) => ({
      kernel: t.kernel,
      group: kernelGroup(t.kernel, t.phase),
      phase: t.phase,
      calls: t.calls / steps,
      ms: t.ms / steps,
      pct: pct(t.ms / steps),
      ...(t.layer ? { layer: t.layer } : {}),
    }))
    .sort((a, b) => b.ms - a.ms);
  const inner: ProfileRow[] = [];
  for (const parent of rows) {
    const kids = totals.inner.filter(
      (k) => k.parent === parent.kernel && k.parentLayer === parent.layer && k.phase === parent.phase,
    );
    if (!kids.length) continue;
    const kidMs = kids.reduce((a, k) => a + k.ms / steps, 0);
    const own = Math.max(0, parent.ms - kidMs);
    const sub: ProfileRow[] = kids.map((k) => ({
      kernel: k.kernel,
      group: parent.group,
      phase: k.phase,
      calls: k.calls / steps,
      ms: k.ms / steps,
      pct: pct(k.ms / steps),
      parent: parent.kernel,
      parentLayer: parent.layer,
    }));
    sub.push({
      kernel: '(own code)',
      group: parent.group,
      phase: parent.phase,
      calls: parent.calls,
      ms: own,
      pct: pct(own),
      parent: parent.kernel,
      parentLayer: parent.layer,
    });
    inner.push(...sub.sort((a, b) => b.ms - a.ms));
  }
  const kernelMs = rows.reduce((a, r) => a + r.ms, 0);
  const outsideMs = stepMs - kernelMs;
  const groups = GROUPS.map((group) => {
    const ms =
      group === 'outside kernels' ? outsideMs : rows.filter((r) => r.group === group).reduce((a, r) => a + r.ms, 0);
    return { group, ms, pct: pct(ms) };
  });
  return {
    label,
    steps,
    stepMs,
    stepMsEach,
    ...(cpuMs !== undefined ? { cpuMs } : {}),
    kernelMs,
    outsideMs,
    rows,
    inner,
    groups,
  };
}

export interface ProfileRunOptions {
  cfg: ModelConfig;
  batchSize: number;
  warmup: number;
  steps: number;
  backendName?: string;
  /** wrap the kernels with the timer (default true); false = the same steps unprofiled (rows empty) */
  timer?: boolean;
}

/**
 * Profile `steps` training steps of `trainModel` (the path pretraining and Retrain run: in-thread, mean CE, SGD
 * lr 0.01 momentum 0.9 wd 5e-4, per-step loss read) after `warmup` steps, over random images.
 */
export async function profileTrainSteps(o: ProfileRunOptions): Promise<StepProfile> {
  const rng = new Rng('profile-step');
  const n = o.batchSize * (o.steps + o.warmup);
  const source = floatSource(
    rng.uniformArray(n * 32 * 32 * 3, -2, 2),
    Int32Array.from({ length: n }, () => rng.int(o.cfg.numClasses)),
  );
  const model = createModel(o.cfg, rng.fork('model'));
  const timer = o.timer === false ? nullTimer() : installKernelTimer(o.backendName ?? tf.getBackend(), () => 'update');
  const ends: number[] = [];
  let snap: { top: KernelTotals[]; inner: KernelTotals[] } | null = null;
  // the window starts here when there is no warm-up, else at the end of the last warm-up step
  let c0 = cpuMsNow(),
    cpu = 0;
  try {
    let t = performance.now();
    await trainModel({
      model,
      source,
      epochs: 1,
      batchSize: o.batchSize,
      schedule: 'constant',
      parallel: null,
      rng: rng.fork('shuffle'),
      optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
      onProgress: (s) => {
        const t1 = performance.now();
        if (s.step === o.warmup) {
          timer.reset();
          c0 = cpuMsNow();
        }
        if (s.step > o.warmup && s.step <= o.warmup + o.steps) ends.push(t1 - t);
        if (s.step === o.warmup + o.steps) {
          snap = timer.snapshot();
          cpu = cpuMsNow() - c0;
        }
        t = t1;
      },
    });
  } finally {
    timer.stop();
    model.dispose();
  }
  if (!snap || ends.length !== o.steps)
    throw new LabError(`measured ${ends.length} of ${o.steps} steps`, 'profileTrainSteps');
  const wall = ends.reduce((a, b) => a + b, 0);
  const label = `lab train step (trainModel, batch ${o.batchSize}, 1 thread)`;
  return buildStepProfile(label, snap, o.steps, wall, ends, cpu / o.steps);
}

/** Profile inference through `predictLogits` (the evaluation path), `steps` batches after `warmup` batches. */
export async function profileInferBatches(o: ProfileRunOptions): Promise<StepProfile> {
  const rng = new Rng('profile-infer');
  const n = o.batchSize * o.steps;
  const source = floatSource(
    rng.uniformArray(n * 32 * 32 * 3, -2, 2),
    Int32Array.from({ length: n }, () => rng.int(o.cfg.numClasses)),
  );
  const model = createModel(o.cfg, rng.fork('model'));
  const timer = installKernelTimer(o.backendName ?? tf.getBackend(), () => 'infer');
  try {
    if (o.warmup > 0) {
      const positions = Int32Array.from({ length: o.batchSize * o.warmup }, (_, i) => i % n);
      await predictLogits(model, source, { batchSize: o.batchSize, positions });
    }
    timer.reset();
    const t0 = performance.now(),
      c0 = cpuMsNow();
    await predictLogits(model, source, { batchSize: o.batchSize });
    const wall = performance.now() - t0,
      cpu = cpuMsNow() - c0;
    return buildStepProfile(
      `lab inference batch (predictLogits, batch ${o.batchSize}, 1 thread)`,
      timer.snapshot(),
      o.steps,
      wall,
      undefined,
      cpu / o.steps,
    );
  } finally {
    timer.stop();
    model.dispose();
  }
}

const f1 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const fc = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Markdown table of one profile: kernels (top-level, with sub-rows under composite kernels), then groups. */
export function profileTableMd(p: StepProfile, maxRows = 40): string {
  const lines = [
    `**${p.label}**: ${f1(p.stepMs)} ms per step (${p.steps} measured), ${f1(p.kernelMs)} ms in kernels, ` +
      `${f1(p.outsideMs)} ms outside kernels`,
    '',
    '| kernel | group | phase | calls/step | ms/step | % of step |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of p.rows.slice(0, maxRows)) {
    const name = r.layer ? `${r.kernel} (${r.layer})` : r.kernel;
    lines.push(`| ${name} | ${r.group} | ${r.phase} | ${fc(r.calls)} | ${f1(r.ms)} | ${r.pct.toFixed(1)} |`);
    for (const s of p.inner.filter((x) => x.parent === r.kernel && x.parentLayer === r.layer && x.phase === r.phase)) {
      lines.push(`| ↳ ${s.kernel} | | | ${fc(s.calls)} | ${f1(s.ms)} | ${s.pct.toFixed(1)} |`);
    }
  }
  if (p.rows.length > maxRows) {
    const rest = p.rows.slice(maxRows);
    const ms = rest.reduce((a, r) => a + r.ms, 0);
    lines.push(`| (${rest.length} more) | | | | ${f1(ms)} | ${((100 * ms) / p.stepMs).toFixed(1)} |`);
  }
  lines.push(
    `| (outside kernels) | outside kernels | | | ${f1(p.outsideMs)} | ${((100 * p.outsideMs) / p.stepMs).toFixed(1)} |`,
  );
  return lines.join('\n');
}

/**
 * Groups of two or more profiles side by side: ms per step and % of each one's step; `cpu`: also each profile's
 * groups on the CPU-time basis (ms × CPU ÷ wall, when the profile has cpuMs).
 */
export function groupsSideBySideMd(ps: StepProfile[], names: string[], cpu = false): string {
  const withCpu = cpu && ps.every((p) => p.cpuMs);
  const k = ps.map((p) => (p.cpuMs ?? 0) / p.stepMs);
  const head =
    `| group | ${names.map((n) => `${n} ms | ${n} %`).join(' | ')} |` +
    (withCpu ? `${names.map((n) => ` ${n} CPU ms |`).join('')}` : '');
  const sep = `|---|${names.map(() => '---|---').join('|')}|` + (withCpu ? names.map(() => '---|').join('') : '');
  const lines = [head, sep];
  for (const g of GROUPS) {
    const rs = ps.map((p) => p.groups.find((x) => x.group === g)!);
    const cells = rs.map((r) => `${f1(r.ms)} | ${r.pct.toFixed(1)}`);
    const cpuCells = withCpu ? rs.map((r, i) => ` ${f1(r.ms * k[i])} |`).join('') : '';
    lines.push(`| ${g} | ${cells.join(' | ')} |${cpuCells}`);
  }
  lines.push(
    `| **step** | ${ps.map((p) => `**${f1(p.stepMs)}** | 100`).join(' | ')} |` +
      (withCpu ? ps.map((p) => ` **${f1(p.cpuMs!)}** |`).join('') : ''),
  );
  return lines.join('\n');
}
