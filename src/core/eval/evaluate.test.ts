import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { CancelledError, type Model, type SampleSource } from '../types';
import { evaluateModel } from './evaluate';
import { perExampleLoss, stablePhi } from './phi';

const C = 4;
const PIX = 32 * 32 * 3;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A source whose image i carries logits[i] in its first C pixels. */
function logitSource(logits: number[][], labels: number[]): SampleSource {
  return {
    size: labels.length,
    labels: Int32Array.from(labels),
    gather(pos) {
      const out = new Float32Array(pos.length * PIX);
      for (let i = 0; i < pos.length; i++) out.set(logits[pos[i]], i * PIX);
      return tf.tensor4d(out, [pos.length, 32, 32, 3]);
    },
  };
}

/** "Model" whose logits are the first C pixels. */
const model = {
  config: { arch: 'convnet3', width: 1, numClasses: C },
  params: [],
  apply: (x: tf.Tensor4D) => tf.slice(tf.reshape(x, [x.shape[0], PIX]), [0, 0], [x.shape[0], C]) as tf.Tensor2D,
} as unknown as Model;

function makeSet(
  rng: Rng,
  n: number,
  conf: number,
  accuracy: number,
  classes: number[],
): { logits: number[][]; labels: number[] } {
  const logits: number[][] = [],
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = classes[i % classes.length];
    const pred = i < Math.round(accuracy * n) ? y : (y + 1) % C;
    const z = Array.from({ length: C }, () => rng.normal() * 0.3);
    z[pred] += conf * (0.5 + rng.next());
    logits.push(z);
    labels.push(y);
  }
  return { logits, labels };
}

describe('evaluateModel', () => {
  const rng = new Rng(1);
  const retain = makeSet(rng, 120, 5, 0.9, [1, 2, 3]);
  const forget = makeSet(rng, 60, 8, 1.0, [0]); // memorised: very confident, all right
  const test = makeSet(rng, 80, 1, 0.5, [0, 1, 2, 3]); // unseen: less confident
  const sources = {
    retain: logitSource(retain.logits, retain.labels),
    forget: logitSource(forget.logits, forget.labels),
    testEval: logitSource(test.logits, test.labels),
  };
  const split = { mode: 'class' as const, forgetClass: 0 };

  it('accuracies, retained-class test accuracy, MIA scores, losses; no tensor leaks; batch-size invariant', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateModel(model, sources, split, new Rng(3), { batchSize: 7 });
    expect(tf.memory().numTensors).toBe(before);
    const right = (set: { logits: number[][]; labels: number[] }) =>
      set.labels.map((y, i) => ({ y, ok: set.logits[i].indexOf(Math.max(...set.logits[i])) === y }));
    const pct = (a: { ok: boolean }[]) => (100 * a.filter((t) => t.ok).length) / a.length;
    expect(r.retainAcc).toBeCloseTo(pct(right(retain)), 10);
    expect(r.forgetAcc).toBe(100);
    expect(r.testAcc).toBeCloseTo(pct(right(test)), 10);
    expect(r.testAcc).toBeGreaterThan(40);
    expect(r.testAcc).toBeLessThan(60);
    expect(r.testAccRetained).toBeCloseTo(pct(right(test).filter((t) => t.y !== 0)), 10);
    expect(r.mia).toBeGreaterThan(90); // forget φ ≫ class-0 test φ
    expect(r.miaDetail!.swapped).toBeNull();
    expect(r.lossMia).toBeGreaterThan(80);
    expect(r.losses.forget.length).toBe(60);
    const lf = perExampleLoss(Float32Array.from(forget.logits.flat()), forget.labels);
    for (let i = 0; i < 60; i++) expect(r.losses.forget[i]).toBeCloseTo(lf[i], 5);
    const pf = stablePhi(Float32Array.from(forget.logits.flat()), forget.labels);
    expect(r.phi.forget[5]).toBeCloseTo(pf[5], 4);

    const r2 = await evaluateModel(model, sources, split, new Rng(3), { batchSize: 256 });
    expect(r2.mia).toBe(r.mia);
    expect(r2.lossMia).toBe(r.lossMia);
    expect(r2.testAcc).toBe(r.testAcc);
  });

  it('views: confusion rows = class counts, per-class agrees with overall, attack AUC = mia; no leaks', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateModel(model, sources, split, new Rng(3), { batchSize: 7, views: true });
    expect(tf.memory().numTensors).toBe(before);
    const v = r.views!;
    const counts = new Array(C).fill(0);
    for (const y of test.labels) counts[y]++;
    expect(v.confusion!.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(counts);
    const weighted = v.perClass!.testAcc.reduce<number>((s, a, c) => s + (a ?? 0) * counts[c], 0) / test.labels.length;
    expect(weighted).toBeCloseTo(r.testAcc, 10);
    // class forgetting of class 0: forget accuracy only for class 0, and it is the overall forget accuracy
    expect(v.perClass!.forgetAcc).toEqual([r.forgetAcc, null, null, null]);
    expect(v.attack!.auc).toBe(r.mia);
    expect(v.attack!.branch).toBe('direct');
    expect(v.attack!.forgetScores.length).toBe(r.miaPerSide);
    expect(v.attack!.roc[0]).toEqual([0, 0]);
    expect(v.attack!.roc[v.attack!.roc.length - 1]).toEqual([1, 1]);
    // the views change no metric and are deterministic
    const plain = await evaluateModel(model, sources, split, new Rng(3), { batchSize: 7 });
    expect(plain.views).toBeUndefined();
    expect(plain.mia).toBe(r.mia);
    const again = await evaluateModel(model, sources, split, new Rng(3), { views: true });
    expect(again.views).toEqual(r.views);
  });

  it('uniform mode has no testAccRetained; maxRetainEval subsamples; cancellation throws', async () => {
    const r = await evaluateModel(model, sources, { mode: 'uniform', forgetClass: null }, new Rng(3), {
      maxRetainEval: 50,
      skipMia: true,
    });
    expect(r.testAccRetained).toBeUndefined();
    expect(r.retainEvaluated).toBe(50);
    expect(r.losses.retain.length).toBe(50);
    expect(Number.isNaN(r.mia)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    const before = tf.memory().numTensors;
    await expect(evaluateModel(model, sources, split, new Rng(3), { signal: ac.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
