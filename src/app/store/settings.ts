/**
 * Settings slice: the parameter values (from the parameter table in params.ts), the preset they match, the URL
 * that mirrors them, and pushing them to the worker as an experiment spec.
 */
import { PRESETS } from '../../core/lite';
import type { ParamValue, Params } from '../params';
import { PARAM_BY_NAME, coerce, defaultParams, matchPreset, paramsFromSpec } from '../params';
import { parseSearch, shareLink, specOf, specProblem, toSearch, type LinkExtra } from '../url';
import { DEFAULT_PLACE, type Place } from '../views';
import type { SliceCreator } from './types';

/** Settings whose change invalidates the condensed set. */
const INVALIDATES_CONDENSED = new Set([
  'dataset',
  'trainPerClass',
  'testPerClass',
  'arch',
  'width',
  'seed',
  'forgetMode',
  'forgetClass',
  'forgetFraction',
  'ipc',
  'iterations',
]);

export interface SettingsSlice {
  params: Params;
  /** the preset the settings match, or null (custom) */
  preset: string | null;
  /** the preset the settings started from (the URL's or the last one picked), kept in links after edits */
  basePreset: string | null;
  /** the view shown (views.ts), mirrored in the URL as `view=` */
  place: Place;
  /** the URL asked to run Compare on load and it has not started yet (the address bar keeps `autorun=1` until then) */
  autorunPending: boolean;

  setParam(name: string, value: ParamValue): void;
  applyPreset(name: string): void;
  copyLink(): string;
  /** Show a view (and, for Inspect, its per-method view). */
  setPlace(place: Partial<Place>): void;
  /**
   * Read settings from a query string (at start) and put what was applied in the address bar; returns whether
   * to run Compare at once: `autorun=1` in a URL that needed no notice (otherwise the notice offers a button).
   */
  loadUrl(search: string): { autorun: boolean };
  /** Mirror the settings, the view and the selected method in the address bar (no navigation). */
  syncUrl(): void;
  /** Compare is starting: `autorun` has done its job and leaves the address bar. */
  autorunStarted(): void;
  /** Send the settings to the worker as the experiment spec; false when invalid or the worker refused. */
  syncSpec(): Promise<boolean>;
}

/** Put a query string in the address bar (no navigation, no history entry). */
function replaceSearch(search: string): void {
  if (typeof history === 'undefined' || typeof location === 'undefined') return;
  const url = new URL(location.href);
  url.search = search;
  history.replaceState(null, '', url.toString());
}

/** What links and the address bar carry besides the settings: the base preset, the view, the selected method. */
function linkExtra(s: { basePreset: string | null; place: Place; selectedMethod: string | null }): LinkExtra {
  return { preset: s.basePreset, place: s.place, method: s.selectedMethod };
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get) => ({
  params: defaultParams(),
  preset: null,
  basePreset: null,
  place: DEFAULT_PLACE,
  autorunPending: false,

  setParam(name, value) {
    const p = PARAM_BY_NAME.get(name);
    if (!p) return;
    const c = coerce(p, value);
    if (!c.ok) {
      get().notify('warn', `${p.label}: ${c.error}`, [], `param-${p.key}`);
      return;
    }
    set((s) => ({ params: { ...s.params, [name]: c.value }, preset: matchPreset({ ...s.params, [name]: c.value }) }));
    get().dropNotices(`param-${p.key}`);
    get().syncUrl();
    if (p.path && INVALIDATES_CONDENSED.has(name)) set({ condensed: false });
    if (name === 'dataset' && !get().busy) void get().syncSpec();
    if (name === 'backend' || name === 'softwareGpu') {
      const lines = ['The compute worker restarts with the new backend.'];
      get().notify('info', 'Switching backend', lines, 'backend-switch');
      get().client?.restart(`Backend preference changed to ${String(c.value)}`);
    }
    if (name === 'workers') {
      const lines = ['The compute worker restarts with the new worker count.'];
      get().notify('info', 'Changing training workers', lines, 'backend-switch');
      get().client?.restart(`Training workers changed to ${String(c.value)}`);
    }
    get().liveChanged(name);
  },

  applyPreset(name) {
    const pr = PRESETS[name];
    if (!pr) return;
    const keep = get().params;
    const device = { backend: keep.backend, softwareGpu: keep.softwareGpu, workers: keep.workers, live: keep.live };
    const params = paramsFromSpec(pr.spec, { ...defaultParams(), ...device });
    set({ params, preset: name, basePreset: name, condensed: false });
    get().syncUrl();
    if (!get().busy) void get().syncSpec();
  },

  copyLink() {
    return shareLink(globalThis.location?.href ?? 'http://localhost/', get().params, linkExtra(get()));
  },

  setPlace(place) {
    set((s) => ({ place: { ...s.place, ...place } }));
    get().syncUrl();
  },

  loadUrl(search) {
    const parsed = parseSearch(search);
    const preset = parsed.preset ?? matchPreset(parsed.params);
    // a URL that needed a notice never starts a 14-minute run on its own: the notice asks first
    const held = parsed.autorun && parsed.ignored.length > 0;
    set({
      params: parsed.params,
      preset,
      basePreset: preset,
      place: parsed.place ?? (parsed.autorun ? { ...DEFAULT_PLACE, top: 'run' } : DEFAULT_PLACE),
      selectedMethod: parsed.method,
      autorunPending: parsed.autorun && !held,
    });
    if (parsed.ignored.length) {
      get().notify('warn', 'Some URL parameters were ignored (defaults used instead)', parsed.ignored, 'url-notice');
    }
    if (held) {
      get().notify(
        'warn',
        'This link asks to start Compare at once (autorun=1); because some of its parameters were ignored, it waits for you',
        ['Check the settings, then start it (or press Compare).'],
        'autorun-held',
        {
          label: 'Start Compare',
          testId: 'btn-autorun-held',
          run: () => {
            get().dropNotices('autorun-held');
            get().compare();
          },
        },
      );
    }
    const problem = specProblem(parsed.params);
    if (problem) set({ lastError: problem });
    // the address bar shows what was applied (not the link as it came)
    get().syncUrl();
    return { autorun: get().autorunPending };
  },

  syncUrl() {
    replaceSearch(toSearch(get().params, { ...linkExtra(get()), autorun: get().autorunPending }));
  },

  autorunStarted() {
    if (!get().autorunPending) return;
    set({ autorunPending: false });
    get().syncUrl();
  },

  async syncSpec() {
    let spec;
    try {
      spec = specOf(get().params);
    } catch (e) {
      get().notify('error', 'Invalid settings', [e instanceof Error ? e.message : String(e)], 'spec-error');
      return false;
    }
    get().dropNotices('spec-error');
    return (await get().send({ kind: 'setSpec', spec })) !== null;
  },
});
