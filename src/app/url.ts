/**
 * URL ⇄ params, driven by the parameter table. Every setting goes into the query string under its table key;
 * reading a URL never trusts it: unknown keys and invalid values are dropped (the default is used) and listed
 * in `ignored` so the page can show a notice (as text, never as HTML).
 *
 * Extra keys: `preset=NAME` (applied first, explicit keys override it), `autorun=1` (start Compare on load, but
 * never when the URL needed a notice: then the page asks first), `view=` and `method=` (the page's view and the
 * selected method, src/app/views.ts).
 */
import { PRESETS, validateSpec } from '../core/lite';
import type { ExperimentSpec } from '../core/lite';
import type { ParamDef, Params } from './params';
import { PARAMS, PARAM_BY_KEY, coerce, defaultParams, formatValue, paramsFromSpec, specFromParams } from './params';
import {
  METHOD_KEY,
  VIEW_KEY,
  VIEW_VALUES,
  methodParam,
  parseMethodParam,
  parsePlace,
  placeParam,
  type Place,
} from './views';

export const PRESET_KEY = 'preset';
export const AUTORUN_KEY = 'autorun';

export interface ParsedUrl {
  params: Params;
  /** human-readable reasons, one per ignored key/value */
  ignored: string[];
  preset: string | null;
  /** the URL asked to start Compare on load (`autorun=1`) */
  autorun: boolean;
  /** the view named by `view=` (null: the page's default) */
  place: Place | null;
  /** the selected method named by `method=` (an arm key), or null */
  method: string | null;
}

/** Shorten untrusted text for a notice (it is rendered as text, but keep it readable). */
function clip(s: string, n = 40): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

/** Machine settings: kept from the link whatever else is dropped. */
const DEVICE = ['backend', 'softwareGpu', 'workers'];

export function parseSearch(search: string): ParsedUrl {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const ignored: string[] = [];
  let params = defaultParams();
  let preset: string | null = null;
  let autorun = false;
  let place: Place | null = null;
  let method: string | null = null;

  const presetName = q.get(PRESET_KEY);
  if (presetName !== null) {
    if (Object.prototype.hasOwnProperty.call(PRESETS, presetName)) {
      preset = presetName;
      params = paramsFromSpec(PRESETS[presetName].spec, params);
    } else {
      ignored.push(`${PRESET_KEY}=${clip(presetName)} (unknown preset; known: ${Object.keys(PRESETS).join(', ')})`);
    }
  }
  /** what a dropped key falls back to: the preset's value, else the default */
  const fallback = { ...params };

  const seen = new Set<string>();
  /** the table's params the URL set explicitly, in URL order, with their raw text */
  const given: Array<{ p: ParamDef; raw: string }> = [];
  for (const [key, raw] of q.entries()) {
    if (key === PRESET_KEY) continue;
    if (key === AUTORUN_KEY) {
      if (raw === '1' || raw === 'true') autorun = true;
      else if (raw !== '0' && raw !== 'false') ignored.push(`${AUTORUN_KEY}=${clip(raw)} (must be 0 or 1)`);
      continue;
    }
    if (key === VIEW_KEY) {
      const pl = parsePlace(raw);
      if (pl) place = pl;
      else ignored.push(`${VIEW_KEY}=${clip(raw)} (unknown view; known: ${VIEW_VALUES.join(', ')})`);
      continue;
    }
    if (key === METHOD_KEY) {
      const m = parseMethodParam(raw);
      if (m.ok) method = m.key;
      else ignored.push(`${METHOD_KEY}=${clip(raw)} (${m.error})`);
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
    if (c.ok) {
      params[p.name] = c.value;
      given.push({ p, raw });
    } else ignored.push(`${key}=${clip(raw)} (${p.label}: ${c.error}; using ${formatValue(p, params[p.name])})`);
  }

  // cross-field rules live in the core's validator: an invalid combination drops only the offending keys
  const fixed = dropOffending(params, fallback, given);
  params = fixed.params;
  for (const d of fixed.dropped) {
    ignored.push(
      `${d.p.key}=${clip(d.raw)} (settings combination rejected: ${clip(d.problem, 200)}; using ${formatValue(d.p, params[d.p.name])}${preset ? ` from the ${preset} preset` : ''})`,
    );
  }
  if (fixed.reset) {
    const keep = params;
    params = { ...fallback };
    for (const n of DEVICE) params[n] = keep[n];
    ignored.push(
      `settings combination rejected (${clip(fixed.reset, 200)}); using ${preset ? `the ${preset} preset` : 'the defaults'}`,
    );
  }
  capNotices(ignored);
  return { params, ignored, preset, autorun, place, method };
}

/** The spec paths a validator message names (`spec.condense.ipc: …`), as the table's param paths. */
function namedPaths(problem: string): string[] {
  return [...problem.matchAll(/\bspec\.([A-Za-z0-9_.]+)/g)].map((m) => m[1].replace(/\.$/, ''));
}

/**
 * Make an invalid combination valid by dropping as few of the URL's explicit keys as possible (each falls back to
 * the preset's or the default value): first the keys whose setting the validator names, then, one at a time, any
 * single key (the last one given first) whose drop makes the combination valid; repeated while problems remain.
 * Returns `reset` (the last problem) when no such drops fix it: the caller then falls back to the preset/defaults.
 */
export function dropOffending(
  params: Params,
  fallback: Params,
  given: ReadonlyArray<{ p: ParamDef; raw: string }>,
): { params: Params; dropped: Array<{ p: ParamDef; raw: string; problem: string }>; reset: string | null } {
  let cur = { ...params };
  const dropped: Array<{ p: ParamDef; raw: string; problem: string }> = [];
  let left = [...given];
  const without = (ps: Params, names: string[]) => {
    const out = { ...ps };
    for (const n of names) out[n] = fallback[n];
    return out;
  };
  for (let guard = 0; guard <= given.length; guard++) {
    const problem = specProblem(cur);
    if (!problem) return { params: cur, dropped, reset: null };
    const paths = namedPaths(problem);
    const named = left.filter(
      (g) => g.p.path && paths.some((path) => path === g.p.path || g.p.path!.startsWith(`${path}.`)),
    );
    let pick: typeof left = [];
    if (
      named.length &&
      !specProblem(
        without(
          cur,
          named.map((g) => g.p.name),
        ),
      )
    )
      pick = named;
    else {
      const single = [...left].reverse().find((g) => !specProblem(without(cur, [g.p.name])));
      if (single) pick = [single];
      else if (named.length) pick = named; // progress on the named ones; the loop checks again
    }
    if (!pick.length) return { params: cur, dropped, reset: problem };
    cur = without(
      cur,
      pick.map((g) => g.p.name),
    );
    for (const g of pick) dropped.push({ ...g, problem });
    left = left.filter((g) => !pick.includes(g));
  }
  const problem = specProblem(cur);
  return { params: cur, dropped, reset: problem };
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

/** What a link carries besides the settings. */
export interface LinkExtra {
  /** the preset the settings start from (`preset=` first; the explicit keys still say everything) */
  preset?: string | null;
  autorun?: boolean;
  place?: Place | null;
  /** the selected method (arm key) */
  method?: string | null;
}

/** Query string holding every setting (stable key order = table order), then the view and the selected method. */
export function toSearch(params: Params, extra: LinkExtra = {}): string {
  const q = new URLSearchParams();
  if (extra.preset && Object.prototype.hasOwnProperty.call(PRESETS, extra.preset)) q.set(PRESET_KEY, extra.preset);
  for (const p of PARAMS) {
    const v = params[p.name] ?? p.default;
    // per-method overrides left at the core's default stay out of the link (absent = default)
    if (p.type === 'optnum' && v === null) continue;
    q.set(p.key, formatValue(p, v));
  }
  if (extra.place) q.set(VIEW_KEY, placeParam(extra.place));
  if (extra.method) q.set(METHOD_KEY, methodParam(extra.method));
  if (extra.autorun) q.set(AUTORUN_KEY, '1');
  return `?${q.toString()}`;
}

/** Full shareable link for `params` relative to `location` (origin + path of the page). */
export function shareLink(href: string, params: Params, extra: LinkExtra = {}): string {
  const u = new URL(href);
  u.search = toSearch(params, extra);
  u.hash = '';
  return u.toString();
}
