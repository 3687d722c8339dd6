/**
 * Networks of docs/paper-notes.md §2 as plain tfjs variables plus pure functions: ConvNet-3 and ResNet-18, both with
 * instance normalisation, PyTorch-default initialisation (§2.4) drawn from the experiment's `Rng`.
 *
 * Layout is NHWC; conv filters are [kh, kw, in, out]; dense weights [in, out].
 * `Param.name` is stable and unique within a model (e.g. `conv1.w`, `layer2.0.in1.gamma`); the underlying
 * `tf.Variable` names are `<uid>/<param name>` so clones never clash in the tfjs variable registry.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, ModelConfig, Param, ParamKind } from '../types';
import { LabError } from '../types';
import type { Rng } from '../rng';
import { instanceNormAct, IN_EPS } from '../backend/fused';

export { IN_EPS };

let modelCounter = 0;

interface ParamSpec {
  name: string;
  kind: ParamKind;
  shape: number[];
  /** U(−bound, bound); 'one' / 'zero' for norm affine parameters */
  init: { bound: number } | 'one' | 'zero';
}

/** Parameter specs of a config, in a fixed order (the order of `Model.params`). */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  validateConfig(config);
  const specs: ParamSpec[] = [];
  const conv = (name: string, k: number, cin: number, cout: number, bias: boolean) => {
    const fanIn = cin * k * k;
    const bound = 1 / Math.sqrt(fanIn);
    specs.push({ name: `${name}.w`, kind: 'conv', shape: [k, k, cin, cout], init: { bound } });
    if (bias) specs.push({ name: `${name}.b`, kind: 'convBias', shape: [cout], init: { bound } });
  };
  const norm = (name: string, c: number) => {
    specs.push({ name: `${name}.gamma`, kind: 'normScale', shape: [c], init: 'one' });
    specs.push({ name: `${name}.beta`, kind: 'normShift', shape: [c], init: 'zero' });
  };
  const dense = (name: string, fin: number, fout: number) => {
    const bound = 1 / Math.sqrt(fin);
    specs.push({ name: `${name}.w`, kind: 'dense', shape: [fin, fout], init: { bound } });
    specs.push({ name: `${name}.b`, kind: 'denseBias', shape: [fout], init: { bound } });
  };
  const w = config.width;
  if (config.arch === 'convnet3') {
    for (let d = 1; d <= 3; d++) {
      conv(`conv${d}`, 3, d === 1 ? 3 : w, w, true);
      norm(`norm${d}`, w);
    }
    dense('fc', 4 * 4 * w, config.numClasses);
  } else {
    conv('stem.conv', 3, 3, w, false);
    norm('stem.in', w);
    let cin = w;
    for (let s = 0; s < 4; s++) {
      const cout = w << s;
      for (let b = 0; b < 2; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        const p = `layer${s + 1}.${b}`;
        conv(`${p}.conv1`, 3, cin, cout, false);
        norm(`${p}.in1`, cout);
        conv(`${p}.conv2`, 3, cout, cout, false);
        norm(`${p}.in2`, cout);
        if (stride !== 1 || cin !== cout) {
          conv(`${p}.short.conv`, 1, cin, cout, false);
          norm(`${p}.short.in`, cout);
        }
        cin = cout;
      }
    }
    dense('fc', 8 * w, config.numClasses);
  }
  return specs;
}

function validateConfig(config: ModelConfig): void {
  if (config.arch !== 'convnet3' && config.arch !== 'resnet18') {
    throw new LabError(`unknown architecture '${String(config.arch)}'`, 'createModel');
  }
  if (!Number.isInteger(config.width) || config.width < 1) {
    throw new LabError(`width must be a positive integer, got ${config.width}`, 'createModel');
  }
  if (!Number.isInteger(config.numClasses) || config.numClasses < 2) {
    throw new LabError(`numClasses must be an integer ≥ 2, got ${config.numClasses}`, 'createModel');
  }
}

/** Default width of an architecture (ConvNet-3: 128, ResNet-18: 64). */
export function defaultWidth(arch: ModelConfig['arch']): number {
  return arch === 'convnet3' ? 128 : 64;
}

/** Initial values of the spec's parameters; each parameter draws from its own fork of `rng` (order-independent). */
function initialValues(specs: ParamSpec[], rng: Rng): Float32Array[] {
  return specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.init === 'one') return new Float32Array(n).fill(1);
    if (s.init === 'zero') return new Float32Array(n);
    return rng.fork(`init/${s.name}`).uniformArray(n, -s.init.bound, s.init.bound);
  });
}

/** Build a model of `config` with PyTorch-default initialisation drawn from `rng` (deterministic). */
export function createModel(config: ModelConfig, rng: Rng): Model {
  const specs = paramSpecs(config);
  return buildModel({ ...config }, specs, initialValues(specs, rng));
}

function buildModel(config: ModelConfig, specs: ParamSpec[], values: Float32Array[]): Model {
  const uid = `m${++modelCounter}`;
  const params: Param[] = specs.map((s, i) => {
    const init = tf.tensor(values[i], s.shape, 'float32');
    const variable = tf.variable(init, true, `${uid}/${s.name}`);
    init.dispose();
    return { name: s.name, kind: s.kind, variable };
  });
  const byName = new Map(params.map((p) => [p.name, p.variable]));
  const v = (name: string): tf.Variable => {
    const t = byName.get(name);
    if (!t) throw new LabError(`missing parameter ${name}`, 'model');
    return t;
  };
  const embedRaw =
    config.arch === 'convnet3'
      ? (x: tf.Tensor4D) => convnetEmbed(x, v)
      : (x: tf.Tensor4D) => resnetEmbed(x, v, config.width);
  let disposed = false;
  const check = () => {
    if (disposed) throw new LabError('model used after dispose()', 'model');
  };
  const model: Model = {
    config,
    params,
    embed(x) {
      check();
      return tf.tidy(() => embedRaw(x));
    },
    apply(x) {
      check();
      return tf.tidy(() => tf.add(tf.matMul(embedRaw(x), v('fc.w')), v('fc.b')) as tf.Tensor2D);
    },
    clone() {
      check();
      const copy = buildModel(
        { ...config },
        specs,
        specs.map((s) => new Float32Array(s.shape.reduce((a, b) => a * b, 1))),
      );
      copy.copyFrom(model);
      return copy;
    },
    copyFrom(other) {
      check();
      if (other.params.length !== params.length) throw new LabError('copyFrom: different architectures', 'model');
      params.forEach((p, i) => {
        const o = other.params[i];
        if (o.name !== p.name || !sameShape(o.variable.shape, p.variable.shape)) {
          throw new LabError(
            `copyFrom: parameter ${i} is ${o.name} ${o.variable.shape}, expected ${p.name} ${p.variable.shape}`,
            'model',
          );
        }
        p.variable.assign(o.variable);
      });
    },
    async getWeights() {
      check();
      const out: Float32Array[] = [];
      for (const p of params) out.push((await p.variable.data()) as Float32Array);
      return out;
    },
    setWeights(w) {
      check();
      if (w.length !== params.length)
        throw new LabError(`setWeights: expected ${params.length} arrays, got ${w.length}`, 'model');
      params.forEach((p, i) => {
        if (w[i].length !== p.variable.size) {
          throw new LabError(`setWeights: ${p.name} needs ${p.variable.size} values, got ${w[i].length}`, 'model');
        }
        tf.tidy(() => p.variable.assign(tf.tensor(w[i], p.variable.shape, 'float32')));
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of params) p.variable.dispose();
    },
  };
  return model;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const PAD1: [[number, number], [number, number], [number, number], [number, number]] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

/** 3×3 conv with PyTorch padding 1 (explicit, symmetric: 'same' would pad asymmetrically at stride 2). */
function conv3(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.conv2d(x, w, stride, stride === 1 ? 'same' : PAD1);
}

/** Instance norm over H,W per sample and channel (biased variance, ε = 1e-5), affine; optional ReLU. */
export function instanceNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, relu = false): tf.Tensor4D {
  return instanceNormAct(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, { relu, pool: false });
}

function convnetEmbed(x: tf.Tensor4D, v: (n: string) => tf.Variable): tf.Tensor2D {
  let h = x;
  for (let d = 1; d <= 3; d++) {
    // conv (+bias) → IN → ReLU → AvgPool 2: one fused op after the conv (the bias cancels in the norm but
    // stays a connected parameter with its exact, zero gradient)
    const c = conv3(h, v(`conv${d}.w`) as tf.Tensor4D, 1);
    h = instanceNormAct(
      c,
      v(`norm${d}.gamma`) as tf.Tensor1D,
      v(`norm${d}.beta`) as tf.Tensor1D,
      { relu: true, pool: true },
      v(`conv${d}.b`) as tf.Tensor1D,
    );
  }
  return tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
}

function resnetEmbed(x: tf.Tensor4D, v: (n: string) => tf.Variable, w: number): tf.Tensor2D {
  let h = instanceNorm(conv3(x, v('stem.conv.w') as tf.Tensor4D, 1), v('stem.in.gamma'), v('stem.in.beta'), true);
  let c = w;
  for (let s = 0; s < 4; s++) {
    const cout = w << s;
    for (let b = 0; b < 2; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const p = `layer${s + 1}.${b}`;
      let o = instanceNorm(
        conv3(h, v(`${p}.conv1.w`) as tf.Tensor4D, stride),
        v(`${p}.in1.gamma`),
        v(`${p}.in1.beta`),
        true,
      );
      o = instanceNorm(conv3(o, v(`${p}.conv2.w`) as tf.Tensor4D, 1), v(`${p}.in2.gamma`), v(`${p}.in2.beta`));
      const short =
        stride !== 1 || c !== cout
          ? instanceNorm(
              tf.conv2d(h, v(`${p}.short.conv.w`) as tf.Tensor4D, stride, 'valid'),
              v(`${p}.short.in.gamma`),
              v(`${p}.short.in.beta`),
            )
          : h;
      h = tf.relu(tf.add(o, short)) as tf.Tensor4D;
      c = cout;
    }
  }
  // AvgPool 4×4 on the 4×4 map = mean over H, W
  return tf.mean(h, [1, 2]) as tf.Tensor2D;
}

/** Number of scalar parameters. */
export function paramCount(model: Model | ModelConfig): number {
  if ('params' in model) return model.params.reduce((a, p) => a + p.variable.size, 0);
  return paramSpecs(model).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}
