import { describe, expect, it } from 'vitest';
import { blendLr, blendStepOf, lrBlend, PAPER_LR_PER_CLUSTER } from './blend';

// Issue 23 item 3: one place turns the Blend step setting into lr (no silent fallback between three forms).
describe('blendLr', () => {
  it('gives each kind of step its lr for T free clusters', () => {
    expect(blendLr({ kind: 'paper-regime', forgetMode: 'class' }, 90)).toBe(PAPER_LR_PER_CLUSTER.class * 90);
    expect(blendLr({ kind: 'paper-regime', forgetMode: 'uniform' }, 63)).toBe(PAPER_LR_PER_CLUSTER.uniform * 63);
    expect(blendLr({ kind: 'paper-polynomial', ipc: 10 }, 63)).toBe(lrBlend(10));
    expect(blendLr({ kind: 'per-cluster', lrPerCluster: 0.07 }, 16)).toBeCloseTo(1.12, 12);
    expect(blendLr({ kind: 'fixed', lr: 5 }, 16)).toBe(5);
  });

  it("maps a spec's condense.lrMode to its step, with the forgetting mode or the IPC it needs", () => {
    expect(blendStepOf('paper-regime', 'class', 60)).toEqual({ kind: 'paper-regime', forgetMode: 'class' });
    expect(blendStepOf('paper-polynomial', 'class', 60)).toEqual({ kind: 'paper-polynomial', ipc: 60 });
  });
});
