import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

// The architecture rules of eslint.config.js, shown to reject deliberate violations. Each fixture in
// src/core/__lint_fixtures__ (excluded from `npm run lint` and the type check) is linted as if it lived at `as`.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function lintAs(fixture: string, as: string) {
  const code = readFileSync(join(root, 'src/core/__lint_fixtures__', fixture), 'utf8');
  const [res] = await eslint.lintText(code, { filePath: join(root, as) });
  return res.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }));
}

describe('lint: architecture boundaries', () => {
  it('rejects a core module importing a higher layer or the app', async () => {
    const msgs = await lintAs('upward.ts', 'src/core/models/fixture.ts');
    const paths = msgs.filter((m) => m.rule === 'import-x/no-restricted-paths');
    expect(paths.map((m) => m.line).sort()).toEqual([3, 4]);
    expect(paths.find((m) => m.line === 3)!.message).toMatch(/layers import only downward/);
    expect(paths.find((m) => m.line === 4)!.message).toMatch(/never imports the app/);
  });

  it('accepts a core module importing only lower layers', async () => {
    expect(await lintAs('ok.ts', 'src/core/models/fixture.ts')).toEqual([]);
  });

  it("rejects tfjs and core internals on the page's main thread, but not the lite entry", async () => {
    const msgs = await lintAs('app-internals.ts', 'src/app/fixture.ts');
    expect(msgs.find((m) => m.rule === 'no-restricted-imports')?.line).toBe(3);
    const paths = msgs.filter((m) => m.rule === 'import-x/no-restricted-paths');
    expect(paths.map((m) => m.line)).toEqual([4]);
    expect(paths[0].message).toMatch(/lite\.ts/);
  });

  it('rejects an import cycle', async () => {
    // linted where they lie (the pair must resolve to each other on disk), past the fixtures' lint ignore
    const unignored = new ESLint({ cwd: root, ignore: false });
    for (const [file, line] of [
      ['cycle-a.ts', 2],
      ['cycle-b.ts', 2],
    ] as const) {
      const path = join(root, 'src/core/__lint_fixtures__', file);
      const [res] = await unignored.lintText(readFileSync(path, 'utf8'), { filePath: path });
      const cycles = res.messages.filter((m) => m.ruleId === 'import-x/no-cycle');
      expect(
        cycles.map((m) => m.line),
        `${file}: ${JSON.stringify(res.messages)}`,
      ).toEqual([line]);
      expect(cycles[0].message).toMatch(/cycle/i);
    }
  });

  it('rejects a worker module importing a core internal, but not the entry', async () => {
    const msgs = await lintAs('worker-internals.ts', 'src/worker/fixture.ts');
    expect(msgs.map((m) => [m.rule, m.line])).toEqual([['import-x/no-restricted-paths', 3]]);
  });
});
