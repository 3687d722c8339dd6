/**
 * The smoke snapshot: every seeded number of the `smoke` preset with every method, both arms, in both forgetting
 * modes, compared with the committed `smoke-snapshot.json`. Refactors and faster kernels must leave it unchanged
 * (accuracies exactly — they are counts — and every other number within float32 tolerance).
 *
 * Regenerate deliberately, never to make a failure go away: `UPDATE_SMOKE_SNAPSHOT=1 npx vitest run smoke-snapshot`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initNodeBackend } from '../../cli/node-backend';
import * as tf from '@tensorflow/tfjs';
import { syntheticFor } from '../data/service';
import { METHOD_NAMES } from '../methods/registry';
import type { ExperimentResult, ExperimentSpec } from '../contracts';
import { getPreset, mergeSpec, validateSpec } from '../presets';
import { LabSession } from './session';

const SNAPSHOT = fileURLToPath(new URL('./smoke-snapshot.json', import.meta.url));
const UPDATE = process.env.UPDATE_SMOKE_SNAPSHOT === '1';

type Snap = Record<string, number>;

/** the seeded numbers of a result, flattened to `path → value` (timings left out: they are never reproducible) */
function seeded(r: ExperimentResult): Snap {
  const out: Snap = {};
  const put = (path: string, v: unknown) => {
    if (typeof v === 'number') out[path] = v;
  };
  for (const [k, v] of Object.entries(r.split ?? {})) put(`split.${k}`, v);
  put('pretrain.trainAcc', r.pretrain?.trainAcc);
  put('pretrain.testAcc', r.pretrain?.testAcc);
  for (const [k, v] of Object.entries(r.pretrain?.metrics ?? {})) put(`pretrain.metrics.${k}`, v);
  for (const c of r.condenseRounds ?? (r.condense ? [r.condense] : [])) {
    for (const k of ['retainSize', 'reducedRetainSize', 'freeClusters', 'residualImages', 'emptyClusters', 'finalLoss'])
      put(`condense.r${c.round}.${k}`, (c as unknown as Record<string, unknown>)[k]);
  }
  for (const m of r.methods) {
    const id = `${m.name}${m.withDC ? ' w/ DC' : ''} r${m.round}`;
    for (const [k, v] of Object.entries(m.metrics)) put(`${id}.${k}`, v);
  }
  return out;
}

function smokeSpec(mode: 'uniform' | 'class'): ExperimentSpec {
  return validateSpec(
    mergeSpec(getPreset('smoke').spec, {
      forget: { mode, class: mode === 'class' ? 3 : null, fraction: 0.1 },
      unlearn: { methods: [...METHOD_NAMES], arms: 'both' },
      curves: false,
    }),
  );
}

async function run(spec: ExperimentSpec): Promise<ExperimentResult> {
  const dataset = syntheticFor({ seed: spec.seed, trainPerClass: spec.trainPerClass, testPerClass: spec.testPerClass });
  const session = new LabSession({ dataset, sink: () => {}, backendName: tf.getBackend() }, spec);
  try {
    return await session.runAll();
  } finally {
    session.dispose();
  }
}

describe('smoke snapshot (numbers unchanged by refactors and kernels)', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('every method, both arms, uniform and class forgetting, matches smoke-snapshot.json', async () => {
    const baseline = tf.memory().numTensors;
    const now: Record<string, Snap> = {};
    for (const mode of ['uniform', 'class'] as const) now[mode] = seeded(await run(smokeSpec(mode)));
    expect(tf.memory().numTensors, 'no tensor leaks').toBe(baseline);
    if (UPDATE) {
      writeFileSync(SNAPSHOT, JSON.stringify(now, null, 2) + '\n'); // Prettier's JSON layout
      return;
    }
    const want = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, Snap>;
    for (const mode of Object.keys(want)) {
      // every recorded number is still reported (a new metric adds numbers: record it by regenerating deliberately)
      const gone = Object.keys(want[mode]).filter((k) => !(k in now[mode]));
      expect(gone, `${mode}: numbers no longer reported`).toEqual([]);
      for (const [path, v] of Object.entries(want[mode])) {
        const got = now[mode][path];
        // accuracies are ratios of counts: a float32-level change cannot move them unless a prediction flips
        const tol = /Acc$|Size$|Clusters$|Images$|^split\.|miaPerSide$/.test(path)
          ? 1e-9
          : 1e-4 * Math.max(1, Math.abs(v));
        expect(Math.abs(got - v), `${mode} ${path}: ${got} vs snapshot ${v}`).toBeLessThanOrEqual(tol);
      }
    }
  }, 240_000);
});
