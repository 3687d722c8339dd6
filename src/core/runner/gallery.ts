/** The forget-sample gallery of round 0: a seeded sample of forget images and each model's confidence on them. */
import type { Split } from '../types';
import { uint8ToRgba } from '../data/batch';
import type { ForgetSampleView } from '../contracts';
import type { SessionContext } from './session-context';

const GALLERY_SIZE = 24;

export class ForgetGallery {
  items: ForgetSampleView[] = [];

  constructor(private readonly ctx: SessionContext) {}

  /** A seeded sample of round 0's forget images with the original model's confidence on each. */
  init(split: Split, forgetLosses: Float32Array): void {
    const ds = this.ctx.opts.dataset;
    const n = split.forgetIdx.length;
    const pos = Array.from(
      this.ctx.rng('gallery').sample(
        Array.from({ length: n }, (_, i) => i),
        GALLERY_SIZE,
      ),
    ).sort((a, b) => a - b);
    this.items = pos.map((p) => ({
      pos: p,
      label: ds.train.labels[split.forgetIdx[p]],
      image: { width: 32, height: 32, data: uint8ToRgba(ds.train, split.forgetIdx[p]) },
      original: Math.exp(-forgetLosses[p]),
      byMethod: {},
    }));
    this.ctx.opts.sink({ kind: 'forget-samples', round: 0, items: this.items });
  }

  /** Adds one method/arm's confidences (round 0). */
  update(key: string, forgetLosses: Float32Array): void {
    if (!this.items.length) return;
    this.items = this.items.map((g) => ({
      ...g,
      byMethod: { ...g.byMethod, [key]: Math.exp(-forgetLosses[g.pos]) },
    }));
    this.ctx.opts.sink({ kind: 'forget-samples', round: 0, items: this.items });
  }

  /**
   * Drops the methods' confidences (their outputs are gone), keeping the original's; with `keep`, only the entries
   * (gallery keys) it rejects.
   */
  clearMethods(keep: (key: string) => boolean = () => false): void {
    this.items = this.items.map((g) => ({
      ...g,
      byMethod: Object.fromEntries(Object.entries(g.byMethod).filter(([k]) => keep(k))),
    }));
  }

  clear(): void {
    this.items = [];
  }
}
