// Deliberate violations for src/core/lint.test.ts, linted as if it were src/sw/fixture.ts: the service worker's
// build plugin importing project code.
import { METRICS } from '../core/lite';
import { PRESETS } from '../app/params';

export const fixture = [METRICS, PRESETS];
