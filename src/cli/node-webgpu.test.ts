import { describe, it, expect } from 'vitest';
import { initNodeBackend, parseBackendFlag } from './node-backend';
import { findNodeGpuAdapter, vulkanLoaderProblem } from './node-webgpu';
import { softwareAdapterReason, describeAdapter } from '../core';

describe('software adapters are refused by adapter info', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['llvmpipe (Mesa)', { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, true],
    ['lavapipe', { vendor: 'mesa', architecture: 'lavapipe', description: '' }, true],
    ['SwiftShader', { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device' }, true],
    ['fallback flag only', { vendor: 'x', architecture: 'y', isFallbackAdapter: true }, true],
    ['NVIDIA', { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }, false],
    ['AMD', { vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX' }, false],
  ];
  for (const [name, info, sw] of cases) {
    it(name, () => {
      const r = softwareAdapterReason({ info });
      if (sw) expect(r).toMatch(/software/);
      else expect(r).toBeNull();
      expect(describeAdapter({ info }).length).toBeGreaterThan(0);
    });
  }
});

describe('--backend', () => {
  it('accepts wasm, cpu, webgpu and names the flag otherwise', () => {
    expect(parseBackendFlag(undefined)).toBe('wasm');
    expect(parseBackendFlag('webgpu')).toBe('webgpu');
    expect(() => parseBackendFlag('cuda')).toThrow(/--backend: expected one of wasm, cpu, webgpu, got "cuda"/);
  });
});

describe('WebGPU in Node (Dawn)', () => {
  it('one clear "no GPU adapter" line where there is none (this CPU machine), or a real GPU', async () => {
    const vk = vulkanLoaderProblem();
    let err: Error | null = null;
    let name = '';
    try {
      name = (await findNodeGpuAdapter(false)).name;
    } catch (e) {
      err = e as Error;
    }
    if (vk) {
      // no Vulkan loader: certainly no adapter, and the message says why
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(/no GPU adapter: the host's Vulkan loader libvulkan\.so\.1 is missing/);
    }
    if (err) {
      expect(err.message).toMatch(/^webgpu \(node\): no GPU adapter/);
      expect(err.message).not.toContain('\n');
      // the CLI path fails the same way, and a later wasm init still works
      await expect(initNodeBackend('webgpu')).rejects.toThrow(/no GPU adapter/);
      expect((await initNodeBackend('wasm')).backend).toBe('wasm');
    } else {
      expect(name).not.toMatch(/swiftshader|llvmpipe|lavapipe/i);
    }
  });
});

describe('the WebGPU overrides load in Node (same tfjs instance as the core)', () => {
  it('setupWebGPU registers the factory and the AddN / Conv2DBackpropFilter overrides', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { setupWebGPU } = await import('../core');
    await setupWebGPU();
    expect(tf.findBackendFactory('webgpu')).toBeTruthy();
    const mod = await import('@tensorflow/tfjs-backend-webgpu');
    expect(typeof mod.WebGPUBackend).toBe('function');
    // the stock kernels are replaced by the lab's (their source mentions the chunking / the forward conv)
    expect(String(tf.getKernel('AddN', 'webgpu')!.kernelFunc)).toMatch(/addNChunking/);
    expect(String(tf.getKernel('Conv2DBackpropFilter', 'webgpu')!.kernelFunc)).toMatch(/conv2dBackpropFilterViaConv/);
    // no adapter here: selecting webgpu fails cleanly and leaves the current backend alone
    const before = tf.getBackend();
    expect(await tf.setBackend('webgpu').catch(() => false)).toBe(false);
    if (before) await tf.setBackend(before);
  });
});
