/**
 * Issue 21 item 5: the three modern baselines beyond the paper (SalUn, NegGrad+, Random Labels). Their first steps
 * against a hand computation on the tiny ConvNet-3 of ./fixture.test-util.ts (the saliency mask and the random labels
 * re-drawn here from the same seeded streams), and their place in the lab: opt-in (no preset default), outside the
 * paper's claims, marked "not in the paper" in the claims report.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../cli/node-backend';
import type { ExperimentResult, HParamValue, MethodName, MethodResult } from '../contracts';
import type { Model } from '../types';
import { Rng } from '../rng';
import { runMethod } from './index';
import { drawRandomLabels, saliencyMask } from './index';
import { defaultHParams, resolveHParams } from '../methods/hparams';
import { BEYOND_PAPER_METHODS, METHOD_CARDS } from '../methods/registry';
import { ALL_METHODS, DEFAULT_SPEC, PRESETS, SINGLE_ROUND_METHODS, mergeSpec, validateSpec } from '../presets';
import { NOT_IN_PAPER, buildClaims, claimsMarkdown } from '../results/claims';
import { all, ceRef, gradsOf, makeFixture, maxAbsDiff, sgdStep, weightsOf } from './fixture.test-util';
import type { Fixture } from './fixture.test-util';

let fx: Fixture;
let w0: Float32Array[];
beforeAll(async () => {
  await initNodeBackend('wasm');
  fx = makeFixture();
  w0 = await weightsOf(fx.original);
});
afterAll(() => fx.dispose());

const card = (name: MethodName, key: string): number => {
  const v = defaultHParams(name, 'C10-R18')[key];
  if (typeof v !== 'number') throw new Error(`${name} has no numeric default ${key}`);
  return v;
};

async function runAndCompare(
  name: MethodName,
  hp: Record<string, HParamValue>,
  expected: () => Promise<Model> | Model,
): Promise<{ got: Float32Array[] }> {
  const before = tf.memory().numTensors;
  const { model } = await runMethod(name, fx.ctx(hp));
  const want = await expected();
  const got = await weightsOf(model),
    ref = await weightsOf(want);
  expect(maxAbsDiff(got, w0)).toBeGreaterThan(1e-6);
  const scale = Math.max(...ref.map((w) => Math.max(...Array.from(w, Math.abs))));
  expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4 * scale);
  model.dispose();
  want.dispose();
  expect(maxAbsDiff(await weightsOf(fx.original), w0)).toBe(0);
  expect(tf.memory().numTensors).toBe(before);
  return { got };
}

/** The forget set with the random labels the run draws for its first (whole-set) forget batch. */
function forgetBatchWithRandomLabels(kind: string) {
  const perm = new Rng('ctx').fork('shuffle-forget').permutation(fx.forget.size);
  const y = Array.from(perm, (p) => fx.forget.labels[p]);
  const yRand = drawRandomLabels(y, 4, new Rng('ctx').fork('random-labels'), kind);
  return { x: fx.forget.gather(perm), y, yRand };
}

/** One plain SGD step, then θ ← θ₀ + m ⊙ (θ − θ₀) written out per entry. */
function maskedStep(
  m: Model,
  loss: () => tf.Scalar,
  lr: number,
  wd: number,
  masks: Uint8Array[],
  theta0: Float32Array[],
) {
  sgdStep(m, loss, lr, wd);
  m.params.forEach((p, i) => {
    const th = p.variable.dataSync();
    const next = Float32Array.from(th, (v, j) => (masks[i][j] ? v : theta0[i][j]));
    tf.tidy(() => p.variable.assign(tf.tensor(next, p.variable.shape)));
  });
}

describe('first steps = the definitions written out', () => {
  it("Random labels: a forget step on labels y′ ≠ y from the run's seeded stream, then a retain step on the true labels", async () => {
    const lr = card('Random Labels', 'rl_lr'),
      wd = card('Random Labels', 'rl_wd');
    await runAndCompare('Random Labels', { rl_epochs: 1, rl_momentum: 0, batch_size: 16 }, () => {
      const m = fx.original.clone();
      const f = forgetBatchWithRandomLabels('other');
      f.y.forEach((y, i) => expect(f.yRand[i]).not.toBe(y));
      sgdStep(m, () => ceRef(m.apply(f.x), f.yRand), lr, wd);
      const xr = fx.retain.gather(all(fx.retain));
      sgdStep(m, () => ceRef(m.apply(xr), fx.retain.labels), lr, wd);
      tf.dispose([f.x, xr]);
      return m;
    });
  });

  it('SalUn: mask = the top ratio·N entries of |∇ meanCE(D_f)| at the original over all parameters; masked weights stay put', async () => {
    const lr = card('SalUn', 'salun_lr'),
      wd = card('SalUn', 'salun_wd'),
      ratio = card('SalUn', 'salun_ratio');
    let masks: Uint8Array[] = [];
    const { got } = await runAndCompare('SalUn', { salun_epochs: 1, salun_momentum: 0, batch_size: 16 }, () => {
      const m = fx.original.clone();
      const theta0 = w0.map((w) => Float32Array.from(w));
      // the saliency by hand: |g| of the whole forget set (one batch), ranked over all entries, the top ⌊ratio·N⌋ kept
      const xf = fx.forget.gather(all(fx.forget));
      const { grads } = gradsOf(m, () => ceRef(m.apply(xf), fx.forget.labels));
      xf.dispose();
      const flat = grads.flatMap((g, l) => Array.from(g, (v, i) => ({ a: Math.abs(v), l, i })));
      flat.sort((p, q) => q.a - p.a || p.l - q.l || p.i - q.i);
      masks = grads.map((g) => new Uint8Array(g.length));
      for (const e of flat.slice(0, Math.floor(ratio * flat.length))) masks[e.l][e.i] = 1;
      const f = forgetBatchWithRandomLabels('other');
      maskedStep(m, () => ceRef(m.apply(f.x), f.yRand), lr, wd, masks, theta0);
      const xr = fx.retain.gather(all(fx.retain));
      maskedStep(m, () => ceRef(m.apply(xr), fx.retain.labels), lr, wd, masks, theta0);
      tf.dispose([f.x, xr]);
      return m;
    });
    // the weights outside the mask are exactly the original's; about half of all weights moved
    let outside = 0,
      moved = 0,
      n = 0;
    got.forEach((w, l) =>
      w.forEach((v, i) => {
        n++;
        if (!masks[l][i]) outside += Math.abs(v - w0[l][i]);
        else if (v !== w0[l][i]) moved++;
      }),
    );
    expect(outside).toBe(0);
    expect(moved).toBeGreaterThan(0.4 * n);
  });

  it('NegGrad+: one step on β·meanCE(retain) − (1−β)·meanCE(forget batch)', async () => {
    const lr = card('NegGrad+', 'ngp_lr');
    const beta = 0.5; // the default 0.9999 would hide the forget term below the comparison's tolerance
    await runAndCompare('NegGrad+', { ngp_epochs: 1, ngp_beta: beta, batch_size: 16, ngp_forget_batch: 8 }, () => {
      const m = fx.original.clone();
      const xr = fx.retain.gather(all(fx.retain)),
        xf = fx.forget.gather(all(fx.forget));
      sgdStep(
        m,
        () =>
          tf.sub(
            tf.mul(ceRef(m.apply(xr), fx.retain.labels), beta),
            tf.mul(ceRef(m.apply(xf), fx.forget.labels), 1 - beta),
          ) as tf.Scalar,
        lr,
        card('NegGrad+', 'ngp_wd'),
      );
      tf.dispose([xr, xf]);
      return m;
    });
  });

  it('NegGrad+ cycles the forget loader: three retain steps with forget batches of 2 over 5 images', async () => {
    // 6 retain images at batch 2 → 3 steps; forget batches of 2 of a shuffled 5 → ⌈5/2⌉ = 3 batches (2, 2, 1)
    const lr = card('NegGrad+', 'ngp_lr'),
      beta = 0.5;
    await runAndCompare('NegGrad+', { ngp_epochs: 1, ngp_beta: beta, batch_size: 2, ngp_forget_batch: 2 }, () => {
      const m = fx.original.clone();
      const permR = new Rng('ctx').fork('shuffle').permutation(fx.retain.size);
      const permF = new Rng('ctx').fork('shuffle-forget').permutation(fx.forget.size);
      for (let s = 0; s < 3; s++) {
        const pr = permR.subarray(2 * s, 2 * s + 2),
          pf = permF.subarray(2 * s, Math.min(5, 2 * s + 2));
        const xr = fx.retain.gather(pr),
          xf = fx.forget.gather(pf);
        const yr = Array.from(pr, (p) => fx.retain.labels[p]),
          yf = Array.from(pf, (p) => fx.forget.labels[p]);
        sgdStep(
          m,
          () => tf.sub(tf.mul(ceRef(m.apply(xr), yr), beta), tf.mul(ceRef(m.apply(xf), yf), 1 - beta)) as tf.Scalar,
          lr,
        );
        tf.dispose([xr, xf]);
      }
      return m;
    });
  });
});

describe('the pieces', () => {
  it("random labels: 'other' never the true label and every other class drawn; 'any' draws over all classes", () => {
    const y = new Array(4000).fill(2);
    const other = drawRandomLabels(y, 4, new Rng('t'), 'other');
    expect(new Set(other)).toEqual(new Set([0, 1, 3]));
    const any = drawRandomLabels(y, 4, new Rng('t'), 'any');
    expect(new Set(any)).toEqual(new Set([0, 1, 2, 3]));
    // seeded: the same stream gives the same labels
    expect(drawRandomLabels(y, 4, new Rng('t'), 'other')).toEqual(other);
  });

  it('saliency mask: the ⌊ratio·N⌋ largest |g| over all arrays, ties by position', () => {
    const g = [Float32Array.from([0.1, -3, 2]), Float32Array.from([-2, 0.5])];
    expect(saliencyMask(g, 0.6).map((m) => Array.from(m))).toEqual([
      [0, 1, 1],
      [1, 0],
    ]);
    // |2| ties with |−2|: the first by position is kept at k = 2
    expect(saliencyMask(g, 0.4).map((m) => Array.from(m))).toEqual([
      [0, 1, 1],
      [0, 0],
    ]);
    expect(saliencyMask(g, 1).flatMap((m) => Array.from(m))).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('beyond the paper: opt-in, and outside its claims', () => {
  it('the three cards are marked beyondPaper, in no paper table and in no preset default', () => {
    expect([...BEYOND_PAPER_METHODS]).toEqual(['SalUn', 'NegGrad+', 'Random Labels']);
    for (const name of BEYOND_PAPER_METHODS) {
      expect(ALL_METHODS).not.toContain(name);
      expect(SINGLE_ROUND_METHODS).not.toContain(name);
      for (const [id, p] of Object.entries(PRESETS)) expect(p.spec.unlearn.methods, id).not.toContain(name);
    }
    expect(METHOD_CARDS.filter((c) => !c.beyondPaper).map((c) => c.name)).toEqual(ALL_METHODS);
  });

  it('their epochs scale like the other baselines (max(1, round(E·s)))', () => {
    const q = { dataset: 'cifar10', arch: 'convnet3', withDC: false } as const;
    expect(resolveHParams('SalUn', q, {}, 0.1).salun_epochs).toBe(1);
    expect(resolveHParams('NegGrad+', q, {}, 0.5).ngp_epochs).toBe(5);
    expect(resolveHParams('Random Labels', q, {}, 0.04).rl_epochs).toBe(1);
  });

  it('a spec may name them; the claims report marks them "not in the paper" and claim 20 never compares with them', () => {
    const spec = validateSpec(
      mergeSpec(DEFAULT_SPEC, { unlearn: { methods: ['Retrain', 'CF', 'A-CF', 'SalUn', 'NegGrad+'] } }),
    );
    expect(spec.unlearn.methods).toContain('SalUn');
    const mr = (name: MethodName, forgetAcc: number): MethodResult => ({
      name,
      withDC: false,
      round: 0,
      unlearnSeconds: 1,
      overheadSeconds: 0,
      curve: [],
      metrics: { retainAcc: 90, testAcc: 70, forgetAcc, mia: 50, lossMia: 50 },
    });
    const cell: ExperimentResult = {
      spec,
      env: { backend: 'cpu', versions: {}, startedAt: '', seconds: 0 },
      split: { trainSize: 0, retainSize: 0, forgetSize: 0, testUsedSize: 0, testEvalSize: 0, forgetClass: null },
      pretrain: { seconds: 0, testAcc: 0, trainAcc: 0, reused: false },
      methods: [mr('Retrain', 70), mr('CF', 90), mr('A-CF', 88), mr('SalUn', 70), mr('NegGrad+', 71)],
    };
    const claims = buildClaims({ experiments: { 'single-uniform-seed0': cell }, condensation: [] });
    const row = claims.find((c) => c.reproduces === NOT_IN_PAPER)!;
    expect(row.claim).toMatch(/SalUn \(Fan et al\., ICLR 2024\); NegGrad\+ \(Kurmanji et al\., NeurIPS 2023\)$/);
    expect(row.source).toBe('cells/single-uniform-seed0.json');
    expect(claimsMarkdown(claims)).toContain(`| ${NOT_IN_PAPER} |`);
    for (const c of claims.filter((x) => x !== row)) expect(`${c.claim} ${c.setting}`).not.toMatch(/SalUn|NegGrad/);
    // claim 20's best-in-class is CF (forget 90), not SalUn's 70 (Retrain's value): A-CF's shortfall stays small
    const c20 = claims.find((c) => c.id === 20 && c.claim.includes('(uniform'))!;
    expect(c20.ours).toMatch(/^shortfall 0\.0 pp/);
    // no such row without them
    const plain = { ...cell, methods: cell.methods.slice(0, 3) };
    expect(
      buildClaims({ experiments: { a: plain }, condensation: [] }).some((c) => c.reproduces === NOT_IN_PAPER),
    ).toBe(false);
  });
});
