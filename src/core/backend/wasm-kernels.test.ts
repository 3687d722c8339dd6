import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { createModel } from '../models';
import { Rng } from '../rng';
import { setFusedOps } from './fused';
import { filterGradCalls, setFilterGradImpl } from './wasm-kernels';
import { simdFilterGradCalls } from './filter-grad-simd';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

async function gradsOn(
  backend: string,
  xs: Float32Array,
  xShape: number[],
  ws: Float32Array,
  wShape: number[],
  stride: number,
  pad: Pad,
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, xShape as never),
      w = tf.tensor4d(ws, wShape as never);
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as never);
      // non-uniform upstream gradient
      return tf.sum(tf.mul(y, tf.sin(tf.range(0, y.size).reshape(y.shape))));
    };
    const [gx, gw] = tf.grads(f)([x, w]);
    return {
      gx: gx.dataSync() as Float32Array,
      gw: gw.dataSync() as Float32Array,
      gxShape: gx.shape,
      gwShape: gw.shape,
    };
  });
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('wasm conv gradient kernels vs cpu', () => {
  const P1: Pad = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ];
  const cases: { name: string; x: number[]; k: number[]; stride: number; pad: Pad }[] = [
    { name: '3x3 s1 same', x: [3, 8, 8, 5], k: [3, 3, 5, 7], stride: 1, pad: 'same' },
    { name: '3x3 s2 pad1 (ResNet)', x: [2, 8, 8, 4], k: [3, 3, 4, 6], stride: 2, pad: P1 },
    { name: '3x3 s2 same (asymmetric)', x: [2, 8, 8, 4], k: [3, 3, 4, 6], stride: 2, pad: 'same' },
    { name: '3x3 s2 pad1 odd size', x: [2, 7, 9, 3], k: [3, 3, 3, 4], stride: 2, pad: P1 },
    { name: '1x1 s2 valid (shortcut)', x: [2, 8, 8, 4], k: [1, 1, 4, 8], stride: 2, pad: 'valid' },
    { name: '1x1 s2 valid odd', x: [2, 7, 7, 4], k: [1, 1, 4, 8], stride: 2, pad: 'valid' },
    { name: '5x5 s1 valid', x: [2, 9, 9, 3], k: [5, 5, 3, 2], stride: 1, pad: 'valid' },
    { name: '3x3 s1 first layer 32x32', x: [4, 32, 32, 3], k: [3, 3, 3, 16], stride: 1, pad: 'same' },
    { name: '3x3 s1 same non-square 3ch', x: [3, 11, 6, 3], k: [3, 3, 3, 5], stride: 1, pad: 'same' },
    { name: '3x3 s1 valid non-square', x: [2, 9, 12, 6], k: [3, 3, 6, 4], stride: 1, pad: 'valid' },
    { name: '3x3 s2 valid non-square 3ch', x: [3, 10, 7, 3], k: [3, 3, 3, 4], stride: 2, pad: 'valid' },
    { name: '3x3 s2 same non-square', x: [2, 9, 14, 5], k: [3, 3, 5, 3], stride: 2, pad: 'same' },
    { name: '2x4 s1 same (even, non-square kernel)', x: [2, 7, 8, 4], k: [2, 4, 4, 3], stride: 1, pad: 'same' },
    { name: '1x1 s1 same', x: [2, 5, 6, 7], k: [1, 1, 7, 3], stride: 1, pad: 'same' },
    // the SIMD kernel's 5 × 8 tiles over tap groups: partial output panels (37 = 4·8 + 5, 20 = 2·8 + 4), all taps in
    // one group with partial patch panels (27 = 5·5 + 2, 63 = 12·5 + 3 rows), 2-tap groups of 256 rows (Ci 128)
    { name: '3x3 s1 same 3ch wide (8·4+5 out)', x: [2, 9, 7, 3], k: [3, 3, 3, 37], stride: 1, pad: 'same' },
    { name: '3x3 s2 same 7ch (63 rows) 20 out', x: [2, 10, 11, 7], k: [3, 3, 7, 20], stride: 2, pad: 'same' },
    { name: '3x3 s1 valid 128→32 (ConvNet-3 inner)', x: [2, 6, 5, 128], k: [3, 3, 128, 32], stride: 1, pad: 'valid' },
  ];
  // random shapes (seeded): stride 1–2, same or valid padding, non-square inputs and kernels
  const rs = new Rng('dw-random-shapes');
  for (let i = 0; i < 6; i++) {
    const kh = 1 + rs.int(3),
      kw = 1 + rs.int(3);
    const h = kh + 1 + rs.int(9),
      w = kw + 1 + rs.int(9);
    const ci = 1 + rs.int(9),
      co = 1 + rs.int(40);
    const stride = 1 + rs.int(2);
    const pad: Pad = rs.int(2) ? 'same' : 'valid';
    cases.push({
      name: `random ${i}: ${kh}x${kw} s${stride} ${pad} ${h}x${w}x${ci}→${co}`,
      x: [1 + rs.int(3), h, w, ci],
      k: [kh, kw, ci, co],
      stride,
      pad,
    });
  }
  type Impl = 'simd' | 'gemm' | 'gemm-chunked' | 'gemm-whole' | 'im2col' | 'im2col-chunked' | 'conv';
  const setImpl = (impl: Impl) => {
    if (impl === 'simd') setFilterGradImpl('simd');
    else if (impl.startsWith('gemm')) {
      // chunked: one image per matmul; whole: the batch in one matmul (whole-im2col rule on, as an option allows);
      // plain: the defaults
      setFilterGradImpl('gemm', {
        gemmCols: impl === 'gemm-chunked' ? 1 : impl === 'gemm-whole' ? 1 << 30 : 2048,
        gemmWholeFloats: impl === 'gemm-whole' ? 4 * 1024 * 1024 : 0,
      });
    } else {
      setFilterGradImpl(impl === 'conv' ? 'conv' : 'im2col', {
        im2colFloats: impl === 'im2col-chunked' ? 200 : 16 * 1024 * 1024,
      });
    }
  };
  const IMPLS: Impl[] = ['simd', 'gemm', 'gemm-chunked', 'gemm-whole', 'im2col', 'im2col-chunked', 'conv'];
  for (const c of cases)
    for (const impl of IMPLS) {
      it(`${c.name} [${impl}]`, async () => {
        setImpl(impl);
        const rng = new Rng(c.name);
        const xs = rng.uniformArray(
          c.x.reduce((a, b) => a * b),
          -1,
          1,
        );
        const ws = rng.uniformArray(
          c.k.reduce((a, b) => a * b),
          -1,
          1,
        );
        const ref = await gradsOn('cpu', xs, c.x, ws, c.k, c.stride, c.pad);
        await tf.setBackend('wasm');
        const ids0 = tf.engine().backend.numDataIds();
        const calls0 = filterGradCalls();
        const simd0 = simdFilterGradCalls();
        const got = await gradsOn('wasm', xs, c.x, ws, c.k, c.stride, c.pad);
        const calls1 = filterGradCalls();
        expect(tf.engine().backend.numDataIds()).toBe(ids0); // every intermediate buffer freed
        // the call counters prove which Conv2DBackpropFilter formulation computed the gradient checked below
        const ran =
          impl === 'simd' ? 'simd' : impl.startsWith('gemm') ? 'gemm' : impl.startsWith('im2col') ? 'im2col' : 'conv';
        for (const k of ['simd', 'gemm', 'im2col', 'conv'] as const)
          expect(calls1[k] - calls0[k]).toBe(k === ran ? 1 : 0);
        if (impl === 'simd') expect(simdFilterGradCalls() - simd0).toBe(1); // the kernel itself ran, once
        expect(got.gxShape).toEqual(ref.gxShape);
        expect(got.gwShape).toEqual(ref.gwShape);
        expect(relErr(got.gx, ref.gx)).toBeLessThan(1e-5);
        expect(relErr(got.gw, ref.gw)).toBeLessThan(1e-5);
        setFilterGradImpl('simd', { gemmCols: 2048, im2colFloats: 16 * 1024 * 1024, gemmWholeFloats: 0 });
      });
    }

  for (const arch of ['convnet3', 'resnet18'] as const) {
    it(`whole-model gradients: ${arch}`, async () => {
      const cfg = { arch, width: arch === 'convnet3' ? 8 : 4, numClasses: 10 };
      const side = 32;
      const nb = arch === 'convnet3' ? 4 : 2;
      const xs = new Rng('x').uniformArray(nb * side * side * 3, -2, 2);
      const labels = [1, 3, 5, 7].slice(0, nb);
      const out: Record<string, { loss: number; g: Float32Array[] }> = {};
      for (const b of ['cpu', 'wasm']) {
        await tf.setBackend(b);
        setFusedOps(b === 'wasm'); // reference: plain tfjs ops on cpu
        const m = createModel(cfg, new Rng('m'));
        const before = tf.memory().numTensors;
        const calls0 = filterGradCalls().simd;
        const r = tf.tidy(() => {
          const x = tf.tensor4d(xs, [nb, side, side, 3]);
          const y = tf.oneHot(labels, 10);
          const { value, grads } = tf.variableGrads(
            () => tf.losses.softmaxCrossEntropy(y, m.apply(x)) as tf.Scalar,
            m.params.map((p) => p.variable),
          );
          return {
            loss: value.dataSync()[0],
            g: m.params.map((p) => grads[p.variable.name].dataSync() as Float32Array),
          };
        });
        expect(tf.memory().numTensors).toBe(before);
        // the default filter gradient on wasm is the SIMD kernel (at least one call per conv layer)
        if (b === 'wasm') expect(filterGradCalls().simd - calls0).toBeGreaterThanOrEqual(3);
        out[b] = r;
        m.dispose();
      }
      setFusedOps(true);
      expect(Math.abs(out.wasm.loss - out.cpu.loss)).toBeLessThan(1e-4);
      out.cpu.g.forEach((g, i) => {
        // conv biases right before instance norm have a mathematically zero gradient: compare absolutely
        let maxAbs = 0;
        for (let j = 0; j < g.length; j++) maxAbs = Math.max(maxAbs, Math.abs(out.wasm.g[i][j] - g[j]));
        expect(relErr(out.wasm.g[i], g) < 1e-4 || maxAbs < 1e-6).toBe(true);
      });
    });
  }
});
