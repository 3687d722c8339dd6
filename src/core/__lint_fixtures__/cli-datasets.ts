// Deliberate violations for src/core/lint.test.ts, linted as if it were src/cli/fixture.ts: the CLI importing the
// dataset command (statically and dynamically) instead of running it.
import { prepareCifar10 } from '../../datasets/prepare';

export async function fixture() {
  const { prepareSubset } = await import('../../datasets/prepare');
  return [prepareCifar10, prepareSubset];
}
