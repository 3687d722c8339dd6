/** Tiny fixtures for the unlearning tests: ConvNet-3 width 8, random 32×32 images, cpu backend. */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../models';
import { Rng } from '../rng';
import { floatSource } from '../data/source';
import type { Model, ModelConfig, SampleSource } from '../types';
import type { HParamValue } from '../contracts';
import type { UnlearnContext } from './common';

export const CFG: ModelConfig = { arch: 'convnet3', width: 8, numClasses: 4 };

export function randomSource(n: number, labels: number[], seed: string): SampleSource {
  const rng = new Rng(seed);
  return floatSource(rng.uniformArray(n * 32 * 32 * 3, -1.5, 1.5), Int32Array.from(labels));
}

export interface Fixture {
  original: Model;
  retain: SampleSource;
  forget: SampleSource;
  testUsed: SampleSource;
  ctx(hp: Record<string, HParamValue>, extra?: Partial<UnlearnContext>): UnlearnContext;
  fresh(): Model;
  dispose(): void;
}

export function makeFixture(sizes = { retain: 6, forget: 5, test: 8 }): Fixture {
  const original = createModel(CFG, new Rng('original'));
  const retain = randomSource(
    sizes.retain,
    Array.from({ length: sizes.retain }, (_, i) => i % 4),
    'retain',
  );
  const forget = randomSource(
    sizes.forget,
    Array.from({ length: sizes.forget }, (_, i) => (i % 2) + 1),
    'forget',
  );
  const testUsed = randomSource(
    sizes.test,
    Array.from({ length: sizes.test }, (_, i) => i % 4),
    'test',
  );
  const fresh = () => createModel(CFG, new Rng('fresh'));
  return {
    original,
    retain,
    forget,
    testUsed,
    fresh,
    ctx: (hp, extra = {}) => ({
      original,
      retain,
      forget,
      testUsed,
      hp,
      rng: new Rng('ctx'),
      withDC: false,
      createFresh: fresh,
      ...extra,
    }),
    dispose: () => original.dispose(),
  };
}

export async function weightsOf(m: Model): Promise<Float32Array[]> {
  return (await m.getWeights()).map((w) => Float32Array.from(w));
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

/** Gradients of `loss(model)` w.r.t. all params, as host arrays (missing = zeros). */
export function gradsOf(model: Model, loss: () => tf.Scalar): { value: number; grads: Float32Array[] } {
  const { value, grads } = tf.variableGrads(
    loss,
    model.params.map((p) => p.variable),
  );
  const out = model.params.map((p) => {
    const g = grads[p.variable.name];
    return g ? Float32Array.from(g.dataSync()) : new Float32Array(p.variable.size);
  });
  const v = value.dataSync()[0];
  value.dispose();
  tf.dispose(grads);
  return { value: v, grads: out };
}

/** One plain SGD step θ ← θ − lr·(∇loss + wd·θ) applied to `model` in place (momentum's first step = g). */
export function sgdStep(model: Model, loss: () => tf.Scalar, lr: number, wd = 0): void {
  const { grads } = gradsOf(model, loss);
  model.params.forEach((p, i) =>
    tf.tidy(() => {
      const g = tf.add(tf.tensor(grads[i], p.variable.shape), tf.mul(p.variable, wd));
      p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
    }),
  );
}

/** Independent reference formulas. */
export function ceRef(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => {
    const oh = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oh, tf.log(tf.softmax(logits))), 1))) as tf.Scalar;
  });
}

/** T²·(1/B)·Σ_b Σ_c q (log q − log softmax(s/T)) with q given as probabilities. */
export function klRef(q: tf.Tensor2D, student: tf.Tensor2D, T: number): tf.Scalar {
  return tf.tidy(() => {
    const ls = tf.log(tf.softmax(tf.div(student, T)));
    return tf.mul(tf.div(tf.sum(tf.mul(q, tf.sub(tf.log(q), ls))), student.shape[0]), T * T) as tf.Scalar;
  });
}

export function klTeacherRef(teacher: tf.Tensor2D, student: tf.Tensor2D, T: number): tf.Scalar {
  return tf.tidy(() => klRef(tf.softmax(tf.div(teacher, T)) as tf.Tensor2D, student, T));
}

export function all(src: SampleSource): Int32Array {
  return Int32Array.from({ length: src.size }, (_, i) => i);
}
