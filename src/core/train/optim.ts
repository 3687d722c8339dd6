/**
 * PyTorch-semantics optimisers over a fixed list of params (docs/paper-notes.md §6.0, §11).
 *
 *  - SGD: g ← ∇ + wd·θ; v ← μ·v + g (first step v = g); θ ← θ − lr·v   (dampening 0, no Nesterov)
 *  - Adam: g ← ∇ + wd·θ (optional coupled L2, as torch.optim.Adam's weight_decay);
 *          m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 *          θ ← θ − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
 *
 * A parameter without a gradient in `grads` is treated as having a zero gradient (weight decay and momentum
 * still apply). That matches PyTorch for the models here: the only parameters a loss does not reach are
 * conv biases right before instance norm, whose PyTorch gradient is zero up to float noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { Param } from '../types';
import { LabError } from '../types';
import type { LabOptimizer, OptimizerConfig } from './api';

export function makeOptimizer(cfg: OptimizerConfig, params: Param[]): LabOptimizer {
  validate(cfg);
  return cfg.kind === 'sgd' ? new Sgd(cfg, params) : new Adam(cfg, params);
}

function validate(cfg: OptimizerConfig): void {
  const bad = (m: string) => new LabError(m, 'makeOptimizer');
  if (!(cfg.lr >= 0) || !Number.isFinite(cfg.lr)) throw bad(`lr must be a finite number ≥ 0, got ${cfg.lr}`);
  if (cfg.kind === 'sgd') {
    if (!(cfg.momentum >= 0 && cfg.momentum < 1)) throw bad(`momentum must be in [0, 1), got ${cfg.momentum}`);
    if (!(cfg.weightDecay >= 0)) throw bad(`weightDecay must be ≥ 0, got ${cfg.weightDecay}`);
  } else if (cfg.kind === 'adam') {
    const b1 = cfg.beta1 ?? 0.9,
      b2 = cfg.beta2 ?? 0.999;
    if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1)) throw bad(`betas must be in [0, 1), got ${b1}, ${b2}`);
  } else {
    throw bad(`unknown optimizer kind ${(cfg as { kind: string }).kind}`);
  }
}

function gradOf(grads: tf.NamedTensorMap, p: Param): tf.Tensor | undefined {
  return grads[p.variable.name] ?? grads[p.name];
}

abstract class Base implements LabOptimizer {
  learningRate: number;
  protected steps = 0;
  protected disposed = false;
  constructor(
    readonly config: OptimizerConfig,
    protected readonly params: Param[],
  ) {
    this.learningRate = config.lr;
  }
  abstract apply(grads: tf.NamedTensorMap): void;
  abstract dispose(): void;
  protected check(): void {
    if (this.disposed) throw new LabError('optimizer used after dispose()', 'LabOptimizer');
  }
  /** number of apply() calls so far */
  get iterations(): number {
    return this.steps;
  }
}

class Sgd extends Base {
  private readonly bufs: (tf.Variable | null)[];
  constructor(
    readonly cfg: Extract<OptimizerConfig, { kind: 'sgd' }>,
    params: Param[],
  ) {
    super(cfg, params);
    this.bufs = params.map(() => null);
  }
  apply(grads: tf.NamedTensorMap): void {
    this.check();
    const { momentum: mu, weightDecay: wd } = this.cfg;
    const lr = this.learningRate;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const theta = p.variable;
        const g0 = gradOf(grads, p);
        let g: tf.Tensor = g0 ?? tf.zerosLike(theta);
        if (wd !== 0) g = tf.add(g, tf.mul(theta, wd));
        let step = g;
        if (mu !== 0) {
          const buf = this.bufs[i];
          if (!buf) {
            this.bufs[i] = tf.variable(g, false);
            step = g;
          } else {
            step = tf.add(tf.mul(buf, mu), g);
            buf.assign(step);
          }
        }
        theta.assign(tf.sub(theta, tf.mul(step, lr)));
      });
    });
    this.steps++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.bufs) b?.dispose();
  }
}

class Adam extends Base {
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  constructor(
    readonly cfg: Extract<OptimizerConfig, { kind: 'adam' }>,
    params: Param[],
  ) {
    super(cfg, params);
  }
  apply(grads: tf.NamedTensorMap): void {
    this.check();
    const b1 = this.cfg.beta1 ?? 0.9,
      b2 = this.cfg.beta2 ?? 0.999,
      eps = this.cfg.eps ?? 1e-8;
    const wd = this.cfg.weightDecay ?? 0;
    const lr = this.learningRate;
    if (this.m.length === 0) {
      const zeroVar = (p: Param) => {
        const z = tf.zerosLike(p.variable);
        const v = tf.variable(z, false);
        z.dispose();
        return v;
      };
      for (const p of this.params) {
        this.m.push(zeroVar(p));
        this.v.push(zeroVar(p));
      }
    }
    const t = this.steps + 1;
    const bc1 = 1 - Math.pow(b1, t),
      bc2 = 1 - Math.pow(b2, t);
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const theta = p.variable;
        let g: tf.Tensor = gradOf(grads, p) ?? tf.zerosLike(theta);
        if (wd !== 0) g = tf.add(g, tf.mul(theta, wd));
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps);
        theta.assign(tf.sub(theta, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
    this.steps++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.m, ...this.v]);
  }
}
