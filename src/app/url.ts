/**
 * URL ⇄ params, driven by the parameter table. Every setting goes into the query string under its table key;
 * reading a URL never trusts it: unknown keys and invalid values are dropped (the default is used) and listed
 * in `ignored` so the page can show a notice (as text, never as HTML).
 *
 * Extra keys: `preset=NAME` (applied first, explicit keys override it), `autorun=1` (start Compare on load).
 */
import { PRESETS, validateSpec } from '../core/lite';
import type { ExperimentSpec } from '../core/lite';
import type { Params } from './params';
import { PARAMS, PARAM_BY_KEY, coerce, defaultParams, formatValue, paramsFromSpec, specFromParams } from './params';

export const PRESET_KEY = 'preset';
export const AUTORUN_KEY = 'autorun';

export interface ParsedUrl {
  params: Params;
  /** human-readable reasons, one per ignored key/value */
  ignored: string[];
  preset: string | null;
  autorun: boolean;
}

/** Shorten untrusted text for a notice (it is rendered as text, but keep it readable). */
function clip(s: string, n = 40): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

export function parseSearch(search: string): ParsedUrl {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const ignored: string[] = [];
  let params = defaultParams();
  let preset: string | null = null;
  let autorun = false;

  const presetName = q.get(PRESET_KEY);
  if (presetName !== null) {
    if (Object.prototype.hasOwnProperty.call(PRESETS, presetName)) {
      preset = presetName;
      params = paramsFromSpec(PRESETS[presetName].spec, params);
    } else {
      ignored.push(`${PRESET_KEY}=${clip(presetName)} (unknown preset; known: ${Object.keys(PRESETS).join(', ')})`);
    }
  }

  const seen = new Set<string>();
  for (const [key, raw] of q.entries()) {
    if (key === PRESET_KEY) continue;
    if (key === AUTORUN_KEY) {
      if (raw === '1' || raw === 'true') autorun = true;
      else if (raw !== '0' && raw !== 'false') ignored.push(`${AUTORUN_KEY}=${clip(raw)} (must be 0 or 1)`);
      continue;
    }
    const p = PARAM_BY_KEY.get(key);
    if (!p) {
      ignored.push(`${clip(key, 24)} (unknown parameter)`);
      continue;
    }
    if (seen.has(key)) {
      ignored.push(`${key}=${clip(raw)} (repeated; the first value is used)`);
      continue;
    }
    seen.add(key);
    const c = coerce(p, raw);
    if (c.ok) params[p.name] = c.value;
    else ignored.push(`${key}=${clip(raw)} (${p.label}: ${c.error}; using ${formatValue(p, params[p.name])})`);
  }

  capNotices(ignored);
  // cross-field rules live in the core's validator: if the combination is invalid, fall back field by field
  const problem = specProblem(params);
  if (problem) {
    const fallback = preset ? paramsFromSpec(PRESETS[preset].spec) : defaultParams();
    const keep = params;
    params = { ...fallback, backend: keep.backend, softwareGpu: keep.softwareGpu, workers: keep.workers };
    ignored.push(
      `settings combination rejected (${clip(problem, 200)}); using ${preset ? `the ${preset} preset` : 'the defaults'}`,
    );
  }
  return { params, ignored, preset, autorun };
}

/** At most this many URL notices are listed; the rest are counted ("… and 19,990 more"). */
export const MAX_URL_NOTICES = 10;

function capNotices(list: string[]): void {
  if (list.length <= MAX_URL_NOTICES) return;
  const more = list.length - MAX_URL_NOTICES;
  list.length = MAX_URL_NOTICES;
  list.push(`… and ${more.toLocaleString('en-US')} more`);
}

/** The core validator's complaint about these params, or null. */
export function specProblem(params: Params): string | null {
  try {
    validateSpec(specFromParams(params));
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Validated spec of params (throws LabError on an invalid combination). */
export function specOf(params: Params): ExperimentSpec {
  return validateSpec(specFromParams(params));
}

/** Query string holding every setting (stable key order = table order). */
export function toSearch(params: Params, extra: { autorun?: boolean } = {}): string {
  const q = new URLSearchParams();
  for (const p of PARAMS) {
    const v = params[p.name] ?? p.default;
    // per-method overrides left at the core's default stay out of the link (absent = default)
    if (p.type === 'optnum' && v === null) continue;
    q.set(p.key, formatValue(p, v));
  }
  if (extra.autorun) q.set(AUTORUN_KEY, '1');
  return `?${q.toString()}`;
}

/** Full shareable link for `params` relative to `location` (origin + path of the page). */
export function shareLink(href: string, params: Params, extra: { autorun?: boolean } = {}): string {
  const u = new URL(href);
  u.search = toSearch(params, extra);
  u.hash = '';
  return u.toString();
}
