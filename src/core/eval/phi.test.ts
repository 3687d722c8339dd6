import { describe, expect, it } from 'vitest';
import { perExampleLoss, stablePhi } from './phi';

describe('stablePhi (spec §7.2 test vectors)', () => {
  it('matches the golden values', () => {
    const z = new Float32Array([2, 1, 0, 0, 3, -1, 100, 0, 0]);
    const phi = stablePhi(z, [0, 0, 0]);
    expect(phi[0]).toBeCloseTo(0.686738, 6);
    expect(phi[1]).toBeCloseTo(-3.01815, 6);
    expect(phi[2]).toBeCloseTo(34.538776, 6);
  });
  it('≈ log(p/(1−p)) and bounded', () => {
    const phi = stablePhi([-100, 0, 0, 0.3, -0.2, 0.1], [0, 2]);
    expect(phi[0]).toBeCloseTo(-34.538776, 6); // e^{-a} floored at 1e-15
    const p = Math.exp(0.1) / (Math.exp(0.3) + Math.exp(-0.2) + Math.exp(0.1));
    expect(phi[1]).toBeCloseTo(Math.log(p / (1 - p)), 10);
  });
  it('per-example loss', () => {
    const l = perExampleLoss([0, 0], [1]);
    expect(l[0]).toBeCloseTo(Math.log(2), 12);
  });
});
