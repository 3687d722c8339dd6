// Deliberate import cycle for src/core/lint.test.ts, with cycle-b.ts: a → b → a (import-x/no-cycle rejects it).
import { b } from './cycle-b';

export const a = (n: number): number => (n <= 0 ? 0 : b(n - 1));
