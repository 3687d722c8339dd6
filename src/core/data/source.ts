import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, ImageSplit, SampleSource } from '../types';
import { LabError } from '../types';
import { batchImages, batchLabels } from './batch';

const PIXELS = 32 * 32 * 3;

/** Real images `idx` of a uint8 split; position p ↔ split image idx[p]. */
export function realSource(ds: Pick<ImageDataset, 'mean' | 'std'>, split: ImageSplit, idx: Int32Array): SampleSource {
  const labels = batchLabels(split, idx);
  return {
    size: idx.length,
    labels,
    gather(pos) {
      const g = new Int32Array(pos.length);
      for (let i = 0; i < pos.length; i++) g[i] = idx[pos[i]];
      return batchImages(ds, split, g);
    },
  };
}

/** Already-normalised float images (e.g. Blend prototypes), NHWC, `labels.length` of them. */
export function floatSource(pixels: Float32Array, labels: Int32Array): SampleSource {
  if (pixels.length !== labels.length * PIXELS) {
    throw new LabError(
      `expected ${labels.length * PIXELS} floats for ${labels.length} images, got ${pixels.length}`,
      'floatSource',
    );
  }
  return {
    size: labels.length,
    labels,
    gather(pos) {
      const out = new Float32Array(pos.length * PIXELS);
      for (let i = 0; i < pos.length; i++) out.set(pixels.subarray(pos[i] * PIXELS, (pos[i] + 1) * PIXELS), i * PIXELS);
      return tf.tensor4d(out, [pos.length, 32, 32, 3], 'float32');
    },
  };
}

/** Concatenation: positions 0..a.size-1 come from a, the rest from b. */
export function concatSources(a: SampleSource, b: SampleSource): SampleSource {
  const labels = new Int32Array(a.size + b.size);
  labels.set(a.labels, 0);
  labels.set(b.labels, a.size);
  return {
    size: a.size + b.size,
    labels,
    gather(pos) {
      const pa: number[] = [],
        pb: number[] = [],
        order: number[] = [];
      for (let i = 0; i < pos.length; i++) {
        if (pos[i] < a.size) {
          order.push(pa.length);
          pa.push(pos[i]);
        } else {
          order.push(-1 - pb.length);
          pb.push(pos[i] - a.size);
        }
      }
      if (pb.length === 0) return a.gather(pa);
      if (pa.length === 0) return b.gather(pb);
      return tf.tidy(() => {
        const ta = a.gather(pa),
          tb = b.gather(pb);
        const both = tf.concat([ta, tb], 0);
        const perm = order.map((o) => (o >= 0 ? o : pa.length + (-1 - o)));
        return tf.gather(both, perm) as tf.Tensor4D;
      });
    },
  };
}

/** Positions 0..size-1 of `src` restricted to `pos` (a view). */
export function subsetSource(src: SampleSource, pos: Int32Array): SampleSource {
  const labels = new Int32Array(pos.length);
  for (let i = 0; i < pos.length; i++) labels[i] = src.labels[pos[i]];
  return {
    size: pos.length,
    labels,
    gather(p) {
      const g = new Int32Array(p.length);
      for (let i = 0; i < p.length; i++) g[i] = pos[p[i]];
      return src.gather(g);
    },
  };
}
