import { describe, it, expect } from 'vitest';
import { filterGradSimd, simdFilterGradUnavailable, simdFilterGradCalls } from './filter-grad-simd';
import { Rng } from '../rng';

/** plain-loop reference in float64: dW[a,b,c,o] = Σ x[n, oy·s+a−pt, ox·s+b−pl, c] · dy[n, oy, ox, o] */
function reference(
  x: Float32Array,
  dy: Float32Array,
  [n, h, w, ci]: number[],
  [kh, kw, , co]: number[],
  [oh, ow]: number[],
  s: number,
  pt: number,
  pl: number,
): Float64Array {
  const out = new Float64Array(kh * kw * ci * co);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) {
            const iy = oy * s + a - pt,
              ix = ox * s + b - pl;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let c = 0; c < ci; c++) {
              const xv = x[((i * h + iy) * w + ix) * ci + c];
              for (let o = 0; o < co; o++)
                out[((a * kw + b) * ci + c) * co + o] += xv * dy[((i * oh + oy) * ow + ox) * co + o];
            }
          }
  return out;
}

describe('WASM SIMD filter-gradient kernel', () => {
  it('runs here (Node has WASM SIMD)', () => {
    expect(simdFilterGradUnavailable()).toBeNull();
  });

  it('matches a float64 loop over blocks, taps, padding and register-tile remainders', () => {
    const rng = new Rng('simd-dw');
    // [x shape, filter shape, stride, pad top/left]: several position blocks (co 4 → 512 positions a block), Co
    // = 8·k + r (partial output panels), tap groups of all taps (Ci ≤ 28), of 2 taps (Ci 100: 200 rows, the last
    // group 1 tap) and of 1 tap (Ci ≥ 129), group rows = 5·k + r (partial patch panels)
    const cases: [number[], number[], number, number][] = [
      [[3, 33, 35, 3], [3, 3, 3, 4], 1, 1],
      [[2, 9, 8, 5], [3, 3, 5, 23], 1, 1],
      [[2, 11, 10, 4], [3, 2, 4, 17], 2, 0],
      [[2, 6, 5, 100], [3, 3, 100, 16], 1, 1],
      [[1, 7, 7, 130], [3, 3, 130, 33], 2, 1],
      [[1, 6, 6, 300], [3, 3, 300, 9], 1, 1],
    ];
    for (const [xs, ks, s, p] of cases) {
      const [n, h, w] = xs;
      const oh = Math.floor((h + 2 * p - ks[0]) / s) + 1,
        ow = Math.floor((w + 2 * p - ks[1]) / s) + 1;
      const x = new Float32Array(
        rng.uniformArray(
          xs.reduce((a, b) => a * b),
          -1,
          1,
        ),
      );
      const dy = new Float32Array(rng.uniformArray(n * oh * ow * ks[3], -1, 1));
      const got = new Float32Array(ks.reduce((a, b) => a * b));
      const c0 = simdFilterGradCalls();
      filterGradSimd(
        x,
        dy,
        {
          x: xs as [number, number, number, number],
          filter: ks as [number, number, number, number],
          out: [oh, ow],
          strides: [s, s],
          padTop: p,
          padLeft: p,
        },
        got,
      );
      expect(simdFilterGradCalls() - c0).toBe(1);
      const ref = reference(x, dy, xs, ks, [oh, ow], s, p, p);
      let num = 0,
        den = 0;
      for (let i = 0; i < ref.length; i++) {
        num += (got[i] - ref[i]) ** 2;
        den += ref[i] ** 2;
      }
      expect(Math.sqrt(num / den), `${xs} ${ks}`).toBeLessThan(1e-5); // float32 sums over up to 3,267 positions
    }
  });

  it('refuses operands whose sizes disagree with the geometry, saying which', () => {
    expect(() =>
      filterGradSimd(
        new Float32Array(10),
        new Float32Array(4),
        { x: [1, 2, 2, 3], filter: [1, 1, 3, 1], out: [2, 2], strides: [1, 1], padTop: 0, padLeft: 0 },
        new Float32Array(3),
      ),
    ).toThrow(/x 1,2,2,3 \(10 values\)/);
  });
});
