// Deliberate violation for src/core/lint.test.ts, linted as if it were src/core/stats.ts: a low layer importing
// the runner.
import { LabSession } from './runner/session';

export const fixture = [LabSession];
