import { describe, expect, it } from 'vitest';
import type { MethodResult } from '../core/lite';
import { contrast, heatColors, pickMethod, shownModels } from './modelViews';
import { armKey } from './runState';

const metrics = { retainAcc: 1, forgetAcc: 2, testAcc: 3, mia: 50, lossMia: 50 };
const mr = (name: MethodResult['name'], withDC: boolean, extra: Partial<MethodResult> = {}): MethodResult => ({
  name,
  withDC,
  round: 0,
  unlearnSeconds: 1,
  overheadSeconds: 0,
  metrics,
  curve: [],
  ...extra,
});

describe('per-class / attack view helpers', () => {
  it('heatmap text keeps ≥ 4.5:1 contrast at every share', () => {
    for (let i = 0; i <= 200; i++) {
      const c = heatColors(i / 200);
      const fg = c.fg === '#000000' ? [0, 0, 0] : [255, 255, 255];
      expect(contrast(c.rgb, fg), `t = ${i / 200}`).toBeGreaterThanOrEqual(4.5);
    }
    expect(heatColors(0).fg).toBe('#000000');
    expect(heatColors(1).fg).toBe('#ffffff');
  });

  it('shows the selected method next to Retrain of the same arm, after the original model', () => {
    const methods = [mr('Retrain', false), mr('CF', false), mr('Retrain', true), mr('CF', true)];
    expect(pickMethod(methods, null)!.name).toBe('CF');
    expect(pickMethod(methods, armKey('CF', true))!.withDC).toBe(true);
    expect(pickMethod(methods, 'nonsense|x|0')!.name).toBe('CF');
    const pre = { seconds: 1, testAcc: 3, trainAcc: 4, reused: false, metrics, confusion: [[1]] };
    const shown = shownModels(methods, armKey('CF', true), pre);
    expect(shown.map((s) => [s.role, s.label])).toEqual([
      ['original', 'Original'],
      ['method', 'CF w/ DC'],
      ['retrain', 'Retrain w/ DC'],
    ]);
    // an older result without views: the original is left out, methods are still listed (views undefined)
    expect(
      shownModels(methods, null, { seconds: 1, testAcc: 3, trainAcc: 4, reused: false }).map((s) => s.role),
    ).toEqual(['method', 'retrain']);
    expect(shownModels([], null, undefined)).toEqual([]);
  });
});
