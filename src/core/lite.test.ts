import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Run-time import specifiers of a TypeScript file (`import type` / `export type` are erased, so skipped). */
function runtimeImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) if (!m[2]) out.push(m[3]);
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

function resolveLocal(from: string, spec: string): string {
  const base = join(dirname(from), spec);
  for (const f of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(f)) return f;
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/** Every module reachable from `entry` at run time, and the packages they import. */
function graph(entry: string): { files: string[]; packages: Map<string, string> } {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of runtimeImports(f)) {
      if (spec.startsWith('.')) todo.push(resolveLocal(f, spec));
      else packages.set(spec, relative(here, f));
    }
  }
  return { files: [...seen], packages };
}

describe('src/core/lite.ts (the main thread entry)', () => {
  it('reaches no tfjs at run time', () => {
    const { files, packages } = graph(join(here, 'lite.ts'));
    expect(files.length).toBeGreaterThan(5);
    const tf = [...packages].filter(([p]) => p.startsWith('@tensorflow'));
    expect(tf, `tfjs imported by ${tf.map(([p, f]) => `${f} (${p})`).join(', ')}`).toEqual([]);
  });

  it('the walker does see tfjs behind the full entry (the check above can fail)', () => {
    const { packages } = graph(join(here, 'index.ts'));
    expect([...packages.keys()]).toContain('@tensorflow/tfjs');
  });
});
