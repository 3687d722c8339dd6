// AssemblyScript source of the WASM SIMD filter-gradient kernel. `npm run kernels` compiles it into
// src/core/backend/filter-grad-wasm.ts (the bytes, base64); it is not part of the TypeScript program (tsconfig
// "exclude"). Caller: src/core/backend/filter-grad-simd.ts.
//
// The filter gradient is one GEMM: dW, read as a (KH·KW·Ci) × Co matrix (its [KH, KW, Ci, Co] layout), equals
//   Σ_p patch(p)ᵀ · dy[p]
// over the output positions p, where patch(p) holds the KH·KW·Ci input values the filter sees at p (zeros where a tap
// falls in the padding). As in a BLAS, both operands are packed into panels first, so the register tile's inner loop
// reads two contiguous streams: the output gradient once per block of positions into panels of 8 outputs
// ([Co / 8][P][8]), and the patches of a group of consecutive taps into panels of 5 rows ([rows / 5][P][5]; the only
// im2col there is, one block and one tap group at a time: all taps of a 3-channel first layer, one tap of a
// 128-channel layer). Partial panels are zero-padded; a tile that reaches past the group's rows or Co runs on a
// scratch copy of its valid part. Each weight's sum runs over the positions in order, so the tile, the tap grouping
// and the block size do not change a single bit of the result.

/** Register tile: 5 rows (patch values) × 8 columns (outputs). */
const MR = 5;
const NR = 8;

/**
 * The filter gradient's contribution of output positions p0 … p0+count−1 (flattened n, oy, ox; their output gradient
 * rows at dyPtr, contiguous) to out ([KH, KW, Ci, Co]), for NHWC x at xPtr (zeroPtr: a row of Ci zeros), `group` taps
 * at a time. apPtr, bpPtr and tilePtr are the panels' and the scratch tile's space.
 */
export function block(
  xPtr: usize,
  zeroPtr: usize,
  dyPtr: usize,
  outPtr: usize,
  apPtr: usize,
  bpPtr: usize,
  tilePtr: usize,
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
  group: i32,
): void {
  packOutputGrad(dyPtr, bpPtr, count, co);
  const plane = oh * ow;
  const cs = (<usize>co) << 2;
  const aPanel = (<usize>(count * MR)) << 2;
  const bPanel = (<usize>(count * NR)) << 2;
  const taps = kh * kw;
  for (let t0 = 0; t0 < taps; t0 += group) {
    const t1 = min(taps, t0 + group);
    const rows = (t1 - t0) * ci;
    // gather the group's patch rows, position by position, into panels of MR
    let img = p0 / plane;
    let rem = p0 - img * plane;
    let oy = rem / ow;
    let ox = rem - oy * ow;
    for (let p = 0; p < count; p++) {
      let panel = apPtr + ((<usize>(p * MR)) << 2);
      let slot = 0;
      for (let t = t0; t < t1; t++) {
        const a = t / kw;
        const iy = oy * sh + a - pt;
        const ix = ox * sw + (t - a * kw) - pl;
        const src =
          iy < 0 || iy >= h || ix < 0 || ix >= w ? zeroPtr : xPtr + ((<usize>(((img * h + iy) * w + ix) * ci)) << 2);
        for (let c = 0; c < ci; c++) {
          store<f32>(panel + ((<usize>slot) << 2), load<f32>(src + ((<usize>c) << 2)));
          if (++slot === MR) {
            slot = 0;
            panel += aPanel;
          }
        }
      }
      for (; slot > 0 && slot < MR; slot++) store<f32>(panel + ((<usize>slot) << 2), 0);
      if (++ox === ow) {
        ox = 0;
        if (++oy === oh) {
          oy = 0;
          img++;
        }
      }
    }
    const out = outPtr + <usize>(t0 * ci) * cs;
    let ap = apPtr;
    for (let r0 = 0; r0 < rows; r0 += MR) {
      let bp = bpPtr;
      for (let c0 = 0; c0 < co; c0 += NR) {
        const c = out + <usize>r0 * cs + ((<usize>c0) << 2);
        if (r0 + MR <= rows && c0 + NR <= co) tile(ap, bp, count, c, cs);
        else partialTile(ap, bp, count, c, cs, rows - r0, co - c0, tilePtr);
        bp += bPanel;
      }
      ap += aPanel;
    }
  }
}

/** dy rows (co floats each) → panels [⌈co / NR⌉][count][NR], the last one zero-padded. */
function packOutputGrad(dyPtr: usize, bpPtr: usize, count: i32, co: i32): void {
  const nr = NR;
  const cs = (<usize>co) << 2;
  let dst = bpPtr;
  for (let c0 = 0; c0 < co; c0 += nr) {
    let src = dyPtr + ((<usize>c0) << 2);
    if (c0 + nr <= co) {
      for (let p = 0; p < count; p++) {
        for (let j = 0; j < nr; j += 4) v128.store(dst + ((<usize>j) << 2), v128.load(src + ((<usize>j) << 2)));
        dst += (<usize>nr) << 2;
        src += cs;
      }
    } else {
      for (let p = 0; p < count; p++) {
        for (let j = 0; j < nr; j++)
          store<f32>(dst + ((<usize>j) << 2), c0 + j < co ? load<f32>(src + ((<usize>j) << 2)) : 0);
        dst += (<usize>nr) << 2;
        src += cs;
      }
    }
  }
}

/** A tile past the rows or Co: its valid part copied into a zeroed MR × NR scratch tile, accumulated there, copied back. */
function partialTile(ap: usize, bp: usize, count: i32, c: usize, cs: usize, rows: i32, cols: i32, t: usize): void {
  const ts = (<usize>NR) << 2;
  for (let i = 0; i < MR; i++)
    for (let j = 0; j < NR; j++)
      store<f32>(
        t + <usize>i * ts + ((<usize>j) << 2),
        i < rows && j < cols ? load<f32>(c + <usize>i * cs + ((<usize>j) << 2)) : 0,
      );
  tile(ap, bp, count, t, ts);
  for (let i = 0; i < MR && i < rows; i++)
    for (let j = 0; j < NR && j < cols; j++)
      store<f32>(c + <usize>i * cs + ((<usize>j) << 2), load<f32>(t + <usize>i * ts + ((<usize>j) << 2)));
}

/**
 * c[5 × 8] (row stride cs) += Σ_p a[p][0..5]ᵀ · b[p][0..8]: 10 four-wide accumulators, 2 output-gradient vectors and
 * one splatted input value, which fit x64's 16 SIMD registers without spilling.
 */
function tile(ap: usize, bp: usize, count: i32, c: usize, cs: usize): void {
  const c1 = c + cs,
    c2 = c1 + cs,
    c3 = c2 + cs,
    c4 = c3 + cs;
  let a00 = v128.load(c, 0),
    a01 = v128.load(c, 16);
  let a10 = v128.load(c1, 0),
    a11 = v128.load(c1, 16);
  let a20 = v128.load(c2, 0),
    a21 = v128.load(c2, 16);
  let a30 = v128.load(c3, 0),
    a31 = v128.load(c3, 16);
  let a40 = v128.load(c4, 0),
    a41 = v128.load(c4, 16);
  for (let p = 0; p < count; p++) {
    const d0 = v128.load(bp, 0),
      d1 = v128.load(bp, 16);
    const x0 = v128.load32_splat(ap, 0);
    a00 = f32x4.add(a00, f32x4.mul(x0, d0));
    a01 = f32x4.add(a01, f32x4.mul(x0, d1));
    const x1 = v128.load32_splat(ap, 4);
    a10 = f32x4.add(a10, f32x4.mul(x1, d0));
    a11 = f32x4.add(a11, f32x4.mul(x1, d1));
    const x2 = v128.load32_splat(ap, 8);
    a20 = f32x4.add(a20, f32x4.mul(x2, d0));
    a21 = f32x4.add(a21, f32x4.mul(x2, d1));
    const x3 = v128.load32_splat(ap, 12);
    a30 = f32x4.add(a30, f32x4.mul(x3, d0));
    a31 = f32x4.add(a31, f32x4.mul(x3, d1));
    const x4 = v128.load32_splat(ap, 16);
    a40 = f32x4.add(a40, f32x4.mul(x4, d0));
    a41 = f32x4.add(a41, f32x4.mul(x4, d1));
    ap += 20;
    bp += 32;
  }
  v128.store(c, a00, 0);
  v128.store(c, a01, 16);
  v128.store(c1, a10, 0);
  v128.store(c1, a11, 16);
  v128.store(c2, a20, 0);
  v128.store(c2, a21, 16);
  v128.store(c3, a30, 0);
  v128.store(c3, a31, 16);
  v128.store(c4, a40, 0);
  v128.store(c4, a41, 16);
}
