import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { createModel } from '../models';
import { Rng } from '../rng';
import { CancelledError, type Param, type SampleSource } from '../types';
import { floatSource } from '../data/source';
import {
  makeOptimizer,
  warmCos,
  runPass,
  trainModel,
  meanCrossEntropy,
  perSampleCrossEntropy,
  predictLogits,
  accuracy,
  serializeWeights,
  deserializeWeights,
  modelFromBytes,
} from './index';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

function param(name: string, values: number[]): Param {
  return { name, kind: 'dense', variable: tf.variable(tf.tensor1d(values), true, `opt-test/${name}/${Math.random()}`) };
}

/** Random-but-learnable data: class k = a class-specific blocky random pattern (fixed, 4×4 cells) + noise. */
function learnable(n: number, classes: number, seed: string): SampleSource {
  const rng = new Rng(seed);
  const P = 32 * 32 * 3;
  const protoRng = new Rng('prototypes');
  const protos = Array.from({ length: classes }, () => {
    const cells = protoRng.uniformArray(4 * 4 * 3, -1, 1);
    const img = new Float32Array(P);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++) img[(y * 32 + x) * 3 + c] = cells[((y >> 3) * 4 + (x >> 3)) * 3 + c];
    return img;
  });
  const px = new Float32Array(n * P);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let j = 0; j < P; j++) px[i * P + j] = protos[c][j] + 0.8 * rng.normal();
  }
  return floatSource(px, labels);
}

describe('WarmCos', () => {
  it('golden values', () => {
    expect(warmCos(0, 10, 200)).toBeCloseTo(0.1, 12);
    expect(warmCos(4, 10, 200)).toBeCloseTo(0.5, 12);
    expect(warmCos(9, 10, 200)).toBeCloseTo(1, 12);
    expect(warmCos(10, 10, 200)).toBeCloseTo(1, 12);
    expect(warmCos(105, 10, 200)).toBeCloseTo(0.5, 12);
    expect(warmCos(199, 10, 200)).toBeCloseTo(6.834750376549792e-5, 15);
    expect(warmCos(0, 0, 4)).toBeCloseTo(1, 12);
    expect(warmCos(1, 0, 4)).toBeCloseTo(0.8535533905932737, 12);
    expect(warmCos(2, 0, 4)).toBeCloseTo(0.5, 12);
    expect(warmCos(3, 0, 4)).toBeCloseTo(0.14644660940672627, 12);
  });
});

describe('optimisers (PyTorch semantics)', () => {
  it('SGD with momentum and coupled weight decay', () => {
    const p = param('w', [1, -2]);
    const opt = makeOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }, [p]);
    const before = tf.memory().numTensors;
    const g1 = { [p.variable.name]: tf.tensor1d([0.5, 0.1]) };
    opt.apply(g1);
    // g = [0.51, 0.08]; v = g; θ = θ − 0.1 v
    expect(Array.from(p.variable.dataSync())).toEqual([expect.closeTo(0.949, 6), expect.closeTo(-2.008, 6)]);
    const g2 = { w: tf.tensor1d([-0.3, 0.2]) }; // keyed by Param.name also works
    opt.apply(g2);
    // g = [−0.29051, 0.17992]; v = 0.9·[0.51, 0.08] + g = [0.16849, 0.25192]
    expect(Array.from(p.variable.dataSync())).toEqual([expect.closeTo(0.932151, 6), expect.closeTo(-2.033192, 6)]);
    opt.learningRate = 0; // settable
    opt.apply(g2);
    expect(Array.from(p.variable.dataSync())).toEqual([expect.closeTo(0.932151, 6), expect.closeTo(-2.033192, 6)]);
    tf.dispose([g1[p.variable.name], g2.w]);
    // a missing gradient counts as zero: only decay + momentum
    opt.learningRate = 0.1;
    const θ = Array.from(p.variable.dataSync());
    opt.apply({});
    const v3 = [
      0.9 * (0.9 * 0.16849 + (-0.3 + 0.01 * 0.932151)) + 0.01 * θ[0],
      0.9 * (0.9 * 0.25192 + (0.2 + 0.01 * -2.033192)) + 0.01 * θ[1],
    ];
    expect(p.variable.dataSync()[0]).toBeCloseTo(θ[0] - 0.1 * v3[0], 5);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before); // gradients and the momentum buffer freed
    p.variable.dispose();
  });

  it('Adam with bias correction matches a float64 reference', () => {
    const init = [0.3, -1.2, 2];
    const grads = [
      [0.1, -0.5, 2],
      [0.3, 0.2, -1],
      [-0.2, 0.05, 0.5],
    ];
    const p = param('a', init);
    const lr = 0.01,
      b1 = 0.9,
      b2 = 0.999,
      eps = 1e-8;
    const opt = makeOptimizer({ kind: 'adam', lr, beta1: b1, beta2: b2, eps }, [p]);
    const θ = [...init],
      m = [0, 0, 0],
      v = [0, 0, 0];
    grads.forEach((g, t) => {
      const gt = tf.tensor1d(g);
      opt.apply({ [p.variable.name]: gt });
      gt.dispose();
      for (let i = 0; i < 3; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        const bc1 = 1 - b1 ** (t + 1),
          bc2 = 1 - b2 ** (t + 1);
        θ[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
      }
      if (t === 0) for (let i = 0; i < 3; i++) expect(θ[i]).toBeCloseTo(init[i] - lr * Math.sign(g[i]), 6);
      const got = p.variable.dataSync();
      for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(θ[i], 6);
    });
    opt.dispose();
    p.variable.dispose();
  });
});

describe('losses', () => {
  it('cross-entropy from log-softmax', () => {
    const z = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 1000],
    ]);
    const per = perSampleCrossEntropy(z, [0, 2]).dataSync();
    expect(per[0]).toBeCloseTo(-1 + Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), 5);
    expect(per[1]).toBeCloseTo(0, 5);
    expect(meanCrossEntropy(z, Int32Array.from([0, 2])).dataSync()[0]).toBeCloseTo(per[0] / 2, 5);
    z.dispose();
  });
});

describe('training loop', () => {
  it('a tiny seeded run learns far above chance; deterministic; no tensor leaks', async () => {
    const train = learnable(160, 4, 'train'),
      test = learnable(80, 4, 'test');
    const run = async () => {
      const model = createModel({ arch: 'convnet3', width: 8, numClasses: 4 }, new Rng(7).fork('model'));
      const base = tf.memory().numTensors;
      const events: number[] = [];
      const res = await trainModel({
        model,
        source: train,
        epochs: 3,
        batchSize: 32,
        warmup: 1,
        rng: new Rng(7).fork('shuffle'),
        optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
        onProgress: (p) => events.push(p.step),
        stage: 'pretrain',
      });
      expect(tf.memory().numTensors).toBe(base);
      const acc = await accuracy(model, test, { batchSize: 64 });
      expect(tf.memory().numTensors).toBe(base);
      const w = await model.getWeights();
      model.dispose();
      return { res, acc, w, events };
    };
    const a = await run();
    expect(a.events.length).toBe(15);
    expect(a.res.losses[2]).toBeLessThan(a.res.losses[0]);
    expect(a.acc).toBeGreaterThan(70); // chance = 25 %
    const b = await run();
    expect(b.acc).toBe(a.acc);
    expect(b.res.losses).toEqual(a.res.losses);
    a.w.forEach((w, i) => expect(b.w[i]).toEqual(w));
  });

  it('untilAcc stops after the first epoch whose running accuracy reaches it; an unreachable target trains every epoch', async () => {
    const train = learnable(160, 4, 'train');
    const run = async (untilAcc: number | undefined, epochs: number) => {
      const base = tf.memory().numTensors;
      const model = createModel({ arch: 'convnet3', width: 8, numClasses: 4 }, new Rng(7).fork('model'));
      const res = await trainModel({
        model,
        source: train,
        epochs,
        batchSize: 32,
        warmup: 1,
        untilAcc,
        rng: new Rng(7).fork('shuffle'),
        optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
      });
      model.dispose();
      expect(tf.memory().numTensors).toBe(base);
      return res;
    };
    const full = await run(undefined, 6);
    expect(full.epochs).toBe(6);
    // the first epoch at which the same seeded run's running accuracy reached 60 %
    const first = full.accs.findIndex((a) => a >= 60);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(5);
    const stopped = await run(60, 6);
    expect(stopped.epochs).toBe(first + 1);
    expect(stopped.accs).toEqual(full.accs.slice(0, first + 1));
    expect((await run(100.5, 3)).epochs).toBe(3);
  });

  it('runPass: last batch smaller, afterStep, cancellation frees everything', async () => {
    const src = learnable(70, 3, 'p');
    const model = createModel({ arch: 'convnet3', width: 4, numClasses: 3 }, new Rng(1));
    const opt = makeOptimizer({ kind: 'adam', lr: 1e-3 }, model.params);
    const base = tf.memory().numTensors;
    const sizes: number[] = [];
    const r = await runPass({
      model,
      optimizer: opt,
      source: src,
      batchSize: 32,
      rng: new Rng(2),
      epoch: 0,
      loss: (c) => {
        sizes.push(c.y.length);
        return meanCrossEntropy(c.model.apply(c.x), c.y);
      },
      afterStep: () => undefined,
    });
    expect(r.steps).toBe(3);
    expect(sizes).toEqual([32, 32, 6]);
    expect(r.images).toBe(70);
    expect(Number.isFinite(r.meanLoss)).toBe(true);
    const afterFirst = tf.memory().numTensors; // Adam moments now exist
    expect(afterFirst).toBe(base + 2 * model.params.length);
    const ac = new AbortController();
    let steps = 0;
    const p = runPass({
      model,
      optimizer: opt,
      source: src,
      batchSize: 8,
      rng: new Rng(3),
      epoch: 1,
      signal: ac.signal,
      loss: (c) => meanCrossEntropy(c.model.apply(c.x), c.y),
      afterStep: () => {
        if (++steps === 2) setTimeout(() => ac.abort(), 0);
      },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBe(2);
    expect(tf.memory().numTensors).toBe(afterFirst);
    // cancellation inside trainModel also frees the optimiser state
    const ac2 = new AbortController();
    const t = trainModel({
      model,
      source: src,
      epochs: 2,
      batchSize: 8,
      rng: new Rng(4),
      signal: ac2.signal,
      optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0 },
      onProgress: (q) => {
        if (q.step === 3) ac2.abort();
      },
    });
    await expect(t).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(afterFirst);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(base);
    model.dispose();
  });

  it('predictLogits is batched and ordered', async () => {
    const src = learnable(10, 2, 'q');
    const model = createModel({ arch: 'convnet3', width: 4, numClasses: 2 }, new Rng(1));
    const all = await predictLogits(model, src, 3);
    const x = src.gather([7]);
    const z = model.apply(x);
    const one = z.dataSync();
    expect(all[14]).toBeCloseTo(one[0], 5);
    expect(all[15]).toBeCloseTo(one[1], 5);
    tf.dispose([x, z]);
    model.dispose();
  });
});

describe('weights serialization', () => {
  it('round trip and validation', async () => {
    const m = createModel({ arch: 'resnet18', width: 4, numClasses: 10 }, new Rng(1));
    const bytes = await serializeWeights(m);
    const m2 = createModel({ arch: 'resnet18', width: 4, numClasses: 10 }, new Rng(2));
    const h = deserializeWeights(m2, bytes);
    expect(h.config.arch).toBe('resnet18');
    expect(await m2.getWeights()).toEqual(await m.getWeights());
    const m3 = modelFromBytes(bytes);
    expect(await m3.getWeights()).toEqual(await m.getWeights());
    const wrong = createModel({ arch: 'convnet3', width: 4, numClasses: 10 }, new Rng(1));
    expect(() => deserializeWeights(wrong, bytes)).toThrow(/resnet18/);
    expect(() => deserializeWeights(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated|trailing/);
    [m, m2, m3, wrong].forEach((x) => x.dispose());
  });
});
