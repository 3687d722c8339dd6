/**
 * A built-in procedural dataset: 10 classes of 32×32×3 uint8 images, deterministic from a seed, needing no files.
 * Used by tests and as the offline fallback. The class is the *shape or pattern*; colours, position, size,
 * rotation, contrast, noise and a distractor patch vary at random, so colour alone says nothing about the class
 * and a small CNN has to learn shapes (well above chance in a few epochs, not 100 % at once).
 */
import type { ImageDataset, ImageSplit } from '../types';
import { NORMALISATION } from '../types';
import { Rng } from '../rng';

export const SYNTHETIC_CLASSES = [
  'disk',
  'ring',
  'square',
  'triangle',
  'h-stripes',
  'v-stripes',
  'diagonal-stripes',
  'cross',
  'checker',
  'dots',
];

export interface SyntheticOptions {
  seed: number | string;
  trainPerClass: number;
  testPerClass: number;
}

const S = 32;

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Coverage of a pixel by a shape with signed distance d (negative inside), anti-aliased over ~1 px. */
function cover(d: number): number {
  return clamp01(0.5 - d);
}

interface Geometry {
  cx: number;
  cy: number;
  size: number;
  cos: number;
  sin: number;
  period: number;
  phase: number;
  dots: [number, number, number][];
}

/** Coverage in [0,1] of class `c`'s shape at pixel (x, y) (pixel-index coordinates, image centre 15.5). */
function mask(c: number, g: Geometry, x: number, y: number): number {
  const dx = x - g.cx,
    dy = y - g.cy;
  // rotated coordinates
  const u = dx * g.cos + dy * g.sin;
  const v = -dx * g.sin + dy * g.cos;
  const s = g.size;
  switch (c) {
    case 0: // disk
      return cover(Math.sqrt(dx * dx + dy * dy) - s * 0.8);
    case 1: {
      // ring
      const r = Math.sqrt(dx * dx + dy * dy);
      return cover(Math.abs(r - s * 0.72) - s * 0.2);
    }
    case 2: // square
      return cover(Math.max(Math.abs(u), Math.abs(v)) - s * 0.7);
    case 3: {
      // triangle (regular, pointing up before rotation)
      const rin = s * 0.45;
      let d = -Infinity;
      for (let k = 0; k < 3; k++) {
        const a = Math.PI / 2 + (2 * Math.PI * k) / 3;
        d = Math.max(d, u * Math.cos(a) + v * Math.sin(a) - rin);
      }
      return cover(d);
    }
    case 4: // horizontal stripes inside a soft square patch
    case 5: // vertical stripes
    case 6: {
      // diagonal stripes (±45°, sign chosen per image through the rotation)
      const t = c === 4 ? v : u;
      const stripe = clamp01(Math.cos((2 * Math.PI * t) / g.period + g.phase) * 1.6 + 0.5);
      return stripe * cover(Math.max(Math.abs(dx), Math.abs(dy)) - s * 1.05);
    }
    case 7: {
      // cross / plus
      const w = s * 0.24,
        l = s * 0.95;
      const d = Math.min(Math.max(Math.abs(u) - w, Math.abs(v) - l), Math.max(Math.abs(v) - w, Math.abs(u) - l));
      return cover(d);
    }
    case 8: {
      // checkerboard patch
      const p = g.period * 0.55;
      const ch = Math.sin((Math.PI * u) / p + g.phase) * Math.sin((Math.PI * v) / p + g.phase);
      return clamp01(ch * 3 + 0.5) * cover(Math.max(Math.abs(u), Math.abs(v)) - s * 0.95);
    }
    default: {
      // scattered dots
      let m = 0;
      for (const [px, py, r] of g.dots)
        m = Math.max(m, cover(Math.sqrt((x - px) * (x - px) + (y - py) * (y - py)) - r));
      return m;
    }
  }
}

function randomColour(rng: Rng): [number, number, number] {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

function drawImage(c: number, rng: Rng, out: Uint8Array, off: number): void {
  const bgA = randomColour(rng),
    bgB = randomColour(rng);
  // foreground that differs clearly from the mean background
  const bgMid = [(bgA[0] + bgB[0]) / 2, (bgA[1] + bgB[1]) / 2, (bgA[2] + bgB[2]) / 2];
  let fg = randomColour(rng);
  for (let t = 0; t < 8 && Math.hypot(fg[0] - bgMid[0], fg[1] - bgMid[1], fg[2] - bgMid[2]) < 110; t++)
    fg = randomColour(rng);
  const alpha = rng.uniform(0.65, 1); // contrast
  const gAngle = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(gAngle) / S,
    gy = Math.sin(gAngle) / S;

  let rot: number;
  if (c === 4 || c === 5) rot = rng.uniform(-0.25, 0.25);
  else if (c === 6) rot = ((rng.next() < 0.5 ? 1 : -1) * Math.PI) / 4 + rng.uniform(-0.2, 0.2);
  else rot = rng.uniform(-Math.PI, Math.PI);
  const size = rng.uniform(6, 10.5);
  const g: Geometry = {
    cx: 15.5 + rng.uniform(-5, 5),
    cy: 15.5 + rng.uniform(-5, 5),
    size,
    cos: Math.cos(rot),
    sin: Math.sin(rot),
    period: rng.uniform(4, 7),
    phase: rng.uniform(0, 2 * Math.PI),
    dots: [],
  };
  if (c === 9) {
    const k = 3 + rng.int(4);
    for (let i = 0; i < k; i++)
      g.dots.push([g.cx + rng.uniform(-size, size), g.cy + rng.uniform(-size, size), rng.uniform(1.2, 2.6)]);
  }
  // distractor: a small rectangle of another colour, about a third of the time
  const hasDistractor = rng.next() < 0.35;
  const dCol = randomColour(rng);
  const dx0 = rng.int(S - 6),
    dy0 = rng.int(S - 6),
    dw = 2 + rng.int(5),
    dh = 2 + rng.int(5);
  const noise = rng.uniform(2, 14);

  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const tg = clamp01(0.5 + (x - 15.5) * gx + (y - 15.5) * gy);
      const m = mask(c, g, x, y) * alpha;
      const inD = hasDistractor && x >= dx0 && x < dx0 + dw && y >= dy0 && y < dy0 + dh;
      const p = off + (y * S + x) * 3;
      // one 30-bit draw gives uniform noise in [-1, 1) for each of the three channels
      const r = rng.nextUint32();
      for (let ch = 0; ch < 3; ch++) {
        let v = bgA[ch] * (1 - tg) + bgB[ch] * tg;
        if (inD) v = dCol[ch];
        v = v * (1 - m) + fg[ch] * m;
        v += (((r >>> (ch * 10)) & 1023) / 512 - 1) * noise * 1.7;
        out[p + ch] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
}

function makeSplit(perClass: number, numClasses: number, rng: Rng): ImageSplit {
  const n = perClass * numClasses;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % numClasses;
  rng.fork('order').shuffle(labels);
  const images = new Uint8Array(n * S * S * 3);
  const draw = rng.fork('draw');
  for (let i = 0; i < n; i++) drawImage(labels[i], draw, images, i * S * S * 3);
  return { images, labels, n };
}

/** The synthetic dataset: `trainPerClass`/`testPerClass` images of each of the 10 classes, shuffled. */
export function makeSyntheticDataset(opts: SyntheticOptions): ImageDataset {
  const { seed, trainPerClass, testPerClass } = opts;
  for (const [k, v] of [
    ['trainPerClass', trainPerClass],
    ['testPerClass', testPerClass],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`makeSyntheticDataset: ${k} must be a non-negative integer, got ${v}`);
  }
  const root = new Rng(`synthetic:${seed}`);
  const C = SYNTHETIC_CLASSES.length;
  return {
    id: 'synthetic',
    classes: [...SYNTHETIC_CLASSES],
    height: S,
    width: S,
    channels: 3,
    train: makeSplit(trainPerClass, C, root.fork('train')),
    test: makeSplit(testPerClass, C, root.fork('test')),
    mean: [...NORMALISATION.synthetic.mean],
    std: [...NORMALISATION.synthetic.std],
  };
}
