// Deliberate violation for src/core/lint.test.ts, linted as if it were src/worker/protocol.ts: the worker's
// protocol (shared with the page's main thread) importing the CLI; the lite entry is fine.
import { parseCli } from '../cli/options';
import { METRICS } from '../core/lite';

export const fixture = [parseCli, METRICS];
