/**
 * Loss pieces and schedules of the unlearning methods against direct formulas (tiny inputs, cpu backend).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { initNodeBackend } from '../../cli/node-backend';
import { createModel } from '../models';
import { makeOptimizer } from '../train';
import { klFromLogTarget, klT, l1Norm, offTape, perSampleCE } from './common';
import { AmuSampler, amuRegulariser, amuStepLoss, steepCE } from './amu';
import { aScrubMinLoss } from './a-scrub';
import { badTeacherLogTarget } from './bad-distillation';
import { l1AlphaAt } from './l1-sparse';
import { ConvPruner, isPruneEpoch, pruneRate } from './pruning';
import { gaussianise, mmd2 } from './amu';
import {
  CFG,
  all,
  ceRef,
  gradsOf,
  klRef,
  klTeacherRef,
  makeFixture,
  maxAbsDiff,
  randomSource,
} from './fixture.test-util';
import type { Fixture } from './fixture.test-util';

let fx: Fixture;
beforeAll(async () => {
  await initNodeBackend('wasm');
  fx = makeFixture();
});
afterAll(() => fx.dispose());

const logits = (rows: number[][]) => tf.tensor2d(rows);
const A = [
  [1.5, -0.3, 0.2, 0.9],
  [-1, 2, 0.5, 0],
  [0.1, 0.1, 0.1, 3],
];
const Bm = [
  [0.4, 0.1, -0.7, 1.2],
  [0.3, 1.1, 0.5, -0.4],
  [2, -1, 0, 0.5],
];

function softmaxHost(z: number[], T: number): number[] {
  const m = Math.max(...z.map((v) => v / T));
  const e = z.map((v) => Math.exp(v / T - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('KL_T (spec §5.4)', () => {
  it('matches T²·batch-mean Σ p_t (log p_t − log p_s) computed on the host', () => {
    const T = 2;
    let ref = 0;
    A.forEach((t, b) => {
      const pt = softmaxHost(t, T),
        ps = softmaxHost(Bm[b], T);
      pt.forEach((p, c) => (ref += p * (Math.log(p) - Math.log(ps[c]))));
    });
    ref = (T * T * ref) / A.length;
    const v = tf.tidy(() => klT(logits(A) as tf.Tensor2D, logits(Bm) as tf.Tensor2D, T).dataSync()[0]);
    expect(v).toBeCloseTo(ref, 5);
    expect(tf.tidy(() => klT(logits(A) as tf.Tensor2D, logits(A) as tf.Tensor2D, T).dataSync()[0])).toBeCloseTo(0, 6);
  });

  it('bad-teacher target: rows with u = 1 follow the bad teacher, u = 0 the competent one (§6.3)', () => {
    const T = 2,
      u = [1, 0, 1];
    const v = tf.tidy(() => {
      const logQ = badTeacherLogTarget(logits(A) as tf.Tensor2D, logits(Bm) as tf.Tensor2D, u, T);
      const s = logits([
        [0, 0, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 1, 1],
      ]) as tf.Tensor2D;
      // q = u·softmax(bad/T) + (1−u)·softmax(good/T)
      const q = tf.add(
        tf.mul(tf.tensor2d(u, [3, 1]), tf.softmax(tf.div(logits(Bm), T))),
        tf.mul(
          tf.tensor2d(
            u.map((x) => 1 - x),
            [3, 1],
          ),
          tf.softmax(tf.div(logits(A), T)),
        ),
      ) as tf.Tensor2D;
      return [
        klFromLogTarget(logQ, s, T).dataSync()[0],
        klRef(q, s, T).dataSync()[0],
        maxAbsDiff([tf.exp(logQ).dataSync() as Float32Array], [q.dataSync() as Float32Array]),
      ];
    });
    expect(v[0]).toBeCloseTo(v[1], 5);
    expect(v[2]).toBeLessThan(1e-6);
  });
});

describe('L1, steepened CE, schedules', () => {
  it('‖θ‖₁ over all parameters equals the host sum', async () => {
    let ref = 0;
    for (const w of await fx.original.getWeights()) for (const x of w) ref += Math.abs(x);
    const v = tf.tidy(() => l1Norm(fx.original.params).dataSync()[0]);
    expect(Math.abs(v - ref) / ref).toBeLessThan(1e-5);
  });

  it('‖θ‖₁ gradient is sign(θ), 0 at exact zeros (PyTorch subgradient)', () => {
    const v = tf.variable(tf.tensor1d([-2, 0, 3, 0.5]));
    const { value, grads } = tf.variableGrads(() => l1Norm([{ name: 'v', kind: 'conv', variable: v }]), [v]);
    expect(value.dataSync()[0]).toBeCloseTo(5.5, 6);
    expect(Array.from(grads[v.name].dataSync())).toEqual([-1, 0, 1, 1]);
    tf.dispose([value, grads, v]);
  });

  it('(mean CE)² and mean(CE²)', () => {
    const y = [0, 1, 3];
    const ce = A.map((z, i) => -Math.log(softmaxHost(z, 1)[y[i]]));
    const mean = ce.reduce((a, b) => a + b, 0) / 3;
    tf.tidy(() => {
      expect(steepCE(logits(A) as tf.Tensor2D, y, 'batch-mean').dataSync()[0]).toBeCloseTo(mean * mean, 5);
      expect(steepCE(logits(A) as tf.Tensor2D, y, 'per-sample').dataSync()[0]).toBeCloseTo(
        ce.reduce((a, b) => a + b * b, 0) / 3,
        5,
      );
    });
  });

  it('L1 α schedule α_e = α·(1 − e/(E − E₀)), 0 in the last E₀ epochs (§6.4)', () => {
    expect(l1AlphaAt(0, 1e-4, 30, 1)).toBe(1e-4);
    expect(l1AlphaAt(1, 1e-4, 30, 1)).toBeCloseTo(1e-4 * (1 - 1 / 29), 12);
    expect(l1AlphaAt(28, 1e-4, 30, 1)).toBeCloseTo(1e-4 / 29, 12);
    expect(l1AlphaAt(29, 1e-4, 30, 1)).toBe(0);
    expect(l1AlphaAt(36, 1e-5, 40, 3)).toBeCloseTo(1e-5 * (1 - 36 / 37), 14);
    expect([37, 38, 39].map((e) => l1AlphaAt(e, 1e-5, 40, 3))).toEqual([0, 0, 0]);
  });

  it('offTape: ops inside get no gradient', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const { grads } = tf.variableGrads(() => tf.add(tf.sum(offTape(() => tf.mul(v, 5))), tf.sum(v)) as tf.Scalar, [v]);
    expect(Array.from(grads[v.name].dataSync())).toEqual([1, 1, 1]);
    tf.dispose(grads);
    v.dispose();
  });
});

describe('pruning (§6.5)', () => {
  it('p = 0.527129 at epochs 0, 5, 10, 15 for s = 0.95, E = 20, step = 5', () => {
    expect(pruneRate(0.95, 20, 5)).toBeCloseTo(0.527129, 6);
    expect(Array.from({ length: 20 }, (_, e) => e).filter((e) => isPruneEpoch(e, 20, 5))).toEqual([0, 5, 10, 15]);
    expect(pruneRate(0.95, 2, 1)).toBeCloseTo(1 - Math.sqrt(0.05), 12);
  });

  it('global magnitude pruning reaches 95% exact zeros, removes the smallest |w|, and masks hold through training', async () => {
    const before = tf.memory().numTensors;
    const m = createModel(CFG, new Rng('prune'));
    const p = pruneRate(0.95, 20, 5);
    const pr = new ConvPruner(m);
    const total = pr.total;
    expect(total).toBe(m.params.filter((q) => q.kind === 'conv').reduce((a, q) => a + q.variable.size, 0));
    // first step: the pruned set is exactly the k smallest |w| across layers
    const w0 = (await Promise.all(pr.params.map((q) => q.variable.data()))).map((d) =>
      Float32Array.from(d as Float32Array),
    );
    const k1 = await pr.prune(p);
    expect(k1).toBe(Math.round(p * total));
    const flat = w0.flatMap((w) => Array.from(w, Math.abs)).sort((a, b) => a - b);
    const thr = flat[k1 - 1];
    const w1 = await Promise.all(pr.params.map((q) => q.variable.data()));
    w0.forEach((w, l) =>
      w.forEach((x, i) => {
        if (Math.abs(x) < thr) expect(w1[l][i] === 0).toBe(true);
        if (Math.abs(x) > thr) expect(w1[l][i]).toBe(x);
      }),
    );
    let rem = total - k1;
    for (let s = 1; s < 4; s++) rem -= await pr.prune(p);
    const countZeros = async () =>
      (await Promise.all(pr.params.map((q) => q.variable.data()))).reduce(
        (a, d) => a + Array.from(d as Float32Array).filter((x) => x === 0).length,
        0,
      );
    expect(await countZeros()).toBe(total - rem);
    expect((total - rem) / total).toBeCloseTo(0.95, 2);
    expect(pr.pruned).toBe(total - rem);
    // more SGD steps with momentum and weight decay: pruned weights stay exactly zero
    const opt = makeOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }, m.params);
    const x = fx.retain.gather(all(fx.retain));
    for (let s = 0; s < 3; s++) {
      const { value, grads } = tf.variableGrads(
        () => ceRef(m.apply(x), fx.retain.labels),
        m.params.map((q) => q.variable),
      );
      opt.apply(grads);
      tf.dispose([value, grads]);
      pr.apply();
    }
    x.dispose();
    expect(await countZeros()).toBe(total - rem);
    opt.dispose();
    pr.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('A-AMU step losses (§5.3–5.5)', () => {
  const o = { lambda: 34, k: 2, K: 60, sigma: 1, ecdf: 'one-sided' as const, square: 'batch-mean', sampleFactor: 4 };

  it('sampler: without replacement, test labels only from the forget sample, deterministic', () => {
    const forget = randomSource(
      40,
      Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 2)),
      'f40',
    );
    const test = randomSource(
      30,
      Array.from({ length: 30 }, (_, i) => i % 4),
      't30',
    );
    const a = new AmuSampler(forget, test, 8, new Rng('s'));
    const b = new AmuSampler(forget, test, 8, new Rng('s'));
    for (let t = 0; t < 5; t++) {
      const s = a.next(),
        s2 = b.next();
      expect(s).toEqual(s2);
      expect(new Set(s.forgetPos).size).toBe(8);
      expect(new Set(s.testPos).size).toBe(8);
      const classes = new Set(s.forgetLabels);
      for (const y of s.testLabels) expect(classes.has(y)).toBe(true);
      s.forgetPos.forEach((p, i) => expect(forget.labels[p]).toBe(s.forgetLabels[i]));
      s.testPos.forEach((p, i) => expect(test.labels[p]).toBe(s.testLabels[i]));
    }
    // fewer eligible test samples than requested → all of them
    const small = new AmuSampler(forget, randomSource(3, [1, 0, 3], 't3'), 8, new Rng('s'));
    const s = small.next();
    expect(Array.from(s.testPos)).toEqual(s.forgetLabels.includes(1) ? [0] : []);
  });

  it('A-CF loss = (meanCE_r)² + λ·MMD²(g(test, detached), g(forget)) — value and gradient', () => {
    const before = tf.memory().numTensors;
    const student = fx.original.clone();
    const sampler = new AmuSampler(fx.forget, fx.testUsed, 32, new Rng('x'));
    const s = sampler.next();
    const xr = fx.retain.gather(all(fx.retain));
    const yr = fx.retain.labels;
    const got = gradsOf(student, () => {
      const r = amuStepLoss(
        { model: student, x: xr, y: yr, pos: all(fx.retain), step: 0, epoch: 0 },
        fx,
        { next: () => s } as AmuSampler,
        o,
      );
      return r.total;
    });
    // reference: the test branch as a constant computed outside the gradient scope, amu.ts building blocks
    const gTest = tf.tidy(() =>
      gaussianise(perSampleCE(student.apply(fx.testUsed.gather(s.testPos)), s.testLabels), { k: 2, K: 60 }),
    );
    const ref = gradsOf(student, () => {
      const ce = ceRef(student.apply(xr), yr);
      const gF = gaussianise(perSampleCE(student.apply(fx.forget.gather(s.forgetPos)), s.forgetLabels), {
        k: 2,
        K: 60,
      });
      return tf.add(tf.square(ce), tf.mul(mmd2(gTest, gF, 1), 34)) as tf.Scalar;
    });
    expect(got.value).toBeCloseTo(ref.value, 5);
    const scale = Math.max(...ref.grads.map((g) => Math.max(...Array.from(g, Math.abs))));
    expect(scale).toBeGreaterThan(0);
    expect(maxAbsDiff(got.grads, ref.grads)).toBeLessThan(1e-4 * scale + 1e-7);
    // the two terms are reported unweighted
    const terms = tf.tidy(() => {
      const r = amuStepLoss(
        { model: student, x: xr, y: yr, pos: all(fx.retain), step: 0, epoch: 0 },
        fx,
        { next: () => s } as AmuSampler,
        o,
      );
      return [r.ce2.dataSync()[0], r.mmd.dataSync()[0], r.total.dataSync()[0]];
    });
    expect(terms[0] + 34 * terms[1]).toBeCloseTo(terms[2], 5);
    expect(terms[1]).toBeGreaterThan(0);
    gTest.dispose();
    xr.dispose();
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('A-SCRUB min loss = γ·(meanCE)² + β·KL_T(teacher‖student) + λ·MMD² — value and gradient', () => {
    const before = tf.memory().numTensors;
    const student = fx.fresh(); // student ≠ teacher so the KL term has a gradient
    const teacher = fx.original;
    const s = new AmuSampler(fx.forget, fx.testUsed, 32, new Rng('y')).next();
    const xr = fx.retain.gather(all(fx.retain));
    const yr = fx.retain.labels;
    const hp = { ...o, T: 2, beta: 0.5, gamma: 0.99 };
    const got = gradsOf(student, () => aScrubMinLoss({ model: student, x: xr, y: yr }, teacher, fx, s, hp).total);
    const gTest = tf.tidy(() =>
      gaussianise(perSampleCE(student.apply(fx.testUsed.gather(s.testPos)), s.testLabels), { k: 2, K: 60 }),
    );
    const tLogits = teacher.apply(xr);
    const ref = gradsOf(student, () => {
      const z = student.apply(xr);
      const gF = gaussianise(perSampleCE(student.apply(fx.forget.gather(s.forgetPos)), s.forgetLabels), {
        k: 2,
        K: 60,
      });
      return tf.addN([
        tf.mul(tf.square(ceRef(z, yr)), 0.99),
        tf.mul(klTeacherRef(tLogits, z, 2), 0.5),
        tf.mul(mmd2(gTest, gF, 1), 34),
      ]) as tf.Scalar;
    });
    expect(got.value).toBeCloseTo(ref.value, 4);
    const scale = Math.max(...ref.grads.map((g) => Math.max(...Array.from(g, Math.abs))));
    expect(maxAbsDiff(got.grads, ref.grads)).toBeLessThan(1e-4 * scale + 1e-7);
    tf.dispose([gTest, tLogits, xr]);
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('regulariser is 0 (not NaN) without eligible test samples', () => {
    const v = tf.tidy(
      () =>
        amuRegulariser(
          fx.original,
          fx.forget,
          fx.testUsed,
          {
            forgetPos: Int32Array.from([0, 1]),
            forgetLabels: Int32Array.from([1, 2]),
            testPos: new Int32Array(0),
            testLabels: new Int32Array(0),
          },
          o,
        ).dataSync()[0],
    );
    expect(v).toBe(0);
  });
});
