/**
 * The app's zustand store: settings (from the parameter table), worker/run state, data derived from the run's
 * events, and recent runs (localStorage). The worker bridge lives here; components only call actions.
 */
import { create } from 'zustand';
import type { ExperimentResult, MethodName } from '../core/lite';
import { PRESETS } from '../core/lite';
import type { DatasetId } from '../core/lite';
import { CommandError, LabBridge, WorkerCrashError, type WorkerLike } from '../worker/bridge';
import type { BackendInfo, DatasetInfo, DoneResult, RequestBody, RequestKind, WorkerToApp } from '../worker/protocol';
import type { ParamValue, Params } from './params';
import { PARAM_BY_NAME, backendPref, workersPref, coerce, defaultParams, matchPreset, paramsFromSpec } from './params';
import { emptyRun, endRunningStages, reduceRun, resultsCsv, runFromExperiment, withExperiment, type RunView } from './runState';
import { parseSearch, shareLink, specOf, specProblem, toSearch } from './url';
import { type BrowserCell, clearCells, finishedCell, planBrowserCells, saveCell } from './reproduce';
import { buildClaims, claimsMarkdown, type Claim } from '../core/lite';
import { markdownReport } from '../core/lite';

export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  title: string;
  /** plain text lines (rendered as text nodes, never HTML) */
  lines: string[];
  testId?: string;
}

export interface RecentRun {
  id: string;
  at: string;
  label: string;
  search: string;
  backend: string;
  result: ExperimentResult;
}

export type Busy = { command: RequestKind | 'compare' | 'reproduce'; id: number; startedAt: number } | null;

export type CellStatus = 'pending' | 'running' | 'done' | 'resumed' | 'failed' | 'stopped';
export interface ReproState {
  preset: string;
  seeds: number;
  cells: Array<{ id: string; title: string; status: CellStatus; seconds?: number }>;
  results: Record<string, ExperimentResult>;
  claims: Claim[] | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface LabState {
  params: Params;
  preset: string | null;
  notices: Notice[];
  backend: BackendInfo | null;
  workerReady: boolean;
  workerRestarts: number;
  dataset: DatasetInfo | null;
  datasetProgress: { message: string; loaded: number; total: number } | null;
  memory: { numTensors: number; numBytes: number } | null;
  busy: Busy;
  /** Stop was pressed and the command has not ended yet */
  stopping: boolean;
  /** the worker command running now (also background ones: init, setSpec, loadDataset) */
  activity: RequestKind | null;
  /** commands sent and not yet answered (queued in the worker) */
  queued: number;
  run: RunView;
  /** a run shown from an imported JSON or a recent run (not live) */
  viewingImport: string | null;
  condensed: boolean;
  lastError: string | null;
  recent: RecentRun[];
  selectedMethod: string | null;
  repro: ReproState | null;

  setParam(name: string, value: ParamValue): void;
  applyPreset(name: string): void;
  condense(): void;
  unlearn(): void;
  compare(): void;
  stop(): void;
  reset(): void;
  importFiles(files: File[]): Promise<void>;
  importResultJson(text: string): void;
  openRecent(id: string): void;
  exportJson(): string | null;
  exportCsv(): string | null;
  copyLink(): string;
  dismissNotice(id: number): void;
  selectMethod(key: string | null): void;
  reproduce(preset: string, seeds: number, multiRound: boolean): void;
  reproReport(): string | null;
  clearRepro(): void;
}

const RECENT_KEY = 'unlearning-lab.recent.v1';
const MAX_RECENT = 8;
let noticeSeq = 1;

const COMMAND_LABELS: Record<string, string> = {
  init: 'Starting the backend', loadDataset: 'Loading the dataset', importArchive: 'Import', setSpec: 'Applying settings',
  pretrain: 'Pretraining', condense: 'Condense', unlearn: 'Unlearn', runAll: 'Run', reset: 'Reset',
};

function loadRecent(): RecentRun[] {
  try {
    const raw = globalThis.localStorage?.getItem(RECENT_KEY);
    const list = raw ? (JSON.parse(raw) as RecentRun[]) : [];
    return Array.isArray(list) ? list.filter((r) => r && typeof r.id === 'string' && r.result && Array.isArray(r.result.methods)) : [];
  } catch {
    return [];
  }
}

function saveRecent(list: RecentRun[]): void {
  try {
    globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* quota: keep in memory only */
  }
}

/** A result without the bulky per-example losses (for localStorage). */
function slim(ex: ExperimentResult): ExperimentResult {
  return { ...ex, methods: ex.methods.map(({ losses: _l, ...m }) => m) };
}

let bridge: LabBridge | null = null;
let autorunPending = false;

/** Internals wired by the store factory (kept out of the public state). */
const handlers = {
  onMessage: (_m: WorkerToApp) => {},
  onRestart: (_r: string) => {},
  boot: (_first: boolean) => {},
};

export const useLab = create<LabState>()((set, get) => {
  const notify = (level: Notice['level'], title: string, lines: string[] = [], testId?: string) =>
    set((s) => ({ notices: [...s.notices.filter((n) => !(testId && n.testId === testId)), { id: noticeSeq++, level, title, lines, testId }] }));

  const onMessage = (msg: WorkerToApp) => {
    switch (msg.kind) {
      case 'ready':
        set({ backend: msg.backend, workerReady: true });
        break;
      case 'event':
        set((s) =>
          s.viewingImport
            ? { run: reduceRun(emptyRun(), msg.event), viewingImport: null }
            : { run: reduceRun(s.run, msg.event, Date.now(), s.stopping) },
        );
        if (msg.event.kind === 'log' && msg.event.level === 'warn') notify('warn', msg.event.message, [], 'run-log');
        break;
      case 'datasetInfo':
        set({ dataset: msg.info, datasetProgress: null });
        if (msg.info.notice) notify('warn', 'Dataset', [msg.info.notice], 'dataset-notice');
        else set((s) => ({ notices: s.notices.filter((n) => n.testId !== 'dataset-notice') }));
        break;
      case 'datasetProgress':
        set({ datasetProgress: { message: msg.message, loaded: msg.loaded, total: msg.total } });
        break;
      case 'memory':
        set({ memory: { numTensors: msg.numTensors, numBytes: msg.numBytes } });
        break;
      case 'started':
        set((s) => ({ activity: msg.command, busy: s.busy ? { ...s.busy, id: msg.id } : null }));
        break;
      case 'done':
      case 'error':
        set({ queued: bridge?.outstanding.length ?? 0, activity: bridge && bridge.outstanding.length > 0 ? get().activity : null });
        break;
      default:
        break;
    }
  };

  const crashTimes: number[] = [];
  const onRestart = (reason: string) => {
    set((s) => ({ workerReady: false, workerRestarts: s.workerRestarts + 1, busy: null, activity: null, queued: 0, run: endRunningStages(s.run, 'failed'), condensed: false }));
    const now = Date.now();
    crashTimes.push(now);
    while (crashTimes.length && now - crashTimes[0] > 60_000) crashTimes.shift();
    if (crashTimes.length >= 3) {
      notify('error', 'The compute worker keeps crashing', [reason, 'Automatic restarts are paused. Try another backend in the Device settings, or press Reset to try again.'], 'worker-crash');
      return;
    }
    notify('error', 'The compute worker was restarted', [reason, 'Settings are kept; the model and condensed set are rebuilt on the next run.'], 'worker-crash');
    void boot(false);
  };

  /** send and track; resolves with the result or null when it failed (errors become notices) */
  const send = async (body: RequestBody, transfer: Transferable[] = []): Promise<DoneResult | null> => {
    if (!bridge) return null;
    const { promise } = bridge.send(body, transfer);
    set({ queued: bridge.outstanding.length });
    try {
      return await promise;
    } catch (e) {
      if (e instanceof CommandError && e.cancelled) {
        set((s) => ({ run: endRunningStages(s.run, 'stopped') }));
        notify('info', `${COMMAND_LABELS[body.kind] ?? body.kind} stopped`, ['The page is ready for the next run.'], 'stopped');
      } else if (e instanceof WorkerCrashError) {
        /* onRestart already told the user */
      } else {
        const message = e instanceof Error ? e.message : String(e);
        set((s) => ({ lastError: message, run: endRunningStages(s.run, 'failed') }));
        notify('error', `${COMMAND_LABELS[body.kind] ?? body.kind} failed`, [message], 'command-error');
      }
      return null;
    } finally {
      set({ queued: bridge?.outstanding.length ?? 0 });
    }
  };

  const syncSpec = async (): Promise<boolean> => {
    let spec;
    try {
      spec = specOf(get().params);
    } catch (e) {
      notify('error', 'Invalid settings', [e instanceof Error ? e.message : String(e)], 'spec-error');
      return false;
    }
    set((s) => ({ notices: s.notices.filter((n) => n.testId !== 'spec-error') }));
    return (await send({ kind: 'setSpec', spec })) !== null;
  };

  const boot = async (first: boolean) => {
    if (!bridge) return;
    const init = await send({ kind: 'init', backendPref: backendPref(get().params), workers: workersPref(get().params), baseUrl: globalThis.document?.baseURI });
    if (!init) return;
    await syncSpec();
    if (first && autorunPending) {
      autorunPending = false;
      get().compare();
    }
  };

  const runCommand = async (label: NonNullable<Busy>['command'], body: RequestBody | null, fn?: () => Promise<void>) => {
    if (get().busy) return;
    set({ busy: { command: label, id: 0, startedAt: Date.now() }, lastError: null, viewingImport: null });
    set((s) => ({ notices: s.notices.filter((n) => n.testId !== 'stopped' && n.testId !== 'command-error') }));
    try {
      if (!fn && !(await syncSpec())) return;
      if (fn) await fn();
      else if (body) await handleDone(await send(body));
    } finally {
      set({ busy: null, stopping: false });
    }
  };

  const handleDone = async (r: DoneResult | null) => {
    if (!r) return;
    if (r.kind === 'condense') {
      set((s) => ({ condensed: true, run: withExperiment({ ...s.run, condense: r.condense }, r.experiment) }));
    } else if (r.kind === 'unlearn' || r.kind === 'experiment') {
      set((s) => ({ run: withExperiment(s.run, r.experiment), condensed: s.condensed || !!r.experiment.condense }));
      remember(r.experiment);
    }
  };

  const remember = (ex: ExperimentResult) => {
    if (!ex.methods.length) return;
    const s = get();
    const rec: RecentRun = {
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      at: new Date().toISOString(),
      label: `${ex.spec.dataset} · ${ex.spec.model.arch} w${ex.spec.model.width} · ${ex.spec.forget.mode}${ex.spec.forget.mode === 'uniform' ? ` ${Math.round(ex.spec.forget.fraction * 100)}%` : ''} · ${[...new Set(ex.methods.map((m) => m.name))].join(', ')}`,
      search: toSearch(s.params),
      backend: ex.env.backend,
      result: slim(ex),
    };
    const recent = [rec, ...s.recent].slice(0, MAX_RECENT);
    saveRecent(recent);
    set({ recent });
  };

  handlers.onMessage = onMessage;
  handlers.onRestart = onRestart;
  handlers.boot = (first) => void boot(first);

  return {
    params: defaultParams(),
    preset: null,
    notices: [],
    backend: null,
    workerReady: false,
    workerRestarts: 0,
    dataset: null,
    datasetProgress: null,
    memory: null,
    busy: null,
    stopping: false,
    activity: null,
    queued: 0,
    run: emptyRun(),
    viewingImport: null,
    condensed: false,
    lastError: null,
    recent: loadRecent(),
    selectedMethod: null,
    repro: null,

    setParam(name, value) {
      const p = PARAM_BY_NAME.get(name);
      if (!p) return;
      const c = coerce(p, value);
      if (!c.ok) {
        notify('warn', `${p.label}: ${c.error}`, [], `param-${p.key}`);
        return;
      }
      set((s) => ({ params: { ...s.params, [name]: c.value }, preset: matchPreset({ ...s.params, [name]: c.value }), notices: s.notices.filter((n) => n.testId !== `param-${p.key}`) }));
      writeUrl(get().params);
      if (p.path && ['dataset', 'trainPerClass', 'testPerClass', 'arch', 'width', 'seed', 'forgetMode', 'forgetClass', 'forgetFraction', 'ipc', 'iterations'].includes(name)) {
        set({ condensed: false });
      }
      if (name === 'dataset' && !get().busy) void syncSpec();
      if (name === 'backend') {
        notify('info', 'Switching backend', ['The compute worker restarts with the new backend.'], 'backend-switch');
        bridge?.restart(`Backend preference changed to ${String(c.value)}`);
      }
      if (name === 'workers') {
        notify('info', 'Changing training workers', ['The compute worker restarts with the new worker count.'], 'backend-switch');
        bridge?.restart(`Training workers changed to ${String(c.value)}`);
      }
    },

    applyPreset(name) {
      const pr = PRESETS[name];
      if (!pr) return;
      const keep = get().params;
      const params = paramsFromSpec(pr.spec, { ...defaultParams(), backend: keep.backend, workers: keep.workers });
      set({ params, preset: name, condensed: false });
      writeUrl(params);
      if (!get().busy) void syncSpec();
    },

    condense() {
      void runCommand('condense', { kind: 'condense' });
    },

    unlearn() {
      const methods = get().params.methods as MethodName[];
      void runCommand('unlearn', { kind: 'unlearn', methods, arms: get().condensed ? 'with' : 'without' });
    },

    compare() {
      const methods = get().params.methods as MethodName[];
      const arms = get().params.arms as 'without' | 'with' | 'both';
      void runCommand('compare', { kind: 'unlearn', methods, arms });
    },

    stop() {
      if (!bridge || bridge.outstanding.length === 0) return;
      set({ stopping: true });
      bridge.cancelAll();
    },

    reset() {
      if (!get().workerReady) {
        // after repeated crashes: try a fresh worker (unless it is still starting)
        if (bridge && bridge.outstanding.length === 0) {
          set((s) => ({ notices: s.notices.filter((n) => n.testId !== 'worker-crash') }));
          void boot(false);
        }
        return;
      }
      if (bridge && bridge.outstanding.length) set({ stopping: true });
      bridge?.cancelAll();
      set({ run: emptyRun(), condensed: false, viewingImport: null, lastError: null, selectedMethod: null });
      set((s) => ({ notices: s.notices.filter((n) => n.level === 'warn' && n.testId === 'url-notice') }));
      void send({ kind: 'reset' }).then(() => set({ run: emptyRun() }));
    },

    async importFiles(files) {
      if (!files.length) return;
      const [a, b] = files;
      const bytesA = await a.arrayBuffer();
      const bytesB = b ? await b.arrayBuffer() : undefined;
      const transfer = [bytesA, ...(bytesB ? [bytesB] : [])];
      set({ datasetProgress: { message: `Reading ${a.name}`, loaded: 0, total: a.size } });
      const r = await send({ kind: 'importArchive', name: a.name, bytes: bytesA, extra: b && bytesB ? { name: b.name, bytes: bytesB } : undefined }, transfer);
      set({ datasetProgress: null });
      if (r && r.kind === 'dataset') {
        const id = r.info.id as DatasetId;
        set((s) => ({ params: { ...s.params, dataset: id }, condensed: false }));
        writeUrl(get().params);
        notify('info', `Imported ${a.name}`, [`${r.info.trainSize} train / ${r.info.testSize} test images, cached in this browser.`], 'import-ok');
        void syncSpec();
      }
    },

    importResultJson(text) {
      let ex: ExperimentResult;
      try {
        const parsed = JSON.parse(text) as unknown;
        const obj = (parsed && typeof parsed === 'object' && 'result' in parsed ? (parsed as { result: unknown }).result : parsed) as ExperimentResult;
        if (!obj || typeof obj !== 'object' || !Array.isArray(obj.methods) || typeof obj.spec !== 'object') throw new Error('not a result JSON (needs "spec" and "methods")');
        for (const m of obj.methods) {
          if (typeof m?.name !== 'string' || typeof m?.metrics !== 'object') throw new Error('a method entry lacks "name" or "metrics"');
        }
        ex = obj;
      } catch (e) {
        notify('error', 'Import failed', [e instanceof Error ? e.message : String(e)], 'import-error');
        return;
      }
      set({ run: runFromExperiment(ex), viewingImport: 'imported JSON', selectedMethod: null });
      notify('info', 'Showing an imported result', ['Charts and tables show the file’s numbers; run something to return to live results.'], 'import-ok');
    },

    openRecent(id) {
      const r = get().recent.find((x) => x.id === id);
      if (!r) return;
      set({ run: runFromExperiment(r.result), viewingImport: `recent run ${new Date(r.at).toLocaleString()}`, selectedMethod: null });
    },

    exportJson() {
      const s = get();
      const ex = s.run.experiment;
      if (!ex) return null;
      return JSON.stringify({ ...ex, methods: s.run.methods.length ? s.run.methods : ex.methods }, null, 2);
    },

    exportCsv() {
      const ms = get().run.methods;
      return ms.length ? resultsCsv(ms) : null;
    },

    copyLink() {
      return shareLink(globalThis.location?.href ?? 'http://localhost/', get().params);
    },

    dismissNotice(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },

    selectMethod(key) {
      set({ selectedMethod: key });
    },

    reproduce(preset, seeds, multiRound) {
      let cells: BrowserCell[];
      try {
        cells = planBrowserCells(preset, Array.from({ length: seeds }, (_, i) => i), multiRound);
      } catch (e) {
        notify('error', 'Reproduce', [e instanceof Error ? e.message : String(e)], 'command-error');
        return;
      }
      const setCell = (id: string, patch: Partial<ReproState['cells'][number]>) =>
        set((s) => (s.repro ? { repro: { ...s.repro, cells: s.repro.cells.map((c) => (c.id === id ? { ...c, ...patch } : c)) } } : {}));
      set({
        repro: { preset, seeds, cells: cells.map((c) => ({ id: c.id, title: c.title, status: 'pending' })), results: {}, claims: null, startedAt: Date.now(), finishedAt: null },
        run: emptyRun(),
        condensed: false,
      });
      void runCommand('reproduce', null, async () => {
        for (const cell of cells) {
          const prev = finishedCell(cell);
          if (prev) {
            setCell(cell.id, { status: 'resumed', seconds: prev.env.seconds });
            set((s) => (s.repro ? { repro: { ...s.repro, results: { ...s.repro.results, [cell.id]: prev } } } : {}));
            continue;
          }
          setCell(cell.id, { status: 'running' });
          set({ run: emptyRun() });
          const t0 = Date.now();
          const ok = await send({ kind: 'setSpec', spec: cell.spec });
          const r = ok ? await send({ kind: 'runAll' }) : null;
          if (!r || r.kind !== 'experiment') {
            setCell(cell.id, { status: get().stopping ? 'stopped' : 'failed', seconds: (Date.now() - t0) / 1000 });
            break;
          }
          saveCell(cell, r.experiment);
          set((s) => ({ run: withExperiment(s.run, r.experiment) }));
          setCell(cell.id, { status: 'done', seconds: (Date.now() - t0) / 1000 });
          set((s) => (s.repro ? { repro: { ...s.repro, results: { ...s.repro.results, [cell.id]: r.experiment } } } : {}));
        }
        const rp = get().repro;
        if (rp) set({ repro: { ...rp, claims: buildClaims({ experiments: rp.results, condensation: [] }), finishedAt: Date.now() } });
        set({ condensed: false });
        // the session now holds the last cell's spec: put the page's settings back before the next run
        await syncSpec();
      });
    },

    reproReport() {
      const rp = get().repro;
      if (!rp || !rp.claims) return null;
      const lines = [
        `# Reproduction report (browser) — preset \`${rp.preset}\`, ${rp.seeds} seed(s)`,
        '',
        `Generated ${new Date(rp.finishedAt ?? Date.now()).toISOString()} in the browser (backend ${get().backend?.backend ?? '?'}).`,
        'The §4.2 condensation benchmark runs only in `npm run reproduce`; its claims show n/a here.',
        '',
        claimsMarkdown(rp.claims),
        '',
        ...Object.entries(rp.results).map(([id, r]) => `\n---\n\n<!-- cell ${id} -->\n` + markdownReport(r, rp.cells.find((c) => c.id === id)?.title ?? id).replace(/^# /, '## ')),
      ];
      return lines.join('\n');
    },

    clearRepro() {
      clearCells();
      set({ repro: null });
    },
  };
});

function writeUrl(params: Params): void {
  if (typeof history === 'undefined' || typeof location === 'undefined') return;
  const url = new URL(location.href);
  url.search = toSearch(params);
  history.replaceState(null, '', url.toString());
}

/** Start the app: read the URL, start the worker, load the dataset. Called once from main.tsx. */
export function startLab(makeWorker: () => WorkerLike): void {
  if (bridge) return;
  const parsed = parseSearch(globalThis.location?.search ?? '');
  const st = useLab.getState();
  useLab.setState({ params: parsed.params, preset: parsed.preset ?? matchPreset(parsed.params) });
  if (parsed.ignored.length) {
    useLab.setState({
      notices: [
        ...st.notices,
        { id: noticeSeq++, level: 'warn', title: 'Some URL parameters were ignored (defaults used instead)', lines: parsed.ignored, testId: 'url-notice' },
      ],
    });
  }
  const problem = specProblem(parsed.params);
  if (problem) useLab.setState({ lastError: problem });
  autorunPending = parsed.autorun;
  bridge = new LabBridge(makeWorker, {
    onMessage: (m) => handlers.onMessage(m),
    onRestart: (r) => handlers.onRestart(r),
  });
  handlers.boot(true);
}
