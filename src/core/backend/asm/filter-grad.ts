// AssemblyScript source of the WASM SIMD filter-gradient kernel. `npm run kernels` compiles it into
// src/core/backend/filter-grad-wasm.ts (the bytes, base64); it is not part of the TypeScript program (tsconfig
// "exclude"). Caller: src/core/backend/filter-grad-simd.ts.
//
// For one filter tap (a, b) and a block of P output positions, the tap's slice of the filter gradient is
//   dW[a, b, :, :] (Ci × Co) += Σ_p x[row_p, :]ᵀ · dy[p, :]
// where row_p is the input pixel the tap reads for position p (an indirect GEMM: `rowsPtr` holds one byte address per
// position, the address of a row of Ci zeros where the tap falls in the padding). No im2col is materialised.

/**
 * The filter gradient's contribution of output positions p0 … p0+count−1 (flattened n, oy, ox; their output gradient
 * rows at dyPtr, contiguous): for every tap, the input-row addresses (into NHWC x at xPtr; zeroPtr in the padding) are
 * written at rowsPtr, then `tap` accumulates into the tap's [Ci × Co] slice of out ([KH, KW, Ci, Co]).
 */
export function block(
  xPtr: usize,
  zeroPtr: usize,
  rowsPtr: usize,
  dyPtr: usize,
  outPtr: usize,
  h: i32,
  w: i32,
  ci: i32,
  co: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oh: i32,
  ow: i32,
  p0: i32,
  count: i32,
): void {
  const plane = oh * ow;
  const slice = (<usize>(ci * co)) << 2;
  let out = outPtr;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      let rp = rowsPtr;
      let img = p0 / plane;
      let rem = p0 - img * plane;
      let oy = rem / ow;
      let ox = rem - oy * ow;
      for (let p = 0; p < count; p++) {
        const iy = oy * sh + a - pt;
        const ix = ox * sw + b - pl;
        const addr =
          iy < 0 || iy >= h || ix < 0 || ix >= w ? zeroPtr : xPtr + ((<usize>(((img * h + iy) * w + ix) * ci)) << 2);
        store<u32>(rp, <u32>addr);
        rp += 4;
        if (++ox === ow) {
          ox = 0;
          if (++oy === oh) {
            oy = 0;
            img++;
          }
        }
      }
      tap(rowsPtr, dyPtr, out, count, ci, co);
      out += slice;
    }
  }
}

/**
 * out[ci × co] += Σ_p x(rows[p])[ci]ᵀ · dy[p][co] over `count` positions; dy rows are contiguous (co floats each).
 * Register tiles (12 four-wide accumulators each, which V8 keeps in the 16 SIMD registers of x64): 4 channels × 12
 * outputs while 4 channels remain, then 3 × 16 (a 3-channel first layer), then 1 × 4; 4-wide then scalar columns
 * past a tile's last full width.
 */
export function tap(rowsPtr: usize, dyPtr: usize, outPtr: usize, count: i32, ci: i32, co: i32): void {
  const cs = (<usize>co) << 2;
  const c16 = co & ~15;
  const c4 = co & ~3;
  let r = 0;
  // 4 rows × 12 columns (12 accumulators) while 4 rows remain; columns past the last multiple of 12 in 4-wide steps
  const c12 = co - (co % 12);
  for (; r + 4 <= ci; r += 4) {
    const ro = (<usize>r) << 2;
    const o0 = outPtr + <usize>r * cs;
    const o1 = o0 + cs;
    const o2 = o1 + cs;
    const o3 = o2 + cs;
    let c = 0;
    for (; c < c12; c += 12) {
      const oc = (<usize>c) << 2;
      let a00 = v128.load(o0 + oc, 0),
        a01 = v128.load(o0 + oc, 16),
        a02 = v128.load(o0 + oc, 32);
      let a10 = v128.load(o1 + oc, 0),
        a11 = v128.load(o1 + oc, 16),
        a12 = v128.load(o1 + oc, 32);
      let a20 = v128.load(o2 + oc, 0),
        a21 = v128.load(o2 + oc, 16),
        a22 = v128.load(o2 + oc, 32);
      let a30 = v128.load(o3 + oc, 0),
        a31 = v128.load(o3 + oc, 16),
        a32 = v128.load(o3 + oc, 32);
      let pp = rowsPtr;
      let dp = dyPtr + oc;
      for (let p = 0; p < count; p++) {
        const xp = <usize>load<u32>(pp) + ro;
        const d0 = v128.load(dp, 0),
          d1 = v128.load(dp, 16),
          d2 = v128.load(dp, 32);
        const x0 = v128.load32_splat(xp, 0);
        a00 = f32x4.add(a00, f32x4.mul(x0, d0));
        a01 = f32x4.add(a01, f32x4.mul(x0, d1));
        a02 = f32x4.add(a02, f32x4.mul(x0, d2));
        const x1 = v128.load32_splat(xp, 4);
        a10 = f32x4.add(a10, f32x4.mul(x1, d0));
        a11 = f32x4.add(a11, f32x4.mul(x1, d1));
        a12 = f32x4.add(a12, f32x4.mul(x1, d2));
        const x2 = v128.load32_splat(xp, 8);
        a20 = f32x4.add(a20, f32x4.mul(x2, d0));
        a21 = f32x4.add(a21, f32x4.mul(x2, d1));
        a22 = f32x4.add(a22, f32x4.mul(x2, d2));
        const x3 = v128.load32_splat(xp, 12);
        a30 = f32x4.add(a30, f32x4.mul(x3, d0));
        a31 = f32x4.add(a31, f32x4.mul(x3, d1));
        a32 = f32x4.add(a32, f32x4.mul(x3, d2));
        pp += 4;
        dp += cs;
      }
      v128.store(o0 + oc, a00, 0);
      v128.store(o0 + oc, a01, 16);
      v128.store(o0 + oc, a02, 32);
      v128.store(o1 + oc, a10, 0);
      v128.store(o1 + oc, a11, 16);
      v128.store(o1 + oc, a12, 32);
      v128.store(o2 + oc, a20, 0);
      v128.store(o2 + oc, a21, 16);
      v128.store(o2 + oc, a22, 32);
      v128.store(o3 + oc, a30, 0);
      v128.store(o3 + oc, a31, 16);
      v128.store(o3 + oc, a32, 32);
    }
    for (; c < c4; c += 4) {
      const oc = (<usize>c) << 2;
      let a0 = v128.load(o0 + oc),
        a1 = v128.load(o1 + oc),
        a2 = v128.load(o2 + oc),
        a3 = v128.load(o3 + oc);
      let pp = rowsPtr;
      let dp = dyPtr + oc;
      for (let p = 0; p < count; p++) {
        const xp = <usize>load<u32>(pp) + ro;
        const d = v128.load(dp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp, 0), d));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp, 12), d));
        pp += 4;
        dp += cs;
      }
      v128.store(o0 + oc, a0);
      v128.store(o1 + oc, a1);
      v128.store(o2 + oc, a2);
      v128.store(o3 + oc, a3);
    }
    for (; c < co; c++) cells(rowsPtr, dyPtr, outPtr, count, co, r, 4, c);
  }
  for (; r + 3 <= ci; r += 3) {
    const ro = (<usize>r) << 2;
    const o0 = outPtr + <usize>r * cs;
    const o1 = o0 + cs;
    const o2 = o1 + cs;
    let c = 0;
    for (; c < c16; c += 16) {
      const oc = (<usize>c) << 2;
      let a00 = v128.load(o0 + oc, 0),
        a01 = v128.load(o0 + oc, 16),
        a02 = v128.load(o0 + oc, 32),
        a03 = v128.load(o0 + oc, 48);
      let a10 = v128.load(o1 + oc, 0),
        a11 = v128.load(o1 + oc, 16),
        a12 = v128.load(o1 + oc, 32),
        a13 = v128.load(o1 + oc, 48);
      let a20 = v128.load(o2 + oc, 0),
        a21 = v128.load(o2 + oc, 16),
        a22 = v128.load(o2 + oc, 32),
        a23 = v128.load(o2 + oc, 48);
      let pp = rowsPtr;
      let dp = dyPtr + oc;
      for (let p = 0; p < count; p++) {
        const xp = <usize>load<u32>(pp) + ro;
        const d0 = v128.load(dp, 0),
          d1 = v128.load(dp, 16),
          d2 = v128.load(dp, 32),
          d3 = v128.load(dp, 48);
        const x0 = v128.load32_splat(xp, 0);
        a00 = f32x4.add(a00, f32x4.mul(x0, d0));
        a01 = f32x4.add(a01, f32x4.mul(x0, d1));
        a02 = f32x4.add(a02, f32x4.mul(x0, d2));
        a03 = f32x4.add(a03, f32x4.mul(x0, d3));
        const x1 = v128.load32_splat(xp, 4);
        a10 = f32x4.add(a10, f32x4.mul(x1, d0));
        a11 = f32x4.add(a11, f32x4.mul(x1, d1));
        a12 = f32x4.add(a12, f32x4.mul(x1, d2));
        a13 = f32x4.add(a13, f32x4.mul(x1, d3));
        const x2 = v128.load32_splat(xp, 8);
        a20 = f32x4.add(a20, f32x4.mul(x2, d0));
        a21 = f32x4.add(a21, f32x4.mul(x2, d1));
        a22 = f32x4.add(a22, f32x4.mul(x2, d2));
        a23 = f32x4.add(a23, f32x4.mul(x2, d3));
        pp += 4;
        dp += cs;
      }
      v128.store(o0 + oc, a00, 0);
      v128.store(o0 + oc, a01, 16);
      v128.store(o0 + oc, a02, 32);
      v128.store(o0 + oc, a03, 48);
      v128.store(o1 + oc, a10, 0);
      v128.store(o1 + oc, a11, 16);
      v128.store(o1 + oc, a12, 32);
      v128.store(o1 + oc, a13, 48);
      v128.store(o2 + oc, a20, 0);
      v128.store(o2 + oc, a21, 16);
      v128.store(o2 + oc, a22, 32);
      v128.store(o2 + oc, a23, 48);
    }
    for (; c < c4; c += 4) {
      const oc = (<usize>c) << 2;
      let a0 = v128.load(o0 + oc),
        a1 = v128.load(o1 + oc),
        a2 = v128.load(o2 + oc);
      let pp = rowsPtr;
      let dp = dyPtr + oc;
      for (let p = 0; p < count; p++) {
        const xp = <usize>load<u32>(pp) + ro;
        const d = v128.load(dp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp, 0), d));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d));
        pp += 4;
        dp += cs;
      }
      v128.store(o0 + oc, a0);
      v128.store(o1 + oc, a1);
      v128.store(o2 + oc, a2);
    }
    for (; c < co; c++) cells(rowsPtr, dyPtr, outPtr, count, co, r, 3, c);
  }
  for (; r < ci; r++) {
    const ro = (<usize>r) << 2;
    const o0 = outPtr + <usize>r * cs;
    let c = 0;
    for (; c < c4; c += 4) {
      const oc = (<usize>c) << 2;
      let a0 = v128.load(o0 + oc);
      let pp = rowsPtr;
      let dp = dyPtr + oc;
      for (let p = 0; p < count; p++) {
        const xp = <usize>load<u32>(pp) + ro;
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp, 0), v128.load(dp)));
        pp += 4;
        dp += cs;
      }
      v128.store(o0 + oc, a0);
    }
    for (; c < co; c++) cells(rowsPtr, dyPtr, outPtr, count, co, r, 1, c);
  }
}

/** Scalar remainder: output columns past the last multiple of 4. */
function cells(rowsPtr: usize, dyPtr: usize, outPtr: usize, count: i32, co: i32, r0: i32, nr: i32, c: i32): void {
  for (let r = r0; r < r0 + nr; r++) {
    const at = outPtr + ((<usize>(r * co + c)) << 2);
    let s = load<f32>(at);
    for (let p = 0; p < count; p++) {
      const xp = <usize>load<u32>(rowsPtr + ((<usize>p) << 2)) + ((<usize>r) << 2);
      s += load<f32>(xp) * load<f32>(dyPtr + ((<usize>(p * co + c)) << 2));
    }
    store<f32>(at, s);
  }
}
