import { describe, expect, it } from 'vitest';
import { makeSyntheticDataset, SYNTHETIC_CLASSES } from './synthetic';
import { sameBytes } from '../../../datasets/test-helpers';

describe('synthetic dataset', () => {
  it('is deterministic from the seed', () => {
    const a = makeSyntheticDataset({ seed: 42, trainPerClass: 20, testPerClass: 5 });
    const b = makeSyntheticDataset({ seed: 42, trainPerClass: 20, testPerClass: 5 });
    const c = makeSyntheticDataset({ seed: 43, trainPerClass: 20, testPerClass: 5 });
    expect(sameBytes(a.train.images, b.train.images)).toBe(true);
    expect(sameBytes(a.train.labels, b.train.labels)).toBe(true);
    expect(sameBytes(a.test.images, b.test.images)).toBe(true);
    expect(sameBytes(c.train.images, a.train.images)).toBe(false);
    expect(sameBytes(a.test.images, a.train.images.subarray(0, a.test.images.length))).toBe(false);
  });

  it('has the right shape, classes and balanced labels', () => {
    const d = makeSyntheticDataset({ seed: 1, trainPerClass: 30, testPerClass: 10 });
    expect(d.id).toBe('synthetic');
    expect(d.classes).toEqual(SYNTHETIC_CLASSES);
    expect(d.classes.length).toBe(10);
    expect([d.height, d.width, d.channels]).toEqual([32, 32, 3]);
    expect(d.train.n).toBe(300);
    expect(d.train.images.length).toBe(300 * 3072);
    expect(d.test.n).toBe(100);
    const counts = Array(10).fill(0);
    for (const l of d.train.labels) counts[l]++;
    expect(counts).toEqual(Array(10).fill(30));
    expect(d.mean).toEqual([0.5, 0.5, 0.5]);
    // labels are shuffled, not in blocks
    expect([...d.train.labels.subarray(0, 10)]).not.toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('is not trivially separable by colour: class mean colours are close, pixels vary', () => {
    const d = makeSyntheticDataset({ seed: 5, trainPerClass: 60, testPerClass: 0 });
    const sums = Array.from({ length: 10 }, () => [0, 0, 0]);
    for (let i = 0; i < d.train.n; i++) {
      for (let p = 0; p < 1024; p++)
        for (let c = 0; c < 3; c++) sums[d.train.labels[i]][c] += d.train.images[i * 3072 + p * 3 + c];
    }
    const means = sums.map((s) => s.map((v) => v / (60 * 1024)));
    for (const m of means) for (const v of m) expect(Math.abs(v - 127.5)).toBeLessThan(30);
    // whole-image pixel spread is large (random colours, noise)
    let lo = 255,
      hi = 0;
    for (const v of d.train.images.subarray(0, 3072 * 10)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(hi - lo).toBeGreaterThan(150);
  });

  it('nearest-centroid on raw pixels is above chance but far from perfect', () => {
    // a rough learnability/hardness check (a CNN does much better; see the training tests)
    const d = makeSyntheticDataset({ seed: 9, trainPerClass: 80, testPerClass: 20 });
    const P = 3072;
    const cent = Array.from({ length: 10 }, () => new Float64Array(P));
    for (let i = 0; i < d.train.n; i++) {
      const c = cent[d.train.labels[i]];
      for (let k = 0; k < P; k++) c[k] += d.train.images[i * P + k] / 80;
    }
    let ok = 0;
    for (let i = 0; i < d.test.n; i++) {
      let best = -1,
        bd = Infinity;
      for (let c = 0; c < 10; c++) {
        let s = 0;
        for (let k = 0; k < P; k++) {
          const t = d.test.images[i * P + k] - cent[c][k];
          s += t * t;
        }
        if (s < bd) {
          bd = s;
          best = c;
        }
      }
      if (best === d.test.labels[i]) ok++;
    }
    const acc = ok / d.test.n;
    expect(acc).toBeLessThan(0.6);
  });
});
