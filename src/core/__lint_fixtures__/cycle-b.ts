// The other half of the deliberate cycle of cycle-a.ts (see src/core/lint.test.ts).
import { a } from './cycle-a';

export const b = (n: number): number => a(n) + 1;
