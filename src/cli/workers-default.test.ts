import { describe, expect, it } from 'vitest';
import { defaultNodeWorkers } from './experiment';
import { createNodeParallel, nodeWorkerCount } from './parallel-node';

describe('CLI data-parallel worker count', () => {
  it('defaults to every core on WASM / CPU and to one thread on WebGPU (the shard workers run WASM)', () => {
    expect(nodeWorkerCount()).toBeGreaterThanOrEqual(1);
    expect(defaultNodeWorkers('wasm')).toBe(nodeWorkerCount());
    expect(defaultNodeWorkers('cpu')).toBe(nodeWorkerCount());
    expect(defaultNodeWorkers('webgpu')).toBe(1);
  });

  it('one worker means no pool; a bad count is refused', () => {
    expect(createNodeParallel(1)).toBeNull();
    expect(() => createNodeParallel(0)).toThrow(/--workers/);
    expect(() => createNodeParallel(1.5)).toThrow(/--workers/);
  });
});
