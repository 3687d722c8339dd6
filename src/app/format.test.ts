import { describe, expect, it } from 'vitest';
import { miaGapNoise } from './format';

describe('single-run MIA gap within noise (|gap| < 2·√(SE² + SE_ref²))', () => {
  it('says within noise inside the bound and not outside it', () => {
    // 2·√(3² + 4²) = 10
    expect(miaGapNoise({ mia: 59.9, miaSe: 3 }, { mia: 50, miaSe: 4 })).toEqual({ within: true, twoSe: 10 });
    expect(miaGapNoise({ mia: 60.1, miaSe: 3 }, { mia: 50, miaSe: 4 })?.within).toBe(false);
    expect(miaGapNoise({ mia: 40.5, miaSe: 3, miaFiltered: 40.5 }, { mia: 50, miaSe: 4 })?.within).toBe(true);
  });
  it('gives no verdict without both SEs or when the filtered MIA is not the one the SE belongs to', () => {
    expect(miaGapNoise({ mia: 55 }, { mia: 50, miaSe: 4 })).toBeNull();
    expect(miaGapNoise({ mia: 55, miaSe: 1 }, { mia: 50 })).toBeNull();
    expect(miaGapNoise({ mia: 80, miaSe: 1, miaFiltered: 52 }, { mia: 50, miaSe: 1 })).toBeNull();
  });
});
