/**
 * The experiment cells of the reproduction report (issue 7), shared by `npm run reproduce` and the page's
 * Reproduce panel: §4.3 single round (class and 10 % uniform forgetting, all single-round methods, w/o and w/ DC)
 * and §4.5 multi-round (3 × 10 % uniform), per seed, derived from one preset.
 */
import type { ExperimentSpec } from '../contracts';
import { MULTI_ROUND_METHODS, SINGLE_ROUND_METHODS, getPreset, mergeSpec, validateSpec } from '../presets';

export interface ExperimentCell {
  id: string;
  title: string;
  spec: ExperimentSpec;
}

export function planExperimentCells(presetName: string, seeds: number[], withMultiRound = true): ExperimentCell[] {
  const base = getPreset(presetName).spec;
  const cells: ExperimentCell[] = [];
  for (const seed of seeds) {
    for (const mode of ['class', 'uniform'] as const) {
      cells.push({
        id: `single-${mode}-seed${seed}`,
        title: `§4.3 single round, ${mode === 'class' ? 'class' : '10% uniform'} forgetting, seed ${seed}`,
        spec: validateSpec(
          mergeSpec(base, {
            seed,
            forget: { mode, class: null, fraction: 0.1 },
            rounds: 1,
            unlearn: { methods: SINGLE_ROUND_METHODS, arms: 'both' },
          }),
        ),
      });
    }
    if (withMultiRound) {
      cells.push({
        id: `multi-uniform-seed${seed}`,
        title: `§4.5 multi-round (3 × 10% uniform), seed ${seed}`,
        spec: validateSpec(
          mergeSpec(base, {
            seed,
            forget: { mode: 'uniform', class: null, fraction: 0.1 },
            rounds: 3,
            curves: false,
            unlearn: { methods: MULTI_ROUND_METHODS, arms: 'both' },
          }),
        ),
      });
    }
  }
  return cells;
}
