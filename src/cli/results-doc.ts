/**
 * `npm run results-doc`: writes the generated results document (results/README.md) and README.md's results block
 * from the committed JSON (src/core/results/results-doc.ts). `--check` writes nothing and exits 1 when either
 * differs from what the JSON gives. Runs nothing else: no training, no benchmark.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RESULTS_DOC, loadResultsInputs, renderReadmeBlock, renderResultsDoc, spliceReadme } from '../core';
import { writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';

export const RESULTS_DOC_CLI = defineCli({
  name: 'results-doc',
  summary: `Regenerate ${RESULTS_DOC} and README.md's results block from the committed results JSON.`,
  options: {
    check: { type: 'boolean', help: 'write nothing; exit 1 when either document is out of date' },
  },
});

async function main(): Promise<number> {
  const values = parseCli(RESULTS_DOC_CLI);
  const inputs = loadResultsInputs((p) => (existsSync(p) ? readFileSync(p, 'utf8') : null));
  const doc = renderResultsDoc(inputs);
  const readme = readFileSync('README.md', 'utf8');
  const newReadme = spliceReadme(readme, renderReadmeBlock(inputs));
  const oldDoc = existsSync(RESULTS_DOC) ? readFileSync(RESULTS_DOC, 'utf8') : null;
  if (values.check) {
    const stale = [oldDoc !== doc && RESULTS_DOC, readme !== newReadme && 'README.md'].filter(Boolean);
    if (stale.length) console.error(`out of date (run npm run results-doc): ${stale.join(', ')}`);
    return stale.length ? 1 : 0;
  }
  await writeAtomic(RESULTS_DOC, doc);
  await writeAtomic('README.md', newReadme);
  console.log(`wrote ${RESULTS_DOC} and README.md's results block`);
  return 0;
}

runCli('results-doc', main);
