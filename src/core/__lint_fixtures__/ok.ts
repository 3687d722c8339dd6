// A well-behaved model-layer module for src/core/lint.test.ts: it imports only downward.
import { LabError } from '../types';
import { instanceNormAct } from '../backend/fused';

export const fixture = [LabError, instanceNormAct];
