/**
 * LiRA's logit-scaled confidence φ ≈ log(p_y / (1 − p_y)), computed stably in float64 exactly as the
 * reference `stable_phi` (docs/paper-notes.md §7.2 step 1):
 *   a = clamp(−log p_y, 0, 50), b_j = clamp(−log p_j, 0, 50) for j ≠ y,
 *   φ = log(max(e^{−a}, 1e-15)) − log(max(Σ_{j≠y} e^{−b_j}, 1e-15)),
 * with log p from a log-softmax (no 1 − p_y cancellation). Bounded to about [−34.54, 34.54].
 */
import { LabError } from '../types';

const LOG_FLOOR = 1e-15;
const CLAMP = 50;

/** φ of one example: `logits[off .. off+C)`, label y. */
export function phiOne(logits: ArrayLike<number>, off: number, C: number, y: number): number {
  let mx = -Infinity;
  for (let j = 0; j < C; j++) mx = Math.max(mx, logits[off + j]);
  let s = 0;
  for (let j = 0; j < C; j++) s += Math.exp(logits[off + j] - mx);
  const lse = mx + Math.log(s);
  const a = Math.min(Math.max(lse - logits[off + y], 0), CLAMP);
  let rest = 0;
  for (let j = 0; j < C; j++) {
    if (j === y) continue;
    const b = Math.min(Math.max(lse - logits[off + j], 0), CLAMP);
    rest += Math.exp(-b);
  }
  return Math.log(Math.max(Math.exp(-a), LOG_FLOOR)) - Math.log(Math.max(rest, LOG_FLOOR));
}

/** φ for every row of row-major logits [n × C] (n = labels.length) with their labels. */
export function stablePhi(logits: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  const n = labels.length;
  if (n === 0) return new Float64Array(0);
  const C = logits.length / n;
  if (!Number.isInteger(C) || C < 2) {
    throw new LabError(`logits length ${logits.length} is not n·C for n = ${n} labels and C ≥ 2`, 'stablePhi');
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < C)) throw new LabError(`label ${y} outside 0..${C - 1}`, 'stablePhi');
    out[i] = phiOne(logits, i * C, C, y);
  }
  return out;
}

/** Per-example softmax cross-entropy (natural log) in float64, from row-major logits [n × C]. */
export function perExampleLoss(logits: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  const n = labels.length;
  if (n === 0) return new Float64Array(0);
  const C = logits.length / n;
  if (!Number.isInteger(C) || C < 2) {
    throw new LabError(`logits length ${logits.length} is not n·C for n = ${n} labels`, 'perExampleLoss');
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * C;
    let mx = -Infinity;
    for (let j = 0; j < C; j++) mx = Math.max(mx, logits[off + j]);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(logits[off + j] - mx);
    out[i] = mx + Math.log(s) - logits[off + labels[i]];
  }
  return out;
}
