/**
 * The one dataset policy, shared by the page's worker (src/worker/datasets.ts) and Node (src/cli/dataset-node.ts):
 * try the prepared shards, then an archive imported earlier (page only), then — where the caller allows a
 * fallback — the synthetic dataset with a notice saying why. The synthetic dataset is always generated the same
 * way for the same experiment: seeded by the experiment's seed, with at least 500 train and 100 test images per
 * class (more when the experiment asks for more), so the `smoke` preset sees the same images in the page and in Node.
 *
 * tfjs-free: where the bytes come from (fetch + Cache API + IndexedDB, or files) is the caller's `DatasetSources`.
 */
import type { DatasetId, ImageDataset } from '../types';
import { LabError } from '../types';
import { makeSyntheticDataset, type SyntheticOptions } from './synthetic';

/**
 * The smallest synthetic dataset generated, per class. These (and the experiment seed as the data seed) are what
 * the Node CLI and its tests have always used; the page follows them (before, it used a fixed seed string and
 * the experiment's own sizes, i.e. different images).
 */
export const SYNTHETIC_MIN = { trainPerClass: 500, testPerClass: 100 } as const;

/** What an experiment asks of its dataset: its seed and per-class sizes (0 = all). */
export interface DataRequest {
  seed?: number;
  trainPerClass?: number;
  testPerClass?: number;
}

/** The synthetic dataset an experiment sees: its seed, and at least SYNTHETIC_MIN images per class. */
export function syntheticOptions(req: DataRequest): SyntheticOptions {
  return {
    seed: req.seed ?? 0,
    trainPerClass: Math.max(SYNTHETIC_MIN.trainPerClass, req.trainPerClass ?? 0),
    testPerClass: Math.max(SYNTHETIC_MIN.testPerClass, req.testPerClass ?? 0),
  };
}

export function syntheticFor(req: DataRequest): ImageDataset {
  return makeSyntheticDataset(syntheticOptions(req));
}

/** Whether a synthetic dataset generated with `have` is the one `req` sees (same seed and sizes). */
export function servesSynthetic(have: SyntheticOptions | undefined, req: DataRequest): boolean {
  const want = syntheticOptions(req);
  return (
    !!have &&
    String(have.seed) === String(want.seed) &&
    have.trainPerClass === want.trainPerClass &&
    have.testPerClass === want.testPerClass
  );
}

export type DatasetSource = 'prepared' | 'cache' | 'import' | 'synthetic';

export interface ResolvedDataset {
  dataset: ImageDataset;
  source: DatasetSource;
  /** set when the synthetic dataset was generated: the options it was generated with */
  synthetic?: SyntheticOptions;
  /** why a fallback was taken (shown to the user) */
  notice?: string;
}

/** Where a real dataset may come from, in the policy's order. */
export interface DatasetSources {
  /** prepared shards; null when there are none, throws when they exist but are broken */
  prepared(
    id: Exclude<DatasetId, 'synthetic'>,
  ): Promise<{ dataset: ImageDataset; source: 'prepared' | 'cache' } | null>;
  /** an archive the user imported earlier (page only) */
  imported?(id: Exclude<DatasetId, 'synthetic'>): Promise<ImageDataset | null>;
  /** how to make the dataset available, for the fallback notice */
  hint?(id: Exclude<DatasetId, 'synthetic'>): string;
}

export const DATASET_LABELS: Record<DatasetId, string> = { cifar10: 'CIFAR-10', svhn: 'SVHN', synthetic: 'Synthetic' };

/**
 * Resolve a dataset: prepared → imported → synthetic. With `fallback: false` (Node) a missing or broken
 * prepared dataset is an error (the prepared loader's own, or a LabError saying what to run).
 */
export async function resolveDataset(
  id: DatasetId,
  req: DataRequest,
  sources: DatasetSources,
  opts: { fallback: boolean },
): Promise<ResolvedDataset> {
  const synthetic = (notice?: string): ResolvedDataset => {
    const o = syntheticOptions(req);
    return { dataset: makeSyntheticDataset(o), source: 'synthetic', synthetic: o, ...(notice ? { notice } : {}) };
  };
  if (id === 'synthetic') return synthetic();
  if (id !== 'cifar10' && id !== 'svhn') {
    throw new LabError(`unknown dataset ${JSON.stringify(id)} (cifar10, svhn or synthetic)`, 'dataset');
  }
  let failure = '';
  try {
    const p = await sources.prepared(id);
    if (p) return { dataset: p.dataset, source: p.source };
  } catch (e) {
    if (!opts.fallback) throw e;
    failure = e instanceof Error ? e.message : String(e);
  }
  const imported = sources.imported ? await sources.imported(id) : null;
  if (imported) {
    const notice = failure
      ? `Prepared ${DATASET_LABELS[id]} failed (${failure}); using the archive you imported earlier.`
      : undefined;
    return { dataset: imported, source: 'import', ...(notice ? { notice } : {}) };
  }
  const hint = sources.hint?.(id) ?? 'prepare it with `npm run datasets`';
  if (!opts.fallback) throw new LabError(`${id} is not prepared; ${hint}`, id);
  const why = failure ? `loading it failed: ${failure}` : 'it is not prepared on this server';
  return synthetic(
    `${DATASET_LABELS[id]} is unavailable (${why}); showing the synthetic dataset instead. To use it, ${hint}.`,
  );
}
