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
  x: Float32Array, n: number, h: number, w: number, c: number, gamma: Float32Array, beta: Float32Array,
  relu: boolean, pool: boolean, y: Float32Array, stats: Float32Array,
): void {
  const hw = h * w;
  const s = new Float64Array(c), q = new Float64Array(c);
  const a = new Float32Array(c), b = new Float32Array(c);
  const oh = h >> 1, ow = w >> 1;
  for (let i = 0; i < n; i++) {
    s.fill(0); q.fill(0);
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
          const o00 = base + (2 * r * w + 2 * col) * c, o01 = o00 + c, o10 = o00 + row, o11 = o10 + c;
          const yo = ybase + (r * ow + col) * c;
          if (relu) {
            for (let k = 0; k < c; k++) {
              const ak = a[k], bk = b[k];
              let z0 = x[o00 + k] * ak + bk; if (z0 < 0) z0 = 0;
              let z1 = x[o01 + k] * ak + bk; if (z1 < 0) z1 = 0;
              let z2 = x[o10 + k] * ak + bk; if (z2 < 0) z2 = 0;
              let z3 = x[o11 + k] * ak + bk; if (z3 < 0) z3 = 0;
              y[yo + k] = (z0 + z1 + z2 + z3) * 0.25;
            }
          } else {
            for (let k = 0; k < c; k++) {
              const ak = a[k], bk = b[k];
              y[yo + k] = ((x[o00 + k] + x[o01 + k] + x[o10 + k] + x[o11 + k]) * ak + 4 * bk) * 0.25;
            }
          }
        }
      }
    }
  }
}

/** Backward: dx, dγ, dβ from dy (shape of y), x and the saved stats. */
export function inBackwardJs(
  dy: Float32Array, x: Float32Array, stats: Float32Array, n: number, h: number, w: number, c: number,
  gamma: Float32Array, beta: Float32Array, relu: boolean, pool: boolean,
  dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const hw = h * w;
  const s1 = new Float64Array(c), s2 = new Float64Array(c);
  const mean = new Float32Array(c), rstd = new Float32Array(c), a = new Float32Array(c), b = new Float32Array(c);
  const k1 = new Float32Array(c), m1 = new Float32Array(c), m2 = new Float32Array(c);
  const gd = new Float64Array(c), bd = new Float64Array(c);
  const ow = w >> 1;
  const scale = pool ? 0.25 : 1;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      mean[k] = stats[i * c + k];
      rstd[k] = stats[n * c + i * c + k];
      a[k] = rstd[k] * gamma[k];
      b[k] = beta[k] - mean[k] * a[k];
    }
    s1.fill(0); s2.fill(0);
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
        inBackwardJs(view(bk, dy), view(bk, x), view(bk, stats), n, h, w, c, view(bk, gamma), view(bk, beta), relu, pool, view(bk, dx), view(bk, dg), view(bk, db));
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
export function instanceNormActOps(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, o: NormActOptions, bias?: tf.Tensor): tf.Tensor4D {
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
export function instanceNormAct(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, o: NormActOptions, bias?: tf.Tensor1D): tf.Tensor4D {
  if (!fusedOpsActive()) return instanceNormActOps(x, gamma, beta, o, bias);
  const attrs = { relu: o.relu, pool: o.pool } as unknown as tf.NamedAttrMap;
  const run = (xx: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [y, stats] = tf.engine().runKernel(FWD, { x: xx, gamma: g, beta: b }, attrs) as tf.Tensor[];
    save([xx, stats, g, b]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sst, sg, sb] = saved;
        const [dx, dg, db] = tf.engine().runKernel(BWD, { dy, x: sx, stats: sst, gamma: sg, beta: sb }, attrs) as tf.Tensor[];
        return [dx, dg, db];
      },
    };
  };
  if (!bias) {
    const f = tf.customGrad(((xx: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => run(xx, g, b, save)) as never);
    return (f as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor4D)(x, gamma, beta);
  }
  const f = tf.customGrad(((xx: tf.Tensor4D, bias_: tf.Tensor1D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
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
  return (f as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.Tensor4D)(x, bias, gamma, beta);
}

registerFusedKernels();
