/**
 * Run slice: the live run shown on the page (a RunView reduced from the worker's events, see runState.ts), the
 * command the user started (busy / stopping) and the buttons that drive it: Condense, Unlearn, Compare, Stop,
 * Reset.
 */
import type { ExperimentResult, ExperimentSpec, MethodName, RunEvent } from '../../core/lite';
import { aggregateSeeds, armOf, cheapestFirst, runSeeds, seedList } from '../../core/lite';
import type { Arms, ReplyOf, RequestKind } from '../../worker/protocol';
import { emptyRun, reduceRun, startRun, withExperiment, type MultiSeedView, type RunView } from '../runState';
import { specOf, toSearch } from '../url';
import { newRunId } from './runs';
import type { SliceCreator } from './types';

export type Busy = {
  command: RequestKind | 'compare' | 'reproduce' | 'sweep' | 'live';
  id: number;
  startedAt: number;
} | null;

export interface RunSlice {
  run: RunView;
  /** the command the user started and that has not ended */
  busy: Busy;
  /** Stop was pressed and the command has not ended yet */
  stopping: boolean;
  /** a condensed set exists for the current settings (Unlearn then runs w/ DC) */
  condensed: boolean;
  lastError: string | null;
  /** the method (arm key) every per-method view shows (views.ts; `method=` in the URL); null = the default pick */
  selectedMethod: string | null;

  condense(): void;
  unlearn(): void;
  compare(): void;
  stop(): void;
  reset(): void;
  selectMethod(key: string | null): void;
  /** Fold one worker event into the run (leaving an imported view for the live run). */
  applyEvent(event: RunEvent): void;
  /**
   * Fold a finished Unlearn's reply into the run and keep it in the runs list (live mode reruns use it); with
   * `runId`, the replies of one rerun (its method groups) update one run instead of adding one each.
   */
  applyUnlearnReply(r: ReplyOf<'unlearn'> | null, opts?: { runId?: string }): void;
  /**
   * Run `work` as the user's command `label` (ignored while another runs): clears the last error, and first sends
   * the settings to the worker unless `syncSpec: false`.
   */
  runCommand(
    label: NonNullable<Busy>['command'],
    work: () => Promise<void>,
    opts?: { syncSpec?: boolean },
  ): Promise<void>;
}

/** Commands whose progress the Run view shows (the page switches there from Setup when one starts). */
const RUN_VIEW_COMMANDS = new Set<string>(['condense', 'unlearn', 'compare', 'pretrain']);

export const createRunSlice: SliceCreator<RunSlice> = (set, get) => {
  /**
   * Fold a finished command's result into the run and keep a finished unlearning run in the runs list (a seed of a
   * multi-seed Compare is kept by `compareSeeds`, in its one grouped run: `remember: false`).
   */
  const applyReply = (r: ReplyOf<'condense'> | ReplyOf<'unlearn'> | null, opts: { remember?: boolean } = {}) => {
    if (!r) return;
    if (r.kind === 'condense') {
      set((s) => ({ condensed: true, run: withExperiment({ ...s.run, condense: r.condense }, r.experiment) }));
    } else {
      set((s) => ({ run: withExperiment(s.run, r.experiment), condensed: s.condensed || !!r.experiment.condense }));
      if (opts.remember !== false) get().remember(r.experiment);
    }
  };

  /** the selected methods, cheapest first (core/methods/order.ts): the first rows arrive early */
  const runOrder = (): MethodName[] => {
    const methods = get().params.methods as MethodName[];
    try {
      return cheapestFirst(methods, specOf(get().params));
    } catch {
      return methods; // invalid settings: the command reports them
    }
  };

  const unlearnWith = (label: 'unlearn' | 'compare', arms: Arms) => {
    const methods = runOrder();
    void get().runCommand(label, async () => applyReply(await get().send({ kind: 'unlearn', methods, arms })));
  };

  /**
   * Compare over every seed of the spec (≥ 2): the core's multi-seed driver (runSeeds, as `npm run experiment`)
   * runs one worker experiment per seed; the table shows the intervals of the seeds finished so far. The runs list
   * gets ONE run for the whole Compare, its seeds grouped, updated as each seed finishes (a stopped Compare keeps
   * the seeds it finished).
   */
  const compareSeeds = (spec: ExperimentSpec, arms: Arms) => {
    const methods = runOrder();
    const planned = seedList(spec);
    const runId = newRunId();
    const { params, basePreset } = get();
    const keep = { preset: basePreset ?? get().preset ?? null, search: toSearch(params, { preset: basePreset }) };
    const fresh = (): MultiSeedView => ({ planned, current: null, perSeed: [], aggregate: null });
    const setMulti = (patch: Partial<MultiSeedView>) =>
      set((s) => ({ run: { ...s.run, multi: { ...(s.run.multi ?? fresh()), ...patch } } }));
    void get().runCommand(
      'compare',
      async () => {
        set({ run: { ...emptyRun(), multi: fresh(), spec } });
        const done: ExperimentResult[] = [];
        try {
          await runSeeds(
            spec,
            async (seedSpec, seed) => {
              // a fresh live view per seed (its curves and stages), keeping the intervals so far
              set((s) => ({ run: { ...emptyRun(), multi: s.run.multi, spec: seedSpec }, condensed: false }));
              if (!(await get().send({ kind: 'setSpec', spec: seedSpec })))
                throw new Error(`seed ${seed}: not started`);
              const r = await get().send({ kind: 'unlearn', methods, arms });
              if (!r) throw new Error(`seed ${seed}: did not finish`);
              applyReply(r, { remember: false });
              done.push(r.experiment);
              if (r.experiment.methods.length) get().saveSeedsRun(runId, done, keep);
              setMulti({ perSeed: [...done], aggregate: aggregateSeeds(done) });
              return r.experiment;
            },
            { onSeed: (seed) => setMulti({ current: seed }) },
          );
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (!get().stopping) get().notify('error', 'Compare over seeds', [msg], 'command-error');
        } finally {
          setMulti({ current: null });
        }
      },
      { syncSpec: false },
    );
  };

  return {
    run: emptyRun(),
    busy: null,
    stopping: false,
    condensed: false,
    lastError: null,
    selectedMethod: null,

    condense() {
      void get().runCommand('condense', async () => applyReply(await get().send({ kind: 'condense' })));
    },

    unlearn() {
      unlearnWith('unlearn', armOf(get().condensed));
    },

    compare() {
      let spec: ExperimentSpec | null = null;
      try {
        spec = specOf(get().params);
      } catch {
        spec = null;
      } // the single-seed path reports invalid settings
      if (spec && seedList(spec).length >= 2) compareSeeds(spec, get().params.arms as Arms);
      else unlearnWith('compare', get().params.arms as Arms);
    },

    stop() {
      const client = get().client;
      if (!client || client.outstanding.length === 0) return;
      set({ stopping: true });
      client.cancelAll();
    },

    reset() {
      const client = get().client;
      if (!get().workerReady) {
        // after repeated crashes: try a fresh worker (unless it is still starting)
        if (client && client.outstanding.length === 0) {
          get().dropNotices('worker-crash');
          void get().boot();
        }
        return;
      }
      if (client && client.outstanding.length) set({ stopping: true });
      client?.cancelAll();
      set({ run: emptyRun(), condensed: false, viewingImport: null, lastError: null, selectedMethod: null });
      get().syncUrl();
      get().clearNoticesExcept('url-notice');
      void get()
        .send({ kind: 'reset' })
        .then(() => set({ run: emptyRun() }));
    },

    selectMethod(key) {
      set({ selectedMethod: key });
      get().syncUrl();
    },

    applyUnlearnReply(r, opts = {}) {
      const { runId } = opts;
      applyReply(r, { remember: !runId });
      if (!r || !runId || !r.experiment.methods.length) return;
      const { params, basePreset, preset } = get();
      const search = toSearch(params, { preset: basePreset });
      get().saveSeedsRun(runId, [r.experiment], { preset: basePreset ?? preset ?? null, search });
    },

    applyEvent(event) {
      get().liveEvent(event.kind);
      set((s) =>
        s.viewingImport
          ? { run: reduceRun(emptyRun(), event), viewingImport: null }
          : { run: reduceRun(s.run, event, Date.now(), s.stopping) },
      );
      if (event.kind === 'log' && event.level === 'warn') get().notify('warn', event.message, [], 'run-log');
    },

    async runCommand(label, work, opts = {}) {
      if (get().busy) return;
      get().autorunStarted();
      get().dropNotices('autorun-held');
      // a run started from the settings is watched in the Run view
      if (RUN_VIEW_COMMANDS.has(label) && get().place.top === 'setup') get().setPlace({ top: 'run' });
      // the settings this command runs with: a new experiment starts an empty view in the same update as `busy`,
      // so no state shows the previous experiment's rows under a running command (runState.ts startRun)
      let spec: ExperimentSpec | null = null;
      if (opts.syncSpec !== false) {
        try {
          spec = specOf(get().params);
        } catch {
          spec = null; // invalid settings: syncSpec reports them and the command does not run
        }
      }
      set((s) => ({
        busy: { command: label, id: 0, startedAt: Date.now() },
        lastError: null,
        viewingImport: null,
        ...(spec ? { run: startRun(s.run, spec) } : {}),
      }));
      get().dropNotices('stopped', 'command-error');
      try {
        if (opts.syncSpec !== false && !(await get().syncSpec())) return;
        await work();
      } finally {
        set({ busy: null, stopping: false });
      }
    },
  };
};
