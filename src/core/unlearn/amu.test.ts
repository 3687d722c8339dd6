import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianise, mmd2, probit, smoothedEcdf } from './amu';
import { perSampleCE } from './common';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CE1 = [0.01, 0.02, 0.05, 0.1];
const CE2 = [0.1, 0.5, 1.0, 3.0];
// docs/paper-notes.md §5.1 test vectors (verified independently in float64)
const F1 = [0.5, 0.501231, 0.508475, 0.525875],
  G1 = [0, 0.003087, 0.021245, 0.064906];
const F2 = [0.5, 0.537572, 0.601939, 0.776601],
  G2 = [0, 0.094319, 0.258368, 0.760764];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol);
}

/** Φ⁻¹ in float64 by bisection on Φ built from a high-precision erf (reference for the tf op). */
function probit64(p: number): number {
  const erf = (x: number): number => {
    const t = Math.abs(x);
    let s: number;
    if (t < 3) {
      let sum = t,
        q = t;
      for (let n = 1; n < 200; n++) {
        q *= (-t * t) / n;
        sum += q / (2 * n + 1);
      }
      s = (2 / Math.sqrt(Math.PI)) * sum;
    } else {
      let f = 0;
      for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
      s = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
    }
    return x < 0 ? -s : s;
  };
  let lo = -10,
    hi = 10;
  for (let i = 0; i < 200; i++) {
    const m = (lo + hi) / 2;
    if (0.5 * (1 + erf(m / Math.SQRT2)) < p) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

describe('gaussianise (spec §5.1 vectors)', () => {
  it('F̂ and g match to 1e-5, MMD² = 0.0569082', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const ce1 = tf.tensor1d(CE1),
        ce2 = tf.tensor1d(CE2);
      expectClose(smoothedEcdf(ce1).dataSync(), F1, 1e-5);
      expectClose(smoothedEcdf(ce2).dataSync(), F2, 1e-5);
      const g1 = gaussianise(ce1),
        g2 = gaussianise(ce2);
      expectClose(g1.dataSync(), G1, 1e-5);
      expectClose(g2.dataSync(), G2, 1e-5);
      expect(Math.abs(mmd2(g1, g2).dataSync()[0] - 0.0569082)).toBeLessThan(1e-5);
      expect(Math.abs(mmd2(g2, g1).dataSync()[0] - 0.0569082)).toBeLessThan(1e-5);
      expect(mmd2(g1, g1).dataSync()[0]).toBeCloseTo(0, 6);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('two-sided option matches the paper formula (float64 reference)', () => {
    const ref = (ce: number[]) => {
      const l = ce.map((c) => Math.log1p(c + 1e-8));
      return l.map((li) => l.reduce((s, lj) => s + 1 / (1 + Math.exp(-2 * (li - lj))), 0) / l.length);
    };
    for (const ce of [CE1, CE2]) {
      const F = ref(ce);
      tf.tidy(() => {
        const t = tf.tensor1d(ce);
        expectClose(smoothedEcdf(t, { ecdf: 'two-sided' }).dataSync(), F, 1e-6);
        expectClose(gaussianise(t, { ecdf: 'two-sided' }).dataSync(), F.map(probit64), 2e-5);
      });
    }
    // spec values of the two-sided transform on the second vector (computed in float64)
    tf.tidy(() =>
      expectClose(
        gaussianise(tf.tensor1d(CE2), { ecdf: 'two-sided' }).dataSync(),
        [-0.559043, -0.231678, 0.067576, 0.760764],
        2e-5,
      ),
    );
    // the clamp keeps extreme sets finite: F̂ → 1e-6 / 1−1e-6 … and the K clip applies
    tf.tidy(() => {
      const F = smoothedEcdf(tf.tensor1d([0, 1e6]), { ecdf: 'two-sided', k: 100 }).dataSync();
      expect(Math.abs(F[0] - 0.5 * 0.5)).toBeLessThan(1e-6); // (σ(0) + σ(−∞))/2 = 0.25
      const g = gaussianise(tf.tensor1d([0, 1e6]), { ecdf: 'two-sided', k: 100, K: 0.5 }).dataSync();
      expect(g[0]).toBeCloseTo(-0.5, 6);
      expect(g[1]).toBeCloseTo(0.5, 6);
    });
  });
});

describe('probit', () => {
  const ps = [1e-6, 0.001, 0.02, 0.0243, 0.1, 0.3, 0.5, 0.5012, 0.7, 0.9, 0.97, 0.99, 0.999, 0.999999];

  it('values match a float64 reference', () => {
    const g = tf.tidy(() => probit(tf.tensor1d(ps)).dataSync());
    // float32 inputs: compare against the reference at the float32-rounded p
    const p32 = Float32Array.from(ps);
    for (let i = 0; i < ps.length; i++)
      expect(Math.abs(g[i] - probit64(p32[i]))).toBeLessThan(2e-6 * Math.max(1, Math.abs(probit64(p32[i]))));
  });

  it('gradient = √(2π)·exp(g²/2), vs finite differences', () => {
    const grad = tf.tidy(() =>
      tf
        .grad((p: tf.Tensor) => tf.sum(probit(p)))(tf.tensor1d(ps))
        .dataSync(),
    );
    const p32 = Float32Array.from(ps);
    for (let i = 0; i < ps.length; i++) {
      const p = p32[i]; // the op sees float32 inputs
      const h = Math.min(1e-4, p / 100, (1 - p) / 100);
      const fd = (probit64(p + h) - probit64(p - h)) / (2 * h);
      expect(Math.abs(grad[i] - fd) / fd).toBeLessThan(1e-3);
    }
    // float32 finite differences through the tf op itself, in the central region
    for (const p of [0.3, 0.5, 0.8]) {
      const h = 1e-3;
      const [a, b] = tf.tidy(() => [probit(tf.scalar(p + h)).dataSync()[0], probit(tf.scalar(p - h)).dataSync()[0]]);
      const g = tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.sum(probit(x)))(tf.scalar(p))
            .dataSync()[0],
      );
      expect(Math.abs(g - (a - b) / (2 * h)) / g).toBeLessThan(2e-3);
    }
  });

  it('gradient agrees with tf.grad through a numerical inverse of tf.erf', () => {
    // z* = Φ⁻¹(p) by bisection on Φ(z) = ½(1 + erf(z/√2)) with tf.erf; dΦ⁻¹/dp = 1 / Φ'(z*), Φ' from tf.grad
    const Phi = (z: tf.Tensor) => tf.mul(tf.add(tf.erf(tf.div(z, Math.SQRT2)), 1), 0.5);
    for (const p of [0.05, 0.2, 0.5, 0.6, 0.9, 0.98]) {
      let lo = -8,
        hi = 8;
      for (let i = 0; i < 60; i++) {
        const m = (lo + hi) / 2;
        const v = tf.tidy(() => Phi(tf.scalar(m)).dataSync()[0]);
        if (v < p) lo = m;
        else hi = m;
      }
      const z = (lo + hi) / 2;
      const dPhi = tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.sum(Phi(x)))(tf.scalar(z))
            .dataSync()[0],
      );
      const ours = tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.sum(probit(x)))(tf.scalar(p))
            .dataSync()[0],
      );
      expect(Math.abs(ours * dPhi - 1)).toBeLessThan(2e-3);
    }
  });
});

describe('end-to-end gradients', () => {
  it('gaussianise gradient vs float32 finite differences', () => {
    const ce = [0.1, 0.5, 1.0, 3.0, 0.7];
    const w = [0.3, -1.2, 0.8, 0.5, -0.4];
    const f = (c: tf.Tensor) => tf.sum(tf.mul(gaussianise(c as tf.Tensor1D), tf.tensor1d(w)));
    const grad = tf.tidy(() => tf.grad(f)(tf.tensor1d(ce)).dataSync());
    for (let i = 0; i < ce.length; i++) {
      const h = 1e-2;
      const up = ce.slice(),
        dn = ce.slice();
      up[i] += h;
      dn[i] -= h;
      const fd = tf.tidy(() => (f(tf.tensor1d(up)).dataSync()[0] - f(tf.tensor1d(dn)).dataSync()[0]) / (2 * h));
      expect(Math.abs(grad[i] - fd)).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
    }
  });

  it('perSampleCE matches log-sum-exp − z_y, no tensor leaks', () => {
    const before = tf.memory().numTensors;
    const zf = tf.tensor2d([
      [2, 1, 0],
      [0, 3, -1],
      [1, 1, 1],
      [0.5, -2, 1],
    ]);
    const ce = perSampleCE(zf, [0, 1, 2, 0]);
    const cev = ce.dataSync();
    const ref = [
      [2, 1, 0, 0],
      [0, 3, -1, 1],
      [1, 1, 1, 2],
      [0.5, -2, 1, 0],
    ].map(([a, b, c, y]) => {
      const z = [a, b, c];
      return Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[y];
    });
    expectClose(cev, ref, 1e-5);
    tf.dispose([ce, zf]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
