// Deliberate violation for src/core/lint.test.ts, linted as if it were src/worker/fixture.ts: the worker
// importing a core internal instead of the entry src/core/index.ts.
import { createModel } from '../core/models';
import { LabSession } from '../core';

export const fixture = [createModel, LabSession];
