/**
 * Every method end-to-end on a tiny ConvNet-3 (width 8) and a handful of random images:
 *  - the first optimiser step(s) equal a step on the spec's loss written out directly (SGD baselines), or
 *    Adam's first step −lr·g/(|g|+ε) of the direct A-AMU objective (A-CF, A-L1-sparse);
 *  - a short run returns a new model with changed weights, leaves the original untouched, and
 *    tf.memory().numTensors returns to its baseline; cancellation mid-method frees everything.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../cli/node-backend';
import { CancelledError, LabError } from '../types';
import type { Model } from '../types';
import { METHOD_NAMES } from '../contracts';
import type { HParamValue, MethodName } from '../contracts';
import { METHODS, runMethod } from './index';
import { l1Norm, perSampleCE } from './common';
import { AmuSampler, gaussianise, mmd2 } from './amu';
import { defaultHParams, scaleHParams } from '../methods/hparams';
import { METHOD_CARDS } from '../methods/registry';
import {
  all,
  ceRef,
  gradsOf,
  klRef,
  klTeacherRef,
  makeFixture,
  maxAbsDiff,
  sgdStep,
  weightsOf,
} from './fixture.test-util';
import type { Fixture } from './fixture.test-util';

let fx: Fixture;
let w0: Float32Array[];
beforeAll(async () => {
  await initNodeBackend('wasm');
  fx = makeFixture();
  w0 = await weightsOf(fx.original);
});
afterAll(() => fx.dispose());

/** A default of the method's card (the C10-R18 column the run functions fall back to), for the reference formulas. */
const card = (name: MethodName, key: string): number => {
  const v = defaultHParams(name, 'C10-R18')[key];
  if (typeof v !== 'number') throw new Error(`${name} has no numeric default ${key}`);
  return v;
};

async function expectOriginalUntouched(): Promise<void> {
  expect(maxAbsDiff(await weightsOf(fx.original), w0)).toBe(0);
}

function expectClose(got: Float32Array[], want: Float32Array[], rel = 1e-4): void {
  const scale = Math.max(...want.map((w) => Math.max(...Array.from(w, Math.abs))));
  expect(maxAbsDiff(got, want)).toBeLessThan(rel * scale);
}

async function runAndCompare(
  name: MethodName,
  hp: Record<string, HParamValue>,
  expected: () => Promise<Model> | Model,
  extra = {},
): Promise<void> {
  const before = tf.memory().numTensors;
  const { model } = await runMethod(name, fx.ctx(hp, extra));
  const want = await expected();
  const a = await weightsOf(model),
    b = await weightsOf(want);
  expect(maxAbsDiff(a, await weightsOf(fx.original))).toBeGreaterThan(1e-6);
  expectClose(a, b);
  model.dispose();
  want.dispose();
  await expectOriginalUntouched();
  expect(tf.memory().numTensors).toBe(before);
}

/** retain and forget batches (whole sets, one batch) */
function batches() {
  const xr = fx.retain.gather(all(fx.retain)),
    xf = fx.forget.gather(all(fx.forget));
  return { xr, yr: fx.retain.labels, xf, yf: fx.forget.labels, dispose: () => tf.dispose([xr, xf]) };
}

describe('one step = a step on the direct formula (SGD baselines)', () => {
  it('Retrain: fresh init, meanCE, SGD with coupled wd, WarmCos factor 1 at epoch 0 without warm-up', async () => {
    await runAndCompare('Retrain', { retrain_epochs: 1, retrain_warmup: 0, batch_size: 16 }, () => {
      const m = fx.fresh();
      const b = batches();
      const { xr, yr } = b;
      sgdStep(m, () => ceRef(m.apply(xr), yr), card('Retrain', 'retrain_lr'), card('Retrain', 'retrain_wd'));
      b.dispose();
      return m;
    });
  });

  it('Retrain: warm-up epoch 0 runs at lr/W', async () => {
    await runAndCompare(
      'Retrain',
      { retrain_epochs: 3, retrain_warmup: 2, batch_size: 16, retrain_lr: 0.2, retrain_momentum: 0 },
      async () => {
        const m = fx.fresh();
        const b = batches();
        const { xr, yr } = b;
        for (const f of [1 / 2, 2 / 2, 1])
          sgdStep(m, () => ceRef(m.apply(xr), yr), 0.2 * f, card('Retrain', 'retrain_wd')); // (e+1)/W, cos(0)
        b.dispose();
        return m;
      },
    );
  });

  it('CF: pretrained init, meanCE, lr cf_lr, wd cf_wd', async () => {
    await runAndCompare('CF', { cf_epochs: 1, cf_warmup: 0, batch_size: 16 }, () => {
      const m = fx.original.clone();
      const b = batches();
      const { xr, yr } = b;
      sgdStep(m, () => ceRef(m.apply(xr), yr), card('CF', 'cf_lr'), card('CF', 'cf_wd'));
      b.dispose();
      return m;
    });
  });

  it('L1-sparse: meanCE + α·‖θ‖₁ over all params (sign subgradient)', async () => {
    await runAndCompare('L1-Sparse', { l1_epochs: 1, l1_no_l1_epochs: 0, l1_alpha: 0.01, batch_size: 16 }, () => {
      const m = fx.original.clone();
      const b = batches();
      const { xr, yr } = b;
      const { grads } = gradsOf(m, () => ceRef(m.apply(xr), yr));
      const [lr, wd] = [card('L1-Sparse', 'l1_lr'), card('L1-Sparse', 'l1_wd')];
      m.params.forEach((p, i) => {
        const th = p.variable.dataSync();
        const next = new Float32Array(th.length);
        for (let j = 0; j < th.length; j++) next[j] = th[j] - lr * (grads[i][j] + 0.01 * Math.sign(th[j]) + wd * th[j]);
        tf.tidy(() => p.variable.assign(tf.tensor(next, p.variable.shape)));
      });
      b.dispose();
      return m;
    });
  });

  it('Pruning: prune prune_target of conv weights by global |w|, step on meanCE, re-mask', async () => {
    await runAndCompare('Pruning', { prune_epochs: 1, prune_step: 1, batch_size: 16 }, () => {
      const m = fx.original.clone();
      const conv = m.params.filter((p) => p.kind === 'conv');
      const all_ = conv.flatMap((p, l) => Array.from(p.variable.dataSync(), (v, i) => ({ a: Math.abs(v), l, i })));
      all_.sort((x, y) => x.a - y.a);
      const k = Math.round(card('Pruning', 'prune_target') * all_.length);
      const masks = conv.map((p) => new Float32Array(p.variable.size).fill(1));
      for (let j = 0; j < k; j++) masks[all_[j].l][all_[j].i] = 0;
      const remask = () =>
        conv.forEach((p, l) =>
          tf.tidy(() => p.variable.assign(tf.mul(p.variable, tf.tensor(masks[l], p.variable.shape)))),
        );
      remask();
      const b = batches();
      const { xr, yr } = b;
      sgdStep(m, () => ceRef(m.apply(xr), yr), card('Pruning', 'prune_lr'), card('Pruning', 'prune_wd'));
      remask();
      b.dispose();
      return m;
    });
  });

  it('Bad distillation (w/ DC: all of D_r^red): KL_T(u·bad + (1−u)·good ‖ student)', async () => {
    await runAndCompare(
      'Bad Distillation',
      { bad_distill_epochs: 1, batch_size: 16 },
      () => {
        const m = fx.original.clone();
        const bad = fx.fresh();
        const b = batches();
        const { xr, xf } = b;
        const x = tf.concat([xf, xr]) as tf.Tensor4D;
        const T = card('Bad Distillation', 'bad_distill_T');
        const q = tf.tidy(() => {
          const u = tf.tensor2d([...Array(fx.forget.size).fill(1), ...Array(fx.retain.size).fill(0)], [x.shape[0], 1]);
          return tf.add(
            tf.mul(u, tf.softmax(tf.div(bad.apply(x), T))),
            tf.mul(tf.sub(1, u), tf.softmax(tf.div(fx.original.apply(x), T))),
          ) as tf.Tensor2D;
        });
        sgdStep(
          m,
          () => klRef(q, m.apply(x), T),
          card('Bad Distillation', 'bad_distill_lr'),
          card('Bad Distillation', 'bad_distill_wd'),
        );
        tf.dispose([x, q]);
        b.dispose();
        bad.dispose();
        return m;
      },
      { withDC: true },
    );
  });

  it('SCRUB: max passes on epochs ≤ msteps with −w·KL_T, min passes γ·CE + β·KL_T, WarmCos per epoch', async () => {
    const hp = {
      scrub_epochs: 2,
      scrub_msteps: 1,
      scrub_warmup: 0,
      scrub_momentum: 0,
      scrub_wd: 0,
      scrub_lr: 0.05,
      scrub_beta: 0.5,
      batch_size: 16,
    };
    await runAndCompare('SCRUB', hp, () => {
      const m = fx.original.clone();
      const b = batches();
      const { xr, yr, xf } = b;
      const [T, w, gamma] = [
        card('SCRUB', 'scrub_T'),
        card('SCRUB', 'scrub_forget_weight'),
        card('SCRUB', 'scrub_gamma'),
      ];
      const tr = fx.original.apply(xr),
        tfg = fx.original.apply(xf);
      for (const f of [1, 0.5]) {
        // warmCos(0, 0, 2) = 1, warmCos(1, 0, 2) = 0.5
        sgdStep(m, () => tf.mul(klTeacherRef(tfg, m.apply(xf), T), -w) as tf.Scalar, 0.05 * f);
        sgdStep(
          m,
          () => {
            const z = m.apply(xr);
            return tf.add(tf.mul(ceRef(z, yr), gamma), tf.mul(klTeacherRef(tr, z, T), 0.5)) as tf.Scalar;
          },
          0.05 * f,
        );
      }
      tf.dispose([tr, tfg]);
      b.dispose();
      return m;
    });
  });
});

describe('Adam first step on the direct A-AMU objective', () => {
  /**
   * Δθ of Adam's first step is −lr·g/(|g|+ε); compare where the gradient is clearly non-zero. The objective's
   * knobs (lr, k, K, σ, λ, samples per step) are the card's defaults under its key prefix `p`.
   */
  async function adamCheck(
    name: MethodName,
    p: string,
    hp: Record<string, HParamValue>,
    extra: (m: Model) => tf.Scalar | null,
  ): Promise<void> {
    const [lr, k, K, sigma, lambda] = ['lr', 'k', 'K', 'sigma', 'lambda'].map((x) => card(name, `${p}_${x}`));
    const before = tf.memory().numTensors;
    const { model } = await runMethod(name, fx.ctx({ ...hp, batch_size: 16 }));
    const got = await weightsOf(model);
    model.dispose();
    const m = fx.original.clone();
    const draws = card(name, `${p}_sample_factor`) * 16; // per step: factor × batch 16 ≥ every fixture set's size
    const s = new AmuSampler(fx.forget, fx.testUsed, draws, fx.ctx({}).rng).next(); // so every sample is drawn
    expect(s.forgetPos.length).toBe(fx.forget.size);
    const b = batches();
    const { xr, yr } = b;
    const gTest = tf.tidy(() =>
      gaussianise(perSampleCE(m.apply(fx.testUsed.gather(s.testPos)), s.testLabels), { k, K }),
    );
    const { grads } = gradsOf(m, () => {
      const gF = gaussianise(perSampleCE(m.apply(fx.forget.gather(s.forgetPos)), s.forgetLabels), { k, K });
      const base = tf.add(tf.square(ceRef(m.apply(xr), yr)), tf.mul(mmd2(gTest, gF, sigma), lambda)) as tf.Scalar;
      const e = extra(m);
      return e ? (tf.add(base, e) as tf.Scalar) : base;
    });
    const th = await weightsOf(m);
    const scale = Math.max(...grads.map((g) => Math.max(...Array.from(g, Math.abs))));
    let checked = 0;
    grads.forEach((g, i) =>
      g.forEach((gj, j) => {
        const d = got[i][j] - th[i][j];
        expect(Math.abs(d)).toBeLessThanOrEqual(lr * 1.001);
        if (Math.abs(gj) > 1e-3 * scale) {
          expect(Math.abs(d + (lr * gj) / (Math.abs(gj) + 1e-8))).toBeLessThan(0.02 * lr);
          checked++;
        }
      }),
    );
    expect(checked).toBeGreaterThan(100);
    tf.dispose([gTest]);
    b.dispose();
    m.dispose();
    await expectOriginalUntouched();
    expect(tf.memory().numTensors).toBe(before);
  }

  it('A-CF: (meanCE_r)² + λ·MMD²(g(test, detached), g(forget)), Adam lr acf_lr', async () => {
    await adamCheck('A-CF', 'acf', {}, () => null);
  });

  it('A-L1-sparse: A-CF objective + α·‖θ‖₁ (constant α)', async () => {
    await adamCheck(
      'A-L1-Sparse',
      'asparse',
      { asparse_l1_alpha: 0.01 },
      (m) => tf.mul(l1Norm(m.params), 0.01) as tf.Scalar,
    );
  });
});

/**
 * Short settings for every method, read from its card (no per-method table here): the card's C10-R18 defaults with
 * its epoch counts scaled by the card's own `scaleEpochs` down to two epochs (one for cards that keep their epochs,
 * the A-AMU methods) — a couple of steps per pass at batch 4 on 6 retain / 5 forget images.
 */
const epochsOf = (hp: Record<string, HParamValue>): number =>
  Math.max(1, ...Object.entries(hp).flatMap(([k, v]) => (k.endsWith('_epochs') && typeof v === 'number' ? [v] : [])));
function shortHParams(name: MethodName): Record<string, HParamValue> {
  const hp = defaultHParams(name, 'C10-R18');
  scaleHParams(name, hp, 2 / epochsOf(hp));
  return hp;
}
const SHORT = Object.fromEntries(METHOD_CARDS.map((c) => [c.name, shortHParams(c.name)])) as Record<
  MethodName,
  Record<string, HParamValue>
>;
/** The A-AMU methods, from their cards: the ones weighting an MMD² term by a `*_lambda` (they report onTerms). */
const AMU_LAMBDA = METHOD_CARDS.flatMap((c) =>
  Object.keys(c.hparams)
    .filter((k) => k.endsWith('_lambda'))
    .map((k) => [c.name, k] as const),
);
const isAmu = (name: MethodName) => AMU_LAMBDA.some(([n]) => n === name);

describe('short settings from the cards', () => {
  it('every card scaling its epochs runs two epochs, every fixed one one; the A-AMU ones each have one λ', () => {
    for (const c of METHOD_CARDS) expect(epochsOf(SHORT[c.name]), c.name).toBe(c.scaleEpochs === 'fixed' ? 1 : 2);
    expect(METHOD_CARDS.filter((c) => c.scaleEpochs !== 'fixed').length).toBeGreaterThan(0);
    expect(AMU_LAMBDA.length).toBeGreaterThan(0);
    expect(new Set(AMU_LAMBDA.map(([n]) => n)).size).toBe(AMU_LAMBDA.length);
  });
});

describe('A-AMU terms', () => {
  it("each step reports the λ that weights MMD² in its loss (the run's resolved value)", async () => {
    for (const [name, key] of AMU_LAMBDA) {
      const paperDefault = defaultHParams(name, 'C10-R18')[key]; // what methodHParams falls back to
      expect(typeof paperDefault === 'number' && paperDefault > 0 && paperDefault !== 7.5, name).toBe(true);
      for (const [hp, want] of [
        [{}, paperDefault],
        [{ [key]: 7.5 }, 7.5],
      ] as const) {
        const lambdas: number[] = [];
        const onTerms = (_s: number, _c: number, _m: number, l: number) => lambdas.push(l);
        const { model } = await runMethod(name, fx.ctx({ ...SHORT[name], ...hp, batch_size: 4 }, { onTerms }));
        model.dispose();
        expect(lambdas, `${name} ${JSON.stringify(hp)}`).toEqual([want, want]);
      }
    }
  });
});

describe('every method end-to-end', () => {
  it('registry covers METHOD_NAMES; unknown names are a LabError', async () => {
    expect(Object.keys(METHODS).sort()).toEqual([...METHOD_NAMES].sort());
    expect(METHOD_CARDS.map((c) => c.name)).toEqual([...METHOD_NAMES]);
    await expect(runMethod('Fisher' as MethodName, fx.ctx({}))).rejects.toBeInstanceOf(LabError);
  });

  for (const name of METHOD_NAMES) {
    it(`${name}: short run changes weights, keeps the original, reports progress/epochs, no leaks`, async () => {
      const before = tf.memory().numTensors;
      const epochs: number[] = [];
      const progress: string[] = [];
      const terms: Array<[number, number, number]> = [];
      const { model, seconds } = await runMethod(
        name,
        fx.ctx(
          { ...SHORT[name], batch_size: 4 },
          {
            onEpoch: async (e, m) => {
              expect(m).not.toBe(fx.original);
              epochs.push(e);
            },
            onProgress: (p) => progress.push(`${p.stage}:${p.label}:${p.epoch}/${p.epochs}:${p.step}/${p.steps}`),
            onTerms: (step, ce2, mmd) => terms.push([step, ce2, mmd]),
          },
        ),
      );
      expect(seconds).toBeGreaterThan(0);
      expect(epochs).toEqual(Array.from({ length: epochsOf(SHORT[name]) }, (_, i) => i));
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[0]).toMatch(new RegExp(`^unlearn:${name}`));
      if (isAmu(name)) {
        expect(terms.length).toBe(2); // one per min/retain step: ⌈6/4⌉
        expect(terms.map((t) => t[0])).toEqual(name === 'A-SCRUB' ? [2, 3] : [0, 1]); // A-SCRUB: after 2 forget steps
        for (const [, a, b] of terms) {
          expect(Number.isFinite(a) && a > 0).toBe(true);
          expect(Number.isFinite(b) && b >= 0).toBe(true);
        }
      } else {
        expect(terms.length).toBe(0);
      }
      const w = await weightsOf(model);
      expect(maxAbsDiff(w, w0)).toBeGreaterThan(1e-6);
      for (const a of w) for (const v of a) expect(Number.isFinite(v)).toBe(true);
      if (name === 'Pruning') {
        const conv = model.params.map((p, i) => ({ p, w: w[i] })).filter((x) => x.p.kind === 'conv');
        const total = conv.reduce((a, x) => a + x.w.length, 0);
        const zeros = conv.reduce((a, x) => a + x.w.filter((v) => v === 0).length, 0);
        expect(zeros / total).toBeGreaterThanOrEqual(0.949); // two steps of p = 1 − √0.05 after an extra training step
      }
      model.dispose();
      await expectOriginalUntouched();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('Bad distillation w/o DC sub-samples ⌊ratio·|D_r|⌋ retain samples', async () => {
    const steps = async (withDC: boolean) => {
      let n = 0;
      const { model } = await runMethod(
        'Bad Distillation',
        fx.ctx(
          { bad_distill_epochs: 1, batch_size: 1, partial_retain_ratio: 0.5 },
          {
            withDC,
            onProgress: (p) => (n = p.steps),
          },
        ),
      );
      model.dispose();
      return n;
    };
    expect(await steps(false)).toBe(fx.forget.size + 3);
    expect(await steps(true)).toBe(fx.forget.size + fx.retain.size);
  });

  it('runMethod excludes time spent in onEpoch', async () => {
    const t0 = performance.now();
    const { model, seconds } = await runMethod(
      'CF',
      fx.ctx(
        { cf_epochs: 1, batch_size: 16 },
        {
          onEpoch: () => new Promise((r) => setTimeout(r, 400)),
        },
      ),
    );
    const wall = (performance.now() - t0) / 1000;
    model.dispose();
    expect(seconds).toBeLessThan(wall - 0.35);
  });
});

describe('cancellation', () => {
  for (const name of METHOD_NAMES) {
    it(`${name}: abort after the first step → CancelledError, every tensor freed, original untouched`, async () => {
      const before = tf.memory().numTensors;
      const ac = new AbortController();
      let calls = 0;
      await expect(
        runMethod(
          name,
          fx.ctx(
            { ...SHORT[name], batch_size: 2 },
            {
              signal: ac.signal,
              onProgress: () => {
                calls++;
                ac.abort();
              },
              onTerms: () => undefined,
            },
          ),
        ),
      ).rejects.toBeInstanceOf(CancelledError);
      expect(calls).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      await expectOriginalUntouched();
    });
  }

  it('an already-aborted signal throws before allocating anything', async () => {
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    ac.abort();
    for (const name of METHOD_NAMES) {
      await expect(runMethod(name, fx.ctx(SHORT[name], { signal: ac.signal }))).rejects.toBeInstanceOf(CancelledError);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
