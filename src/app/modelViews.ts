/**
 * Helpers of the per-class and attack views (components/PerClassView.tsx, AttackView.tsx): which model results
 * they show for the selected method, and heatmap colours whose cell text keeps WCAG AA contrast. tfjs-free.
 */
import type { ExperimentResult, MethodResult, ModelViews } from '../core/lite';
import { armOf } from '../core/lite';
import { armKey, parseArmKey } from './runState';

/** One model shown side by side: the original model, the selected method, and Retrain of the same arm/round. */
export interface ShownModel {
  role: 'original' | 'method' | 'retrain';
  label: string;
  views: ModelViews | undefined;
  mia?: number;
  miaSe?: number;
  /** the filtered-swapped-branch variant (absent in older results); ≠ mia = the paper's value is a class artefact */
  miaFiltered?: number;
}

const arm = (withDC: boolean) => (withDC ? 'w/ DC' : 'w/o DC');
export const methodLabel = (m: Pick<MethodResult, 'name' | 'withDC' | 'round'>): string =>
  `${m.name} ${arm(m.withDC)}${m.round ? ` r${m.round + 1}` : ''}`;

/**
 * The method every per-method view shows when none is selected (the same pick in all of them): A-CF w/ DC, else
 * A-CF w/o DC (the paper's method), else the first non-Retrain result, else Retrain alone; null when none.
 */
export function preferredMethod<M extends Pick<MethodResult, 'name' | 'withDC' | 'round'>>(methods: M[]): M | null {
  const first = (pred: (m: M) => boolean) => methods.find((m) => pred(m) && m.round === 0) ?? methods.find(pred);
  return (
    first((m) => m.name === 'A-CF' && m.withDC) ??
    first((m) => m.name === 'A-CF') ??
    methods.find((m) => m.name !== 'Retrain') ??
    methods[0] ??
    null
  );
}

/**
 * The method result the views show: the selected arm key if it names a result, else `preferredMethod`; null
 * before any method finished.
 */
export function pickMethod(methods: MethodResult[], selected: string | null): MethodResult | null {
  if (selected) {
    const s = parseArmKey(selected);
    const hit = methods.find((m) => m.name === s.method && armOf(m.withDC) === s.arm && m.round === s.round);
    if (hit) return hit;
  }
  return preferredMethod(methods);
}

/** Original, selected method and Retrain (same arm and round) — the ones that exist, in that order. */
export function shownModels(
  methods: MethodResult[],
  selected: string | null,
  pretrain: ExperimentResult['pretrain'] | undefined,
): ShownModel[] {
  const cur = pickMethod(methods, selected);
  const out: ShownModel[] = [];
  if (pretrain && (pretrain.confusion || pretrain.attack || pretrain.perClass)) {
    out.push({
      role: 'original',
      label: 'Original',
      views: pretrain,
      mia: pretrain.metrics?.mia,
      miaSe: pretrain.metrics?.miaSe,
      miaFiltered: pretrain.metrics?.miaFiltered,
    });
  }
  if (!cur) return out;
  const asShown = (m: MethodResult, role: ShownModel['role']): ShownModel => ({
    role,
    label: methodLabel(m),
    views: m,
    mia: m.metrics.mia,
    miaSe: m.metrics.miaSe,
    miaFiltered: m.metrics.miaFiltered,
  });
  out.push(asShown(cur, cur.name === 'Retrain' ? 'retrain' : 'method'));
  if (cur.name !== 'Retrain') {
    const ref = methods.find((m) => m.name === 'Retrain' && m.withDC === cur.withDC && m.round === cur.round);
    if (ref) out.push(asShown(ref, 'retrain'));
  }
  return out;
}

export const keyOf = (m: MethodResult): string => armKey(m.name, m.withDC, m.round);

// ---- heatmap colours -------------------------------------------------------------------------------------

const LIGHT: [number, number, number] = [255, 255, 255];
const DARK: [number, number, number] = [30, 58, 138]; // #1e3a8a

function lin(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}
/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: readonly number[]): number {
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
/** WCAG contrast ratio of two colours. */
export function contrast(a: readonly number[], b: readonly number[]): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * Cell colours for a share t ∈ [0, 1] (white → dark blue) and the text colour (black or white) with the higher
 * contrast on it — at least 4.5 : 1 for every t (the two meet at a luminance of ≈ 0.18).
 */
export function heatColors(t: number): { bg: string; fg: string; rgb: [number, number, number] } {
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const rgb = LIGHT.map((l, i) => Math.round(l + (DARK[i] - l) * u)) as [number, number, number];
  const black: [number, number, number] = [0, 0, 0];
  const white: [number, number, number] = [255, 255, 255];
  const fg = contrast(rgb, black) >= contrast(rgb, white) ? '#000000' : '#ffffff';
  return { bg: `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`, fg, rgb };
}
