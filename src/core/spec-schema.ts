/**
 * THE schema of the experiment spec: one table of fields (type, range, options) that the CLI, the page's
 * controls and the URL all read (src/app/params.ts takes its ranges from `SPEC_FIELDS`), and `checkSpec`,
 * the strict validator behind `validateSpec`. tfjs-free; imports only contracts and the hyper-parameter table.
 *
 * Strictness (issue 12):
 *  - own keys only (`Object.hasOwn`): `constructor`, `toString`, `__proto__` are unknown fields;
 *  - `null` is rejected everywhere except `forget.class` (null = drawn from the seed), with the field's path;
 *  - every hyper-parameter override is validated here, before any work starts, whether its method is selected or
 *    not (unknown method, unknown key or invalid value = error); valid overrides of unselected methods are dropped
 *    from the normalised spec with a warning, so they never reach the result;
 *  - duplicated method names are an error naming the index;
 *  - semantic checks: IPC larger than the images per class is an error (the "reduced" retain set would be the
 *    whole retain set), fewer than 2 images per sub-class is a warning; the forgotten class must exist;
 *  - values are clipped in messages (never echoes a long string), input nesting and size are bounded, and at most
 *    `MAX_LISTED_ERRORS` problems are listed ("… and N more").
 *
 * Ranges: where the page's table and the old validator disagreed, the page's tighter ranges were kept: images per
 * class ≤ 10,000 (0 = all; CIFAR-10 has 5,000 per class, SVHN's largest class 13,861), width ≤ 512, Blend
 * iterations ≤ 10,000.
 */
import { LabError } from './types';
import type { DatasetId } from './types';
import type { ExperimentSpec, HParamValue, MethodName } from './contracts';
import { METHOD_NAMES } from './contracts';
import { validateHParam } from './methods/hparams';

export type SpecField =
  | { kind: 'int'; min: number; max: number; nullable?: boolean; doc?: string }
  | { kind: 'num'; min: number; max: number; minOpen?: boolean; optional?: boolean; doc?: string }
  | { kind: 'enum'; values: readonly string[]; doc?: string }
  | { kind: 'bool'; doc?: string }
  | { kind: 'methods' }
  | { kind: 'seeds' }
  | { kind: 'hparams' };

export const DATASET_IDS: readonly DatasetId[] = ['cifar10', 'svhn', 'synthetic'];
/** classes of every dataset the lab knows (the forgotten class must be below this) */
export const DATASET_CLASSES: Record<DatasetId, number> = { cifar10: 10, svhn: 10, synthetic: 10 };
export const ARMS = ['without', 'with', 'both'] as const;

/** Every field of the spec by dot path. Objects (model, forget, …) are implied by the paths. */
export const SPEC_FIELDS = {
  dataset: { kind: 'enum', values: DATASET_IDS },
  trainPerClass: { kind: 'int', min: 0, max: 10_000, doc: 'training images per class (0 = all)' },
  testPerClass: { kind: 'int', min: 0, max: 10_000, doc: 'test images per class (0 = all)' },
  'model.arch': { kind: 'enum', values: ['convnet3', 'resnet18'] },
  'model.width': { kind: 'int', min: 1, max: 512 },
  'forget.mode': { kind: 'enum', values: ['class', 'uniform'] },
  'forget.class': { kind: 'int', min: 0, max: 9, nullable: true },
  'forget.fraction': { kind: 'num', min: 0, max: 0.9, minOpen: true },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  seeds: { kind: 'seeds' },
  'pretrain.epochs': { kind: 'int', min: 0, max: 1000 },
  'pretrain.lr': { kind: 'num', min: 0, max: 10, minOpen: true },
  'pretrain.momentum': { kind: 'num', min: 0, max: 0.999 },
  'pretrain.weightDecay': { kind: 'num', min: 0, max: 1 },
  'pretrain.batchSize': { kind: 'int', min: 1, max: 4096 },
  'pretrain.warmup': { kind: 'int', min: 0, max: 1000 },
  'pretrain.targetTrainAcc': {
    kind: 'num',
    min: 0,
    max: 100,
    minOpen: true,
    optional: true,
    doc: 'stop pretraining after the first epoch whose running train accuracy (%) reaches this (epochs = the cap)',
  },
  'condense.enabled': { kind: 'bool' },
  'condense.ipc': { kind: 'int', min: 1, max: 5000 },
  'condense.iterations': { kind: 'int', min: 0, max: 10_000 },
  'condense.resampleNet': { kind: 'bool' },
  'condense.kmeansMaxIter': { kind: 'int', min: 1, max: 1000 },
  'condense.netWidth': { kind: 'int', min: 1, max: 512 },
  'condense.lrMode': { kind: 'enum', values: ['paper-regime', 'paper-polynomial'] },
  'unlearn.methods': { kind: 'methods' },
  'unlearn.arms': { kind: 'enum', values: ARMS },
  'unlearn.hparams': { kind: 'hparams' },
  'unlearn.epochScale': { kind: 'num', min: 0, max: 10, minOpen: true },
  rounds: { kind: 'int', min: 1, max: 10 },
  curves: { kind: 'bool' },
} as const satisfies Record<string, SpecField>;

export type SpecPath = keyof typeof SPEC_FIELDS;

/** The numeric range of a field, for tables that mirror the schema (the page's controls, the URL). */
export function specRange(path: SpecPath): { min: number; max: number; minExclusive: boolean } {
  const f: SpecField = SPEC_FIELDS[path];
  if (f.kind === 'seeds') return { min: 1, max: MAX_SEEDS, minExclusive: false }; // the count form
  if (f.kind !== 'int' && f.kind !== 'num') throw new LabError(`${path} is not numeric`, 'specRange');
  return { min: f.min, max: f.max, minExclusive: f.kind === 'num' && !!f.minOpen };
}

/** `seeds`: at most this many (as a count, or the length of a list). */
export const MAX_SEEDS = 100;

/** Limits on the raw input (before any field is read). */
export const SPEC_LIMITS = { depth: 6, nodes: 5_000, stringLength: 1_000 } as const;
const MAX_LISTED_ERRORS = 10;

export interface SpecCheck {
  spec: ExperimentSpec;
  /** explicit warnings (valid but probably not what was meant) */
  warnings: string[];
}

/** `v` for a message: short, single-line, never the whole of a long value. */
export function clipValue(v: unknown, n = 40): string {
  if (typeof v === 'string') {
    // eslint-disable-next-line no-control-regex -- replacing control characters is the point
    const t = v.replace(/[\u0000-\u001f\u007f]/g, '?');
    if (t.length <= n) return JSON.stringify(t);
    return `${JSON.stringify(t.slice(0, n))}… (${v.length.toLocaleString('en-US')} chars)`;
  }
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Own enumerable keys, and whether `k` is an own key of `o` (never inherited names). */
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The tree of objects the spec is made of, derived from SPEC_FIELDS: path → its child keys. */
const SHAPE: Map<string, Set<string>> = (() => {
  const m = new Map<string, Set<string>>([['', new Set()]]);
  for (const path of Object.keys(SPEC_FIELDS)) {
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('.');
      if (!m.has(parent)) m.set(parent, new Set());
      m.get(parent)!.add(parts[i]);
    }
  }
  return m;
})();

/** Depth, node count and string sizes of untrusted input, checked iteratively (no recursion to blow). */
function checkBounds(input: unknown): void {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: input, depth: 0, path: 'spec' }];
  let nodes = 0;
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (++nodes > SPEC_LIMITS.nodes) {
      throw new LabError(`more than ${SPEC_LIMITS.nodes} values; a spec is far smaller`, 'spec');
    }
    if (typeof v === 'string' && v.length > SPEC_LIMITS.stringLength) {
      const len = v.length.toLocaleString('en-US');
      throw new LabError(`text of ${len} characters (at most ${SPEC_LIMITS.stringLength}): ${clipValue(v)}`, path);
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= SPEC_LIMITS.depth) throw new LabError(`nested more than ${SPEC_LIMITS.depth} levels deep`, path);
    const entries = Array.isArray(v)
      ? v.map((x, i) => [`[${i}]`, x] as const)
      : Object.keys(v).map((k) => [`.${k}`, (v as Record<string, unknown>)[k]] as const);
    for (const [k, x] of entries) {
      stack.push({ v: x, depth: depth + 1, path: path + (k.length > 60 ? `${k.slice(0, 60)}…` : k) });
    }
  }
}

class Problems {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  error(path: string, msg: string): void {
    this.errors.push(`${path}: ${msg}`);
  }
  throwIfAny(): void {
    if (!this.errors.length) return;
    const shown = this.errors.slice(0, MAX_LISTED_ERRORS);
    const more = this.errors.length - shown.length;
    throw new LabError(shown.join('; ') + (more > 0 ? `; … and ${more.toLocaleString('en-US')} more` : ''));
  }
}

/** Structure of the input: known own keys only, objects where objects belong, no nulls (but forget.class). */
function checkStructure(v: Record<string, unknown>, at: string, p: Problems): void {
  const known = SHAPE.get(at)!;
  for (const k of Object.keys(v)) {
    const path = at ? `${at}.${k}` : k;
    const label = `spec${at ? `.${at}` : ''}`;
    if (!known.has(k)) {
      p.error(label, `unknown field ${clipValue(k, 30)} (known: ${[...known].join(', ')})`);
      continue;
    }
    const x = v[k];
    if (SHAPE.has(path)) {
      if (!isPlain(x)) p.error(`spec.${path}`, `must be an object, got ${clipValue(x)}`);
      else checkStructure(x, path, p);
    } else if (x === null && path !== 'forget.class') {
      p.error(`spec.${path}`, 'must not be null');
    }
  }
}

function mergeKnown(base: unknown, over: unknown): unknown {
  if (isPlain(base) && isPlain(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const k of Object.keys(over)) if (hasOwn(over, k) && k !== '__proto__') out[k] = mergeKnown(base[k], over[k]);
    return out;
  }
  return over === undefined ? base : structuredClone(over);
}

function getPath(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) cur = isPlain(cur) && hasOwn(cur, k) ? cur[k] : undefined;
  return cur;
}

function checkField(path: string, f: SpecField, v: unknown, p: Problems): void {
  const at = `spec.${path}`;
  switch (f.kind) {
    case 'int':
    case 'num': {
      if (v === null && f.kind === 'int' && f.nullable) return;
      if (v === undefined && f.kind === 'num' && f.optional) return;
      const int = f.kind === 'int';
      const open = f.kind === 'num' && !!f.minOpen;
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (open ? v > f.min : v >= f.min) &&
        v <= f.max &&
        (!int || Number.isInteger(v));
      if (!ok) {
        p.error(
          at,
          `must be ${int ? 'an integer' : 'a number'} in ${open ? '(' : '['}${f.min}, ${f.max}]` +
            `${int && f.nullable ? ' or null' : ''}, got ${clipValue(v)}`,
        );
      }
      return;
    }
    case 'enum':
      if (typeof v !== 'string' || !f.values.includes(v)) {
        p.error(at, `must be one of ${f.values.map((o) => JSON.stringify(o)).join(', ')}, got ${clipValue(v)}`);
      }
      return;
    case 'bool':
      if (typeof v !== 'boolean') p.error(at, `must be true or false, got ${clipValue(v)}`);
      return;
    case 'methods': {
      if (!Array.isArray(v) || v.length === 0) {
        p.error(at, `must be a non-empty list of method names, got ${clipValue(v)}`);
        return;
      }
      const seen = new Map<string, number>();
      v.forEach((m, i) => {
        if (typeof m !== 'string' || !(METHOD_NAMES as readonly string[]).includes(m)) {
          const known = METHOD_NAMES.map((o) => JSON.stringify(o)).join(', ');
          p.error(`${at}[${i}]`, `must be one of ${known}, got ${clipValue(m)}`);
        } else if (seen.has(m)) {
          p.error(`${at}[${i}]`, `${JSON.stringify(m)} is listed twice (also at [${seen.get(m)}])`);
        } else seen.set(m, i);
      });
      return;
    }
    case 'hparams':
      checkHParams(at, v, p);
      return;
    case 'seeds': {
      // a count (seeds seed, seed+1, …) or a list of distinct seeds
      const okSeed = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 2 ** 31 - 1;
      if (Array.isArray(v)) {
        if (v.length < 1 || v.length > MAX_SEEDS) p.error(at, `a list needs 1..${MAX_SEEDS} seeds, got ${v.length}`);
        v.forEach((x, i) => {
          if (!okSeed(x)) p.error(`${at}[${i}]`, `must be an integer in [0, 2147483647], got ${clipValue(x)}`);
        });
        if (new Set(v).size !== v.length) p.error(at, 'seeds must be distinct');
      } else if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_SEEDS)) {
        p.error(at, `must be a count in [1, ${MAX_SEEDS}] or a list of seeds, got ${clipValue(v)}`);
      }
      return;
    }
  }
}

function checkHParams(at: string, v: unknown, p: Problems): void {
  if (!isPlain(v)) {
    p.error(at, `must be an object keyed by method name, got ${clipValue(v)}`);
    return;
  }
  for (const method of Object.keys(v)) {
    const mAt = `${at}.${clipValue(method, 30).slice(1, -1)}`;
    if (!(METHOD_NAMES as readonly string[]).includes(method)) {
      p.error(at, `unknown method ${clipValue(method, 30)} (known: ${METHOD_NAMES.join(', ')})`);
      continue;
    }
    const over = v[method];
    if (!isPlain(over)) {
      p.error(mAt, `must be an object of hyper-parameter overrides, got ${clipValue(over)}`);
      continue;
    }
    for (const key of Object.keys(over)) {
      const x = over[key];
      const kAt = `${mAt}.${clipValue(key, 30).slice(1, -1)}`;
      if (typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'boolean') {
        p.error(kAt, `must be a number, text or true/false, got ${clipValue(x)}`);
        continue;
      }
      try {
        validateHParam(method as MethodName, key, x);
      } catch (e) {
        // the hparam table's message, without its own location prefix (the spec path is more precise)
        const msg = e instanceof Error ? e.message.replace(/^hparams\.[^:]*: /, '') : String(e);
        p.error(kAt, msg.length > 300 ? `${msg.slice(0, 300)}…` : msg);
      }
    }
  }
}

/**
 * Validate a (possibly partial) spec and fill it from `base`. Throws one LabError listing the problems with their
 * paths (`spec.pretrain.lr: must be a number in (0, 10], got -1`); returns the normalised spec and warnings.
 */
export function checkSpec(input: unknown, base: ExperimentSpec): SpecCheck {
  if (!isPlain(input)) throw new LabError(`expected a JSON object, got ${clipValue(input)}`, 'spec');
  checkBounds(input);
  const p = new Problems();
  checkStructure(input, '', p);
  p.throwIfAny();
  const s = mergeKnown(structuredClone(base), input) as ExperimentSpec;
  for (const [path, f] of Object.entries(SPEC_FIELDS) as Array<[string, SpecField]>) {
    checkField(path, f, getPath(s, path), p);
  }
  p.throwIfAny();
  // ---- semantics
  if (s.rounds > 1 && s.forget.mode !== 'uniform') {
    p.error('spec.rounds', 'multi-round unlearning (§8) needs forget.mode "uniform"');
  }
  if (s.unlearn.arms !== 'without' && !s.condense.enabled) {
    p.error('spec.unlearn.arms', 'the "with DC" arm needs condense.enabled');
  }
  if (typeof s.seeds === 'number' && s.seed + s.seeds - 1 > 2 ** 31 - 1) {
    p.error('spec.seeds', 'seed + seeds − 1 exceeds 2^31 − 1');
  }
  const classes = DATASET_CLASSES[s.dataset];
  if (s.forget.class !== null && s.forget.class >= classes) {
    p.error('spec.forget.class', `${s.dataset} has ${classes} classes (0..${classes - 1}), got ${s.forget.class}`);
  }
  const condensing = s.unlearn.arms !== 'without' && s.condense.enabled;
  if (condensing && s.trainPerClass > 0) {
    if (s.condense.ipc > s.trainPerClass) {
      p.error(
        'spec.condense.ipc',
        `${s.condense.ipc} sub-classes per class but only ${s.trainPerClass} ` +
          'training images per class (trainPerClass): every image would be its own cluster and the "reduced" ' +
          'retain set the whole one',
      );
    } else if (2 * s.condense.ipc > s.trainPerClass) {
      p.warnings.push(
        `spec.condense.ipc: ${s.condense.ipc} sub-classes for ${s.trainPerClass} images per class ` +
          'is fewer than 2 images per cluster; the reduced retain set will be barely smaller (the paper uses ≈5)',
      );
    }
  }
  p.throwIfAny();
  // overrides of methods that will not run: validated above, then dropped (never written into a result)
  const selected = new Set<string>(s.unlearn.methods);
  const hp: ExperimentSpec['unlearn']['hparams'] = {};
  for (const m of Object.keys(s.unlearn.hparams) as MethodName[]) {
    const over = s.unlearn.hparams[m] as Record<string, HParamValue>;
    if (selected.has(m)) hp[m] = over;
    else if (Object.keys(over).length) {
      p.warnings.push(
        `spec.unlearn.hparams.${m}: ${m} is not in unlearn.methods; ` + 'its overrides were checked and are ignored',
      );
    }
  }
  s.unlearn.hparams = hp;
  return { spec: s, warnings: p.warnings };
}
