import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// Issue 23 item 4: every citation of the docs in the code resolves to a file and a heading in docs/.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const docs = join(root, 'docs');

function sources(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    if (f === 'node_modules' || f.startsWith('__')) continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(f)) out.push(p);
  }
  return out;
}

/** The headings of a markdown file, without the leading #s. */
function headings(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1]);
}

interface Citation {
  where: string;
  file: string;
  heading?: string;
}

/**
 * `docs/paper-notes.md §N` and, in strings the lab prints, the short `spec §N` (both → docs/paper-notes.md, heading
 * §N), `results-format.md "H"` and `docs/<name>.md ["H"]`.
 */
function citations(text: string, where: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(/(?:spec|docs\/paper-notes\.md) §(\d+(?:\.\d+)?[a-z]?)/g))
    out.push({ where, file: 'paper-notes.md', heading: `§${m[1]}` });
  for (const m of text.matchAll(/(?:docs\/)?([\w-]+\.md)(?:,? (?:section )?"([^"]+)")?/g)) {
    const isDocs = m[0].startsWith('docs/') || m[1] === 'results-format.md';
    if (isDocs) out.push({ where, file: m[1], heading: m[2] });
  }
  return out;
}

/**
 * The comments of a source file: the comment ranges around every node and token of TypeScript's parse (a bare
 * scanner loses its place after template literals and regular expressions; strings are never comments).
 */
function commentsOf(text: string, file: string): string[] {
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const found = new Map<number, string>();
  const add = (rs: ts.CommentRange[] | undefined) => rs?.forEach((r) => found.set(r.pos, text.slice(r.pos, r.end)));
  const visit = (n: ts.Node): void => {
    add(ts.getLeadingCommentRanges(text, n.getFullStart()));
    add(ts.getTrailingCommentRanges(text, n.getEnd()));
    n.getChildren(sf).forEach(visit);
  };
  visit(sf);
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

function unresolved(cs: Citation[]): string[] {
  const bad: string[] = [];
  for (const c of cs) {
    const file = join(docs, c.file);
    if (!existsSync(file)) {
      bad.push(`${c.where}: docs/${c.file} does not exist`);
      continue;
    }
    if (!c.heading) continue;
    const hs = headings(file);
    const ok = c.file === 'paper-notes.md' ? hs.some((h) => h.split(' ')[0] === c.heading) : hs.includes(c.heading);
    if (!ok) bad.push(`${c.where}: docs/${c.file} has no heading "${c.heading}"`);
  }
  return bad;
}

describe('docs citations', () => {
  const self = fileURLToPath(import.meta.url);
  const files = ['src', 'datasets', 'e2e'].flatMap((d) => sources(join(root, d))).filter((f) => f !== self);
  const all = files.flatMap((f) => citations(readFileSync(f, 'utf8'), relative(root, f)));

  it('every citation in the code resolves to a file and heading in docs/', () => {
    expect(all.filter((c) => c.file === 'paper-notes.md').length).toBeGreaterThan(50);
    expect(unresolved(all)).toEqual([]);
  });

  it('the check fails on a citation of a missing heading or file', () => {
    const bad = 'see spec §99.9, docs/paper-notes.md §99.8, results-format.md "Nope" and docs/none.md';
    expect(unresolved(citations(bad, 'x'))).toHaveLength(4);
  });

  it('comments cite the paper notes by file (`docs/paper-notes.md §N`), not by the short `spec §N`', () => {
    const short = files.flatMap((f) =>
      commentsOf(readFileSync(f, 'utf8'), f).flatMap((c) => (c.includes('spec §') ? [relative(root, f)] : [])),
    );
    expect(short).toEqual([]);
    const sample = 'const a = "spec §1"; // docs/paper-notes.md §1\nconst b = `${a}x` + /\\//.source; /* spec §2 */';
    expect(commentsOf(sample, 'x.ts')).toEqual(['// docs/paper-notes.md §1', '/* spec §2 */']);
  });

  it('the docs index links every docs file', () => {
    const index = readFileSync(join(docs, 'README.md'), 'utf8');
    const linked = new Set([...index.matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]));
    const files = readdirSync(docs).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(files.filter((f) => !linked.has(f))).toEqual([]);
    expect([...linked].filter((f) => !files.includes(f))).toEqual([]);
  });

  it('every `npm run X` (and `npm start` / `npm test`) in the README and docs/ is a script of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const scripts = Object.keys(pkg.scripts);
    const texts = [
      join(root, 'README.md'),
      ...readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(docs, f)),
    ];
    const named = texts.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)].map((m) => ({
        where: relative(root, f),
        name: m[1] ?? m[2],
      })),
    );
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !scripts.includes(n.name)).map((n) => `${n.where}: npm run ${n.name}`)).toEqual([]);
    expect(named.map((n) => n.name)).toContain('scaling');
  });
});
