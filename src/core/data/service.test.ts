import { describe, expect, it } from 'vitest';
import { LabError } from '../types';
import { makeSyntheticDataset } from './synthetic';
import { resolveDataset, servesSynthetic, syntheticOptions, type DatasetSources } from './service';

describe('dataset service', () => {
  it('sizes: at least the minimum, more when the experiment asks; reuse only for the same seed and sizes', () => {
    expect(syntheticOptions({ seed: 2, trainPerClass: 40, testPerClass: 40 })).toEqual({
      seed: 2,
      trainPerClass: 500,
      testPerClass: 100,
    });
    expect(syntheticOptions({ trainPerClass: 0, testPerClass: 0 })).toEqual({
      seed: 0,
      trainPerClass: 500,
      testPerClass: 100,
    });
    expect(syntheticOptions({ seed: 1, trainPerClass: 800, testPerClass: 200 })).toEqual({
      seed: 1,
      trainPerClass: 800,
      testPerClass: 200,
    });
    const have = syntheticOptions({ seed: 1, trainPerClass: 40, testPerClass: 40 });
    expect(servesSynthetic(have, { seed: 1, trainPerClass: 300, testPerClass: 100 })).toBe(true);
    expect(servesSynthetic(have, { seed: 2, trainPerClass: 40, testPerClass: 40 })).toBe(false);
    expect(servesSynthetic(have, { seed: 1, trainPerClass: 40, testPerClass: 200 })).toBe(false);
    expect(servesSynthetic(undefined, { seed: 1 })).toBe(false);
  });

  it('prepared → imported → synthetic with a notice; without fallback a missing dataset is an error', async () => {
    const real = makeSyntheticDataset({ seed: 9, trainPerClass: 2, testPerClass: 1 }); // stands in for real data
    const none: DatasetSources = { prepared: async () => null, hint: () => 'do X' };
    const fb = await resolveDataset('cifar10', { seed: 1 }, none, { fallback: true });
    expect(fb.source).toBe('synthetic');
    expect(fb.notice).toMatch(/CIFAR-10 is unavailable \(it is not prepared on this server\).*do X/);
    expect(fb.synthetic).toEqual(syntheticOptions({ seed: 1 }));
    await expect(resolveDataset('cifar10', {}, none, { fallback: false })).rejects.toThrow(
      /cifar10 is not prepared; do X/,
    );
    const broken: DatasetSources = {
      prepared: async () => {
        throw new LabError('SHA-256 mismatch', 'shard');
      },
      imported: async () => real,
    };
    const imp = await resolveDataset('svhn', {}, broken, { fallback: true });
    expect(imp.source).toBe('import');
    expect(imp.dataset).toBe(real);
    expect(imp.notice).toMatch(/Prepared SVHN failed \(shard: SHA-256 mismatch\)/);
    await expect(resolveDataset('svhn', {}, broken, { fallback: false })).rejects.toThrow(/SHA-256 mismatch/);
    const ok = await resolveDataset(
      'cifar10',
      {},
      { prepared: async () => ({ dataset: real, source: 'cache' }) },
      { fallback: false },
    );
    expect(ok.dataset).toBe(real);
    expect(ok.source).toBe('cache');
    await expect(resolveDataset('mnist' as never, {}, none, { fallback: true })).rejects.toThrow(/unknown dataset/);
  }, 60_000);
});
