import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../cli/node-backend';
import { makeSyntheticDataset } from '../data/synthetic';
import { CancelledError } from '../types';
import type { CondenseResult, ExperimentResult, MethodResult, MethodStore, RunEvent, WeightsCache } from '../contracts';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from './session';
import { shippedModels, type ShippedModels } from '../train/shipped-models';
import { sha256Hex } from '../data/formats';
import { markdownReport, resultsCsv, csvRunOf } from '../results/report';
import { MemoryWeightsCache } from '../train/weights-cache';

const spec = validateSpec(
  mergeSpec(getPreset('smoke').spec, {
    trainPerClass: 30,
    testPerClass: 40,
    pretrain: { epochs: 1 },
    curves: true,
    unlearn: { methods: ['Retrain', 'CF', 'A-CF'], arms: 'both', epochScale: 0.02 },
  }),
);

/** everything seeded (curve points also carry their unlearning seconds — a timing, never reproducible) */
function metricsOf(r: ExperimentResult) {
  return r.methods.map((m) => ({
    name: m.name,
    withDC: m.withDC,
    metrics: m.metrics,
    curve: m.curve.map(({ seconds: _s, ...p }) => p),
  }));
}

describe('LabSession', () => {
  const dataset = makeSyntheticDataset({ seed: 1, trainPerClass: 30, testPerClass: 40 });
  /** A session on `sp` for the duration of `work` (disposed after it, whatever happens); `work`'s value. */
  async function inSession<T>(sp: Parameters<typeof mergeSpec>[0], work: (s: LabSession) => Promise<T>): Promise<T> {
    const s = new LabSession({ dataset, sink: () => {}, backendName: tf.getBackend() }, sp);
    try {
      return await work(s);
    } finally {
      s.dispose();
    }
  }
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('starts from a shipped original model whose SHA-256 checks out, whatever the cache; refuses a corrupt one', async () => {
    const baseline = tf.memory().numTensors;
    const pre = async (opts: { shipped?: ShippedModels; cache?: WeightsCache }, sink: (e: RunEvent) => void) => {
      const s = new LabSession({ dataset, sink, backendName: tf.getBackend(), ...opts }, spec);
      try {
        await s.pretrain();
        return s.result().pretrain;
      } finally {
        s.dispose();
      }
    };
    // the entry `npm run ship-model` would write: the sealed weights of a one-worker pretraining, under its key
    const built = new MemoryWeightsCache();
    const trained = await pre({ cache: built }, () => {});
    const [[key, sealed]] = [...built.map.entries()];
    const sha256 = await sha256Hex(sealed);
    const manifest = (sha: string) =>
      JSON.stringify({
        v: 1,
        models: [
          {
            file: 'x.ulc',
            key,
            sha256: sha,
            bytes: sealed.length,
            preset: 'smoke',
            seed: 0,
            command: 'c',
            createdAt: 't',
          },
        ],
      });
    const shippedOf = (sha: string): ShippedModels =>
      shippedModels({
        where: 'models',
        readText: async (n) => (n === 'manifest.json' ? manifest(sha) : null),
        readBytes: async (n) => (n === 'x.ulc' ? sealed : null),
      });
    const events: RunEvent[] = [];
    // a cache holding other weights under the same key loses to the shipped model
    const other = new MemoryWeightsCache();
    const shipped = await pre({ shipped: shippedOf(sha256), cache: other }, (e) => events.push(e));
    expect(shipped.source).toBe('shipped');
    expect(shipped.shipped).toEqual({ file: 'x.ulc', sha256 });
    expect(shipped.testAcc).toBe(trained.testAcc);
    expect(shipped.metrics).toEqual(trained.metrics);
    expect(events.some((e) => e.kind === 'epoch' && e.method === 'pretrain')).toBe(false); // nothing trained
    expect(other.map.size).toBe(0); // and nothing cached: the shipped model is looked up every time
    expect(tf.memory().numTensors).toBe(baseline);
    // a file whose hash differs from the manifest is refused, said, and the model is trained as usual
    const warned: RunEvent[] = [];
    const refused = await pre({ shipped: shippedOf('f'.repeat(64)) }, (e) => warned.push(e));
    expect(refused.source).toBe('trained');
    expect(warned.some((e) => e.kind === 'log' && e.level === 'warn' && /SHA-256/.test(e.message))).toBe(true);
    expect(refused.testAcc).toBe(trained.testAcc); // deterministic training
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('runs a whole spec, is reproducible from the seed, frees every tensor, and reuses cached weights', async () => {
    const baseline = tf.memory().numTensors;
    const cache = new MemoryWeightsCache();
    const events: RunEvent[] = [];
    const run = async (sink: (e: RunEvent) => void) => {
      const s = new LabSession({ dataset, sink, cache, backendName: tf.getBackend() }, spec);
      try {
        return await s.runAll();
      } finally {
        s.dispose();
      }
    };
    const a = await run((e) => events.push(e));
    expect(tf.memory().numTensors).toBe(baseline);
    const b = await run(() => {});
    expect(tf.memory().numTensors).toBe(baseline);

    expect(a.methods).toHaveLength(6);
    expect(metricsOf(b)).toEqual(metricsOf(a));
    expect(a.pretrain.reused).toBe(false);
    expect(b.pretrain.reused).toBe(true);
    expect(b.pretrain.testAcc).toBe(a.pretrain.testAcc);
    expect(a.condense!.reducedRetainSize).toBeGreaterThan(0);
    expect(a.condense!.prototypes!.length).toBeGreaterThan(0);
    expect(atob(a.condense!.prototypes![0].rgbaBase64)).toHaveLength(32 * 32 * 4);
    expect(a.condense!.reducedRetainSize).toBeLessThanOrEqual(a.condense!.retainSize);
    for (const m of a.methods) {
      for (const v of [m.metrics.retainAcc, m.metrics.forgetAcc, m.metrics.testAcc, m.metrics.mia, m.metrics.lossMia]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(100);
      }
      expect(m.overheadSeconds > 0).toBe(m.withDC);
      expect(m.curve.length).toBeGreaterThan(0);
      // per-class and attack views at the final evaluation only, never in curve points
      expect(m.confusion!.flat().reduce((x, y) => x + y, 0)).toBe(a.split.testEvalSize);
      expect(m.perClass!.testAcc).toHaveLength(dataset.classes.length);
      expect(m.attack!.auc).toBe(m.metrics.mia);
      for (const p of m.curve) expect(Object.keys(p)).not.toContain('confusion');
    }
    expect(a.pretrain.confusion).toHaveLength(dataset.classes.length);
    expect(a.pretrain.attack!.auc).toBe(a.pretrain.metrics!.mia);
    // deterministic: the second run (cached original) gives the same views
    const viewsOf = (r: ExperimentResult) => r.methods.map((m) => [m.confusion, m.perClass, m.attack]);
    expect(viewsOf(b)).toEqual(viewsOf(a));
    expect(b.pretrain.attack).toEqual(a.pretrain.attack);
    // Progress.epoch is 1-based for every producer (pretraining, k-means, Blend, unlearning)
    const progress = events.flatMap((e) => (e.kind === 'progress' ? [e.progress] : []));
    expect(new Set(progress.map((p) => p.stage))).toEqual(new Set(['pretrain', 'kmeans', 'condense', 'unlearn']));
    for (const p of progress) {
      expect(p.epoch, `${p.stage} ${p.label}`).toBeGreaterThanOrEqual(1);
      expect(p.epoch, `${p.stage} ${p.label}`).toBeLessThanOrEqual(p.epochs);
      expect(p.step).toBeLessThanOrEqual(p.steps);
    }
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of [
      'stage',
      'progress',
      'epoch',
      'condense-iter',
      'prototypes',
      'acf-terms',
      'method-result',
      'condense-result',
      'forget-samples',
    ]) {
      expect(kinds, k).toContain(k);
    }
    expect(markdownReport(a)).toMatch(/\| A-CF \|/);
    // header, the Original (no unlearning) row, then 3 methods × 2 arms
    const csv = resultsCsv([csvRunOf(a)])
      .trim()
      .split('\n');
    expect(csv).toHaveLength(8);
    expect(csv[1]).toMatch(/Original/);
  });

  it('a cancel mid-run throws CancelledError and leaves no tensors behind', async () => {
    const baseline = tf.memory().numTensors;
    const ac = new AbortController();
    let steps = 0;
    const s = new LabSession(
      {
        dataset,
        backendName: tf.getBackend(),
        sink: (e) => {
          if (e.kind === 'progress' && e.progress.stage === 'unlearn' && ++steps === 2) ac.abort();
        },
      },
      spec,
    );
    await expect(s.runAll(ac.signal)).rejects.toBeInstanceOf(CancelledError);
    s.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('refuses, before training, a split whose evaluation set cannot support the MIA', async () => {
    const small = mergeSpec(spec, { testPerClass: 10, forget: { mode: 'class', class: 3 } });
    const s = new LabSession({ dataset, sink: () => {}, backendName: tf.getBackend() }, small);
    await expect(s.pretrain()).rejects.toThrow(/spec: the MIA needs at least 5 .*Raise testPerClass/);
    s.dispose();
  });

  it('changing the forget request keeps the original model but drops results', async () => {
    const s = new LabSession({ dataset, sink: () => {}, backendName: tf.getBackend() }, spec);
    try {
      await s.unlearn(['CF'], 'without');
      const first = s.result();
      expect(first.methods).toHaveLength(1);
      s.setSpec(mergeSpec(spec, { forget: { mode: 'class', class: 2 } }));
      expect(s.result().methods).toHaveLength(0);
      await s.unlearn(['CF'], 'without');
      const r = s.result();
      expect(r.split.forgetClass).toBe(2);
      expect(r.pretrain.testAcc).toBe(first.pretrain.testAcc);
      expect(r.methods[0].metrics.testAccRetained).toBeDefined();
    } finally {
      s.dispose();
    }
  });

  it('live mode: a rerun after a forget change equals a fresh headless run of the new settings (issue 22 item 5)', async () => {
    const a = mergeSpec(spec, { forget: { mode: 'uniform', fraction: 0.1 } });
    const b = mergeSpec(spec, {
      forget: { mode: 'uniform', fraction: 0.2 },
      unlearn: { hparams: { 'A-CF': { acf_lr: 2e-3 } } },
    });
    const baseline = tf.memory().numTensors;
    // the page's live path: one session, a first run, then the change and only the approximate methods
    const rerun = await inSession(a, async (live) => {
      await live.unlearn(['Retrain', 'CF', 'A-CF'], 'without');
      live.setSpec(b);
      await live.unlearn(['A-CF', 'CF'], 'without');
      return live.result();
    });
    // a headless run of the new settings from scratch
    const headless = await inSession(b, async (fresh) => {
      await fresh.unlearn(['A-CF', 'CF'], 'without');
      return fresh.result();
    });
    expect(rerun.split).toEqual(headless.split);
    expect(metricsOf(rerun)).toEqual(metricsOf(headless));
    expect(rerun.methods.map((m) => m.name).sort()).toEqual(['A-CF', 'CF']);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it("live mode: a method's own hyper-parameter drops only its rows; the rerun equals a fresh run of every method", async () => {
    const a = mergeSpec(spec, { forget: { mode: 'uniform', fraction: 0.1 } });
    const b = mergeSpec(a, { unlearn: { hparams: { 'A-CF': { acf_lr: 2e-3 } } } });
    const baseline = tf.memory().numTensors;
    const rerun = await inSession(a, async (live) => {
      await live.unlearn(['CF', 'A-CF'], 'without');
      const before = live.result();
      live.setSpec(b);
      const kept = live.result();
      expect(kept.methods.map((m) => m.name)).toEqual(['CF']);
      expect(kept.methods[0]).toEqual(before.methods[0]);
      await live.unlearn(['A-CF'], 'without');
      return live.result();
    });
    const headless = await inSession(b, async (fresh) => {
      await fresh.unlearn(['CF', 'A-CF'], 'without');
      return fresh.result();
    });
    expect(metricsOf(rerun)).toEqual(metricsOf(headless));
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a resumable run reuses finished methods (per-method store) and redoes only the rest', async () => {
    class MemoryStore implements MethodStore {
      methods = new Map<string, MethodResult>();
      conds = new Map<string, CondenseResult>();
      async get(k: string) {
        return this.methods.get(k) ?? null;
      }
      async put(k: string, r: MethodResult) {
        this.methods.set(k, structuredClone(r));
      }
      async getCondense(k: string) {
        return this.conds.get(k) ?? null;
      }
      async putCondense(k: string, r: CondenseResult) {
        this.conds.set(k, structuredClone(r));
      }
    }
    const cache = new MemoryWeightsCache();
    const store = new MemoryStore();
    const run = async (sink: (e: RunEvent) => void) => {
      const s = new LabSession({ dataset, sink, cache, methodStore: store, backendName: tf.getBackend() }, spec);
      try {
        return await s.runAll();
      } finally {
        s.dispose();
      }
    };
    const full = await run(() => {});
    expect([...store.methods.keys()].sort()).toEqual([
      'A-CF|dc|r0',
      'A-CF|raw|r0',
      'CF|dc|r0',
      'CF|raw|r0',
      'Retrain|dc|r0',
      'Retrain|raw|r0',
    ]);
    // an interruption after three methods: drop the rest from the store, resume
    store.methods.delete('A-CF|raw|r0');
    store.methods.delete('CF|dc|r0');
    const ran: string[] = [];
    const resumed = await run((e) => {
      if (e.kind === 'stage' && e.stage === 'unlearn' && e.status === 'start') ran.push(e.label ?? '');
    });
    expect(ran).toEqual(['A-CF', 'CF w/ DC']);
    expect(resumed.pretrain.reused).toBe(true);
    expect(resumed.methods.filter((m) => m.resumed).map((m) => m.name + (m.withDC ? '+dc' : ''))).toEqual([
      'Retrain',
      'CF',
      'Retrain+dc',
      'A-CF+dc',
    ]);
    // the redone methods reproduce the first run (same seed, same original model, same condensation)
    const pick = (r: ExperimentResult, n: string, dc: boolean) =>
      r.methods.find((m) => m.name === n && m.withDC === dc)!.metrics;
    expect(pick(resumed, 'A-CF', false)).toEqual(pick(full, 'A-CF', false));
    expect(pick(resumed, 'CF', true)).toEqual(pick(full, 'CF', true));
    // nothing left: no method runs, the condensation record comes from the store
    ran.length = 0;
    const again = await run((e) => {
      if (e.kind === 'stage' && e.stage === 'unlearn' && e.status === 'start') ran.push(e.label ?? '');
    });
    expect(ran).toEqual([]);
    expect(again.condense?.reducedRetainSize).toBe(full.condense!.reducedRetainSize);
  });

  it("A-SCRUB with ascrub_retain 'real' trains on the real retain set in the DC arm (spec §10 C4)", async () => {
    const cache = new MemoryWeightsCache();
    const base = mergeSpec(spec, { curves: false, unlearn: { methods: ['A-SCRUB'], arms: 'with' } });
    const run = async (retain: string) => {
      const sp = validateSpec(mergeSpec(base, { unlearn: { hparams: { 'A-SCRUB': { ascrub_retain: retain } } } }));
      const retainSizes: number[] = [];
      const s = new LabSession(
        {
          dataset,
          cache,
          backendName: tf.getBackend(),
          sink: (e) => {
            if (e.kind === 'progress' && e.progress.stage === 'unlearn') retainSizes.push(e.progress.steps);
          },
        },
        sp,
      );
      try {
        return { r: await s.runAll(), steps: Math.max(...retainSizes) };
      } finally {
        s.dispose();
      }
    };
    const reduced = await run('reduced');
    const real = await run('real');
    const m = (x: ExperimentResult) => x.methods[0].metrics;
    expect(real.r.methods[0].withDC).toBe(true);
    // the real D_r is larger than D_r^red: more retain steps per epoch, and a different model
    expect(real.r.condense!.retainSize).toBeGreaterThan(real.r.condense!.reducedRetainSize);
    expect(real.steps).toBeGreaterThan(reduced.steps);
    expect(m(real.r)).not.toEqual(m(reduced.r));
  });
});
