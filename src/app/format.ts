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
