/**
 * Public entry of the Unlearning Lab compute core. Framework-free: no React, DOM or Node-only APIs.
 * The browser worker (src/worker) and the Node CLI (src/cli) import the core only from here (the page's main
 * thread uses the tfjs-free subset, src/core/lite.ts, which this file re-exports); ESLint enforces both.
 * Tests inside src/core may import internal modules directly. Comments cite the paper notes as
 * `docs/paper-notes.md §N`: the heading §N of docs/paper-notes.md (src/core/docs.test.ts checks that every citation
 * resolves).
 *
 * Layers, lowest first (a module imports only from its own folder or a lower layer; see `CORE_LAYERS` in
 * eslint.config.js): types · rng → metrics · stats · methods → contracts → spec-schema → presets → results (all
 * tfjs-free) → data · backend → models → train → eval · parallel → condense · unlearn → runner · audit.
 */
export * from './lite';
export { Rng } from './rng';
export * from './data';
export * from './data/service';
export * from './backend';
export * from './models';
export { selfCheck } from './models/self-check';
export * from './train';
export * from './train/shipped-models';
export * from './eval';
export * from './parallel';
export {
  embedAll,
  kmeans,
  subClasses,
  selectRows,
  blend,
  blendLr,
  blendStepOf,
  lrBlend,
  clustersOf,
  PAPER_LR_PER_CLUSTER,
  PAPER_BLEND_T,
  partitionClusters,
  positionsOf,
  subClassesOfSource,
  reducedRetain,
  toCondenseResult,
  computeSubClasses,
  buildReducedRetain,
  convnet3Factory,
  distributionMatching,
  randomReal,
  evaluateCondensed,
  condensedSource,
} from './condense';
export type {
  SubClasses,
  KMeansResult,
  BlendOptions,
  BlendResult,
  BlendLrMode,
  BlendStep,
  Partition,
  ReducedRetain,
  EvaluateCondensedOptions,
  EvaluateCondensedResult,
} from './condense';
export * from './unlearn';
export { LabSession, type LabSessionOptions } from './runner/session';
export * from './audit';
