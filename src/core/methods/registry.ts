/**
 * THE list of unlearning methods, in the page's and the reports' order. Adding a method: write its card
 * (src/core/methods/<method>.ts: name, label, hyper-parameters, epoch scaling) and its run
 * (src/core/unlearn/<method>.ts), then add one line here and one in src/core/unlearn/registry.ts (the type
 * checker asks for the second). `METHOD_NAMES`, `MethodName`, the hyper-parameter table, spec validation, the URL
 * table and the page's controls all derive from this list.
 */
import type { MethodCard } from './define';
import { RETRAIN } from './retrain';
import { CF } from './cf';
import { A_CF } from './a-cf';
import { BAD_DISTILLATION } from './bad-distillation';
import { L1_SPARSE } from './l1-sparse';
import { PRUNING } from './pruning';
import { SCRUB } from './scrub';
import { A_SCRUB } from './a-scrub';
import { A_L1_SPARSE } from './a-l1-sparse';
import { SALUN } from './salun';
import { NEGGRAD_PLUS } from './neggrad-plus';
import { RANDOM_LABELS } from './random-labels';

export const METHOD_CARDS = [
  RETRAIN,
  CF,
  A_CF,
  BAD_DISTILLATION,
  L1_SPARSE,
  PRUNING,
  SCRUB,
  A_SCRUB,
  A_L1_SPARSE,
  SALUN,
  NEGGRAD_PLUS,
  RANDOM_LABELS,
] as const;

export type MethodName = (typeof METHOD_CARDS)[number]['name'];

export const METHOD_NAMES: readonly MethodName[] = METHOD_CARDS.map((c) => c.name);

/** The methods that are not in the paper (cards with `beyondPaper`): opt-in, and outside the paper's claims. */
export const BEYOND_PAPER_METHODS: readonly MethodName[] = METHOD_CARDS.filter(
  (c: MethodCard) => c.beyondPaper !== undefined,
).map((c) => c.name);

/** The card of a method name, or undefined for an unknown name. */
export function methodCard(name: string): MethodCard<MethodName> | undefined {
  return METHOD_CARDS.find((c) => c.name === name);
}
