/** Small display helpers (pure). */
import { METHOD_CARDS } from '../core/lite';

export function fmtNum(v: number | undefined | null, digits = 1): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return v.toFixed(digits);
}

export function fmtSeconds(s: number | undefined | null): string {
  if (s === undefined || s === null || !Number.isFinite(s)) return '–';
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 90) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  if (m < 90) return `${m} min ${r.toString().padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${(m % 60).toString().padStart(2, '0')} min`;
}

export function fmtBytes(b: number | undefined | null): string {
  if (b === undefined || b === null || !Number.isFinite(b)) return '–';
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}

export function fmtGap(v: number | undefined, ref: number | undefined): string {
  if (v === undefined || ref === undefined || !Number.isFinite(v) || !Number.isFinite(ref)) return '';
  const d = v - ref;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}`;
}

export const STAGE_LABELS: Record<string, string> = {
  data: 'Data',
  selfcheck: 'Self-check',
  pretrain: 'Original model',
  kmeans: 'k-means sub-classes',
  condense: 'Blend condensation',
  unlearn: 'Unlearn',
  evaluate: 'Evaluate',
  reproduce: 'Reproduce',
};

/** Stable colours per method (same in every chart). */
/** Each method's chart colour, from its card (`color`). */
export const METHOD_COLORS: Record<string, string> = Object.fromEntries(METHOD_CARDS.map((c) => [c.name, c.color]));

export function download(name: string, text: string, type: string): void {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The MIA values a single run carries (metrics of a method result or of the original model). */
interface MiaOf {
  mia?: number;
  miaSe?: number;
  miaFiltered?: number;
}

/**
 * Is a single run's MIA gap to Retrain within noise? The rule (issue 22): |gap| < 2·√(SE² + SE_Retrain²), with each
 * MIA's bootstrap SE over samples. The gap is that of MIA (filtered); the SE belongs to the paper's MIA, so the
 * rule applies only where both models' filtered value is the paper's (no class artefact); null otherwise, or when
 * an SE is missing.
 */
export function miaGapNoise(m: MiaOf, ref: MiaOf): { within: boolean; twoSe: number } | null {
  const ok = (x: MiaOf) =>
    typeof x.mia === 'number' &&
    typeof x.miaSe === 'number' &&
    Number.isFinite(x.miaSe) &&
    (x.miaFiltered === undefined || x.miaFiltered === x.mia);
  if (!ok(m) || !ok(ref)) return null;
  const twoSe = 2 * Math.sqrt(m.miaSe! ** 2 + ref.miaSe! ** 2);
  return { within: Math.abs(m.mia! - ref.mia!) < twoSe, twoSe };
}

export const MIA_NOISE_RULE = 'within noise: |MIA gap| < 2·√(SE² + SE of Retrain²), the bootstrap SEs of the two MIAs';
