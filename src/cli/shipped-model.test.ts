/**
 * The committed shipped original model (public/models, `npm run ship-model`) is the one the page's default preset
 * asks for on the prepared CIFAR-10: same configuration, same training pixels. Skipped where CIFAR-10 is not
 * prepared (CI prepares it from the same archive the model was built from); a stale model fails here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { LabSession, PAGE_DEFAULT_PRESET, getPreset } from '../core';
import type { RunEvent } from '../core';
import { initNodeBackend } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { fileShippedModels, shippedModelsDir } from './node-io';

const prepared = existsSync(join('public', 'datasets', 'cifar10', 'manifest.json'));
const shipped = existsSync(join(shippedModelsDir(), 'manifest.json'));

describe.runIf(prepared && shipped)('shipped original model on the prepared CIFAR-10', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it("the page's default preset starts from it (key, length and SHA-256 match)", async () => {
    const spec = getPreset(PAGE_DEFAULT_PRESET).spec;
    const dataset = await loadDatasetNode(spec.dataset, { seed: spec.seed });
    const events: RunEvent[] = [];
    const baseline = tf.memory().numTensors;
    const s = new LabSession(
      { dataset, sink: (e) => events.push(e), shipped: fileShippedModels(), backendName: tf.getBackend() },
      spec,
    );
    try {
      await s.pretrain();
      const p = s.result().pretrain;
      const warns = events.flatMap((e) => (e.kind === 'log' && e.level === 'warn' ? [e.message] : []));
      expect(warns).toEqual([]);
      expect(p.source).toBe('shipped');
      expect(p.shipped?.file).toBe(`${PAGE_DEFAULT_PRESET}-seed0.ulc`);
      expect(p.testAcc).toBeGreaterThan(30); // a trained model, not an init
    } finally {
      s.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
