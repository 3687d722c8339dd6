// Deliberate violations for src/core/lint.test.ts, linted as if it were src/app/fixture.ts: the page's main
// thread loading tfjs and a core internal through dynamic imports, and the dataset command statically.
import { prepareCifar10 } from '../../datasets/prepare';

export async function fixture() {
  const tf = await import('@tensorflow/tfjs');
  const { LabSession } = await import('../core/runner/session');
  return [tf, LabSession, prepareCifar10];
}
