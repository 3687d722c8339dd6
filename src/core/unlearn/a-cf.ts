/**
 * A-CF (docs/paper-notes.md §5.3): per retain minibatch B, L = (meanCE_retain)² + λ·MMD²( g(test logits, detached),
 * g(forget logits) ), with 4B forget samples drawn without replacement from the real D_f and 4B test samples from
 * D_te_used restricted to the labels present in the forget sample (per-class index lists precomputed).
 * Adam (β 0.9/0.999, ε 1e-8), constant lr, 1 epoch. Options: ECDF one-/two-sided, per-sample squaring.
 * Both terms are reported per step through ctx.onTerms (unweighted: ce2, mmd²). The machinery is in ./amu.ts.
 */
import type { UnlearnMethod } from './common';
import { runAmu } from './amu';

export const acf: UnlearnMethod = (ctx) => runAmu(ctx, 'A-CF', 'acf');
