// Deliberate violations for src/core/lint.test.ts, linted as if it were src/app/fixture.ts: the page's main
// thread importing tfjs and a core internal instead of src/core/lite.ts.
import * as tf from '@tensorflow/tfjs';
import { LabSession } from '../core/runner/session';
import { PRESETS } from '../core/lite';

export const fixture = [tf, LabSession, PRESETS];
