import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createModel, paramCount, paramSpecs } from './index';
import { Rng } from '../rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('models', () => {
  it('ConvNet-3 w128 shapes, param count and init bounds', () => {
    const m = createModel({ arch: 'convnet3', width: 128, numClasses: 10 }, new Rng(1));
    expect(paramCount(m)).toBe(3584 + 147584 * 2 + 3 * 256 + 20490);
    const names = m.params.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of m.params) {
      const d = p.variable.dataSync();
      if (p.kind === 'normScale') expect(Array.from(d).every((x) => x === 1)).toBe(true);
      else if (p.kind === 'normShift') expect(Array.from(d).every((x) => x === 0)).toBe(true);
      else {
        const fanIn = p.kind === 'dense' || p.kind === 'denseBias' ? 2048 : p.name.startsWith('conv1') ? 27 : 128 * 9;
        const b = 1 / Math.sqrt(fanIn);
        let mx = 0,
          sum = 0,
          sq = 0;
        for (const x of d) {
          mx = Math.max(mx, Math.abs(x));
          sum += x;
          sq += x * x;
        }
        expect(mx).toBeLessThanOrEqual(b);
        if (d.length > 1000) {
          expect(mx).toBeGreaterThan(0.99 * b);
          expect(Math.abs(sum / d.length)).toBeLessThan(0.05 * b);
          expect(sq / d.length).toBeCloseTo((b * b) / 3, 3); // variance of U(−b,b)
        }
      }
    }
    const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = m.apply(x),
      e = m.embed(x);
    expect(y.shape).toEqual([2, 10]);
    expect(e.shape).toEqual([2, 2048]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y, e]);
    m.dispose();
  });

  it('ResNet-18 structure and param count', () => {
    const cfg = { arch: 'resnet18' as const, width: 64, numClasses: 10 };
    // ≈11.17M for the IN ResNet-18 (BN → IN has the same affine param count)
    expect(paramCount(cfg)).toBe(11173962);
    const small = createModel({ arch: 'resnet18', width: 8, numClasses: 10 }, new Rng(2));
    const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
    const y = small.apply(x),
      e = small.embed(x);
    expect(y.shape).toEqual([2, 10]);
    expect(e.shape).toEqual([2, 64]);
    expect(paramSpecs(small.config).filter((s) => s.name.includes('short')).length).toBe(9);
    tf.dispose([x, y, e]);
    small.dispose();
  });

  it('deterministic init, clone, copyFrom, get/setWeights', async () => {
    const cfg = { arch: 'convnet3' as const, width: 8, numClasses: 4 };
    const a = createModel(cfg, new Rng('s'));
    const b = createModel(cfg, new Rng('s'));
    const c = createModel(cfg, new Rng('t'));
    const wa = await a.getWeights(),
      wb = await b.getWeights(),
      wc = await c.getWeights();
    expect(wa).toEqual(wb);
    expect(wa[0]).not.toEqual(wc[0]);
    const k = a.clone();
    expect(await k.getWeights()).toEqual(wa);
    k.setWeights(wc);
    expect(await k.getWeights()).toEqual(wc);
    expect(await a.getWeights()).toEqual(wa);
    a.copyFrom(c);
    expect(await a.getWeights()).toEqual(wc);
    const n = tf.memory().numTensors;
    k.dispose();
    expect(tf.memory().numTensors).toBe(n - k.params.length);
    [a, b, c].forEach((m) => m.dispose());
  });
});
