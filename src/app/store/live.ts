/**
 * Live slice (issue 22 item 5): with the `live` setting on, changing a knob reruns what it affects, as a playground
 * answers at once. The original model (and the condensation) stay in the worker's session; a change that keeps
 * the original (forget fraction / class / mode, the arms) reruns the approximate methods first — cheapest first, so
 * the first updated number arrives within seconds on the `live` preset — and Retrain after them. A method's own
 * hyper-parameter reruns only that method (Retrain's included), and a method added to the list runs only it; the
 * other rows stay, as a fresh run would give them the same numbers. A change that invalidates the original (seed, data, model, pretraining) or the condensation
 * (IPC, feature nets) cannot answer in seconds: it says so and runs as a normal Compare.
 *
 * `liveLast` is the time from the change to the first updated number (the first `method-result` event of the
 * rerun), the page's measure of immediacy (bench row `ux.live_update_s` reads it from the DOM in Chromium).
 */
import type { ExperimentSpec, MethodName } from '../../core/lite';
import { cheapestFirst, specChange } from '../../core/lite';
import { PARAM_BY_NAME } from '../params';
import { specOf } from '../url';
import type { SliceCreator } from './types';
import { newRunId } from './runs';

export interface LiveUpdate {
  /** counts the live reruns of this page (1, 2, …): tests and the bench wait for the next one */
  n: number;
  /** the setting whose change started the rerun */
  knob: string;
  /** true: the original model was kept and only the methods reran; false: a normal job (pretrain / condense) */
  fast: boolean;
  /** seconds from the change to the first updated number; null until it arrives */
  seconds: number | null;
  /** a fast rerun: the methods it reruns, in order (empty: the change left no row stale, e.g. a method removed) */
  methods?: MethodName[];
}

export interface LiveSlice {
  /** the last live rerun (the status strip shows it) */
  liveLast: LiveUpdate | null;
  /** A setting changed while live mode is on (called by setParam): rerun what it affects. */
  liveChanged(name: string): void;
  /** Fold a worker event into the live timing (called by applyEvent). */
  liveEvent(kind: string): void;
}

/** Debounce of rapid changes (a dragged slider): the rerun starts this long after the last change. */
export const LIVE_DEBOUNCE_MS = 150;

/** How a change of `prev` → `next` can be answered: 'methods' (original kept) or 'job' (pretrain / condense). */
export function liveKind(prev: ExperimentSpec | null, next: ExperimentSpec): 'methods' | 'job' {
  if (!prev) return 'job';
  const c = specChange(prev, next);
  return c.original || c.kmeans || (c.rounds && next.unlearn.arms !== 'without') ? 'job' : 'methods';
}

export const createLiveSlice: SliceCreator<LiveSlice> = (set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** performance.now() of the change the running rerun answers; null once its first number arrived */
  let changedAt: number | null = null;
  let pendingKnob = '';
  let pendingName = '';
  const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

  const waitIdle = async (ms: number) => {
    const t0 = now();
    while (get().busy && now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
    return !get().busy;
  };

  const rerun = async () => {
    timer = null;
    const knob = pendingKnob;
    let spec: ExperimentSpec;
    try {
      spec = specOf(get().params);
    } catch {
      return; // invalid settings: the settings panel already says why; nothing runs
    }
    const busy = get().busy;
    if (busy && busy.command !== 'live') {
      get().notify(
        'info',
        'Live mode: a command is running',
        ['The change applies to the next run: press Compare when it ends (or Stop it).'],
        'live-wait',
      );
      return;
    }
    if (busy) {
      // a rerun for an older change: stop it, the new one replaces it
      get().client?.cancelAll();
      if (!(await waitIdle(10_000))) return;
    }
    get().dropNotices('live-wait', 'stopped');
    // what the session holds now is what the page shows (runState.ts startRun keeps the original's record)
    const prevSpec = get().run.spec;
    let stale = prevSpec ? specChange(prevSpec, spec).staleMethods : null;
    // a change that leaves every row valid but is still a change (curves on): rerun them all, as before
    if (stale?.length === 0 && JSON.stringify(prevSpec) !== JSON.stringify(spec)) stale = null;
    const kind =
      get().run.pretrain && (stale || PARAM_BY_NAME.get(pendingName)?.method !== 'Retrain')
        ? liveKind(prevSpec, spec)
        : 'job';
    const t0 = changedAt ?? now();
    changedAt = t0;
    // only the rows the change made stale: a method's own hyper-parameter reruns that method, a method added to
    // the list runs it, the other rows stay (contracts.ts specChange staleMethods); anything else reruns them all
    const methods = (get().params.methods as MethodName[]).filter((m) => !stale || stale.includes(m));
    const approx = cheapestFirst(
      methods.filter((m) => m !== 'Retrain'),
      spec,
    );
    const order = [...approx, ...(methods.includes('Retrain') ? (['Retrain'] as MethodName[]) : [])];
    set((s) => ({
      liveLast: {
        n: (s.liveLast?.n ?? 0) + 1,
        knob,
        fast: kind === 'methods',
        seconds: null,
        ...(kind === 'methods' ? { methods: order } : {}),
      },
    }));
    if (kind === 'job') {
      get().compare();
      return;
    }
    const arms = spec.unlearn.arms === 'with' ? 'with' : spec.unlearn.arms === 'both' ? 'both' : 'without';
    // one rerun = one run in the runs list, updated as each method group finishes
    const runId = newRunId();
    await get().runCommand('live', async () => {
      for (const group of [approx, methods.includes('Retrain') ? (['Retrain'] as MethodName[]) : []]) {
        if (!group.length) continue;
        const r = await get().send({ kind: 'unlearn', methods: group, arms });
        if (!r) return; // cancelled (a newer change) or failed (the worker slice reports it)
        get().applyUnlearnReply(r, { runId });
      }
    });
  };

  return {
    liveLast: null,

    liveChanged(name) {
      const p = PARAM_BY_NAME.get(name);
      if (!p) return;
      if (name === 'live') {
        if (get().params.live && !get().run.spec && !get().busy) {
          pendingKnob = 'live';
          pendingName = name;
          changedAt = now();
          void rerun();
        }
        return;
      }
      if (!get().params.live || !p.path) return;
      pendingKnob = p.method ? `${p.method} ${p.label}` : p.label;
      pendingName = name;
      changedAt = now();
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void rerun(), LIVE_DEBOUNCE_MS);
    },

    liveEvent(kind) {
      if (kind !== 'method-result' || changedAt === null) return;
      const seconds = (now() - changedAt) / 1000;
      changedAt = null;
      set((s) => ({ liveLast: s.liveLast ? { ...s.liveLast, seconds } : null }));
    },
  };
};
