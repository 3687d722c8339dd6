import { describe, expect, it } from 'vitest';
import { runDatasetsCommand } from './datasets-command';

// `npm start` and `npm run gpu-bundle` run the dataset command as a child process (the CLI may not import
// datasets/): its exit code comes back — 0 for --help, 2 for an unknown option.
describe('runDatasetsCommand', () => {
  it('runs datasets/prepare.ts and returns its exit code', async () => {
    expect(await runDatasetsCommand(['--help'])).toBe(0);
    expect(await runDatasetsCommand(['--no-such-option'])).toBe(2);
  }, 60_000);
});
