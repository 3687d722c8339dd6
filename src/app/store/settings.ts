/**
 * Settings slice: the parameter values (from the parameter table in params.ts), the preset they match, the URL
 * that mirrors them, and pushing them to the worker as an experiment spec.
 */
import { PRESETS } from '../../core/lite';
import type { ParamValue, Params } from '../params';
import { PARAM_BY_NAME, coerce, defaultParams, matchPreset, paramsFromSpec } from '../params';
import { parseSearch, shareLink, specOf, specProblem, toSearch } from '../url';
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

  setParam(name: string, value: ParamValue): void;
  applyPreset(name: string): void;
  copyLink(): string;
  /** Read settings from a query string (at start); returns whether it asked to run at once (`autorun`). */
  loadUrl(search: string): { autorun: boolean };
  /** Send the settings to the worker as the experiment spec; false when invalid or the worker refused. */
  syncSpec(): Promise<boolean>;
}

/** Mirror the settings in the address bar (no navigation). */
export function writeUrl(params: Params): void {
  if (typeof history === 'undefined' || typeof location === 'undefined') return;
  const url = new URL(location.href);
  url.search = toSearch(params);
  history.replaceState(null, '', url.toString());
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get) => ({
  params: defaultParams(),
  preset: null,

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
    writeUrl(get().params);
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
  },

  applyPreset(name) {
    const pr = PRESETS[name];
    if (!pr) return;
    const keep = get().params;
    const device = { backend: keep.backend, softwareGpu: keep.softwareGpu, workers: keep.workers };
    const params = paramsFromSpec(pr.spec, { ...defaultParams(), ...device });
    set({ params, preset: name, condensed: false });
    writeUrl(params);
    if (!get().busy) void get().syncSpec();
  },

  copyLink() {
    return shareLink(globalThis.location?.href ?? 'http://localhost/', get().params);
  },

  loadUrl(search) {
    const parsed = parseSearch(search);
    set({ params: parsed.params, preset: parsed.preset ?? matchPreset(parsed.params) });
    if (parsed.ignored.length) {
      get().notify('warn', 'Some URL parameters were ignored (defaults used instead)', parsed.ignored, 'url-notice');
    }
    const problem = specProblem(parsed.params);
    if (problem) set({ lastError: problem });
    return { autorun: parsed.autorun };
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
