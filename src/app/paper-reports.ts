/**
 * The committed reports of the Paper view (issue 22 item 6): the claims reports of `npm run reproduce` (quick in
 * results/reproduce/, reference in results/reference/), the trade-off sweep, the scaling study and — once it is
 * run — the audit, bundled into the build from results/ (lazy chunks, so the first page load does not carry
 * them) and shown with where they come from. A report whose file does not exist yet is listed as "not yet run".
 *
 * Pure data helpers (no React); unit-tested in paper-reports.test.ts against the committed files themselves.
 */
import type { Claim } from '../core/lite';

type Loader = () => Promise<unknown>;

/** Every committed file the view may show, by path under results/ (absent files are simply not in the map). */
const JSON_FILES: Record<string, Loader> = {
  ...import.meta.glob('../../results/*/claims.json', { import: 'default' }),
  ...import.meta.glob('../../results/reproduce/tradeoff.json', { query: '?raw', import: 'default' }),
  ...import.meta.glob('../../results/scaling/scaling.json', { import: 'default' }),
  ...import.meta.glob('../../results/audit/*.json', { import: 'default' }),
};
const MARKDOWN: Record<string, Loader> = import.meta.glob('../../results/*/REPORT.md', {
  query: '?raw',
  import: 'default',
});

/** One report of the Paper view. */
export interface ReportDef {
  id: string;
  title: string;
  kind: 'claims' | 'tradeoff' | 'scaling' | 'audit';
  /** its main file, relative to the repository root */
  file: string;
  /** the Markdown report next to it (claims), relative to the repository root */
  markdown?: string;
  /** the command that (re)writes it ('' while there is none yet) */
  command: string;
}

export const REPORTS: readonly ReportDef[] = [
  {
    id: 'quick',
    title: 'Claims, `quick` preset (3 seeds)',
    kind: 'claims',
    file: 'results/reproduce/claims.json',
    markdown: 'results/reproduce/REPORT.md',
    command: 'npm run reproduce -- --preset quick --seeds 3',
  },
  {
    id: 'reference',
    title: 'Claims, `reference` preset (full CIFAR-10)',
    kind: 'claims',
    file: 'results/reference/claims.json',
    markdown: 'results/reference/REPORT.md',
    command: 'npm run reproduce -- --preset reference',
  },
  {
    id: 'tradeoff',
    title: 'Trade-off sweep: privacy and utility against time',
    kind: 'tradeoff',
    file: 'results/reproduce/tradeoff.json',
    command: 'npm run tradeoff',
  },
  {
    id: 'scaling',
    title: 'Scaling study: does one A-CF pass suffice as the data grow?',
    kind: 'scaling',
    file: 'results/scaling/scaling.json',
    command: 'npm run scaling',
  },
  {
    id: 'audit',
    title: 'Audit',
    kind: 'audit',
    file: 'results/audit/audit.json',
    command: '',
  },
];

const key = (repoPath: string) => `../../${repoPath}`;

/** Whether the build carries this committed file. */
export function hasFile(repoPath: string): boolean {
  return key(repoPath) in JSON_FILES || key(repoPath) in MARKDOWN;
}

/** Load a committed file (JSON parsed, or text for Markdown and the trade-off's raw JSON); null when absent. */
export async function loadFile(repoPath: string): Promise<unknown> {
  const load = JSON_FILES[key(repoPath)] ?? MARKDOWN[key(repoPath)];
  return load ? await load() : null;
}

/** Where a report comes from: what its header says (date, command, machine, versions). */
export interface Provenance {
  generated: string | null;
  command: string | null;
  machine: string | null;
  versions: string | null;
}

type Json = Record<string, unknown>;

const compact = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  return Object.entries(v as Json)
    .map(([k, x]) => `${k} ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
    .join(', ');
};

/**
 * The provenance line of a reproduction REPORT.md: "Generated DATE by `COMMAND` on {machine JSON}, lab {versions
 * JSON}." (src/core/results/report.ts writes it). Fields it cannot read are null.
 */
export function reportProvenance(markdown: string): Provenance {
  const line = markdown.split('\n').find((l) => l.startsWith('Generated ')) ?? '';
  const m = /^Generated (\S+) by `([^`]+)`(?: on (\{.*?\}))?(?:, lab (\{.*?\}))?/.exec(line);
  const parse = (s: string | undefined) => {
    if (!s) return null;
    try {
      return compact(JSON.parse(s));
    } catch {
      return s;
    }
  };
  return { generated: m?.[1] ?? null, command: m?.[2] ?? null, machine: parse(m?.[3]), versions: parse(m?.[4]) };
}

/** The provenance fields a study's JSON carries (`createdAt`, `command`, `machine`, `versions`, `preset`). */
export function jsonProvenance(j: Json, fallbackCommand: string): Provenance {
  const preset = typeof j.preset === 'string' ? ` (preset ${j.preset})` : '';
  return {
    generated: typeof j.createdAt === 'string' ? j.createdAt : null,
    command: typeof j.command === 'string' ? j.command : `${fallbackCommand}${preset}`,
    machine: compact(j.machine),
    versions: compact(j.versions),
  };
}

/** A claims file's rows, checked enough to render (an array of objects with an id, a claim and a verdict). */
export function claimsOf(v: unknown, where: string): Claim[] {
  if (!Array.isArray(v)) throw new Error(`${where}: expected an array of claims`);
  v.forEach((c, i) => {
    const ok =
      c && typeof c === 'object' && 'id' in c && typeof c.claim === 'string' && typeof c.reproduces === 'string';
    if (!ok) throw new Error(`${where}[${i}]: not a claim (needs id, claim, reproduces)`);
  });
  return v as Claim[];
}

/** mean ± half-width of a 95 % interval (n), as the scaling study reads its gaps. */
interface Gap {
  mean: number;
  ci95: [number, number] | null;
  n: number;
}

export interface ScalingRow {
  size: number;
  method: string;
  passes: number;
  n: number;
  gaps: Record<'forgetAcc' | 'mia' | 'testAcc', { text: string; withinNoise: boolean } | null>;
}

function gapText(g: Gap | undefined): { text: string; withinNoise: boolean } | null {
  if (!g || typeof g.mean !== 'number') return null;
  const ci = Array.isArray(g.ci95) && g.ci95.every((x) => Number.isFinite(x)) ? g.ci95 : null;
  if (!ci) return { text: `${g.mean.toFixed(1)} (n = ${g.n})`, withinNoise: false };
  const half = (ci[1] - ci[0]) / 2;
  return { text: `${g.mean.toFixed(1)} ± ${half.toFixed(1)} (n = ${g.n})`, withinNoise: ci[0] <= 0 && ci[1] >= 0 };
}

/** The scaling study's gaps to Retrain (scaling.json `gapsToRetrain`), one row per size × method × passes. */
export function scalingRows(j: unknown): ScalingRow[] {
  const rows = (j as Json | null)?.gapsToRetrain;
  if (!Array.isArray(rows)) throw new Error('scaling.json: gapsToRetrain is not an array');
  return rows.map((r: Json) => {
    const gaps = (r.gaps ?? {}) as Record<string, Gap>;
    return {
      size: Number(r.size),
      method: String(r.method),
      passes: Number(r.passes),
      n: Number(r.n),
      gaps: { forgetAcc: gapText(gaps.forgetAcc), mia: gapText(gaps.mia), testAcc: gapText(gaps.testAcc) },
    };
  });
}
