import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select';
import { selfCheck } from './self-check';

const require = createRequire(import.meta.url);
const wasmPaths = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')), '/');

describe('selectBackend', () => {
  it('auto in Node: skips WebGPU/WebGL with reasons, picks wasm after a passing self-check', async () => {
    const r = await selectBackend('auto', { wasmPaths, timeoutMs: 20_000, check: selfCheck });
    expect(r.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.reasons.some((s) => s.startsWith('WebGPU'))).toBe(true);
    expect(r.reasons.some((s) => /webgl/i.test(s))).toBe(true);
    expect(r.selfCheck.ok).toBe(true);
    expect(r.selfCheck.lossDiff).toBeLessThan(1e-4);
    expect(r.selfCheck.gradRelErr).toBeLessThan(1e-4);
  });

  it('a backend with a broken kernel fails the self-check and the chain falls back to cpu', async () => {
    await selectBackend('wasm', { wasmPaths, check: selfCheck });
    const mm = tf.getKernel('BatchMatMul', 'wasm')!;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    // a "silently dropped work" backend: the matmul returns zeros (as WebGPU did with an invalid shader)
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const a = inputs.a as tf.TensorInfo,
          b = inputs.b as tf.TensorInfo;
        const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
        const shape = [a.shape[0], transposeA ? a.shape[2] : a.shape[1], transposeB ? b.shape[1] : b.shape[2]];
        const bk = backend as unknown as {
          makeOutput(s: number[], d: string): tf.TensorInfo;
          typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
        };
        const out = bk.makeOutput(shape, 'float32');
        bk.typedArrayFromHeap(out).fill(0);
        return out;
      },
    });
    try {
      const sc = await selfCheck('wasm');
      expect(sc.ok).toBe(false);
      const r = await selectBackend('wasm', { wasmPaths, check: selfCheck });
      expect(r.backend).toBe('cpu');
      expect(r.reasons.join(' ')).toMatch(/wasm: self-check failed/);
    } finally {
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(mm);
      await tf.setBackend('wasm');
    }
    expect((await selfCheck('wasm')).ok).toBe(true);
  });
});
