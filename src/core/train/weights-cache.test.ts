/** A cache you can trust (issue 12 item 5): checksum, key, format version, content fingerprint; warn + retrain. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { makeSyntheticDataset } from '../data/synthetic';
import type { ExperimentSpec, RunEvent, WeightsCache } from '../contracts';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from '../runner/session';
import type { ImageDataset } from '../types';
import { crc32, openWeights, sealWeights, trainingDataFingerprint } from './weights-cache';
import { MemoryWeightsCache } from './weights-cache';

describe('weights envelope', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips, and refuses another key, a flipped bit, truncation and the old format with a reason', () => {
    const payload = new Uint8Array(new Float32Array([1, 2, 3, -4.5]).buffer);
    const sealed = sealWeights('k1', payload);
    expect(Array.from(openWeights('k1', sealed))).toEqual(Array.from(payload));
    expect(() => openWeights('k2', sealed)).toThrow(/another configuration/);
    const flipped = sealed.slice();
    flipped[flipped.length - 1] ^= 0x40; // the exponent bit of the last float32
    expect(new Float32Array(flipped.slice(flipped.length - 16).buffer)[3]).not.toBe(-4.5);
    expect(() => openWeights('k1', flipped)).toThrow(/checksum mismatch/);
    expect(() => openWeights('k1', sealed.subarray(0, sealed.length - 4))).toThrow(/truncated/);
    expect(() => openWeights('k1', payload)).toThrow(/not a sealed cache entry/);
    const badHeader = sealed.slice();
    badHeader[9] ^= 0xff;
    expect(() => openWeights('k1', badHeader)).toThrow(/weights cache: /);
  });

  it('the data fingerprint follows content, not counts', () => {
    const a = makeSyntheticDataset({ seed: 1, trainPerClass: 10, testPerClass: 10 });
    const b = makeSyntheticDataset({ seed: 2, trainPerClass: 10, testPerClass: 10 });
    const idx = Int32Array.from({ length: a.train.n }, (_, i) => i);
    expect(trainingDataFingerprint(a, idx)).toBe(trainingDataFingerprint(a, idx));
    expect(trainingDataFingerprint(a, idx)).not.toBe(trainingDataFingerprint(b, idx));
    const c: ImageDataset = { ...a, train: { ...a.train, images: a.train.images.slice() } };
    c.train.images[5] ^= 1;
    expect(trainingDataFingerprint(c, idx)).not.toBe(trainingDataFingerprint(a, idx));
  });
});

describe('LabSession with a cache that cannot be trusted', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });
  const spec: ExperimentSpec = validateSpec(
    mergeSpec(getPreset('smoke').spec, {
      trainPerClass: 20,
      testPerClass: 40,
      pretrain: { epochs: 1 },
      unlearn: { methods: ['CF'], arms: 'without' },
      condense: { enabled: false },
      curves: false,
    }),
  );
  const run = async (ds: ImageDataset, cache: WeightsCache, s = spec) => {
    const events: RunEvent[] = [];
    const sink = (e: RunEvent) => events.push(e);
    const session = new LabSession({ dataset: ds, sink, cache, backendName: tf.getBackend() }, s);
    try {
      const r = await session.runAll();
      const warns = events
        .filter((e): e is Extract<RunEvent, { kind: 'log' }> => e.kind === 'log' && e.level === 'warn')
        .map((e) => e.message);
      return { r, warns };
    } finally {
      session.dispose();
    }
  };

  it('reuses only its own intact entry; corruption or another configuration → a warning and a retrain', async () => {
    const ds = makeSyntheticDataset({ seed: 0, trainPerClass: 20, testPerClass: 40 });
    const cache = new MemoryWeightsCache();
    const first = await run(ds, cache);
    expect(first.r.pretrain.reused).toBe(false);
    const [key] = [...cache.map.keys()];
    const good = cache.map.get(key)!;
    const again = await run(ds, cache);
    expect(again.r.pretrain.reused).toBe(true);
    expect(again.warns).toEqual([]);
    expect(again.r.methods[0].metrics).toEqual(first.r.methods[0].metrics);

    // a flipped exponent bit in the payload
    const flipped = good.slice();
    flipped[flipped.length - 1] ^= 0x40; // an exponent bit of the last float32
    cache.map.set(key, flipped);
    const c = await run(ds, cache);
    expect(c.r.pretrain.reused).toBe(false);
    expect(c.warns.join()).toMatch(/cached weights unusable .*checksum mismatch.*retraining/);
    expect(c.r.methods[0].metrics).toEqual(first.r.methods[0].metrics);
    // the retrain rewrote a good entry
    expect((await run(ds, cache)).r.pretrain.reused).toBe(true);

    // another configuration's valid weights (same architecture, other seed) stored under this key
    const other = validateSpec(mergeSpec(spec, { seed: 7 }));
    const cache2 = new MemoryWeightsCache();
    await run(ds, cache2, other);
    const [otherKey] = [...cache2.map.keys()];
    expect(otherKey).not.toBe(key);
    cache.map.set(key, cache2.map.get(otherKey)!);
    const d = await run(ds, cache);
    expect(d.r.pretrain.reused).toBe(false);
    expect(d.warns.join()).toMatch(/another configuration/);

    // an entry of the old format (bare weights file)
    cache.map.set(key, openWeights(key, good).slice());
    const e = await run(ds, cache);
    expect(e.r.pretrain.reused).toBe(false);
    expect(e.warns.join()).toMatch(/not a sealed cache entry/);
  }, 300_000);

  it('re-prepared data with the same counts misses the cache (content-keyed)', async () => {
    const a = makeSyntheticDataset({ seed: 0, trainPerClass: 20, testPerClass: 40 });
    const cache = new MemoryWeightsCache();
    await run(a, cache);
    const b: ImageDataset = { ...a, train: { ...a.train, images: a.train.images.slice() } };
    for (let i = 0; i < b.train.images.length; i += 997) b.train.images[i] ^= 0x10;
    const r = await run(b, cache);
    expect(r.r.pretrain.reused).toBe(false);
    expect(cache.map.size).toBe(2);
  }, 300_000);
});
