/**
 * Public entry of the Unlearning Lab compute core. Framework-free: no React, DOM or Node-only APIs.
 * The browser worker, the Node CLI, tests and benchmarks all import from here.
 */
export * from './types';
export { Rng } from './rng';
export * from './data';
export * from './data/service';
export * from './metrics';
export * from './models';
export * from './backend';
export * from './train';
export * from './eval';
export {
  perSampleCE, smoothedEcdf, gaussianise, mmd2, acfRegulariser, acfLoss, probit,
  type EcdfMode, type GaussianiseOptions,
} from './unlearn/amu';
export {
  embedAll, kmeans, subClasses, selectRows, blend, lrBlend, clustersOf, partitionClusters, positionsOf, subClassesOfSource,
  reducedRetain, toCondenseResult, computeSubClasses, buildReducedRetain, convnet3Factory, distributionMatching, randomReal,
  evaluateCondensed, condensedSource,
} from './condense';
export type {
  SubClasses, KMeansResult, BlendOptions, BlendResult, Partition, ReducedRetain, EvaluateCondensedOptions, EvaluateCondensedResult,
} from './condense';
export * from './unlearn';
export * from './runner/contracts';
export * from './runner/presets';
export * from './runner/report';
export * from './runner/reproduce-driver';
export { LabSession, type LabSessionOptions } from './runner/session';
