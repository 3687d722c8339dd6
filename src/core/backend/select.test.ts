import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, selfCheck } from './select';

const require = createRequire(import.meta.url);
const wasmPaths = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')), '/');

describe('selectBackend', () => {
  it('auto in Node: skips WebGPU/WebGL with reasons, picks wasm after a passing self-check', async () => {
    const r = await selectBackend('auto', { wasmPaths, timeoutMs: 20_000 });
    expect(r.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.reasons.some((s) => s.startsWith('WebGPU'))).toBe(true);
    expect(r.reasons.some((s) => /webgl/i.test(s))).toBe(true);
    expect(r.selfCheck.ok).toBe(true);
    expect(r.selfCheck.lossDiff).toBeLessThan(1e-4);
    expect(r.selfCheck.gradRelErr).toBeLessThan(1e-4);
  });

  it('a backend with a broken kernel fails the self-check and the chain falls back to cpu', async () => {
    await selectBackend('wasm', { wasmPaths });
    const relu = tf.getKernel('Relu', 'wasm')!;
    tf.unregisterKernel('Relu', 'wasm');
    // a "silently dropped work" backend: Relu returns zeros (as WebGPU did with an invalid shader)
    tf.registerKernel({
      kernelName: 'Relu', backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const x = inputs.x as tf.TensorInfo;
        const b = backend as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo };
        return b.makeOutput(x.shape, 'float32'); // wasm heap memory, zero-initialised
      },
    });
    try {
      const sc = await selfCheck('wasm');
      expect(sc.ok).toBe(false);
      const r = await selectBackend('wasm', { wasmPaths });
      expect(r.backend).toBe('cpu');
      expect(r.reasons.join(' ')).toMatch(/wasm: self-check failed/);
    } finally {
      tf.unregisterKernel('Relu', 'wasm');
      tf.registerKernel(relu);
      await tf.setBackend('wasm');
    }
    expect((await selfCheck('wasm')).ok).toBe(true);
  });
});
