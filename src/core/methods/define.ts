/**
 * What a method card declares: its name and label, its hyper-parameters (ranges, docs and the paper's defaults per
 * setting column of docs/paper-notes.md §6.8), which of them the page shows (with their URL key), and how its epoch
 * counts scale. Cards are plain data (no tfjs), so the page's main thread, the spec validation and the URL table read
 * them; the run function of each method is in src/core/unlearn/<method>.ts, keyed by the card's name.
 */
import type { HParamValue } from '../types';

/** Columns of docs/paper-notes.md §6.8, in the spec's order. */
export const SETTINGS = [
  'C10-R18',
  'C10-R18-DC',
  'C10-R50',
  'C10-R50-DC',
  'SVHN-R18',
  'SVHN-R18-DC',
  'SVHN-R50',
  'SVHN-R50-DC',
  'CINIC-R18',
  'CINIC-R18-DC',
] as const;
export type SettingKey = (typeof SETTINGS)[number];

type Row = readonly [number, number, number, number, number, number, number, number, number, number];

/** A value that differs per setting column. */
export interface PerSetting {
  perSetting: Row;
}

export interface HParamDef {
  /** 'num' real, 'int' integer, 'enum' one of `values`, 'bool' */
  type: 'num' | 'int' | 'enum' | 'bool';
  value: HParamValue | PerSetting;
  /** inclusive bounds unless `minOpen` */
  min?: number;
  max?: number;
  minOpen?: boolean;
  values?: readonly string[];
  doc: string;
  /** shown on the page as a key hyper-parameter: its URL key and label (numeric ones only) */
  page?: { key: string; label: string };
}

export interface MethodCard<N extends string = string> {
  name: N;
  /** the page's label */
  label: string;
  /** its colour in every chart, the trade-off plot and the forget-sample gallery (CSS colour) */
  color: string;
  /** per-epoch cost in CF epochs, for the cheapest-first run order (methods/order.ts); default 1 */
  epochCost?: number;
  /**
   * In the paper's tables: the single-round ones (§6, `SINGLE_ROUND_METHODS`, in registry order) and the
   * multi-round one (§8, `MULTI_ROUND_METHODS`): false, or the method's position there (1-based).
   */
  paperTables: { single: boolean; multi: false | number };
  /** an approximate method (not the exact reference, Retrain): the claims compare A-CF with these */
  approximate: boolean;
  /**
   * A method that is not in the paper (a modern baseline, docs/modern-baselines.md): where it comes from. Such a method
   * never enters the paper's claims (src/core/results/claims.ts marks it "not in the paper" in every claims report)
   * and no preset's default method list holds it (opt-in through `unlearn.methods`).
   */
  beyondPaper?: { source: string; url: string };
  /** keys follow the reference JSON files (`hyperparameters/*.json`) so values are traceable */
  hparams: Record<string, HParamDef>;
  /**
   * Scales the (default) epoch counts in place for `epochScale` s ≠ 1 (scaled presets), or 'fixed' for a method
   * that keeps its epochs (the A-* methods: one epoch by design, docs/paper-notes.md §5.7).
   */
  scaleEpochs: ((hp: Record<string, HParamValue>, s: number) => void) | 'fixed';
}

export const defineMethod = <const N extends string>(card: MethodCard<N>): MethodCard<N> => card;

// ---------------------------------------------------------------------------------------------------- builders

export const col = (...v: Row): PerSetting => ({ perSetting: v });
export const lr = (value: number | PerSetting, doc: string): HParamDef => ({
  type: 'num',
  value,
  min: 0,
  max: 10,
  minOpen: true,
  doc,
});
export const mom = (value: number, doc = 'SGD momentum'): HParamDef => ({
  type: 'num',
  value,
  min: 0,
  max: 0.999,
  doc,
});
export const wd = (value: number, doc = 'SGD weight decay (coupled L2)'): HParamDef => ({
  type: 'num',
  value,
  min: 0,
  max: 1,
  doc,
});
export const epochs = (value: number | PerSetting, doc = 'epochs (scaled by epochScale)'): HParamDef => ({
  type: 'int',
  value,
  min: 1,
  max: 10000,
  doc,
});
export const count = (value: number | PerSetting, doc: string, min = 0): HParamDef => ({
  type: 'int',
  value,
  min,
  max: 10000,
  doc,
});
export const real = (
  value: number | PerSetting,
  min: number,
  max: number,
  doc: string,
  minOpen = false,
): HParamDef => ({ type: 'num', value, min, max, minOpen, doc });
export const batch: HParamDef = {
  type: 'int',
  value: 64,
  min: 1,
  max: 4096,
  doc: 'retain minibatch size B (forget/test loaders use it too)',
};
/** Marks a hyper-parameter as shown on the page, with its URL key. */
export const onPage = (def: HParamDef, key: string, label: string): HParamDef => ({ ...def, page: { key, label } });

/** Knobs shared by the three A-AMU methods (docs/paper-notes.md §5.1–5.3, §5.7, §10 B2, §5.6). */
export const amuKnobs = (
  p: string,
  lrValue: number | PerSetting,
  lrPage: { key: string; label: string },
): Record<string, HParamDef> => ({
  [`${p}_lr`]: onPage(lr(lrValue, 'Adam learning rate (constant)'), lrPage.key, lrPage.label),
  [`${p}_epochs`]: epochs(1, 'epochs (NOT scaled by epochScale)'),
  [`${p}_lambda`]: real(34, 0, 1e4, 'λ: weight of MMD² between Gaussianised test and forget losses'),
  [`${p}_k`]: real(2, 0, 1e3, "k: sharpness of the smoothed ECDF (paper's 1/τ)", true),
  [`${p}_K`]: real(60, 0, 1e3, 'K: clip of the probit output', true),
  [`${p}_sigma`]: real(1, 0, 1e3, 'Gaussian kernel bandwidth of the MMD', true),
  [`${p}_ecdf`]: {
    type: 'enum',
    value: 'one-sided',
    values: ['one-sided', 'two-sided'],
    doc: 'smoothed ECDF: reference code (one-sided ReLU) or paper formula (two-sided), §10 B2',
  },
  [`${p}_square`]: {
    type: 'enum',
    value: 'batch-mean',
    values: ['batch-mean', 'per-sample'],
    doc: 'steepened loss: (mean CE)² (HEAD, paper) or mean(CE²) (commit 79b7370), §5.6',
  },
  [`${p}_sample_factor`]: count(4, 'forget and test samples per step = factor × batch_size', 1),
});

// ---------------------------------------------------------------------------------------------------- scaling

export const scaleEpochCount = (e: number, s: number) => Math.max(1, Math.round(e * s));
export const scaleWarmup = (w: number, e: number, s: number) => Math.max(0, Math.min(Math.round(w * s), e - 1));

/** Retrain / CF: epochs max(1, round(E·s)), warm-up round(W·s) at most E'−1. */
export const scaleWarmCos =
  (p: string) =>
  (hp: Record<string, HParamValue>, s: number): void => {
    const e = scaleEpochCount(hp[`${p}_epochs`] as number, s);
    hp[`${p}_warmup`] = scaleWarmup(hp[`${p}_warmup`] as number, e, s);
    hp[`${p}_epochs`] = e;
  };
