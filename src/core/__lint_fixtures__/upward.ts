// Deliberate violations for src/core/lint.test.ts (excluded from the normal lint run and the type check):
// a model-layer module importing the runner above it and the app outside the core.
import { LabSession } from '../runner/session';
import { PRESETS } from '../../app/params';

export const fixture = [LabSession, PRESETS];
