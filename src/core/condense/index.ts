/**
 * Blend condensation, k-means sub-classes, the reduced retain set, and the §4.2 baselines (docs/paper-notes.md §3–§4).
 */
export type {
  FeatureParallel,
  FeatureMatrix,
  EmbedOptions,
  KMeansOptions,
  KMeansResult,
  SubClasses,
  SubClassOptions,
} from './kmeans';
export { embedAll, kmeans, subClasses, selectRows } from './kmeans';
export type { BlendCluster, BlendOptions, BlendResult, PreviewOptions, BlendLrMode, BlendStep } from './blend';
export { blend, blendLr, blendStepOf, lrBlend, clustersOf, PAPER_LR_PER_CLUSTER, PAPER_BLEND_T } from './blend';
export type { Partition, ReducedRetain, ReducedRetainOptions } from './reduced-retain';
export { partitionClusters, positionsOf, subClassesOfSource, reducedRetain, toCondenseResult } from './reduced-retain';
export type { ComputeSubClassesOptions, BuildReducedRetainOptions } from './pipeline';
export { computeSubClasses, buildReducedRetain, convnet3Factory } from './pipeline';
export type { DmOptions, DmResult, EvaluateCondensedOptions, EvaluateCondensedResult, RandomReal } from './dm';
export { distributionMatching, randomReal, evaluateCondensed, positionsByClass, condensedSource } from './dm';
