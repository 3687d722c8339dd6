// Deliberate violations for src/core/lint.test.ts, linted as if it were e2e/fixture.spec.ts: a browser test
// importing project code (the core's lite entry, the app, the dataset command); its own helpers are fine.
import { METRICS } from '../src/core/lite';
import { PRESETS } from '../src/app/params';
import { DEFAULT_OUT } from '../datasets/prepare';
import { SMOKE } from './helpers';

export const fixture = [METRICS, PRESETS, DEFAULT_OUT, SMOKE];
