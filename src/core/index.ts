/**
 * Public entry of the Unlearning Lab compute core. Framework-free: no React, DOM or Node-only APIs.
 * The browser worker, the Node CLI, tests and benchmarks all import from here.
 */
export * from './types';
export { Rng } from './rng';
export { batchImages, batchLabels, toRgba, uint8ToRgba } from './data/batch';
