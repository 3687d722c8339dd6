/**
 * The audit's known outcomes (issue 21 item 2), end to end on a tiny setting that runs in CI: random images with random
 * labels (4 classes), so a model can only learn its training images by heart and membership is all there is to find.
 * ConvNet-3 w8, a pool of 32 images per class, half of them candidates, 8 shadows (shared variance) + 4 targets.
 *
 * - the untouched Original is flagged (TPR at 1 % FPR ≥ 5 × 1 %);
 * - Retrain is at chance (the bootstrap interval of the TPR at 1 % and at 5 % FPR contains the FPR);
 * - a planted leak — a "Retrain" that secretly trains on the forget set too — is flagged like the Original;
 * - and the checks can fail: the same records attacked with shuffled in/out assignments do not flag the Original.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { concatSources } from '../data/source';
import { runMethod } from '../unlearn';
import { MemoryWeightsCache } from '../train';
import { AUDIT_PRESETS, analyseAuditMethod, auditRecordId, planAudit, type AuditSettings } from '../results/audit';
import { MemoryAuditStore, runAudit } from './driver';
import { randomLabelDataset } from './fixture.test-util';

export const CI_AUDIT: AuditSettings = {
  ...AUDIT_PRESETS['audit-smoke'].settings,
  poolPerClass: 32,
  candidateFraction: 0.5,
  shadows: 8,
  targets: 4,
  model: { arch: 'convnet3', width: 8 },
  pretrain: { epochs: 40, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 16, warmup: 0, targetTrainAcc: 100 },
  epochScale: 1,
  hparams: { Retrain: { retrain_epochs: 40, retrain_warmup: 0, retrain_lr: 0.05 } },
  methods: ['Original', 'Retrain', 'Leaky Retrain'],
  sharedVariance: true,
  bootstrap: 400,
};

describe('audit known outcomes (random labels: membership is all there is)', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('flags the Original and the planted leak, leaves Retrain at chance, and a broken attack fails', async () => {
    const ds = randomLabelDataset(32, 'audit-ci');
    const plan = planAudit(ds.train.labels, 4, CI_AUDIT, 0);
    const store = new MemoryAuditStore();
    const cache = new MemoryWeightsCache();
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const trainAccs: number[] = [];
    await runAudit({
      dataset: ds,
      plan,
      store,
      cache,
      // the planted leak: Retrain's recipe on retain ∪ forget (it "forgets" nothing)
      extraMethods: {
        'Leaky Retrain': async (ctx) =>
          (
            await runMethod('Retrain', {
              ...ctx,
              hp: CI_AUDIT.hparams.Retrain!,
              retain: concatSources(ctx.retain, ctx.forget),
            })
          ).model,
      },
      onEvent: (e) => {
        if (e.kind === 'original' && e.trainAcc !== undefined) trainAccs.push(e.trainAcc);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(tf.memory().numTensors).toBe(before);
    expect(trainAccs.length).toBe(12);
    expect(Math.min(...trainAccs)).toBeGreaterThanOrEqual(95); // the originals memorise their halves
    const phiOf = (m: { id: string; role: 'shadow' | 'target' }, method: string) =>
      store.map.get(auditRecordId(m as never, method, 0))?.record.phi ?? null;

    const original = analyseAuditMethod(plan, 'Original', phiOf);
    const retrain = analyseAuditMethod(plan, 'Retrain', phiOf);
    const leak = analyseAuditMethod(plan, 'Leaky Retrain', phiOf);
    console.log(
      `audit known outcomes (${seconds.toFixed(0)} s): ` +
        [original, retrain, leak]
          .map(
            (r) =>
              `${r.method} AUC ${r.auc.toFixed(3)} TPR@1% ${r.tpr[0].toFixed(3)} [${r.tprCi[0].map((x) => x.toFixed(3))}]`,
          )
          .join('; '),
    );
    expect(original.members).toBeGreaterThan(80);
    expect(original.nonMembers).toBeGreaterThan(80);
    expect(original.flagged).toBe(true);
    expect(leak.flagged).toBe(true);
    expect(retrain.flagged).toBe(false);
    expect(retrain.atChance).toBe(true);

    // a broken attack: every shadow's φ list assigned to another shadow (membership no longer matches the scores)
    const perm = [...plan.shadows.slice(1), plan.shadows[0]];
    const shuffled = (m: { id: string; role: 'shadow' | 'target' }, method: string) => {
      const k = plan.shadows.findIndex((s) => s.id === m.id);
      return phiOf(k >= 0 ? perm[k] : m, method);
    };
    const broken = analyseAuditMethod(plan, 'Original', shuffled);
    expect(broken.flagged).toBe(false);

    // resuming: every record is found, nothing is trained again
    let trained = 0;
    await runAudit({
      dataset: ds,
      plan,
      store,
      cache,
      extraMethods: {
        'Leaky Retrain': async () => {
          throw new Error('ran again');
        },
      },
      onEvent: (e) => {
        if (e.kind === 'record' && !e.reused) trained++;
      },
    });
    expect(trained).toBe(0);
  }, 600_000);
});
