/**
 * The weights cache key covers the manifest's normalisation, and an entry resealed from another seed does not pass
 * (issue 19 items 4 and 5). Before: a negative std reused the cached model (test accuracy 15.0 % → 5.0 %), and an
 * entry whose header key was rewritten with its CRC-32 recomputed was loaded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { makeSyntheticDataset } from '../data/synthetic';
import type { ImageDataset } from '../types';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from './session';
import { crc32, openWeights, sealWeights } from '../train/weights-cache';
import { MemoryWeightsCache } from '../train/weights-cache';

const spec = validateSpec(
  mergeSpec(getPreset('smoke').spec, { trainPerClass: 20, testPerClass: 20, pretrain: { epochs: 1 }, curves: false }),
);

describe('weights cache key', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('another normalisation of the same pixels misses the cache; the standard one keeps its key', async () => {
    const cache = new MemoryWeightsCache();
    const ds = makeSyntheticDataset({ seed: 1, trainPerClass: 20, testPerClass: 20 });
    const reused = async (d: ImageDataset) => {
      const s = new LabSession({ dataset: d, sink: () => {}, cache, backendName: tf.getBackend() }, spec);
      try {
        await s.pretrain();
        return s.result().pretrain.reused;
      } finally {
        s.dispose();
      }
    };
    expect(await reused(ds)).toBe(false);
    expect(await reused(ds)).toBe(true);
    expect(await reused({ ...ds, std: [0.5, 0.25, 0.25] })).toBe(false);
    expect(cache.map.size).toBe(2);
    // the standard normalisation's key has no norm field (existing cache entries and shipped models stay valid)
    expect([...cache.map.keys()].filter((k) => k.includes('"norm"'))).toHaveLength(1);
  });

  it('an entry resealed under another seed’s key with its CRC-32 recomputed is refused', () => {
    const payload = new Uint8Array([5, 6, 7, 8, 9]);
    const k1 = JSON.stringify({ seed: 1 });
    const k0 = JSON.stringify({ seed: 0 });
    const sealed = sealWeights(k1, payload);
    // rewrite the header: seed 0's key, the payload's CRC recomputed, everything else as it was
    const hl = new DataView(sealed.buffer).getUint32(4, true);
    const head = JSON.parse(new TextDecoder().decode(sealed.subarray(8, 8 + hl))) as Record<string, unknown>;
    const forged = (h: Record<string, unknown>) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + payload.length);
      out.set(sealed.subarray(0, 4));
      new DataView(out.buffer).setUint32(4, json.length, true);
      out.set(json, 8);
      out.set(payload, 8 + json.length);
      return out;
    };
    expect(() => openWeights(k0, forged({ ...head, key: k0, crc32: crc32(payload) }))).toThrow(/key digest mismatch/);
    const { kd: _kd, ...noDigest } = head;
    expect(() => openWeights(k0, forged({ ...noDigest, key: k0 }))).toThrow(/no key digest/);
    expect(Array.from(openWeights(k1, sealed))).toEqual(Array.from(payload));
  });
});
