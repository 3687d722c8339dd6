// Deliberate violations for src/core/lint.test.ts, linted as if it were datasets/fixture.ts: the dataset command
// importing a core internal (the session, a data module) and the app; the core's entry is fine.
import { LabSession } from '../src/core/runner/session';
import { buildTar } from '../src/core/data/tar';
import { PRESETS } from '../src/app/params';
import { LabError } from '../src/core';

export const fixture = [LabSession, buildTar, PRESETS, LabError];
