/**
 * Fused instance norm (+ ReLU) (+ 2×2 average pool) for CPU-memory backends ('wasm', 'cpu').
 *
 * tfjs composes instance norm from ~10 kernels whose gradients need reductions over H,W; on the WASM
 * backend those reductions transpose the whole activation first, and AvgPoolGrad is a scalar loop. Here the
 * forward is two passes over the activation (per-(n,c) sums, then normalise/ReLU/pool) and the backward two
 * passes (per-(n,c) sums of g and g·x̂, then dx), as plain JS loops over the backend's memory.
 *
 * Gradient (per sample n and channel c, over the H·W positions, x̂ = (x−μ)·r, r = 1/√(σ²+ε)):
 *   g = upstream gradient of z = γ·x̂ + β (after the ReLU mask and the pool's 1/4 spread)
 *   dβ = Σ g,  dγ = Σ g·x̂,  dx = r·γ·(g − mean(g) − x̂·mean(g·x̂))
 * A conv bias right before the norm cancels in (x − μ): it is accepted as an input (so it stays a connected
 * parameter) and gets its exact gradient, zero.
 */
import * as tf from '@tensorflow/tfjs';

export const IN_EPS = 1e-5;

type TensorInfo = tf.TensorInfo;

interface MemBackend {
  /** wasm */
  typedArrayFromHeap?(t: TensorInfo): Float32Array;
  makeOutput?(shape: number[], dtype: string): TensorInfo;
  /** cpu */
  data?: { get(id: object): { values: Float32Array } };
  makeTensorInfo?(shape: number[], dtype: string, values?: Float32Array): TensorInfo;
}

const FUSED_BACKENDS = new Set(['wasm', 'cpu']);
let enabled = true;

/** Turn the fused path off/on (benchmarks compare both; results are the same up to float rounding). */
export function setFusedOps(on: boolean): void {
  enabled = on;
}

export function fusedOpsEnabled(): boolean {
  return enabled;
}

export function fusedOpsActive(): boolean {
  return enabled && FUSED_BACKENDS.has(tf.getBackend()) && registered;
}

function alloc(b: MemBackend, shape: number[]): TensorInfo {
  if (b.typedArrayFromHeap && b.makeOutput) return b.makeOutput(shape, 'float32');
  const n = shape.reduce((a, c) => a * c, 1);
  return b.makeTensorInfo!(shape, 'float32', new Float32Array(n));
}

function view(b: MemBackend, t: TensorInfo): Float32Array {
  if (b.typedArrayFromHeap) return b.typedArrayFromHeap(t);
  return b.data!.get(t.dataId).values;
}

/** Forward: y = act(γ·x̂ + β) [pooled]; stats = [2, N, C] (mean, rstd). */
export function inForwardJs(
  x: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  gamma: Float32Array,
  beta: Float32Array,
  relu: boolean,
  pool: boolean,
  y: Float32Array,
  stats: Float32Array,
): void {
  if (c % 4 !== 0) return inForwardGeneric(x, n, h, w, c, gamma, beta, relu, pool, y, stats);
  const hw = h * w;
  const oh = h >> 1,
    ow = w >> 1;
  const row = w * c;
  for (let i = 0; i < n; i++) {
    const base = i * hw * c,
      end = base + hw * c;
    const ybase = pool ? i * oh * ow * c : base;
    // channel-quad outer, pixels inner: accumulators stay in registers (≈3× faster in V8 than per-channel arrays)
    for (let k = 0; k < c; k += 4) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        q0 = 0,
        q1 = 0,
        q2 = 0,
        q3 = 0;
      for (let p = base + k; p < end; p += c) {
        const v0 = x[p],
          v1 = x[p + 1],
          v2 = x[p + 2],
          v3 = x[p + 3];
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
        q0 += v0 * v0;
        q1 += v1 * v1;
        q2 += v2 * v2;
        q3 += v3 * v3;
      }
      const m0 = s0 / hw,
        m1 = s1 / hw,
        m2 = s2 / hw,
        m3 = s3 / hw;
      const r0 = 1 / Math.sqrt(Math.max(q0 / hw - m0 * m0, 0) + IN_EPS);
      const r1 = 1 / Math.sqrt(Math.max(q1 / hw - m1 * m1, 0) + IN_EPS);
      const r2 = 1 / Math.sqrt(Math.max(q2 / hw - m2 * m2, 0) + IN_EPS);
      const r3 = 1 / Math.sqrt(Math.max(q3 / hw - m3 * m3, 0) + IN_EPS);
      const so = i * c + k,
        ro = n * c + i * c + k;
      stats[so] = m0;
      stats[so + 1] = m1;
      stats[so + 2] = m2;
      stats[so + 3] = m3;
      stats[ro] = r0;
      stats[ro + 1] = r1;
      stats[ro + 2] = r2;
      stats[ro + 3] = r3;
      const a0 = r0 * gamma[k],
        a1 = r1 * gamma[k + 1],
        a2 = r2 * gamma[k + 2],
        a3 = r3 * gamma[k + 3];
      const b0 = beta[k] - m0 * a0,
        b1 = beta[k + 1] - m1 * a1,
        b2 = beta[k + 2] - m2 * a2,
        b3 = beta[k + 3] - m3 * a3;
      if (!pool) {
        if (relu) {
          for (let p = base + k; p < end; p += c) {
            const z0 = x[p] * a0 + b0,
              z1 = x[p + 1] * a1 + b1,
              z2 = x[p + 2] * a2 + b2,
              z3 = x[p + 3] * a3 + b3;
            y[p] = z0 * +(z0 > 0);
            y[p + 1] = z1 * +(z1 > 0);
            y[p + 2] = z2 * +(z2 > 0);
            y[p + 3] = z3 * +(z3 > 0);
          }
        } else {
          for (let p = base + k; p < end; p += c) {
            y[p] = x[p] * a0 + b0;
            y[p + 1] = x[p + 1] * a1 + b1;
            y[p + 2] = x[p + 2] * a2 + b2;
            y[p + 3] = x[p + 3] * a3 + b3;
          }
        }
      } else {
        for (let r = 0; r < oh; r++) {
          for (let col = 0; col < ow; col++) {
            const p = base + (2 * r * w + 2 * col) * c + k,
              pb = p + c,
              pc = p + row,
              pd = pc + c;
            const o = ybase + (r * ow + col) * c + k;
            if (relu) {
              let z: number,
                t0 = 0,
                t1 = 0,
                t2 = 0,
                t3 = 0;
              z = x[p] * a0 + b0;
              t0 += z * +(z > 0);
              z = x[pb] * a0 + b0;
              t0 += z * +(z > 0);
              z = x[pc] * a0 + b0;
              t0 += z * +(z > 0);
              z = x[pd] * a0 + b0;
              t0 += z * +(z > 0);
              z = x[p + 1] * a1 + b1;
              t1 += z * +(z > 0);
              z = x[pb + 1] * a1 + b1;
              t1 += z * +(z > 0);
              z = x[pc + 1] * a1 + b1;
              t1 += z * +(z > 0);
              z = x[pd + 1] * a1 + b1;
              t1 += z * +(z > 0);
              z = x[p + 2] * a2 + b2;
              t2 += z * +(z > 0);
              z = x[pb + 2] * a2 + b2;
              t2 += z * +(z > 0);
              z = x[pc + 2] * a2 + b2;
              t2 += z * +(z > 0);
              z = x[pd + 2] * a2 + b2;
              t2 += z * +(z > 0);
              z = x[p + 3] * a3 + b3;
              t3 += z * +(z > 0);
              z = x[pb + 3] * a3 + b3;
              t3 += z * +(z > 0);
              z = x[pc + 3] * a3 + b3;
              t3 += z * +(z > 0);
              z = x[pd + 3] * a3 + b3;
              t3 += z * +(z > 0);
              y[o] = t0 * 0.25;
              y[o + 1] = t1 * 0.25;
              y[o + 2] = t2 * 0.25;
              y[o + 3] = t3 * 0.25;
            } else {
              y[o] = ((x[p] + x[pb] + x[pc] + x[pd]) * a0 + 4 * b0) * 0.25;
              y[o + 1] = ((x[p + 1] + x[pb + 1] + x[pc + 1] + x[pd + 1]) * a1 + 4 * b1) * 0.25;
              y[o + 2] = ((x[p + 2] + x[pb + 2] + x[pc + 2] + x[pd + 2]) * a2 + 4 * b2) * 0.25;
              y[o + 3] = ((x[p + 3] + x[pb + 3] + x[pc + 3] + x[pd + 3]) * a3 + 4 * b3) * 0.25;
            }
          }
        }
      }
    }
  }
}

/** Backward: dx, dγ, dβ from dy (shape of y), x and the saved stats. */
export function inBackwardJs(
  dy: Float32Array,
  x: Float32Array,
  stats: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  gamma: Float32Array,
  beta: Float32Array,
  relu: boolean,
  pool: boolean,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  if (c % 4 !== 0) return inBackwardGeneric(dy, x, stats, n, h, w, c, gamma, beta, relu, pool, dx, dgamma, dbeta);
  const hw = h * w;
  const ow = w >> 1;
  const scale = pool ? 0.25 : 1;
  const gd = new Float64Array(c),
    bd = new Float64Array(c);
  const S1 = new Float64Array(4),
    S2 = new Float64Array(4);
  const M = new Float64Array(4),
    R = new Float64Array(4),
    A = new Float64Array(4),
    B = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const base = i * hw * c;
    const dyBase = pool ? i * (h >> 1) * ow * c : base;
    for (let k = 0; k < c; k += 4) {
      for (let j = 0; j < 4; j++) {
        M[j] = stats[i * c + k + j];
        R[j] = stats[n * c + i * c + k + j];
        A[j] = R[j] * gamma[k + j];
        B[j] = beta[k + j] - M[j] * A[j];
      }
      const a0 = A[0],
        a1 = A[1],
        a2 = A[2],
        a3 = A[3],
        b0 = B[0],
        b1 = B[1],
        b2 = B[2],
        b3 = B[3];
      // relu mask uses the pre-activation z = a·x + b; ReLU off: mask ≡ 1 via (a, b) = (0, 1)
      const ma0 = relu ? a0 : 0,
        ma1 = relu ? a1 : 0,
        ma2 = relu ? a2 : 0,
        ma3 = relu ? a3 : 0;
      const mb0 = relu ? b0 : 1,
        mb1 = relu ? b1 : 1,
        mb2 = relu ? b2 : 1,
        mb3 = relu ? b3 : 1;
      // pass 1: Σg and Σg·x per channel (Σg·x̂ = r·(Σg·x − μ·Σg))
      let g0s = 0,
        g1s = 0,
        g2s = 0,
        g3s = 0,
        x0s = 0,
        x1s = 0,
        x2s = 0,
        x3s = 0;
      for (let r = 0; r < h; r++) {
        for (let col = 0; col < w; col++) {
          const p = base + (r * w + col) * c + k;
          const d = pool ? dyBase + ((r >> 1) * ow + (col >> 1)) * c + k : p;
          const v0 = x[p],
            v1 = x[p + 1],
            v2 = x[p + 2],
            v3 = x[p + 3];
          const g0 = dy[d] * +(v0 * ma0 + mb0 > 0),
            g1 = dy[d + 1] * +(v1 * ma1 + mb1 > 0);
          const g2 = dy[d + 2] * +(v2 * ma2 + mb2 > 0),
            g3 = dy[d + 3] * +(v3 * ma3 + mb3 > 0);
          g0s += g0;
          g1s += g1;
          g2s += g2;
          g3s += g3;
          x0s += g0 * v0;
          x1s += g1 * v1;
          x2s += g2 * v2;
          x3s += g3 * v3;
        }
      }
      S1[0] = g0s * scale;
      S1[1] = g1s * scale;
      S1[2] = g2s * scale;
      S1[3] = g3s * scale;
      S2[0] = R[0] * (x0s - M[0] * g0s) * scale;
      S2[1] = R[1] * (x1s - M[1] * g1s) * scale;
      S2[2] = R[2] * (x2s - M[2] * g2s) * scale;
      S2[3] = R[3] * (x3s - M[3] * g3s) * scale;
      // dx = k1·(g − S1/HW − x̂·S2/HW) = K·g + C0 − C1·x  (g includes the pool scale)
      let K0 = 0,
        K1 = 0,
        K2 = 0,
        K3 = 0,
        C00 = 0,
        C01 = 0,
        C02 = 0,
        C03 = 0,
        C10 = 0,
        C11 = 0,
        C12 = 0,
        C13 = 0;
      for (let j = 0; j < 4; j++) {
        bd[k + j] += S1[j];
        gd[k + j] += S2[j];
        const kk = R[j] * gamma[k + j];
        const m1 = S1[j] / hw,
          m2 = S2[j] / hw;
        const c0 = kk * (-m1 + M[j] * R[j] * m2),
          c1 = kk * R[j] * m2;
        if (j === 0) {
          K0 = kk * scale;
          C00 = c0;
          C10 = c1;
        } else if (j === 1) {
          K1 = kk * scale;
          C01 = c0;
          C11 = c1;
        } else if (j === 2) {
          K2 = kk * scale;
          C02 = c0;
          C12 = c1;
        } else {
          K3 = kk * scale;
          C03 = c0;
          C13 = c1;
        }
      }
      for (let r = 0; r < h; r++) {
        for (let col = 0; col < w; col++) {
          const p = base + (r * w + col) * c + k;
          const d = pool ? dyBase + ((r >> 1) * ow + (col >> 1)) * c + k : p;
          const v0 = x[p],
            v1 = x[p + 1],
            v2 = x[p + 2],
            v3 = x[p + 3];
          dx[p] = K0 * dy[d] * +(v0 * ma0 + mb0 > 0) + C00 - C10 * v0;
          dx[p + 1] = K1 * dy[d + 1] * +(v1 * ma1 + mb1 > 0) + C01 - C11 * v1;
          dx[p + 2] = K2 * dy[d + 2] * +(v2 * ma2 + mb2 > 0) + C02 - C12 * v2;
          dx[p + 3] = K3 * dy[d + 3] * +(v3 * ma3 + mb3 > 0) + C03 - C13 * v3;
        }
      }
    }
  }
  for (let k = 0; k < c; k++) {
    dgamma[k] = gd[k];
    dbeta[k] = bd[k];
  }
}

/** Channel counts not divisible by 4: straightforward pixel-outer loops. */
function inForwardGeneric(
  x: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  gamma: Float32Array,
  beta: Float32Array,
  relu: boolean,
  pool: boolean,
  y: Float32Array,
  stats: Float32Array,
): void {
  const hw = h * w;
  const s = new Float64Array(c),
    q = new Float64Array(c);
  const a = new Float32Array(c),
    b = new Float32Array(c);
  const oh = h >> 1,
    ow = w >> 1;
  for (let i = 0; i < n; i++) {
    s.fill(0);
    q.fill(0);
    const base = i * hw * c;
    for (let p = 0; p < hw; p++) {
      const off = base + p * c;
      for (let k = 0; k < c; k++) {
        const v = x[off + k];
        s[k] += v;
        q[k] += v * v;
      }
    }
    for (let k = 0; k < c; k++) {
      const m = s[k] / hw;
      const v = Math.max(q[k] / hw - m * m, 0);
      const r = 1 / Math.sqrt(v + IN_EPS);
      stats[i * c + k] = m;
      stats[n * c + i * c + k] = r;
      a[k] = r * gamma[k];
      b[k] = beta[k] - m * r * gamma[k];
    }
    if (!pool) {
      const end = base + hw * c;
      if (relu) {
        for (let off = base; off < end; off += c) {
          for (let k = 0; k < c; k++) {
            const z = x[off + k] * a[k] + b[k];
            y[off + k] = z > 0 ? z : 0;
          }
        }
      } else {
        for (let off = base; off < end; off += c) {
          for (let k = 0; k < c; k++) y[off + k] = x[off + k] * a[k] + b[k];
        }
      }
    } else {
      const ybase = i * oh * ow * c;
      const row = w * c;
      for (let r = 0; r < oh; r++) {
        for (let col = 0; col < ow; col++) {
          const o00 = base + (2 * r * w + 2 * col) * c,
            o01 = o00 + c,
            o10 = o00 + row,
            o11 = o10 + c;
          const yo = ybase + (r * ow + col) * c;
          if (relu) {
            for (let k = 0; k < c; k++) {
              const ak = a[k],
                bk = b[k];
              let z0 = x[o00 + k] * ak + bk;
              if (z0 < 0) z0 = 0;
              let z1 = x[o01 + k] * ak + bk;
              if (z1 < 0) z1 = 0;
              let z2 = x[o10 + k] * ak + bk;
              if (z2 < 0) z2 = 0;
              let z3 = x[o11 + k] * ak + bk;
              if (z3 < 0) z3 = 0;
              y[yo + k] = (z0 + z1 + z2 + z3) * 0.25;
            }
          } else {
            for (let k = 0; k < c; k++) {
              const ak = a[k],
                bk = b[k];
              y[yo + k] = ((x[o00 + k] + x[o01 + k] + x[o10 + k] + x[o11 + k]) * ak + 4 * bk) * 0.25;
            }
          }
        }
      }
    }
  }
}

function inBackwardGeneric(
  dy: Float32Array,
  x: Float32Array,
  stats: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  gamma: Float32Array,
  beta: Float32Array,
  relu: boolean,
  pool: boolean,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const hw = h * w;
  const s1 = new Float64Array(c),
    s2 = new Float64Array(c);
  const mean = new Float32Array(c),
    rstd = new Float32Array(c),
    a = new Float32Array(c),
    b = new Float32Array(c);
  const k1 = new Float32Array(c),
    m1 = new Float32Array(c),
    m2 = new Float32Array(c);
  const gd = new Float64Array(c),
    bd = new Float64Array(c);
  const ow = w >> 1;
  const scale = pool ? 0.25 : 1;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      mean[k] = stats[i * c + k];
      rstd[k] = stats[n * c + i * c + k];
      a[k] = rstd[k] * gamma[k];
      b[k] = beta[k] - mean[k] * a[k];
    }
    s1.fill(0);
    s2.fill(0);
    const base = i * hw * c;
    const dyBase = pool ? i * (h >> 1) * ow * c : base;
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) {
        const off = base + (r * w + col) * c;
        const doff = pool ? dyBase + ((r >> 1) * ow + (col >> 1)) * c : off;
        for (let k = 0; k < c; k++) {
          const xv = x[off + k];
          let g = dy[doff + k] * scale;
          if (relu && xv * a[k] + b[k] <= 0) g = 0;
          s1[k] += g;
          s2[k] += g * (xv - mean[k]) * rstd[k];
        }
      }
    }
    for (let k = 0; k < c; k++) {
      bd[k] += s1[k];
      gd[k] += s2[k];
      k1[k] = rstd[k] * gamma[k];
      m1[k] = s1[k] / hw;
      m2[k] = s2[k] / hw;
    }
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) {
        const off = base + (r * w + col) * c;
        const doff = pool ? dyBase + ((r >> 1) * ow + (col >> 1)) * c : off;
        for (let k = 0; k < c; k++) {
          const xv = x[off + k];
          let g = dy[doff + k] * scale;
          if (relu && xv * a[k] + b[k] <= 0) g = 0;
          dx[off + k] = k1[k] * (g - m1[k] - (xv - mean[k]) * rstd[k] * m2[k]);
        }
      }
    }
  }
  for (let k = 0; k < c; k++) {
    dgamma[k] = gd[k];
    dbeta[k] = bd[k];
  }
}

const FWD = 'LabInstanceNorm';
const BWD = 'LabInstanceNormGrad';
let registered = false;

/** Register the fused kernels for 'wasm' and 'cpu' (idempotent). */
export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of FUSED_BACKENDS) {
    tf.registerKernel({
      kernelName: FWD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const bk = backend as unknown as MemBackend;
        const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
        const { relu, pool } = attrs as unknown as { relu: boolean; pool: boolean };
        const [n, h, w, c] = x.shape;
        if (pool && (h % 2 || w % 2)) throw new Error(`${FWD}: pooling needs even H, W, got ${h}×${w}`);
        const y = alloc(bk, pool ? [n, h / 2, w / 2, c] : [n, h, w, c]);
        const stats = alloc(bk, [2, n, c]);
        // views after all allocations (the wasm heap may grow and detach earlier views)
        inForwardJs(view(bk, x), n, h, w, c, view(bk, gamma), view(bk, beta), relu, pool, view(bk, y), view(bk, stats));
        return [y, stats];
      },
    });
    tf.registerKernel({
      kernelName: BWD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const bk = backend as unknown as MemBackend;
        const { dy, x, stats, gamma, beta } = inputs as Record<string, TensorInfo>;
        const { relu, pool } = attrs as unknown as { relu: boolean; pool: boolean };
        const [n, h, w, c] = x.shape;
        const dx = alloc(bk, [n, h, w, c]);
        const dg = alloc(bk, [c]);
        const db = alloc(bk, [c]);
        inBackwardJs(
          view(bk, dy),
          view(bk, x),
          view(bk, stats),
          n,
          h,
          w,
          c,
          view(bk, gamma),
          view(bk, beta),
          relu,
          pool,
          view(bk, dx),
          view(bk, dg),
          view(bk, db),
        );
        return [dx, dg, db];
      },
    });
  }
}

export interface NormActOptions {
  relu: boolean;
  /** 2×2 average pool, stride 2, after the activation */
  pool: boolean;
}

/** Reference composition with standard ops (any backend). */
export function instanceNormActOps(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  o: NormActOptions,
  bias?: tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => {
    const xb = bias ? (tf.add(x, bias) as tf.Tensor4D) : x;
    const { mean, variance } = tf.moments(xb, [1, 2], true);
    let y = tf.add(tf.mul(tf.mul(tf.sub(xb, mean), tf.rsqrt(tf.add(variance, IN_EPS))), gamma), beta) as tf.Tensor4D;
    if (o.relu) y = tf.relu(y);
    if (o.pool) y = tf.avgPool(y, 2, 2, 'valid');
    return y;
  });
}

/**
 * Instance norm over H,W (biased variance, ε = 1e-5) with affine γ, β, then optional ReLU and 2×2 average
 * pool; `bias` (a conv bias before the norm) is optional. Fused kernels on 'wasm'/'cpu', standard ops elsewhere.
 */
export function instanceNormAct(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  o: NormActOptions,
  bias?: tf.Tensor1D,
): tf.Tensor4D {
  if (!fusedOpsActive()) return instanceNormActOps(x, gamma, beta, o, bias);
  const attrs = { relu: o.relu, pool: o.pool } as unknown as tf.NamedAttrMap;
  const run = (xx: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [y, stats] = tf.engine().runKernel(FWD, { x: xx, gamma: g, beta: b }, attrs) as tf.Tensor[];
    save([xx, stats, g, b]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sst, sg, sb] = saved;
        const [dx, dg, db] = tf
          .engine()
          .runKernel(BWD, { dy, x: sx, stats: sst, gamma: sg, beta: sb }, attrs) as tf.Tensor[];
        return [dx, dg, db];
      },
    };
  };
  if (!bias) {
    const f = tf.customGrad(((xx: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) =>
      run(xx, g, b, save)) as never);
    return (f as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor4D)(x, gamma, beta);
  }
  const f = tf.customGrad(((
    xx: tf.Tensor4D,
    bias_: tf.Tensor1D,
    g: tf.Tensor1D,
    b: tf.Tensor1D,
    save: tf.GradSaveFunc,
  ) => {
    void bias_;
    const r = run(xx, g, b, save);
    return {
      value: r.value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dx, dg, db] = r.gradFunc(dy, saved);
        return [dx, tf.zerosLike(bias_), dg, db];
      },
    };
  }) as never);
  return (f as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.Tensor4D)(
    x,
    bias,
    gamma,
    beta,
  );
}

registerFusedKernels();
