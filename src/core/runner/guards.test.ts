/**
 * Numeric guards (issue 12 item 1): a diverging run stops fast with a clear error and caches nothing; cached NaN
 * weights are never reused; every tensor is freed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { makeSyntheticDataset } from '../data/synthetic';
import type { RunEvent, WeightsCache } from '../contracts';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from './session';
import { createModel } from '../models';
import { Rng } from '../rng';
import { serializeWeights } from '../train';
import { firstNonFiniteParam } from '../train/guards';
import { sealWeights } from '../train/weights-cache';

class MemoryCache implements WeightsCache {
  map = new Map<string, Uint8Array>();
  puts = 0;
  async get(k: string) {
    return this.map.get(k) ?? null;
  }
  async put(k: string, v: Uint8Array) {
    this.puts++;
    this.map.set(k, v);
  }
}

describe('numeric guards', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('the diverging spec (batch 1, lr 10, momentum 0.999, smoke) fails fast and caches nothing', async () => {
    const smoke = getPreset('smoke').spec;
    const spec = validateSpec(mergeSpec(smoke, { pretrain: { batchSize: 1, lr: 10, momentum: 0.999 } }));
    const { trainPerClass, testPerClass } = smoke;
    const dataset = makeSyntheticDataset({ seed: 0, trainPerClass, testPerClass });
    const cache = new MemoryCache();
    const baseline = tf.memory().numTensors;
    const events: RunEvent[] = [];
    const s = new LabSession({ dataset, sink: (e) => events.push(e), cache, backendName: tf.getBackend() }, spec);
    let steps = 0;
    try {
      const err = await s.runAll().then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(
        /^pretrain \(original model\): diverged at epoch 1, step \d+ \(loss (NaN|[+-]Infinity)\)/,
      );
      expect(err!.message).toContain('nothing was cached');
      steps = Number(/step (\d+)/.exec(err!.message)![1]);
    } finally {
      s.dispose();
    }
    // fast: stopped within the first epoch (400 steps of batch 1), long before the 2 × 400 steps would end
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(400);
    expect(cache.puts).toBe(0);
    expect(cache.map.size).toBe(0);
    expect(events.some((e) => e.kind === 'method-result')).toBe(false);
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120_000);

  it('cached weights holding NaN are reported and retrained, never reused', async () => {
    const spec = validateSpec(
      mergeSpec(getPreset('smoke').spec, {
        trainPerClass: 20,
        testPerClass: 40,
        pretrain: { epochs: 1 },
        unlearn: { methods: ['CF'], arms: 'without' },
        condense: { enabled: false },
        curves: false,
      }),
    );
    const dataset = makeSyntheticDataset({ seed: 0, trainPerClass: 20, testPerClass: 40 });
    const cache = new MemoryCache();
    const run = async (sink: (e: RunEvent) => void) => {
      const s = new LabSession({ dataset, sink, cache, backendName: tf.getBackend() }, spec);
      try {
        return await s.runAll();
      } finally {
        s.dispose();
      }
    };
    await run(() => {});
    expect(cache.map.size).toBe(1);
    // replace the cached payload with valid, correctly sealed weights of the same model that hold a NaN
    const [key] = [...cache.map.keys()];
    const m = createModel({ arch: 'convnet3', width: spec.model.width, numClasses: 10 }, new Rng(1));
    const w = await m.getWeights();
    w[0][3] = NaN;
    m.setWeights(w);
    expect(await firstNonFiniteParam(m)).toBe(m.params[0].name);
    const bytes = await serializeWeights(m);
    m.dispose();
    cache.map.set(key, sealWeights(key, bytes));
    const events: RunEvent[] = [];
    const r = await run((e) => events.push(e));
    expect(r.pretrain.reused).toBe(false);
    expect(events.some((e) => e.kind === 'log' && e.level === 'warn' && /NaN or Infinity/.test(e.message))).toBe(true);
  }, 120_000);

  it('with "all" images per class, an IPC above the smallest class is an explicit warning', async () => {
    const spec = validateSpec(
      mergeSpec(getPreset('smoke').spec, {
        trainPerClass: 0,
        testPerClass: 0,
        condense: { ipc: 8, iterations: 1 },
        pretrain: { epochs: 1 },
      }),
    );
    const dataset = makeSyntheticDataset({ seed: 0, trainPerClass: 6, testPerClass: 40 });
    const events: RunEvent[] = [];
    const baseline = tf.memory().numTensors;
    const s = new LabSession({ dataset, sink: (e) => events.push(e), backendName: tf.getBackend() }, spec);
    try {
      await s.condense();
    } finally {
      s.dispose();
    }
    const warns = events
      .filter((e) => e.kind === 'log' && e.level === 'warn')
      .map((e) => (e as { message: string }).message);
    expect(warns.join()).toMatch(/condense\.ipc 8 exceeds the 6 training images of the smallest class/);
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120_000);
});
