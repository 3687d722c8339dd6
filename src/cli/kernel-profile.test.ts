import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import {
  buildStepProfile,
  GROUPS,
  groupsSideBySideMd,
  installKernelTimer,
  kernelGroup,
  profileInferBatches,
  profileTableMd,
  profileTrainSteps,
} from './kernel-profile';
import { ceiling, convLayersMd, convnet3ConvGflop, cpuBasis, torchStepProfile } from './profile-step';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('kernelGroup', () => {
  it('groups tfjs kernels by name and phase', () => {
    expect(kernelGroup('Conv2D', 'forward')).toBe('forward conv');
    expect(kernelGroup('Conv2DBackpropInput', 'backward')).toBe('conv input-grad');
    expect(kernelGroup('Conv2DBackpropFilter', 'backward')).toBe('conv filter-grad');
    expect(kernelGroup('AvgPoolGrad', 'backward')).toBe('pooling');
    expect(kernelGroup('LabInstanceNormGrad', 'backward')).toBe('norm');
    expect(kernelGroup('BatchMatMul', 'forward')).toBe('dense');
    expect(kernelGroup('Multiply', 'backward')).toBe('elementwise');
    expect(kernelGroup('Multiply', 'update')).toBe('optimizer');
    expect(kernelGroup('Transpose', 'forward')).toBe('other');
  });
  it('groups PyTorch ops', () => {
    expect(kernelGroup('aten::conv2d', 'forward')).toBe('forward conv');
    expect(kernelGroup('aten::convolution_backward[input]', 'backward')).toBe('conv input-grad');
    expect(kernelGroup('aten::convolution_backward[weight]', 'backward')).toBe('conv filter-grad');
    expect(kernelGroup('aten::avg_pool2d_backward', 'backward')).toBe('pooling');
    expect(kernelGroup('aten::native_group_norm_backward', 'backward')).toBe('norm');
    expect(kernelGroup('aten::nll_loss_backward', 'backward')).toBe('elementwise');
    expect(kernelGroup('aten::linear', 'forward')).toBe('dense');
    expect(kernelGroup('aten::add_', 'optimizer')).toBe('optimizer');
    expect(kernelGroup('aten::t', 'backward')).toBe('other');
    expect(kernelGroup('aten::threshold_backward', 'backward')).toBe('elementwise');
    expect(kernelGroup('aten::_reshape_alias', 'infer')).toBe('other');
  });
});

describe('buildStepProfile', () => {
  it('divides totals by steps, splits composite kernels, and its groups add up to the step', () => {
    const p = buildStepProfile(
      'synthetic',
      {
        top: [
          { kernel: 'Conv2D', phase: 'forward', calls: 6, ms: 40 },
          { kernel: 'Conv2DBackpropFilter', phase: 'backward', calls: 6, ms: 100 },
          { kernel: 'Add', phase: 'update', calls: 20, ms: 10 },
        ],
        inner: [
          { kernel: 'Conv2D', phase: 'backward', calls: 6, ms: 60, parent: 'Conv2DBackpropFilter' },
          { kernel: 'Transpose', phase: 'backward', calls: 18, ms: 30, parent: 'Conv2DBackpropFilter' },
        ],
      },
      2,
      200,
    );
    expect(p.stepMs).toBe(100);
    expect(p.kernelMs).toBe(75);
    expect(p.outsideMs).toBe(25);
    expect(p.rows.map((r) => r.kernel)).toEqual(['Conv2DBackpropFilter', 'Conv2D', 'Add']);
    expect(p.rows[0]).toMatchObject({ calls: 3, ms: 50, pct: 50, group: 'conv filter-grad' });
    const own = p.inner.find((r) => r.kernel === '(own code)')!;
    expect(own.ms).toBeCloseTo(5, 9);
    expect(p.groups.map((g) => g.group)).toEqual([...GROUPS]);
    expect(p.groups.reduce((a, g) => a + g.ms, 0)).toBeCloseTo(p.stepMs, 9);
    expect(p.groups.find((g) => g.group === 'optimizer')!.ms).toBe(5);
    const md = profileTableMd(p);
    expect(md).toContain('| Conv2DBackpropFilter | conv filter-grad | backward | 3 | 50.0 | 50.0 |');
    expect(md).toContain('| ↳ Transpose | | | 9 | 15.0 | 15.0 |');
  });
});

describe('ceiling', () => {
  it('computes the bounds from the group times', () => {
    const lab = buildStepProfile(
      'lab',
      {
        top: [
          { kernel: 'Conv2D', phase: 'forward', calls: 3, ms: 50 },
          { kernel: 'Conv2DBackpropFilter', phase: 'backward', calls: 3, ms: 100 },
          { kernel: 'LabInstanceNormGrad', phase: 'backward', calls: 3, ms: 30 },
        ],
        inner: [],
      },
      1,
      200,
    );
    const torch = torchStepProfile('torch', {
      steps: 1,
      warmup: 0,
      stepMsEach: [100],
      plainStepMsEach: [100],
      ops: [
        { op: 'aten::conv2d', phase: 'forward', calls: 3, ms: 30 },
        { op: 'aten::convolution_backward[weight]', phase: 'backward', calls: 3, ms: 30 },
        { op: 'aten::add_', phase: 'optimizer', calls: 9, ms: 5 },
      ],
    });
    expect(torch.groups.find((g) => g.group === 'optimizer')!.ms).toBe(5);
    const c = ceiling(lab, torch, 1.3, { 'forward conv': 5, 'conv filter-grad': 10 });
    const w = c.wall;
    expect(w.gflops).toEqual([
      { group: 'forward conv', gflop: 5, lab: 100, torch: 5 / 0.03 },
      { group: 'conv filter-grad', gflop: 10, lab: 100, torch: 10 / 0.03 },
    ]);
    expect(w.ratio).toBeCloseTo(0.5, 9);
    expect(w.convLabMs).toBe(150);
    expect(w.convTorchMs).toBe(60);
    expect(w.ratioIfOnlyConv).toBeCloseTo(100 / 150, 9);
    expect(w.ratioIfRestLikeTorch).toBeCloseTo(100 / (150 + 40), 9);
    expect(w.ratioIfZero['conv filter-grad']).toBeCloseTo(1, 9);
    expect(w.ratioIfNoBackwardConv).toBeCloseTo(1, 9);
    // 1.3× with the rest at PyTorch's 40 ms: conv must fit in 100/1.3 − 40 ms
    expect(w.convSpeedupNeeded).toBeCloseTo(150 / (100 / 1.3 - 40), 9);
    expect(c.labConvShare).toBeCloseTo(0.75, 9);
    expect(c.speedupIfOnlyConv).toBeCloseTo(4 / 3, 9);
    expect(c.speedupIfZero['conv filter-grad']).toBeCloseTo(2, 9);
    expect(c.cpu).toBeNull();
  });

  it('on the CPU-time basis scales each side by its own CPU ÷ wall share', () => {
    const top = [
      { kernel: 'Conv2D', phase: 'forward' as const, calls: 3, ms: 100 },
      { kernel: 'LabInstanceNorm', phase: 'forward' as const, calls: 3, ms: 60 },
    ];
    // lab on a core half of its 200 ms wall; PyTorch all of its 100 ms
    const lab = buildStepProfile('lab', { top, inner: [] }, 1, 200, undefined, 100);
    const torch = torchStepProfile('torch', {
      steps: 1,
      warmup: 0,
      stepMsEach: [100],
      cpuMs: 100,
      plainStepMsEach: [100],
      ops: [{ op: 'aten::conv2d', phase: 'forward', calls: 3, ms: 50 }],
    });
    const c = ceiling(lab, torch);
    expect(c.wall.ratio).toBeCloseTo(0.5, 9);
    expect(c.cpu!.ratio).toBeCloseTo(1, 9);
    expect(c.cpu!.convLabMs).toBeCloseTo(50, 9);
    expect(c.cpu!.ratioIfOnlyConv).toBeCloseTo(2, 9);
    expect(c.cpuShare).toEqual({ lab: 0.5, torch: 1 });
    // 1.3× with PyTorch's rest (50 ms): the lab's 50 ms of conv must fit in 100/1.3 − 50
    expect(c.cpu!.convSpeedupNeeded).toBeCloseTo(50 / (100 / 1.3 - 50), 9);
    expect(cpuBasis(lab)!.groups.reduce((a, g) => a + g.ms, 0)).toBeCloseTo(100, 9);
    const md = groupsSideBySideMd([lab, torch], ['lab', 'PyTorch'], true);
    expect(md).toContain('| forward conv | 100 | 50.0 | 50.0 | 50.0 | 50.0 | 50.0 |');
    expect(md).toContain('| **step** | **200** | 100 | **100** | 100 | **100** | **100** |');
  });
});

describe('convLayersMd', () => {
  it('puts the two sides of each conv layer on one row', () => {
    const lab = buildStepProfile(
      'lab',
      {
        top: [
          { kernel: 'Conv2D', phase: 'forward', calls: 1, ms: 30, layer: '16×16×8' },
          { kernel: 'Conv2D', phase: 'forward', calls: 1, ms: 10, layer: '32×32×3' },
          { kernel: 'Conv2DBackpropFilter', phase: 'backward', calls: 1, ms: 40, layer: '32×32×3' },
        ],
        inner: [],
      },
      1,
      100,
    );
    const torch = torchStepProfile('torch', {
      steps: 1,
      warmup: 0,
      stepMsEach: [50],
      plainStepMsEach: [50],
      ops: [
        { op: 'aten::conv2d', phase: 'forward', calls: 1, ms: 15, layer: '16×16×8' },
        { op: 'aten::conv2d', phase: 'forward', calls: 1, ms: 5, layer: '32×32×3' },
        { op: 'aten::convolution_backward[weight]', phase: 'backward', calls: 1, ms: 10, layer: '32×32×3' },
      ],
    });
    const md = convLayersMd(lab, torch).split('\n');
    expect(md.slice(2)).toEqual([
      '| forward conv | 32×32×3 | 10.0 | 5.0 | 2.00 |',
      '| forward conv | 16×16×8 | 30.0 | 15.0 | 2.00 |',
      '| conv filter-grad | 32×32×3 | 40.0 | 10.0 | 4.00 |',
    ]);
  });
});

describe('convnet3ConvGflop', () => {
  it('counts 2·9·Ci FLOP per conv output, no input gradient for the first layer', () => {
    const f = convnet3ConvGflop(128, 64);
    const l1 = (64 * 32 * 32 * 128 * 18 * 3) / 1e9,
      l2 = (64 * 16 * 16 * 128 * 18 * 128) / 1e9,
      l3 = (64 * 8 * 8 * 128 * 18 * 128) / 1e9;
    expect(f['forward conv']).toBeCloseTo(l1 + l2 + l3, 9);
    expect(f['conv input-grad']).toBeCloseTo(l2 + l3, 9);
    expect(f['forward conv']).toBeCloseTo(6.4928, 3);
  });
});

describe('kernel timer on the real training path (tiny ConvNet-3)', () => {
  it('times every kernel of a trainModel step within the step wall time and restores the kernels', async () => {
    const before = tf.getKernel('Conv2D', 'wasm')!.kernelFunc;
    const n0 = tf.memory().numTensors;
    const cfg = { arch: 'convnet3' as const, width: 32, numClasses: 10 };
    const p = await profileTrainSteps({ cfg, batchSize: 4, warmup: 1, steps: 1 });
    expect(tf.getKernel('Conv2D', 'wasm')!.kernelFunc).toBe(before);
    expect(tf.memory().numTensors).toBe(n0);
    expect(p.stepMs).toBeGreaterThan(0);
    expect(p.kernelMs).toBeGreaterThan(0);
    expect(p.kernelMs).toBeLessThanOrEqual(p.stepMs);
    expect(p.cpuMs).toBeGreaterThan(0);
    for (const r of p.rows) expect(GROUPS).toContain(r.group);
    expect(p.groups.reduce((a, g) => a + g.ms, 0)).toBeCloseTo(p.stepMs, 6);
    const calls = (k: string, phase: string) =>
      p.rows.filter((r) => r.kernel === k && r.phase === phase).reduce((a, r) => a + r.calls, 0);
    expect(calls('Conv2D', 'forward')).toBe(3);
    expect(calls('LabInstanceNorm', 'forward')).toBe(3);
    expect(calls('LabInstanceNormGrad', 'backward')).toBe(3);
    expect(calls('Conv2DBackpropFilter', 'backward')).toBe(3);
    // the first conv's input is the image batch: no input gradient
    expect(calls('Conv2DBackpropInput', 'backward')).toBe(2);
    // conv rows are split per layer (the layer's input H×W×C)
    const layers = (k: string) =>
      p.rows
        .filter((r) => r.kernel === k)
        .map((r) => r.layer)
        .sort();
    expect(layers('Conv2D')).toEqual(['16×16×32', '32×32×3', '8×8×32']);
    expect(layers('Conv2DBackpropFilter')).toEqual(['16×16×32', '32×32×3', '8×8×32']);
    expect(layers('Conv2DBackpropInput')).toEqual(['16×16×32', '8×8×32']);
    expect(p.groups.find((g) => g.group === 'optimizer')!.ms).toBeGreaterThan(0);
    // the filter gradient (the default SIMD kernel on every layer) calls no tfjs kernel: no inner rows
    const innerOf = (parent: string, layer: string) =>
      p.inner.filter((r) => r.parent === parent && r.parentLayer === layer).map((r) => r.kernel);
    for (const l of ['32×32×3', '16×16×32', '8×8×32']) expect(innerOf('Conv2DBackpropFilter', l)).toEqual([]);
    // the input gradient is composed of backend kernels (a forward Conv2D of the rotated filter) plus its own code,
    // and its inner rows add up to it
    for (const l of ['16×16×32', '8×8×32'])
      expect(innerOf('Conv2DBackpropInput', l)).toEqual(expect.arrayContaining(['Conv2D', '(own code)']));
    const inputMs = p.rows.filter((r) => r.kernel === 'Conv2DBackpropInput').reduce((a, r) => a + r.ms, 0);
    const innerMs = p.inner.filter((r) => r.parent === 'Conv2DBackpropInput').reduce((a, r) => a + r.ms, 0);
    expect(innerMs).toBeCloseTo(inputMs, 6);
  });

  it('without warm-up, times the first step from the start (wall and CPU time of that step only)', async () => {
    const cfg = { arch: 'convnet3' as const, width: 8, numClasses: 10 };
    const p = await profileTrainSteps({ cfg, batchSize: 2, warmup: 0, steps: 1 });
    expect(p.kernelMs).toBeLessThanOrEqual(p.stepMs);
    // CPU time of one step: not the whole process's (which is seconds by now); ≤ 3 × wall allows for GC threads
    expect(p.cpuMs).toBeGreaterThan(0);
    expect(p.cpuMs!).toBeLessThan(3 * p.stepMs + 50);
  });

  it('profiles inference batches and refuses a second timer', async () => {
    const cfg = { arch: 'convnet3' as const, width: 8, numClasses: 10 };
    const p = await profileInferBatches({ cfg, batchSize: 4, warmup: 1, steps: 2 });
    const conv = p.rows.filter((r) => r.kernel === 'Conv2D');
    expect(conv.map((r) => [r.calls, r.phase])).toEqual([
      [1, 'infer'],
      [1, 'infer'],
      [1, 'infer'],
    ]);
    expect(p.rows.every((r) => r.phase === 'infer')).toBe(true);
    expect(p.kernelMs).toBeLessThanOrEqual(p.stepMs);
    const t = installKernelTimer('wasm', () => 'infer');
    try {
      expect(() => installKernelTimer('wasm', () => 'infer')).toThrow(/already installed/);
    } finally {
      t.stop();
    }
  });
});
