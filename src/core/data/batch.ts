import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, ImageSplit } from '../types';
import { requireImages } from './partial';

const PIXELS = 32 * 32 * 3;

/**
 * Gather images `idx` of `split` and normalise them on the fly: (x/255 − mean)/std per channel
 * (docs/paper-notes.md §1.1). Returns a float32 NHWC tensor; the caller owns it.
 */
export function batchImages(
  ds: Pick<ImageDataset, 'mean' | 'std'>,
  split: ImageSplit,
  idx: ArrayLike<number>,
): tf.Tensor4D {
  requireImages(split, idx, 'batchImages');
  const n = idx.length;
  const out = new Float32Array(n * PIXELS);
  const { mean, std } = ds;
  const s0 = 1 / (255 * std[0]),
    s1 = 1 / (255 * std[1]),
    s2 = 1 / (255 * std[2]);
  const o0 = mean[0] / std[0],
    o1 = mean[1] / std[1],
    o2 = mean[2] / std[2];
  const img = split.images;
  for (let b = 0; b < n; b++) {
    const src = idx[b] * PIXELS;
    const dst = b * PIXELS;
    for (let p = 0; p < PIXELS; p += 3) {
      out[dst + p] = img[src + p] * s0 - o0;
      out[dst + p + 1] = img[src + p + 1] * s1 - o1;
      out[dst + p + 2] = img[src + p + 2] * s2 - o2;
    }
  }
  return tf.tensor4d(out, [n, 32, 32, 3], 'float32');
}

/** Labels of `idx` as int32 host array. */
export function batchLabels(split: ImageSplit, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = split.labels[idx[i]];
  return out;
}

/** Inverse of the normalisation for display: normalised NHWC floats of one image → RGBA bytes. */
export function toRgba(ds: Pick<ImageDataset, 'mean' | 'std'>, pixels: Float32Array, offset = 0): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(32 * 32 * 4);
  for (let p = 0; p < 32 * 32; p++) {
    for (let c = 0; c < 3; c++) {
      rgba[p * 4 + c] = Math.round((pixels[offset + p * 3 + c] * ds.std[c] + ds.mean[c]) * 255);
    }
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** uint8 NHWC image i of a split → RGBA bytes. */
export function uint8ToRgba(split: ImageSplit, i: number): Uint8ClampedArray {
  requireImages(split, [i], 'uint8ToRgba');
  const rgba = new Uint8ClampedArray(32 * 32 * 4);
  const base = i * PIXELS;
  for (let p = 0; p < 32 * 32; p++) {
    rgba[p * 4] = split.images[base + p * 3];
    rgba[p * 4 + 1] = split.images[base + p * 3 + 1];
    rgba[p * 4 + 2] = split.images[base + p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
