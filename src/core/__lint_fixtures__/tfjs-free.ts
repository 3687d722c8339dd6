// Deliberate violations for src/core/lint.test.ts, linted as if it were a tfjs-free core module
// (src/core/metrics.ts, src/core/results/fixture.ts): tfjs imported statically and dynamically; a type-only
// import is fine (erased at run time).
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';

export async function fixture(t: Tensor) {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return [tf, t, wasm];
}
