// Deliberate violation for src/core/lint.test.ts, linted as if it were src/core/data/fixture.ts: a data module
// importing backend/, a folder of its own layer.
import { instanceNormAct } from '../backend/fused';

export const fixture = [instanceNormAct];
