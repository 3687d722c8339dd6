/**
 * The page and Node share one dataset policy (src/core/data/service.ts): this checks it end to end, through the
 * worker's loader and the Node loader, on the smoke preset (the one setting both run on synthetic data).
 */
import { describe, expect, it } from 'vitest';
import { PRESETS, SYNTHETIC_MIN, type ImageDataset } from '../core';
// the one place the worker's code meets the CLI's: a test comparing the page's dataset policy with Node's
// eslint-disable-next-line import-x/no-restricted-paths
import { loadDatasetNode } from '../cli/dataset-node';
import { loadDataset } from './datasets';

const same = (a: ImageDataset, b: ImageDataset) => {
  expect(a.train.n).toBe(b.train.n);
  expect(a.test.n).toBe(b.test.n);
  expect(Buffer.from(a.train.images).equals(Buffer.from(b.train.images))).toBe(true);
  expect(Buffer.from(a.train.labels).equals(Buffer.from(b.train.labels))).toBe(true);
  expect(Buffer.from(a.test.images).equals(Buffer.from(b.test.images))).toBe(true);
  expect(Buffer.from(a.test.labels).equals(Buffer.from(b.test.labels))).toBe(true);
};

describe('dataset policy: page = Node', () => {
  it('the page (worker) and Node see the very same synthetic dataset for the smoke preset', async () => {
    const spec = { ...PRESETS.smoke.spec, seed: 3 };
    const page = await loadDataset('http://127.0.0.1:9/', 'synthetic', spec, () => {});
    // as `npm run experiment` / `reproduce` load it (src/cli/experiment.ts)
    const { seed, trainPerClass, testPerClass } = spec;
    const node = await loadDatasetNode('synthetic', { request: { seed, trainPerClass, testPerClass } });
    expect(page.source).toBe('synthetic');
    same(page.dataset, node);
    expect(page.dataset.train.n).toBe(10 * SYNTHETIC_MIN.trainPerClass);
    expect(page.dataset.test.n).toBe(10 * SYNTHETIC_MIN.testPerClass);
    // the data follow the experiment's seed
    const other = await loadDatasetNode('synthetic', { request: { seed: 4, trainPerClass, testPerClass } });
    expect(Buffer.from(other.train.images).equals(Buffer.from(node.train.images))).toBe(false);
  }, 60_000);
});
