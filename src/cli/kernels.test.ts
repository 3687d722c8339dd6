import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileKernel, kernelModule, KERNELS } from './kernels';

describe('npm run kernels', () => {
  it('every committed kernel module is its compiled AssemblyScript source (rerun `npm run kernels` after an edit)', async () => {
    for (const k of KERNELS) {
      const fresh = kernelModule(k, await compileKernel(k));
      expect(readFileSync(new URL(`../../${k.module}`, import.meta.url), 'utf8'), k.module).toBe(fresh);
    }
  }, 60_000);

  it('a source that does not compile is refused, naming it', async () => {
    await expect(compileKernel({ source: 'src/cli/kernels.test.ts', module: 'x.ts' })).rejects.toThrow(
      /kernels: src\/cli\/kernels.test.ts does not compile/,
    );
  }, 60_000);
});
