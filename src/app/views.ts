/**
 * The page's views (issue 22 item 1): a few places a researcher moves between, each with its own address
 * (`?view=…`), and the one selected method every per-method view shows (`?method=…`).
 *
 * The registry is data only (no React): App.tsx maps each id to its components. A per-method view is a child of
 * `inspect`; adding one is one entry here and one line in App.tsx's `INSPECT_PANELS`. The Audit view is a top view:
 * it shows its own job's (or a loaded audit.json's) methods, not the run's selected method.
 * Pure module, unit-tested in views.test.ts.
 */
import { METHOD_NAMES } from '../core/lite';
import { armKey, parseArmKey } from './runState';

export const VIEW_KEY = 'view';
export const METHOD_KEY = 'method';

export interface ViewDef {
  id: string;
  label: string;
  /** one line: what the view is for (tooltip of its tab) */
  help: string;
}

/** The top-level views, in the order of the navigation. */
export const TOP_VIEWS = [
  { id: 'setup', label: 'Setup', help: 'Settings, dataset and device' },
  { id: 'run', label: 'Run', help: 'Progress, the summary table, curves, timing and the condensed set' },
  { id: 'inspect', label: 'Inspect', help: 'One method at a time: per class, attack, losses, forget images' },
  { id: 'runs', label: 'Runs', help: 'Finished, recent and imported runs; compare them; export and import' },
  { id: 'paper', label: 'Paper', help: "The paper's claims: the committed reports and reproducing them here" },
  {
    id: 'audit',
    label: 'Audit',
    help: 'The per-example unlearning audit (U-LiRA): run it in the background or load an audit.json',
  },
] as const satisfies readonly ViewDef[];

export type TopView = (typeof TOP_VIEWS)[number]['id'];

/** Per-method views under Inspect (each shows the selected method next to Retrain). */
export const INSPECT_VIEWS = [
  { id: 'perclass', label: 'Per class', help: 'Per-class accuracy and confusion matrices' },
  { id: 'attack', label: 'Attack', help: "The MIA's score distributions and ROC" },
  { id: 'losses', label: 'Losses', help: 'Forget-vs-test loss histogram and A-CF’s loss terms' },
  {
    id: 'gallery',
    label: 'Forget images',
    help: 'Forget images with the original’s, the method’s and Retrain’s confidence',
  },
] as const satisfies readonly ViewDef[];

export type InspectView = (typeof INSPECT_VIEWS)[number]['id'];

/** A place on the page: a top view, and under Inspect its per-method view. */
export interface Place {
  top: TopView;
  inspect: InspectView;
}

export const DEFAULT_PLACE: Place = { top: 'setup', inspect: 'perclass' };

const TOP_IDS = new Set<string>(TOP_VIEWS.map((v) => v.id));
const INSPECT_IDS = new Set<string>(INSPECT_VIEWS.map((v) => v.id));

/** `view=` value of a place: the top view's id, or the per-method view's id under Inspect. */
export function placeParam(p: Place): string {
  return p.top === 'inspect' ? p.inspect : p.top;
}

/** Read `view=`: a top view's id or a per-method view's id (= Inspect at that view); null when unknown. */
export function parsePlace(raw: string): Place | null {
  if (TOP_IDS.has(raw)) return { ...DEFAULT_PLACE, top: raw as TopView };
  if (INSPECT_IDS.has(raw)) return { top: 'inspect', inspect: raw as InspectView };
  return null;
}

export const VIEW_VALUES: readonly string[] = [...TOP_VIEWS.map((v) => v.id), ...INSPECT_VIEWS.map((v) => v.id)];

/**
 * `method=` value of a selected method (an arm key `name|arm|round`): `A-CF~with`, `CF~without~r2` (round 3).
 * Readable in the address bar (no `|` to escape).
 */
export function methodParam(key: string): string {
  const a = parseArmKey(key);
  return `${a.method}~${a.arm}${a.round ? `~r${a.round + 1}` : ''}`;
}

/** Read `method=` back to an arm key; an error message when it names no method, arm or round. */
export function parseMethodParam(raw: string): { ok: true; key: string } | { ok: false; error: string } {
  const [name, arm, round, ...rest] = raw.split('~');
  if (!(METHOD_NAMES as readonly string[]).includes(name)) return { ok: false, error: `unknown method "${name}"` };
  if (arm !== undefined && arm !== 'with' && arm !== 'without')
    return { ok: false, error: `arm must be "with" or "without", got "${arm}"` };
  let r = 0;
  if (round !== undefined) {
    const m = /^r([1-9]\d?)$/.exec(round);
    if (!m) return { ok: false, error: `round must be r1, r2, …, got "${round}"` };
    r = Number(m[1]) - 1;
  }
  if (rest.length) return { ok: false, error: 'expected METHOD~ARM~rN at most' };
  return { ok: true, key: armKey(name, arm === 'with', r) };
}
