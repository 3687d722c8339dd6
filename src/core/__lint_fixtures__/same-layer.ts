// Deliberate violations for src/core/lint.test.ts, linted as if it were src/core/metrics.ts: importing modules of
// its own layer (stats.ts, methods/); types.ts below is fine.
import { interval } from './stats';
import { METHOD_NAMES } from './methods/registry';
import { LabError } from './types';

export const fixture = [interval, METHOD_NAMES, LabError];
