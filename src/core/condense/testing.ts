/**
 * Test helpers for the condensation module (not exported from the barrel): a tiny instance-norm ConvNet that
 * implements the `Model` contract, so unit tests run fast on the tfjs 'cpu' backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, Param } from '../types';
import type { Rng } from '../rng';

/** ConvNet-3 shape (conv3×3 → instance norm → ReLU → avgpool2, three times) at a small width. */
const mkVar = (init: () => tf.Tensor): tf.Variable => tf.tidy(() => tf.variable(init(), true));

export function tinyConvNet(rng: Rng, width = 4, numClasses = 10): Model {
  const params: Param[] = [];
  let cin = 3;
  for (let d = 0; d < 3; d++) {
    const b = 1 / Math.sqrt(cin * 9);
    params.push({
      name: `conv${d}/w`,
      kind: 'conv',
      variable: mkVar(() => tf.tensor4d(rng.uniformArray(9 * cin * width, -b, b), [3, 3, cin, width])),
    });
    params.push({
      name: `conv${d}/b`,
      kind: 'convBias',
      variable: mkVar(() => tf.tensor1d(rng.uniformArray(width, -b, b))),
    });
    params.push({ name: `norm${d}/g`, kind: 'normScale', variable: mkVar(() => tf.ones([width])) });
    params.push({ name: `norm${d}/b`, kind: 'normShift', variable: mkVar(() => tf.zeros([width])) });
    cin = width;
  }
  const feat = width * 16;
  const bd = 1 / Math.sqrt(feat);
  params.push({
    name: 'fc/w',
    kind: 'dense',
    variable: mkVar(() => tf.tensor2d(rng.uniformArray(feat * numClasses, -bd, bd), [feat, numClasses])),
  });
  params.push({
    name: 'fc/b',
    kind: 'denseBias',
    variable: mkVar(() => tf.tensor1d(rng.uniformArray(numClasses, -bd, bd))),
  });
  const v = (i: number) => params[i].variable;
  const embed = (x: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (let d = 0; d < 3; d++) {
        h = tf.add(tf.conv2d(h, v(4 * d) as tf.Tensor4D, 1, 'same'), v(4 * d + 1));
        const { mean, variance } = tf.moments(h, [1, 2], true);
        h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), v(4 * d + 2)), v(4 * d + 3));
        h = tf.avgPool(tf.relu(h), 2, 2, 'valid');
      }
      return h.reshape([h.shape[0], -1]) as tf.Tensor2D;
    });
  const model: Model = {
    config: { arch: 'convnet3', width, numClasses },
    params,
    embed,
    apply: (x) => tf.tidy(() => tf.add(tf.matMul(embed(x), v(12) as tf.Tensor2D), v(13)) as tf.Tensor2D),
    clone: () => {
      const m = tinyConvNet(rng, width, numClasses);
      m.copyFrom(model);
      return m;
    },
    copyFrom: (o) => {
      o.params.forEach((p, i) => params[i].variable.assign(p.variable));
    },
    getWeights: async () => Promise.all(params.map(async (p) => (await p.variable.data()) as Float32Array)),
    setWeights: (ws) => {
      ws.forEach((w, i) => tf.tidy(() => params[i].variable.assign(tf.tensor(w, params[i].variable.shape))));
    },
    dispose: () => {
      for (const p of params) p.variable.dispose();
    },
  };
  return model;
}
