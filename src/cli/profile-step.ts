/**
 * `npm run profile` → results/profile.json + results/profile.md: where one ConvNet-3 training step (and one
 * inference batch) spends its time, per tfjs kernel for the lab (WASM, one thread, the real `trainModel` /
 * `predictLogits` path) and per op for PyTorch-CPU at one thread (src/cli/torch_profile.py, the model and step of
 * ../shared/bench/torch_convnet3.py), side by side, with the ceiling this implies for the bench's
 * `core.convnet3.vs_pytorch_cpu` goal. Kernel timing: src/cli/kernel-profile.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { LabError, filterGradImplName } from '../core';
import type { ModelConfig } from '../core';
import { findTorchPython } from './bench-parallel';
import {
  buildStepProfile,
  groupsSideBySideMd,
  profileInferBatches,
  profileTableMd,
  profileTrainSteps,
  type KernelGroup,
  type Phase,
  type StepProfile,
} from './kernel-profile';
import { initNodeBackend } from './node-backend';
import { labVersions, machineInfo, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';

export const PROFILE_CLI = defineCli({
  name: 'profile',
  summary:
    'Per-kernel time of the real ConvNet-3 training step and inference batch (tfjs WASM, 1 thread) beside ' +
    "PyTorch-CPU's per-op time (1 thread) → <out>/profile.json + profile.md (printed).",
  options: {
    steps: { type: 'string', arg: 'N', default: '5', help: 'timed training steps (each side)' },
    warmup: { type: 'string', arg: 'N', default: '2', help: 'untimed warm-up steps before them' },
    'infer-steps': { type: 'string', arg: 'N', default: '10', help: 'timed inference batches' },
    width: { type: 'string', arg: 'W', default: '128', help: 'ConvNet-3 width' },
    batch: { type: 'string', arg: 'B', default: '64', help: 'batch size' },
    'plain-steps': {
      type: 'string',
      arg: 'N',
      default: '3',
      help: 'lab training steps timed without the kernel timer (its overhead; 0 = skip)',
    },
    'no-torch': { type: 'boolean', help: 'skip the PyTorch side' },
    note: { type: 'string', arg: 'TEXT', help: 'conditions of this run, recorded in the JSON and the markdown' },
    out: { type: 'string', arg: 'DIR', default: 'results', help: 'folder of profile.json and profile.md' },
    'from-json': {
      type: 'string',
      arg: 'FILE',
      help: 'measure nothing: re-render profile.md (and the ceiling) from an earlier profile.json',
    },
  },
  notes: [
    'PyTorch comes from `python3` or `/usr/bin/python3` (Debian python3-torch), whichever imports torch; without',
    'it the PyTorch side is skipped with the reason. A hand-written analysis between the markers',
    '<!-- analysis --> and <!-- /analysis --> in an existing profile.md is kept when the file is rewritten.',
  ],
});

function posInt(v: string, flag: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new LabError(`expected an integer ≥ ${min}, got "${v}"`, flag);
  return n;
}

interface TorchOps {
  op: string;
  phase: string;
  calls: number;
  ms: number;
  /** conv ops: the layer's input H×W×C */
  layer?: string;
}
interface TorchPart {
  steps: number;
  warmup: number;
  stepMsEach: number[];
  /** mean CPU ms per step (process_time) */
  cpuMs?: number;
  plainStepMsEach: number[];
  plainCpuMs?: number;
  ops: TorchOps[];
}
interface TorchDoc {
  torch: string;
  threads: number;
  width: number;
  batch: number;
  train: TorchPart;
  infer: TorchPart;
  convBackwardSplit: {
    layer: number;
    input: number[];
    inputGradMs: number;
    weightGradMs: number;
    inputShare: number;
  }[];
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const mean = (a: number[]) => (a.length ? sum(a) / a.length : NaN);

/** A PyTorch part as a StepProfile (ops = the outermost aten ops of each phase; the optimizer phase = 'update'). */
export function torchStepProfile(label: string, part: TorchPart): StepProfile {
  const top = part.ops.map((o) => ({
    kernel: o.op,
    phase: (o.phase === 'optimizer' ? 'update' : o.phase) as Phase,
    calls: o.calls,
    ms: o.ms,
    ...(o.layer ? { layer: o.layer } : {}),
  }));
  return buildStepProfile(label, { top, inner: [] }, part.steps, sum(part.stepMsEach), part.stepMsEach, part.cpuMs);
}

function runTorch(
  width: number,
  batch: number,
  steps: number,
  warmup: number,
  inferSteps: number,
): TorchDoc | { skipped: string } {
  const script = fileURLToPath(new URL('./torch_profile.py', import.meta.url));
  if (!existsSync(script)) return { skipped: `${script} not found` };
  const found = findTorchPython();
  if (typeof found === 'string') return { skipped: `no Python with torch (${found})` };
  const args = [script, '--width', String(width), '--batch', String(batch), '--threads', '1'];
  args.push('--steps', String(steps), '--warmup', String(warmup), '--infer-steps', String(inferSteps));
  const r = spawnSync(found.python, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.error) return { skipped: `${found.python}: ${r.error.message}` };
  if (r.status !== 0)
    return { skipped: `torch_profile.py exited ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchDoc;
  } catch (e) {
    return { skipped: `unreadable torch_profile.py output (${(e as Error).message})` };
  }
}

const g = (p: StepProfile, group: KernelGroup) => p.groups.find((x) => x.group === group)!.ms;
const CONV: KernelGroup[] = ['forward conv', 'conv input-grad', 'conv filter-grad'];

/**
 * GFLOP of ConvNet-3's convolutions in one step (multiply + add = 2 FLOP): three 3×3 layers on 32², 16², 8² with
 * 3, W, W input channels and W outputs. The input gradient skips the first layer (its input is the image batch).
 */
export function convnet3ConvGflop(width: number, batch: number): Partial<Record<KernelGroup, number>> {
  const layers = [
    { ci: 3, hw: 32 },
    { ci: width, hw: 16 },
    { ci: width, hw: 8 },
  ].map((l) => (batch * l.hw * l.hw * width * 2 * 9 * l.ci) / 1e9);
  return {
    'forward conv': sum(layers),
    'conv input-grad': layers[1] + layers[2],
    'conv filter-grad': sum(layers),
  };
}

/**
 * A profile on the CPU-time basis: every ms scaled by cpuMs ÷ stepMs (the share of the wall time this process was
 * on a core), assuming the preemption was spread evenly over the step. Null without cpuMs.
 */
export function cpuBasis(p: StepProfile): StepProfile | null {
  if (!p.cpuMs || !(p.stepMs > 0)) return null;
  const k = p.cpuMs / p.stepMs;
  const sc = <T extends { ms: number }>(r: T): T => ({ ...r, ms: r.ms * k });
  return {
    ...p,
    stepMs: p.cpuMs,
    kernelMs: p.kernelMs * k,
    outsideMs: p.outsideMs * k,
    rows: p.rows.map(sc),
    inner: p.inner.map(sc),
    groups: p.groups.map(sc),
  };
}

/** The bounds on one basis (wall or CPU time). */
function bounds(lab: StepProfile, torch: StepProfile, target: number, gflop?: Partial<Record<KernelGroup, number>>) {
  const convLab = sum(CONV.map((c) => g(lab, c)));
  const convTorch = sum(CONV.map((c) => g(torch, c)));
  const restTorch = torch.stepMs - convTorch;
  return {
    labStepMs: lab.stepMs,
    torchStepMs: torch.stepMs,
    /** lab speed ÷ PyTorch speed, per thread */
    ratio: torch.stepMs / lab.stepMs,
    /** the lab step that the target needs */
    neededLabStepMs: torch.stepMs / target,
    convLabMs: convLab,
    convTorchMs: convTorch,
    /** ratio if everything but the three conv kernels took zero time */
    ratioIfOnlyConv: torch.stepMs / convLab,
    /** ratio if both backward convolutions (input and filter gradient) took zero time */
    ratioIfNoBackwardConv:
      torch.stepMs / Math.max(1e-9, lab.stepMs - g(lab, 'conv input-grad') - g(lab, 'conv filter-grad')),
    /** ratio if the lab's non-conv work took as long as PyTorch's non-conv ops + overhead */
    ratioIfRestLikeTorch: torch.stepMs / (convLab + restTorch),
    /** ratio if one group took zero time (the rest unchanged) */
    ratioIfZero: Object.fromEntries(
      lab.groups.map((x) => [x.group, torch.stepMs / Math.max(1e-9, lab.stepMs - x.ms)]),
    ) as Record<KernelGroup, number>,
    /** how much faster the lab's conv kernels must get for the target with the rest at PyTorch's cost (≤ 0: never) */
    convSpeedupNeeded: torch.stepMs / target - restTorch > 0 ? convLab / (torch.stepMs / target - restTorch) : -1,
    /** achieved GFLOP/s per conv group, when the FLOP count is given */
    gflops: gflop
      ? CONV.filter((c) => (gflop[c] ?? 0) > 0 && g(lab, c) > 0).map((c) => ({
          group: c,
          gflop: gflop[c]!,
          lab: gflop[c]! / (g(lab, c) / 1000),
          torch: g(torch, c) > 0 ? gflop[c]! / (g(torch, c) / 1000) : null,
        }))
      : [],
  };
}

/**
 * What the two profiles imply for "lab ≥ target × PyTorch" (per thread), every number from this run: on wall
 * time, and on CPU time (each side's ms scaled by its CPU ÷ wall share — fairer when the two sides got different
 * shares of busy cores). `speedupIfZero`: how much faster the lab's step gets if one group took zero time — a
 * within-lab ratio, so independent of how the load treated the PyTorch side.
 */
export function ceiling(
  lab: StepProfile,
  torch: StepProfile,
  target = 1.3,
  gflop?: Partial<Record<KernelGroup, number>>,
) {
  const cl = cpuBasis(lab),
    ct = cpuBasis(torch);
  const convShare = sum(CONV.map((c) => g(lab, c))) / lab.stepMs;
  return {
    target,
    wall: bounds(lab, torch, target, gflop),
    cpu: cl && ct ? bounds(cl, ct, target, gflop) : null,
    /** the lab's CPU ÷ wall and PyTorch's: how much of the wall time each side was on a core */
    cpuShare: {
      lab: lab.cpuMs ? lab.cpuMs / lab.stepMs : null,
      torch: torch.cpuMs ? torch.cpuMs / torch.stepMs : null,
    },
    /** the conv kernels' share of the lab's step */
    labConvShare: convShare,
    speedupIfZero: Object.fromEntries(
      lab.groups.map((x) => [x.group, lab.stepMs / Math.max(1e-9, lab.stepMs - x.ms)]),
    ) as Record<KernelGroup, number>,
    speedupIfOnlyConv: 1 / convShare,
  };
}

const f1 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
const f2 = (v: number) => v.toFixed(2);
const pc = (v: number) => `${(100 * v).toFixed(0)} %`;

/** whether a group takes any of the lab's time */
const g0 = (c: ReturnType<typeof ceiling>, k: KernelGroup) => c.speedupIfZero[k] >= 1.005;

function ceilingMd(name: string, c: ReturnType<typeof ceiling>): string[] {
  const b = c.cpu ?? c.wall;
  const basis = c.cpu ? 'CPU time' : 'wall time';
  const L = [
    `- **${name}**, wall time: lab ${f1(c.wall.labStepMs)} ms vs PyTorch ${f1(c.wall.torchStepMs)} ms per step → ` +
      `lab at **${f2(c.wall.ratio)}×** PyTorch's speed (one thread each).` +
      (c.cpu
        ? ` CPU time: ${f1(c.cpu.labStepMs)} vs ${f1(c.cpu.torchStepMs)} ms → **${f2(c.cpu.ratio)}×** ` +
          `(the lab was on a core ${pc(c.cpuShare.lab!)} of its wall time, PyTorch ${pc(c.cpuShare.torch!)}).`
        : ''),
    `- The lab's convolution kernels (forward + input-grad + filter-grad) are ${pc(c.labConvShare)} of its step: ` +
      `even if everything else took zero time the step would be only ${f2(c.speedupIfOnlyConv)}× shorter → ` +
      `lab at ${f2(c.wall.ratioIfOnlyConv)}× (wall)` +
      (c.cpu ? `, ${f2(c.cpu.ratioIfOnlyConv)}× (CPU time)` : '') +
      `; with everything else costing what it costs PyTorch, ${f2(b.ratioIfRestLikeTorch)}× (${basis}).`,
    `- Lab step ${f1(b.labStepMs)} → if one group took zero time (${basis}; factor by which the lab's step ` +
      'shrinks, then the ratio): ' +
      Object.entries(c.speedupIfZero)
        .filter(([, v]) => v >= 1.005)
        .map(([k, v]) => `${k} ${f2(v)}× → ${f2(b.ratioIfZero[k as KernelGroup])}×`)
        .join(', ') +
      (g0(c, 'conv input-grad') && g0(c, 'conv filter-grad')
        ? `; both backward convolutions → ${f2(b.ratioIfNoBackwardConv)}×`
        : '') +
      '.',
    b.convSpeedupNeeded > 0
      ? `- For ${c.target}× with the rest at PyTorch's cost, the lab's conv kernels would have to get ` +
        `${f2(b.convSpeedupNeeded)}× faster (${basis}).`
      : `- ${c.target}× is out of reach even with zero-time conv kernels unless the rest gets cheaper than PyTorch's.`,
  ];
  if (b.gflops.length) {
    L.push(
      `- Achieved conv throughput (GFLOP/s, ${basis}, multiply+add = 2 FLOP): ` +
        b.gflops
          .map((r) => `${r.group} (${f1(r.gflop)} GFLOP) lab ${f1(r.lab)}, PyTorch ${r.torch ? f1(r.torch) : '—'}`)
          .join('; ') +
        '.',
    );
  }
  return L;
}

/** Conv time per layer and group, lab vs PyTorch (ms per step) and the lab's slowdown. */
export function convLayersMd(lab: StepProfile, torch: StepProfile): string {
  // CPU-time basis: each side's ms × its CPU ÷ wall share
  const k = lab.cpuMs && torch.cpuMs ? lab.cpuMs / lab.stepMs / (torch.cpuMs / torch.stepMs) : null;
  const L = [
    `| group | layer input (H×W×C) | lab ms | PyTorch ms | lab ÷ PyTorch |${k ? ' same, CPU time |' : ''}`,
    `|---|---|---|---|---|${k ? '---|' : ''}`,
  ];
  for (const c of CONV) {
    const layers = [
      ...new Set([...lab.rows, ...torch.rows].filter((r) => r.group === c && r.layer).map((r) => r.layer!)),
    ];
    layers.sort((a, b) => Number(b.split('×')[0]) - Number(a.split('×')[0]));
    const at = (p: StepProfile, l: string) =>
      p.rows.filter((r) => r.group === c && r.layer === l).reduce((a, r) => a + r.ms, 0);
    for (const l of layers) {
      const a = at(lab, l),
        b = at(torch, l);
      const cpu = k ? ` ${b > 0 ? f2((a / b) * k) : '—'} |` : '';
      L.push(`| ${c} | ${l} | ${f1(a)} | ${f1(b)} | ${b > 0 ? f2(a / b) : '—'} |${cpu}`);
    }
  }
  return L.join('\n');
}

/**
 * The lab's achieved GFLOP/s per ConvNet-3 layer and conv group (stride 1, 3×3, 'same': 2·B·H·W·9·Ci·Co FLOP for
 * each of forward, input- and filter-gradient), and the filter gradient's rate as a share of the forward one's —
 * the quantity of bench row core.convnet3.dw_gflops_vs_forward, here inside the real training step.
 */
export function convThroughputMd(lab: StepProfile, width: number, batch: number): string {
  // CPU-time basis when measured (the step's CPU ÷ wall share applied to every kernel): wall-clock GFLOP/s mean
  // little on shared cores; the ratio column is the same on either basis
  const k = lab.cpuMs ? lab.cpuMs / lab.stepMs : 1;
  const layers = [...new Set(lab.rows.filter((r) => r.layer && CONV.includes(r.group)).map((r) => r.layer!))];
  layers.sort((a, b) => Number(b.split('×')[0]) - Number(a.split('×')[0]));
  const L = [
    '| layer input (H×W×C) | GFLOP | forward GFLOP/s | input-grad GFLOP/s | filter-grad GFLOP/s | filter-grad ÷ forward |',
    '|---|---|---|---|---|---|',
  ];
  for (const l of layers) {
    const [h, w, c] = l.split('×').map(Number);
    const gflop = (2 * batch * h * w * 9 * c * width) / 1e9;
    const ms = (grp: KernelGroup) =>
      lab.rows.filter((r) => r.group === grp && r.layer === l).reduce((a, r) => a + r.ms, 0);
    const rate = (grp: KernelGroup) => (ms(grp) > 0 ? gflop / ((k * ms(grp)) / 1000) : null);
    const [fw, ig, fg] = [rate('forward conv'), rate('conv input-grad'), rate('conv filter-grad')];
    L.push(
      `| ${l} | ${f2(gflop)} | ${fw ? f1(fw) : '—'} | ${ig ? f1(ig) : '—'} | ${fg ? f1(fg) : '—'} | ` +
        `${fw && fg ? f2(fg / fw) : '—'} |`,
    );
  }
  return L.join('\n');
}

/** The ceiling of a document (recomputed from its profiles, so a re-render picks up new bounds). */
export function docCeiling(doc: ProfileDoc): ProfileDoc['ceiling'] {
  if ('skipped' in doc.torch) return undefined;
  const width = Number(doc.setting.width ?? /w(\d+)/.exec(String(doc.setting.model))?.[1]);
  const flop = Number.isFinite(width) ? convnet3ConvGflop(width, Number(doc.setting.batch)) : undefined;
  return {
    train: ceiling(doc.lab.train, doc.torch.train, 1.3, flop),
    infer: ceiling(doc.lab.infer, doc.torch.infer, 1.3, flop ? { 'forward conv': flop['forward conv'] } : undefined),
  };
}

/** Write profile.json and profile.md (keeping a hand-written analysis of an existing profile.md); returns the md. */
async function writeProfile(doc: ProfileDoc, out: string): Promise<string> {
  const mdPath = `${out}/profile.md`;
  let kept: string | null = null;
  if (existsSync(mdPath)) {
    const m = ANALYSIS_RE.exec(await readFile(mdPath, 'utf8'));
    if (m && !/\(not written for this run\)/.test(m[0])) kept = m[0];
  }
  const md = profileMarkdown(doc, kept);
  await writeAtomic(`${out}/profile.json`, JSON.stringify(doc, null, 2) + '\n');
  await writeAtomic(mdPath, md);
  return md;
}

const cpuOf = (ms: number | undefined) => (ms ? ` (${f1(ms)})` : '');

const ANALYSIS_RE = /<!-- analysis -->[\s\S]*?<!-- \/analysis -->/;

export interface ProfileDoc {
  createdAt: string;
  machine: Record<string, unknown>;
  backend: string;
  versions: Record<string, string>;
  setting: Record<string, unknown>;
  note?: string;
  lab: { train: StepProfile; infer: StepProfile; plainTrainStepMs?: number; plainTrainCpuMs?: number };
  torch:
    | {
        train: StepProfile;
        infer: StepProfile;
        plainTrainStepMs: number;
        plainTrainCpuMs?: number;
        plainInferCpuMs?: number;
        plainInferMs: number;
        convBackwardSplit: TorchDoc['convBackwardSplit'];
      }
    | { skipped: string };
  ceiling?: { train: ReturnType<typeof ceiling>; infer: ReturnType<typeof ceiling> };
}

export function profileMarkdown(doc: ProfileDoc, keptAnalysis: string | null): string {
  const m = doc.machine;
  const L: string[] = [
    '# ConvNet-3 step profile: the lab (tfjs WASM) vs PyTorch CPU, one thread each',
    '',
    `${doc.createdAt} · ${m.cpus} CPUs (${m.cpuModel}) · ` +
      `load avg ${(m.loadavg as number[]).map((x) => x.toFixed(1)).join(' / ')} (start) · ` +
      `tfjs ${doc.versions.tfjs} (${doc.backend}) · torch ${doc.versions.torch ?? '—'} · lab ${doc.versions.lab}`,
    '',
    `Setting: ${doc.setting.model}, batch ${doc.setting.batch}, ${doc.setting.steps} timed training steps after ` +
      `${doc.setting.warmup} warm-up; ${doc.setting.inferSteps} timed inference batches. ${doc.setting.path}`,
  ];
  if (doc.note) L.push('', `Conditions: ${doc.note}`);
  const t = 'skipped' in doc.torch ? null : doc.torch;
  if (!t) L.push('', `PyTorch side skipped: ${(doc.torch as { skipped: string }).skipped}`);
  L.push('', '## Groups, ms per step', '');
  if (t) {
    L.push('Training step:', '', groupsSideBySideMd([doc.lab.train, t.train], ['lab', 'PyTorch'], true), '');
    L.push('Inference batch:', '', groupsSideBySideMd([doc.lab.infer, t.infer], ['lab', 'PyTorch'], true), '');
    L.push(
      "The lab's `norm` kernels include the ReLU and the 2×2 average pool (one fused kernel each way); PyTorch runs " +
        'those as separate ops (its `pooling` row, and `relu` / `threshold_backward` in `elementwise`). ' +
        "PyTorch's conv input-/filter-grad split is estimated from isolated calls (below). CPU ms: each side's " +
        'ms × its CPU ÷ wall share (fairer when the two sides got different shares of busy cores).',
    );
  } else {
    L.push(groupsSideBySideMd([doc.lab.train, doc.lab.infer], ['train', 'infer']));
  }
  L.push(
    '',
    `Profiler overhead (wall ms, CPU ms in brackets; the unprofiled steps ran at other moments of the same ` +
      `run, so under a varying load the difference is mostly that load): lab training step ` +
      `${f1(doc.lab.train.stepMs)}${cpuOf(doc.lab.train.cpuMs)} with the kernel timer` +
      (doc.lab.plainTrainStepMs ? `, ${f1(doc.lab.plainTrainStepMs)}${cpuOf(doc.lab.plainTrainCpuMs)} without` : '') +
      (t
        ? `; PyTorch ${f1(t.train.stepMs)}${cpuOf(t.train.cpuMs)} with torch.profiler, ` +
          `${f1(t.plainTrainStepMs)}${cpuOf(t.plainTrainCpuMs)} without (inference ` +
          `${f1(t.infer.stepMs)}${cpuOf(t.infer.cpuMs)} / ${f1(t.plainInferMs)}${cpuOf(t.plainInferCpuMs)})`
        : '') +
      '.',
  );
  if (doc.ceiling) {
    L.push('', '## Ceiling for ≥ 1.3× (computed from this run)', '');
    L.push(...ceilingMd('Training', doc.ceiling.train), ...ceilingMd('Inference', doc.ceiling.infer));
    if (t) L.push('', 'Convolutions per layer, training step:', '', convLayersMd(doc.lab.train, t.train));
  }
  const width = Number(doc.setting.width),
    batch = Number(doc.setting.batch);
  if (Number.isFinite(width) && Number.isFinite(batch)) {
    L.push(
      '',
      `Lab convolution throughput per layer, training step (${doc.lab.train.cpuMs ? "CPU time: each kernel's ms × the step's CPU ÷ wall share" : 'wall time in the kernels'}; the filter gradient's ` +
        `formulation: ${doc.setting.filterGrad ? `${doc.setting.filterGrad}, src/core/backend/wasm-kernels.ts` : 'auto — im2col + matmul for ≥ 256 filter rows, dilated conv otherwise'}):`,
      '',
      convThroughputMd(doc.lab.train, width, batch),
    );
  }
  L.push('', '## Analysis', '');
  if (keptAnalysis) {
    if (!keptAnalysis.includes(doc.createdAt))
      L.push(`> Note: this analysis was written for an earlier run; the tables here are from ${doc.createdAt}.`, '');
    L.push(keptAnalysis);
  } else {
    L.push('<!-- analysis -->', '(not written for this run)', '<!-- /analysis -->');
  }
  L.push('', '## Lab training step, per kernel', '', profileTableMd(doc.lab.train));
  if (t) {
    L.push('', '## PyTorch training step, per op (outermost aten op in each phase, inclusive CPU time)', '');
    L.push(profileTableMd(t.train), '');
    L.push("aten::convolution_backward split (isolated calls on the step's shapes, median of 3):", '');
    L.push('| layer | input | input-grad ms | weight-grad ms | input share |', '|---|---|---|---|---|');
    for (const s of t.convBackwardSplit)
      L.push(
        `| ${s.layer} | ${s.input.join('×')} | ${f1(s.inputGradMs)} | ${f1(s.weightGradMs)} | ${f2(s.inputShare)} |`,
      );
  }
  L.push('', '## Lab inference batch, per kernel', '', profileTableMd(doc.lab.infer));
  if (t) L.push('', '## PyTorch inference batch, per op', '', profileTableMd(t.infer));
  return L.join('\n') + '\n';
}

async function main(): Promise<void> {
  const v = parseCli(PROFILE_CLI);
  if (v['from-json']) {
    // re-render only: no measurement
    let doc: ProfileDoc;
    try {
      doc = JSON.parse(await readFile(v['from-json'], 'utf8')) as ProfileDoc;
    } catch (e) {
      throw new LabError(`cannot read a profile document: ${(e as Error).message}`, '--from-json');
    }
    if (!doc.lab?.train?.groups) throw new LabError('not a profile.json (no lab.train.groups)', '--from-json');
    doc.ceiling = docCeiling(doc);
    console.log(await writeProfile(doc, v.out));
    console.error(`re-rendered ${v.out}/profile.json and ${v.out}/profile.md from ${v['from-json']}`);
    return;
  }
  const steps = posInt(v.steps, '--steps');
  const warmup = posInt(v.warmup, '--warmup', 0);
  const inferSteps = posInt(v['infer-steps'], '--infer-steps');
  const plainSteps = posInt(v['plain-steps'], '--plain-steps', 0);
  const width = posInt(v.width, '--width');
  const batch = posInt(v.batch, '--batch');
  const loadavg = os.loadavg();
  const info = await initNodeBackend('wasm');
  const cfg: ModelConfig = { arch: 'convnet3', width, numClasses: 10 };
  const log = (s: string) => console.error(s);
  const t0 = performance.now();
  const n0 = tf.memory().numTensors;
  const train = await profileTrainSteps({ cfg, batchSize: batch, warmup, steps });
  log(`lab train: ${f1(train.stepMs)} ms/step (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  const infer = await profileInferBatches({ cfg, batchSize: batch, warmup, steps: inferSteps });
  log(`lab infer: ${f1(infer.stepMs)} ms/batch`);
  let plainTrainStepMs: number | undefined, plainTrainCpuMs: number | undefined;
  if (plainSteps > 0) {
    const plain = await profileTrainSteps({ cfg, batchSize: batch, warmup: 1, steps: plainSteps, timer: false });
    plainTrainStepMs = plain.stepMs;
    plainTrainCpuMs = plain.cpuMs;
    log(`lab train without kernel timer: ${f1(plainTrainStepMs)} ms/step`);
  }
  if (tf.memory().numTensors !== n0) log(`warning: ${tf.memory().numTensors - n0} tensors left over`);
  let torch: ProfileDoc['torch'];
  let torchVersion: string | undefined;
  if (v['no-torch']) torch = { skipped: '--no-torch' };
  else {
    const r = runTorch(width, batch, steps, warmup, inferSteps);
    if ('skipped' in r) {
      torch = r;
      log(`PyTorch side skipped: ${r.skipped}`);
    } else {
      torchVersion = r.torch;
      torch = {
        train: torchStepProfile(`PyTorch ${r.torch} train step (batch ${batch}, 1 thread)`, r.train),
        infer: torchStepProfile(`PyTorch ${r.torch} inference batch (no_grad, batch ${batch}, 1 thread)`, r.infer),
        plainTrainStepMs: mean(r.train.plainStepMsEach),
        ...(r.train.plainCpuMs ? { plainTrainCpuMs: r.train.plainCpuMs } : {}),
        ...(r.infer.plainCpuMs ? { plainInferCpuMs: r.infer.plainCpuMs } : {}),
        plainInferMs: mean(r.infer.plainStepMsEach),
        convBackwardSplit: r.convBackwardSplit,
      };
      log(`PyTorch train: ${f1(torch.train.stepMs)} ms/step, infer ${f1(torch.infer.stepMs)} ms/batch`);
    }
  }
  const doc: ProfileDoc = {
    createdAt: new Date().toISOString(),
    machine: {
      ...machineInfo(),
      loadavg: loadavg.map((x) => +x.toFixed(2)),
      loadavgEnd: os.loadavg().map((x) => +x.toFixed(2)),
    },
    backend: info.backend,
    versions: { ...(await labVersions()), tfjs: tf.version_core, ...(torchVersion ? { torch: torchVersion } : {}) },
    setting: {
      model: `ConvNet-3 w${width}`,
      width,
      batch,
      threads: 1,
      filterGrad: filterGradImplName(),
      warmup,
      steps,
      inferSteps,
      path:
        'Lab: trainModel in this thread (SGD lr 0.01, momentum 0.9, wd 5e-4, per-step loss read), predictLogits; ' +
        `wasm${info.simd ? ' SIMD' : ''}, fused instance norm, ${filterGradImplName()} filter gradient. ` +
        'PyTorch: src/cli/torch_profile.py ' +
        '(the model and step of torch_convnet3.py), torch.set_num_threads(1). Random inputs.',
    },
    ...(v.note ? { note: v.note } : {}),
    lab: { train, infer, ...(plainTrainStepMs ? { plainTrainStepMs, plainTrainCpuMs } : {}) },
    torch,
  };
  doc.ceiling = docCeiling(doc);
  const md = await writeProfile(doc, v.out);
  console.log(md);
  log(`wrote ${v.out}/profile.json and ${v.out}/profile.md (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const isMain = typeof process !== 'undefined' && process.argv[1] && /profile-step\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) runCli('profile', main);
