/**
 * Contracts of the experiment runner: the spec that drives a run, the events it streams, the result it writes.
 * Shared by the runner, the CLI, the worker protocol and the app. Result field names follow
 * docs/results-format.md (keep them stable; add fields freely).
 */
import type { Arch, DatasetId, ForgetMode, HParamValue, Metrics, Progress, RgbaImage, StageName } from './types';
import type { MethodName } from './methods/registry';

// the method names come from the method registry (src/core/methods/registry.ts)
export { METHOD_NAMES, type MethodName } from './methods/registry';
export type { HParamValue } from './types';

/**
 * The two arms of every comparison: unlearning on the real retain set ('without' condensation) or on the
 * condensed reduced retain set ('with'). This is the one encoding inside the code; results JSON keeps the boolean
 * field `withDC` (results-format.md), converted only at that boundary (`armOf`, `isWithDC`).
 */
export type Arm = 'without' | 'with';
/** The spec's choice of arms. */
export type ArmChoice = Arm | 'both';

export const armOf = (withDC: boolean): Arm => (withDC ? 'with' : 'without');
export const isWithDC = (arm: Arm): boolean => arm === 'with';
/** The arms to run for a spec's choice, 'without' first. */
export const armsOf = (choice: ArmChoice): Arm[] => (choice === 'both' ? ['without', 'with'] : [choice]);
/** Human label: 'w/ DC' or 'w/o DC'. */
export const armLabel = (arm: Arm): string => (arm === 'with' ? 'w/ DC' : 'w/o DC');
/** Tag after a method's name in logs and stage labels: ' w/ DC' for the condensed arm, nothing for the real one. */
export const armSuffix = (arm: Arm): string => (arm === 'with' ? ` ${armLabel(arm)}` : '');
/** Short tag in method-store keys and unlearning seed names: 'dc' or 'raw'. Never change it (stored results and
 * every seeded stream depend on the spelling). */
export const armTag = (arm: Arm): 'dc' | 'raw' => (arm === 'with' ? 'dc' : 'raw');
/** Key of a method's arm in a forget sample's `byMethod` ("A-CF|w/ DC"). */
export const galleryKey = (method: string, arm: Arm): string => `${method}|${armLabel(arm)}`;
export function parseGalleryKey(key: string): { method: string; arm: Arm } {
  const i = key.lastIndexOf('|');
  return { method: i < 0 ? key : key.slice(0, i), arm: i >= 0 && key.slice(i + 1) === 'w/ DC' ? 'with' : 'without' };
}

export interface ExperimentSpec {
  dataset: DatasetId;
  /** training images per class taken from the train split (0 = all) */
  trainPerClass: number;
  /** test images per class (0 = all); split 70/30 into regulariser / evaluation parts */
  testPerClass: number;
  model: { arch: Arch; width: number };
  forget: {
    mode: ForgetMode;
    /** class to forget in class mode; null = drawn from the seed (docs/paper-notes.md §1.3a) */
    class: number | null;
    /** fraction forgotten in uniform mode (paper: 0.1) */
    fraction: number;
  };
  seed: number;
  /**
   * seeds to run: a count n (the seeds seed, seed+1, …, seed+n−1) or an explicit list. 1 = a single run of
   * `seed`. Each seed is a full experiment (own split, original model, condensation); the multi-seed driver
   * (results/seeds.ts) aggregates them into intervals (results-format.md "Intervals").
   */
  seeds: number | number[];
  pretrain: {
    epochs: number;
    lr: number;
    momentum: number;
    weightDecay: number;
    batchSize: number;
    warmup: number;
    /**
     * optional: stop after the first epoch whose running training accuracy (%) reaches this; `epochs` is then the
     * cap (and the WarmCos horizon). Absent = train exactly `epochs` (and the weights-cache key is unchanged).
     */
    targetTrainAcc?: number;
  };
  condense: {
    enabled: boolean;
    ipc: number;
    iterations: number;
    resampleNet: boolean;
    kmeansMaxIter: number;
    /** width of the random ConvNet-3 feature nets of k-means and Blend (paper: 128) */
    netWidth: number;
    /**
     * Blend step: 'paper-regime' = lr·(1/T) equal to the paper's CIFAR-10 IPC-1000 per-cluster step for the
     * forgetting mode (1.111 class, 1.589 uniform; condense/blend.ts PAPER_LR_PER_CLUSTER) whatever the preset's
     * IPC and cluster count — a documented deviation; 'paper-polynomial' = lr_b(IPC) exactly as the paper
     */
    lrMode: 'paper-regime' | 'paper-polynomial';
  };
  unlearn: {
    methods: MethodName[];
    /** which arms to run: without condensation, with, or both */
    arms: ArmChoice;
    /** per-method overrides of the defaults table */
    hparams: Partial<Record<MethodName, Record<string, HParamValue>>>;
    /** multiply every baseline's epoch count (scaled presets); A-* methods keep 1 epoch */
    epochScale: number;
  };
  /** sequential uniform rounds (docs/paper-notes.md §8); 1 = single round */
  rounds: number;
  /** evaluate every method after each epoch (curves); costs time */
  curves: boolean;
}

/**
 * What a change of spec makes stale, from `prev` to `next` (both validated): the original model (data, sizes, seed,
 * model or pretraining changed), the k-means sub-classes, the condensed rounds, and the method outputs — every
 * method row, the rows of one experiment. The session drops exactly these on `setSpec`, and the page starts a new
 * run view when `outputs` is true, so one table never holds rows of two experiments (a gap to Retrain is only ever
 * computed within one). `prev` null = nothing to keep.
 */
export interface SpecChange {
  original: boolean;
  kmeans: boolean;
  rounds: boolean;
  outputs: boolean;
  /**
   * Which method rows `outputs` makes stale: [] when none; the methods whose hyper-parameters changed or that joined
   * or left the method list, when nothing else about the experiment changed (each method's result depends only on the
   * experiment and its own hyper-parameters, and draws its random numbers from streams named for it, so the other
   * rows stay what a fresh run would give); null = every row.
   */
  staleMethods: MethodName[] | null;
}

export function specChange(prev: ExperimentSpec | null, next: ExperimentSpec): SpecChange {
  if (!prev) return { original: true, kmeans: true, rounds: true, outputs: true, staleMethods: null };
  const same = (f: (s: ExperimentSpec) => unknown) => JSON.stringify(f(prev)) === JSON.stringify(f(next));
  const dataSame = same((s) => [s.dataset, s.trainPerClass, s.testPerClass, s.seed]);
  const modelSame = dataSame && same((s) => [s.model, s.pretrain]);
  const splitSame = dataSame && same((s) => s.forget);
  const condenseSame = splitSame && same((s) => s.condense);
  const kmeansSame = dataSame && same((s) => [s.condense.ipc, s.condense.kmeansMaxIter, s.condense.netWidth]);
  const staleMethods = splitSame && modelSame ? (same((s) => s.unlearn) ? [] : changedMethods(prev, next)) : null;
  return {
    original: !modelSame,
    kmeans: !kmeansSame,
    rounds: !splitSame || !condenseSame || !modelSame,
    // hyper-parameter records that differ only in key order make nothing stale
    outputs: staleMethods === null || staleMethods.length > 0,
    staleMethods,
  };
}

/**
 * The methods whose rows a change confined to the method list and the hyper-parameters makes stale (specChange);
 * null when anything else about the unlearning changed (arms, epoch scale) or the experiment has several rounds
 * (a round chains every method's previous output: the page reruns those as a whole).
 */
function changedMethods(prev: ExperimentSpec, next: ExperimentSpec): MethodName[] | null {
  const { methods: m0, hparams: h0, ...rest0 } = prev.unlearn;
  const { methods: m1, hparams: h1, ...rest1 } = next.unlearn;
  if (JSON.stringify(rest0) !== JSON.stringify(rest1) || prev.rounds > 1 || next.rounds > 1) return null;
  const names = new Set<MethodName>([
    ...m0,
    ...m1,
    ...(Object.keys(h0) as MethodName[]),
    ...(Object.keys(h1) as MethodName[]),
  ]);
  const stale: MethodName[] = [];
  for (const n of names) {
    const hp = (h: typeof h0) => JSON.stringify(Object.entries(h[n] ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (m0.includes(n) !== m1.includes(n) || hp(h0) !== hp(h1)) stale.push(n);
  }
  return stale;
}

export interface PrototypeView {
  /** global sub-class id */
  cluster: number;
  label: number;
  size: number;
  image: RgbaImage;
  members: RgbaImage[];
}

/** One forget image with the true-label confidence p_y of the original model and of each unlearned model. */
export interface ForgetSampleView {
  /** position in the forget set */
  pos: number;
  label: number;
  image: RgbaImage;
  original: number;
  /** keyed "Method|w/o DC" or "Method|w/ DC" (`galleryKey`) */
  byMethod: Record<string, number>;
}

/**
 * Per-class accuracies of one model (final evaluation only), % per class index; null where the set has no sample
 * of that class (class forgetting: every class but the forgotten one in `forgetAcc`).
 */
export interface PerClassView {
  /** on the test-eval set D_te_eval */
  testAcc: Array<number | null>;
  /** on the forget set D_f */
  forgetAcc: Array<number | null>;
}

/**
 * The paper MIA's attack, from the branch its reported score comes from (eval/views.ts `attackView`): the
 * out-of-fold attack probabilities per side (rounded to 4 decimals) and the ROC curve (≤ 101 points, positives =
 * `positive` side). Direct branch (s₁ > 42): positive = 'test'; swapped branch: positive = 'forget'. `auc` = the
 * reported `mia` (= 100 × the full curve's area; the stored, downsampled curve's area is within 0.5 of it).
 */
export interface AttackView {
  branch: 'direct' | 'swapped';
  positive: 'test' | 'forget';
  /** 100·AUC of this branch = metrics.mia */
  auc: number;
  forgetScores: number[];
  testScores: number[];
  /** [false-positive rate, true-positive rate], from [0, 0] to [1, 1] */
  roc: Array<[number, number]>;
}

/** The per-class and attack views of one model (optional fields of MethodResult and of the pretrain record). */
export interface ModelViews {
  perClass?: PerClassView;
  /** test-eval set, rows = true class, columns = predicted class (counts) */
  confusion?: number[][];
  attack?: AttackView;
}

export interface MethodResult extends ModelViews {
  name: MethodName;
  withDC: boolean;
  round: number;
  unlearnSeconds: number;
  overheadSeconds: number;
  metrics: Metrics;
  /** per-epoch checkpoints; `seconds` = unlearning time up to that epoch, curve evaluations excluded */
  curve: Array<{ epoch: number; seconds?: number } & Partial<Metrics>>;
  /** per-example losses for forget-vs-test histograms */
  losses?: { forget: number[]; test: number[] };
  /** true when taken from a MethodStore (finished in an earlier sitting of a resumable run) */
  resumed?: boolean;
}

export interface CondenseResult {
  ipc: number;
  round: number;
  kmeansSeconds: number;
  partitionSeconds: number;
  blendSeconds: number;
  retainSize: number;
  reducedRetainSize: number;
  freeClusters: number;
  residualImages: number;
  emptyClusters: number;
  clusterSizes: number[];
  finalLoss: number;
  /** the last Blend prototypes shown live: RGBA 32×32 as base64 (JSON-friendly), with cluster, class and size */
  prototypes?: Array<{ cluster: number; label: number; size: number; rgbaBase64: string }>;
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  env: {
    backend: string;
    versions: Record<string, string>;
    startedAt: string;
    seconds: number;
    machine?: Record<string, unknown>;
    /** data-parallel training workers (1 = in-thread) */ workers?: number;
  };
  split: {
    trainSize: number;
    retainSize: number;
    forgetSize: number;
    testUsedSize: number;
    testEvalSize: number;
    forgetClass: number | null;
  };
  pretrain: {
    seconds: number;
    testAcc: number;
    trainAcc: number;
    reused: boolean;
    /** where the original model came from (absent in results written before it was recorded) */
    source?: PretrainSource;
    /** the shipped model file and its SHA-256, when source is 'shipped' */
    shipped?: { file: string; sha256: string };
    metrics?: Metrics;
    /** epochs actually trained (fewer than spec.pretrain.epochs when targetTrainAcc stopped it; absent if reused) */
    epochsTrained?: number;
  } & ModelViews;
  condense?: CondenseResult;
  condenseRounds?: CondenseResult[];
  methods: MethodResult[];
  cancelled?: boolean;
}

export type RunEvent =
  | { kind: 'stage'; stage: StageName; status: 'start' | 'end'; label?: string; seconds?: number }
  | { kind: 'progress'; progress: Progress }
  | {
      kind: 'epoch';
      method: MethodName | 'pretrain';
      withDC: boolean;
      round: number;
      epoch: number;
      metrics: Partial<Metrics>;
    }
  | { kind: 'condense-iter'; round: number; iter: number; iterations: number; loss: number }
  | {
      kind: 'clusters';
      sizes: number[];
      freeClusters: number;
      residualImages: number;
      retainSize: number;
      reducedRetainSize: number;
    }
  | { kind: 'prototypes'; iter: number; items: PrototypeView[] }
  /** A-AMU loss terms of one step: ce2 and mmd (MMD²) unweighted; the step's loss is ce2 + lambda·mmd */
  | { kind: 'acf-terms'; method: MethodName; withDC: boolean; step: number; ce2: number; mmd: number; lambda: number }
  | { kind: 'method-result'; result: MethodResult }
  | { kind: 'condense-result'; result: CondenseResult }
  /** the original model is ready (trained, from the cache or shipped): its record, before any method runs */
  | { kind: 'pretrain-result'; result: ExperimentResult['pretrain'] }
  | { kind: 'forget-samples'; round: number; items: ForgetSampleView[] }
  | { kind: 'log'; level: 'info' | 'warn'; message: string };

export type EventSink = (e: RunEvent) => void;

/**
 * Finished method results of one experiment cell, kept as they finish so an interrupted long run resumes without
 * redoing them (issue 10 item 4). The store belongs to ONE spec (the caller checks); keys are
 * `${name}|${armTag}|r${round}`. Node: one JSON file per method under the cell's folder.
 */
export interface MethodStore {
  /** the stored result under `key`, only when its stamp equals `stamp` and it passes the result schema */
  get(key: string, stamp: StoreStamp): Promise<MethodResult | null>;
  put(key: string, result: MethodResult, stamp: StoreStamp): Promise<void>;
  /** the condensation record of a round (key `condense|r${round}`), so a resumed cell still reports it */
  getCondense?(key: string, stamp: StoreStamp): Promise<CondenseResult | null>;
  putCondense?(key: string, result: CondenseResult, stamp: StoreStamp): Promise<void>;
}

/**
 * What ties one stored record to the run that wrote it (issue 19 item 3): a record is reused only when every field
 * equals the resuming run's, so a file from another spec, seed, arm, round, method or training data is recomputed.
 */
export interface StoreStamp {
  /** `specFingerprint` of the spec (its `seeds` count left out: one cell of a multi-seed run) */
  spec: string;
  seed: number;
  /** 'raw' or 'dc' (armTag); a condensation record is 'dc' */
  arm: string;
  round: number;
  /** the method's name, or 'condense' for a round's condensation record */
  method: string;
  /** `trainingDataFingerprint` of the round-0 training images and labels (the original model's data) */
  data: string;
}

/** Same stamp? Returns the first field that differs, or null. */
export function stampMismatch(want: StoreStamp, got: unknown): string | null {
  if (typeof got !== 'object' || got === null) return 'no stamp';
  const g = got as Record<string, unknown>;
  for (const k of ['spec', 'seed', 'arm', 'round', 'method', 'data'] as const) {
    if (g[k] !== want[k]) return k;
  }
  return null;
}

export function methodStoreKey(name: MethodName, withDC: boolean, round: number): string {
  return `${name}|${armTag(armOf(withDC))}|r${round}`;
}

/** Where pretrained weights are kept between runs (IndexedDB in the browser, files in Node). */
/** Where a run's original model came from: trained now, the local weights cache, or a shipped model file. */
export type PretrainSource = 'trained' | 'cache' | 'shipped';

export interface WeightsCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/**
 * A stateful lab session (lives in the worker, or in a Node process). Commands run one at a time; each takes
 * an AbortSignal and streams RunEvents to the sink given at construction. State (dataset, split, pretrained
 * model, condensed set, method results) is kept between commands so Condense → Unlearn → Compare reuse it;
 * changing the spec resets what it invalidates.
 *
 * Implemented by `LabSession` in src/core/runner/session.ts:
 *   new LabSession({ dataset: ImageDataset, sink: EventSink, cache?: WeightsCache, backendName: string })
 *   setSpec(spec: ExperimentSpec): void
 *   pretrain(signal?): Promise<void>                      // trains or loads the original model
 *   condense(signal?): Promise<CondenseResult>            // pretrain if needed, then k-means + Blend
 *   unlearn(methods: MethodName[], arms: 'without'|'with'|'both', signal?): Promise<MethodResult[]>
 *   runAll(signal?): Promise<ExperimentResult>            // the whole spec (all rounds)
 *   result(): ExperimentResult                             // everything so far
 *   dispose(): void                                        // frees every tensor
 */
export interface LabSessionApi {
  setSpec(spec: ExperimentSpec): void;
  pretrain(signal?: AbortSignal): Promise<void>;
  condense(signal?: AbortSignal): Promise<CondenseResult>;
  unlearn(methods: MethodName[], arms: ArmChoice, signal?: AbortSignal): Promise<MethodResult[]>;
  runAll(signal?: AbortSignal): Promise<ExperimentResult>;
  result(): ExperimentResult;
  dispose(): void;
}
