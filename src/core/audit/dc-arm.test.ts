/**
 * The audit's w/ DC arm (issue 21 item 6: "A-CF (w/o and w/ DC)"): on one shadow of a tiny setting, 'A-CF w/ DC'
 * condenses the model's half (k-means + Blend), runs A-CF on the reduced retain set, keeps its own record under a key
 * that names the condensation, frees every tensor, and resumes without recomputing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { MemoryWeightsCache } from '../train';
import { AUDIT_PRESETS, auditArm, checkAuditSettings, planAudit, type AuditSettings } from '../results/audit';
import { MemoryAuditStore, recordKey, runAudit } from './driver';
import { randomLabelDataset } from './fixture.test-util';

const SETTINGS: AuditSettings = {
  ...AUDIT_PRESETS['audit-smoke'].settings,
  poolPerClass: 16,
  candidateFraction: 0.25,
  shadows: 2,
  targets: 1,
  model: { arch: 'convnet3', width: 8 },
  pretrain: { epochs: 3, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 16, warmup: 0, targetTrainAcc: 100 },
  methods: ['A-CF', 'A-CF w/ DC'],
  condense: { ipc: 2, iterations: 2, netWidth: 8, kmeansMaxIter: 10, lrMode: 'paper-regime' },
};

describe('audit: the w/ DC arm of a method', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('names the arm and checks its condensation settings', () => {
    expect(auditArm('A-CF w/ DC')).toEqual({ base: 'A-CF', withDC: true });
    expect(auditArm('A-CF')).toEqual({ base: 'A-CF', withDC: false });
    expect(() => checkAuditSettings({ ...SETTINGS, condense: { ...SETTINGS.condense!, ipc: 0 } })).toThrow(
      /condense\.ipc: an integer in \[1, 16\], got 0/,
    );
    expect(() =>
      checkAuditSettings({ ...SETTINGS, condense: { ...SETTINGS.condense!, lrMode: 'fast' as 'paper-regime' } }),
    ).toThrow(/condense\.lrMode/);
  });

  it('condenses per model, runs the method on the reduced set, keys and resumes its record', async () => {
    const ds = randomLabelDataset(16, 'dc-arm');
    const plan = planAudit(ds.train.labels, 4, SETTINGS, 0);
    const shadow = plan.shadows[0];
    expect(shadow.forget.length).toBeGreaterThan(0);
    const keyRaw = recordKey(ds, plan, shadow, 'A-CF');
    const keyDc = recordKey(ds, plan, shadow, 'A-CF w/ DC');
    expect(keyDc).not.toBe(keyRaw);
    expect(JSON.parse(keyDc).condense).toEqual(SETTINGS.condense);
    expect(JSON.parse(keyRaw).condense).toBeUndefined();
    // another condensation setting is another record
    const other = planAudit(ds.train.labels, 4, { ...SETTINGS, condense: { ...SETTINGS.condense!, ipc: 3 } }, 0);
    expect(recordKey(ds, other, other.shadows[0], 'A-CF w/ DC')).not.toBe(keyDc);

    const store = new MemoryAuditStore();
    const cache = new MemoryWeightsCache();
    const before = tf.memory().numTensors;
    const progress: string[] = [];
    const out = await runAudit({
      dataset: ds,
      plan,
      store,
      cache,
      only: [shadow.id],
      onEvent: (e) => {
        if (e.kind === 'progress') progress.push(e.progress.label ?? '');
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    const raw = [...out.entries()].find(([id]) => id.endsWith('-A-CF'))![1];
    const dc = [...out.entries()].find(([id]) => id.endsWith('-A-CF_w__DC'))![1];
    // the condensation ran (k-means and Blend progress on this model) and its time is part of the method's
    expect(progress.some((l) => l.includes('condense') && l.includes('Blend'))).toBe(true);
    expect(dc.condenseSeconds).toBeGreaterThan(0);
    expect(dc.methodSeconds).toBeGreaterThanOrEqual(dc.condenseSeconds!);
    expect(raw.condenseSeconds).toBeUndefined();
    // same original, same forget set, another retain set: another model
    expect(dc.phi).toHaveLength(plan.pool.length);
    expect(dc.phi.some((v, i) => Math.abs(v - raw.phi[i]) > 1e-6)).toBe(true);

    let recomputed = 0;
    await runAudit({
      dataset: ds,
      plan,
      store,
      cache,
      only: [shadow.id],
      onEvent: (e) => {
        if (e.kind === 'record' && !e.reused) recomputed++;
      },
    });
    expect(recomputed).toBe(0);
  }, 300_000);

  it('refuses the w/ DC arm of an unknown method', async () => {
    const ds = randomLabelDataset(16, 'dc-arm');
    const plan = planAudit(ds.train.labels, 4, { ...SETTINGS, methods: ['Nope w/ DC'] }, 0);
    await expect(runAudit({ dataset: ds, plan, store: new MemoryAuditStore() })).rejects.toThrow(
      /unknown method 'Nope w\/ DC'/,
    );
  });
});
