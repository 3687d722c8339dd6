/**
 * Partly loaded datasets (the page downloads only the images an experiment needs; src/worker/partial-load.ts):
 * the check every pixel reader makes, and the planning of the HTTP Range requests. tfjs-free.
 */
import type { ImageSplit } from '../types';
import { LabError } from '../types';
import { SHARD_HEADER_BYTES } from './formats';

/**
 * Throws a LabError when `split` is partial (some pixels not downloaded) and an image of `idx` is not loaded:
 * such pixels would read as zeros. A no-op for complete splits.
 */
export function requireImages(split: ImageSplit, idx: ArrayLike<number>, where: string): void {
  const p = split.partial;
  if (!p) return;
  for (let i = 0; i < idx.length; i++) {
    if (p.present[idx[i]] !== 1) {
      let missing = 0;
      for (let j = 0; j < idx.length; j++) if (p.present[idx[j]] !== 1) missing++;
      throw new LabError(
        `${p.name} image ${idx[i]} was not downloaded (${missing} of the ${idx.length} images asked for are ` +
          'missing): the page loads only the images an experiment needs, and these were not requested first',
        where,
      );
    }
  }
}

/** A run of adjacent image records of one shard: positions start … start+count−1. */
export interface RecordRange {
  start: number;
  count: number;
}

/**
 * Coalesce ascending, distinct record positions into runs of adjacent records (one HTTP Range request each).
 * Throws a LabError for a list that is not strictly ascending non-negative integers.
 */
export function coalesceRecords(positions: ArrayLike<number>): RecordRange[] {
  const out: RecordRange[] = [];
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (!Number.isInteger(p) || p < 0 || (i > 0 && p <= positions[i - 1])) {
      throw new LabError(
        `record positions must be ascending distinct integers ≥ 0; got ${p} at ${i}`,
        'coalesceRecords',
      );
    }
    const last = out[out.length - 1];
    if (last && last.start + last.count === p) last.count++;
    else out.push({ start: p, count: 1 });
  }
  return out;
}

/**
 * Byte range (inclusive both ends, as in an HTTP `Range: bytes=first-last` header) of the pixels of `r` in a shard
 * of `n` images of `pixels` bytes each (layout: core/data/formats.ts).
 */
export function recordBytes(n: number, r: RecordRange, pixels = 32 * 32 * 3): { first: number; last: number } {
  if (r.count < 1 || r.start < 0 || r.start + r.count > n) {
    throw new LabError(`records ${r.start}+${r.count} outside a shard of ${n} images`, 'recordBytes');
  }
  const first = SHARD_HEADER_BYTES + n + r.start * pixels;
  return { first, last: first + r.count * pixels - 1 };
}
