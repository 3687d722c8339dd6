import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { instanceNormAct, setFusedOps } from './fused';
import { Rng } from '../rng';

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});
afterAll(() => setFusedOps(true));

describe('fused instance norm (+ReLU)(+pool)', () => {
  for (const backend of ['wasm', 'cpu']) {
    for (const relu of [false, true]) {
      for (const pool of [false, true]) {
        for (const withBias of [false, true])
          for (const C of [5, 8]) {
            it(`${backend} relu=${relu} pool=${pool} bias=${withBias} C=${C}`, async () => {
              await tf.setBackend(backend);
              const rng = new Rng(`${relu}${pool}${withBias}`);
              const shape: [number, number, number, number] = [3, 6, 4, C];
              const xs = rng.uniformArray(3 * 6 * 4 * C, -1, 3);
              const gs = rng.uniformArray(C, 0.5, 1.5),
                bs = rng.uniformArray(C, -0.5, 0.5),
                cb = rng.uniformArray(C, -1, 1);
              const up = rng.uniformArray(3 * 6 * 4 * C, -1, 1);
              const res = (fused: boolean) => {
                setFusedOps(fused);
                return tf.tidy(() => {
                  const x = tf.tensor4d(xs, shape),
                    g = tf.tensor1d(gs),
                    b = tf.tensor1d(bs),
                    bias = tf.tensor1d(cb);
                  const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, bi: tf.Tensor) => {
                    const y = instanceNormAct(
                      xx as tf.Tensor4D,
                      gg as tf.Tensor1D,
                      bb as tf.Tensor1D,
                      { relu, pool },
                      withBias ? (bi as tf.Tensor1D) : undefined,
                    );
                    return tf.sum(tf.mul(y, tf.tensor(up.subarray(0, y.size), y.shape)));
                  };
                  const y = instanceNormAct(x, g, b, { relu, pool }, withBias ? bias : undefined);
                  const grads = withBias
                    ? tf.grads(f)([x, g, b, bias])
                    : tf.grads((a, c, d) => f(a, c, d, bias))([x, g, b]);
                  return {
                    y: y.dataSync() as Float32Array,
                    shape: y.shape,
                    g: grads.map((t) => t.dataSync() as Float32Array),
                  };
                });
              };
              const before = tf.memory().numTensors;
              const a = res(true),
                r = res(false);
              expect(tf.memory().numTensors).toBe(before);
              expect(a.shape).toEqual(r.shape);
              expect(relErr(a.y, r.y)).toBeLessThan(1e-5);
              a.g.forEach((g, i) => {
                if (i === 3) {
                  // conv bias: exact zero vs float noise
                  expect(Math.max(...Array.from(r.g[i], Math.abs))).toBeLessThan(1e-4);
                  expect(Array.from(g).every((v) => v === 0)).toBe(true);
                } else expect(relErr(g, r.g[i])).toBeLessThan(1e-4);
              });
            });
          }
      }
    }
  }
});
