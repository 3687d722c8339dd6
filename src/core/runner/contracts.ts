/** Transition re-export: the contracts moved to src/core/contracts.ts (import them from there, or from an entry). */
export * from '../contracts';
