/**
 * Integration: prepare the real CIFAR-10 archive from ../shared/datasets into a temp folder.
 * Runs whenever the archive exists; with REQUIRE_CIFAR10=1 (set by .ci/run) it must run and fails if the file
 * is missing, so CI can never skip it silently.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareCifar10 } from './prepare';
import { loadDatasetNode } from '../src/cli/dataset-node';
import { parseCifarBatch } from '../src/core/data/cifar10';

const ARCHIVE = resolve(process.env.CIFAR10_ARCHIVE || '../shared/datasets/cifar-10-binary.tar.gz');
const LOSSLESS = resolve('../shared/datasets/cifar-10-train-first4000-lossless.bin.gz');
const required = process.env.REQUIRE_CIFAR10 === '1';
const present = existsSync(ARCHIVE);
const out = mkdtempSync(join(tmpdir(), 'ull-cifar10-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.runIf(present || required)('real CIFAR-10 archive', () => {
  it('is present (REQUIRE_CIFAR10=1)', () => {
    expect(existsSync(ARCHIVE), `REQUIRE_CIFAR10=1 but ${ARCHIVE} does not exist`).toBe(true);
  });

  it('prepares 50000/10000 images, 5000/1000 per class, with shards that verify', async () => {
    const r = await prepareCifar10({ archive: ARCHIVE, out });
    const m = r.manifest;
    expect(m.splits.train.count).toBe(50000);
    expect(m.splits.test.count).toBe(10000);
    expect(m.splits.train.perClass).toEqual(Array(10).fill(5000));
    expect(m.splits.test.perClass).toEqual(Array(10).fill(1000));
    expect(m.classes).toEqual([
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]);
    // measured train mean close to the official per-channel values
    m.mean.forEach((v, c) => expect(Math.abs(v - [0.4914, 0.4822, 0.4465][c])).toBeLessThan(0.003));
    expect(r.seconds).toBeLessThan(60);

    const ds = await loadDatasetNode('cifar10', { dir: out });
    expect(ds.train.n).toBe(50000);
    expect(ds.test.n).toBe(10000);

    // decode check against the first 4000 official records (pixel-exact source; the archive is a JPEG rebuild):
    // labels must match exactly and pixels closely (MAE ≈ 5.8/255); a wrong plane/axis order would be far off.
    if (existsSync(LOSSLESS)) {
      const ref = parseCifarBatch(new Uint8Array(gunzipSync(readFileSync(LOSSLESS))), LOSSLESS);
      expect(ref.n).toBe(4000);
      let labelsOk = true;
      for (let i = 0; i < 4000; i++) if (ref.labels[i] !== ds.train.labels[i]) labelsOk = false;
      expect(labelsOk).toBe(true);
      let err = 0;
      for (let k = 0; k < 4000 * 3072; k++) err += Math.abs(ref.images[k] - ds.train.images[k]);
      const mae = err / (4000 * 3072);
      expect(mae).toBeLessThan(10);
    }
  });
});
