/**
 * Imported result JSON (results-format.md) → a checked `ExperimentResult`, or a LabError naming the path of the
 * first problem (`result.methods[2].metrics: must be an object, got null`). tfjs-free; the page's import uses it,
 * so a hostile or stale file gives a message instead of a blank page.
 *
 * Rules: the text is at most `MAX_RESULT_CHARS` (checked before JSON.parse); `{ "result": … }` envelopes are
 * unwrapped; the spec goes through the same strict schema as every other spec; numbers that JSON could not keep
 * (NaN / Infinity are written as null) come back as NaN; unknown extra fields are kept (the format grows by adding
 * fields), and sizes of lists are bounded.
 */
import { LabError } from '../types';
import type { Metrics } from '../types';
import type { AttackView, CondenseResult, ExperimentResult, MethodResult, ModelViews } from '../contracts';
import { validateSpec } from '../presets';
import { clipValue } from '../spec-schema';

/** 50 MB of text (JSON is ASCII in practice, so characters ≈ bytes). */
export const MAX_RESULT_CHARS = 50 * 1024 * 1024;
const MAX_LIST = 1_000_000;

class Bad extends LabError {
  constructor(path: string, msg: string) {
    super(msg, path);
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function obj(x: unknown, path: string): Obj {
  if (!isObj(x)) throw new Bad(path, `must be an object, got ${clipValue(x)}`);
  return x;
}

function list(x: unknown, path: string, max = MAX_LIST): unknown[] {
  if (!Array.isArray(x)) throw new Bad(path, `must be a list, got ${clipValue(x)}`);
  if (x.length > max) {
    throw new Bad(path, `has ${x.length.toLocaleString('en-US')} entries (at most ${max.toLocaleString('en-US')})`);
  }
  return x;
}

/** A number; null (NaN / Infinity as JSON writes them) becomes NaN when `nullable`. */
interface NumRule {
  min?: number;
  max?: number;
  int?: boolean;
  nullable?: boolean;
}

function num(x: unknown, path: string, o: NumRule = {}): number {
  if (x === null && o.nullable) return NaN;
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new Bad(path, `must be a number${o.nullable ? ' or null' : ''}, got ${clipValue(x)}`);
  }
  if (o.int && !Number.isInteger(x)) throw new Bad(path, `must be an integer, got ${x}`);
  if ((o.min !== undefined && x < o.min) || (o.max !== undefined && x > o.max)) {
    throw new Bad(path, `must be in [${o.min ?? '-∞'}, ${o.max ?? '∞'}], got ${x}`);
  }
  return x;
}

function str(x: unknown, path: string, max = 10_000): string {
  if (typeof x !== 'string') throw new Bad(path, `must be text, got ${clipValue(x)}`);
  if (x.length > max) throw new Bad(path, `text of ${x.length.toLocaleString('en-US')} characters (at most ${max})`);
  return x;
}

function bool(x: unknown, path: string): boolean {
  if (typeof x !== 'boolean') throw new Bad(path, `must be true or false, got ${clipValue(x)}`);
  return x;
}

function optional<T>(o: Obj, k: string, path: string, f: (x: unknown, p: string) => T): T | undefined {
  const x = own(o, k);
  return x === undefined ? undefined : f(x, `${path}.${k}`);
}

const numbers = (x: unknown, p: string) => list(x, p).map((v, i) => num(v, `${p}[${i}]`, { nullable: true }));
const count = (x: unknown, p: string) => num(x, p, { int: true, min: 0 });
const seconds = (x: unknown, p: string) => num(x, p, { min: 0, nullable: true });
const pct = (x: unknown, p: string) => num(x, p, { min: 0, max: 100, nullable: true });

const METRIC_KEYS = ['retainAcc', 'forgetAcc', 'testAcc', 'mia', 'lossMia'] as const;

function metrics(x: unknown, path: string): Metrics {
  const o = obj(x, path);
  const out = { ...o } as Obj;
  for (const k of METRIC_KEYS) out[k] = pct(own(o, k), `${path}.${k}`);
  // optional metrics (results made before them lack them): checked where present
  for (const k of ['testAccRetained', 'miaFiltered']) if (own(o, k) !== undefined) out[k] = pct(o[k], `${path}.${k}`);
  // a standard error is never negative; a sample size is a count (issue 19 item 5)
  if (own(o, 'miaSe') !== undefined) out.miaSe = num(o.miaSe, `${path}.miaSe`, { min: 0, max: 100, nullable: true });
  if (own(o, 'miaPerSide') !== undefined) out.miaPerSide = count(o.miaPerSide, `${path}.miaPerSide`);
  return out as unknown as Metrics;
}

function curvePoint(x: unknown, path: string): MethodResult['curve'][number] {
  const o = obj(x, path);
  const out: Obj = { ...o, epoch: num(own(o, 'epoch'), `${path}.epoch`, { int: true, min: 0 }) };
  for (const k of [...METRIC_KEYS, 'testAccRetained', 'miaFiltered'])
    if (own(o, k) !== undefined) out[k] = pct(o[k], `${path}.${k}`);
  return out as MethodResult['curve'][number];
}

/** The optional per-class and attack views of a model (contracts.ts ModelViews), checked where present. */
function modelViews(o: Obj, path: string): ModelViews {
  const out: ModelViews = {};
  const perClass = optional(o, 'perClass', path, obj);
  if (perClass) {
    out.perClass = {
      testAcc: list(own(perClass, 'testAcc'), `${path}.perClass.testAcc`, 1000).map((v, i) =>
        v === null ? null : pct(v, `${path}.perClass.testAcc[${i}]`),
      ),
      forgetAcc: list(own(perClass, 'forgetAcc'), `${path}.perClass.forgetAcc`, 1000).map((v, i) =>
        v === null ? null : pct(v, `${path}.perClass.forgetAcc[${i}]`),
      ),
    };
  }
  const confusion = optional(o, 'confusion', path, (v, p) => list(v, p, 1000));
  if (confusion) {
    out.confusion = confusion.map((row, i) => {
      const r = list(row, `${path}.confusion[${i}]`, 1000).map((v, j) => count(v, `${path}.confusion[${i}][${j}]`));
      if (r.length !== confusion.length) {
        throw new Bad(`${path}.confusion[${i}]`, `must have ${confusion.length} entries (square), got ${r.length}`);
      }
      return r;
    });
  }
  const attack = optional(o, 'attack', path, obj);
  if (attack) {
    const p = `${path}.attack`;
    const branch = own(attack, 'branch');
    const positive = own(attack, 'positive');
    if (branch !== 'direct' && branch !== 'swapped') {
      throw new Bad(`${p}.branch`, `must be "direct" or "swapped", got ${clipValue(branch)}`);
    }
    if (positive !== 'test' && positive !== 'forget') {
      throw new Bad(`${p}.positive`, `must be "test" or "forget", got ${clipValue(positive)}`);
    }
    const prob = (v: unknown, q: string) => num(v, q, { min: 0, max: 1 });
    out.attack = {
      branch,
      positive,
      auc: pct(own(attack, 'auc'), `${p}.auc`),
      forgetScores: list(own(attack, 'forgetScores'), `${p}.forgetScores`).map((v, i) =>
        prob(v, `${p}.forgetScores[${i}]`),
      ),
      testScores: list(own(attack, 'testScores'), `${p}.testScores`).map((v, i) => prob(v, `${p}.testScores[${i}]`)),
      roc: list(own(attack, 'roc'), `${p}.roc`, 10_000).map((pt, i) => {
        const xy = list(pt, `${p}.roc[${i}]`, 2);
        if (xy.length !== 2) throw new Bad(`${p}.roc[${i}]`, `must be [fpr, tpr], got ${xy.length} numbers`);
        return [prob(xy[0], `${p}.roc[${i}][0]`), prob(xy[1], `${p}.roc[${i}][1]`)];
      }) as AttackView['roc'],
    };
  }
  return out;
}

function method(x: unknown, path: string): MethodResult {
  const o = obj(x, path);
  const name = own(o, 'name');
  // any name here: which names belong is the spec's to say (checkImportedResult), so rows of methods added later
  // (and an "Original" row) pass; a stored resume record is matched to its method by its stamp
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
    throw new Bad(`${path}.name`, `must be a method name, got ${clipValue(name)}`);
  }
  const out: MethodResult = {
    ...(o as object),
    name: name as MethodResult['name'],
    withDC: bool(own(o, 'withDC'), `${path}.withDC`),
    round: own(o, 'round') === undefined ? 0 : num(o.round, `${path}.round`, { int: true, min: 0, max: 1000 }),
    unlearnSeconds: seconds(own(o, 'unlearnSeconds'), `${path}.unlearnSeconds`),
    overheadSeconds:
      own(o, 'overheadSeconds') === undefined ? 0 : seconds(o.overheadSeconds, `${path}.overheadSeconds`),
    metrics: metrics(own(o, 'metrics'), `${path}.metrics`),
    curve:
      own(o, 'curve') === undefined
        ? []
        : list(o.curve, `${path}.curve`, 100_000).map((c, i) => curvePoint(c, `${path}.curve[${i}]`)),
  } as MethodResult;
  const losses = optional(o, 'losses', path, obj);
  if (losses) {
    out.losses = {
      forget: numbers(own(losses, 'forget'), `${path}.losses.forget`),
      test: numbers(own(losses, 'test'), `${path}.losses.test`),
    };
  }
  Object.assign(out, modelViews(o, path));
  return out;
}

function condense(x: unknown, path: string): CondenseResult {
  const o = obj(x, path);
  const out = { ...o } as Obj;
  for (const k of ['ipc', 'retainSize', 'reducedRetainSize', 'freeClusters', 'residualImages']) {
    out[k] = count(own(o, k), `${path}.${k}`);
  }
  for (const k of ['round', 'emptyClusters']) if (own(o, k) !== undefined) out[k] = count(o[k], `${path}.${k}`);
  for (const k of ['kmeansSeconds', 'partitionSeconds', 'blendSeconds']) out[k] = seconds(own(o, k), `${path}.${k}`);
  out.finalLoss = own(o, 'finalLoss') === undefined ? NaN : num(o.finalLoss, `${path}.finalLoss`, { nullable: true });
  out.clusterSizes =
    own(o, 'clusterSizes') === undefined
      ? []
      : list(o.clusterSizes, `${path}.clusterSizes`).map((v, i) => count(v, `${path}.clusterSizes[${i}]`));
  const protos = optional(o, 'prototypes', path, (v, p) => list(v, p, 100_000));
  if (protos) {
    out.prototypes = protos.map((v, i) => {
      const q = obj(v, `${path}.prototypes[${i}]`);
      const at = `${path}.prototypes[${i}]`;
      const b64 = str(own(q, 'rgbaBase64'), `${at}.rgbaBase64`, 100_000);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Bad(`${at}.rgbaBase64`, 'is not base64');
      return {
        cluster: count(own(q, 'cluster'), `${at}.cluster`),
        label: count(own(q, 'label'), `${at}.label`),
        size: count(own(q, 'size'), `${at}.size`),
        rgbaBase64: b64,
      };
    });
  }
  return out as unknown as CondenseResult;
}

/** Deepest nesting a result may have (a real one is under 10 deep; the checks and the page recurse over it). */
export const MAX_RESULT_DEPTH = 64;

/** Throws when `x` nests deeper than MAX_RESULT_DEPTH (walked without recursion, so a hostile file cannot overflow). */
function checkDepth(x: unknown, path: string): void {
  const stack: Array<[unknown, number]> = [[x, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > MAX_RESULT_DEPTH) throw new Bad(path, `nests deeper than ${MAX_RESULT_DEPTH} levels (not a result file)`);
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
}

/** One method result (a resume record, or a row of an imported file), checked as an imported row is. */
export function checkMethodResult(x: unknown, path = 'method'): MethodResult {
  checkDepth(x, path);
  return method(x, path);
}

/** One condensation record (a resume record, or an imported file's), checked as an imported one is. */
export function checkCondenseResult(x: unknown, path = 'condense'): CondenseResult {
  checkDepth(x, path);
  return condense(x, path);
}

/** Check an already parsed value (the object inside an optional `{ result: … }` envelope). */
export function checkImportedResult(parsed: unknown): ExperimentResult {
  checkDepth(parsed, 'result');
  const top = obj(parsed, 'result');
  const root = own(top, 'result') !== undefined && own(top, 'methods') === undefined ? obj(top.result, 'result') : top;
  const P = 'result';
  let spec: ExperimentResult['spec'];
  const rawSpec = obj(own(root, 'spec'), `${P}.spec`);
  try {
    spec = validateSpec(rawSpec);
  } catch (e) {
    // the schema's paths start with "spec."; say where that spec sits in the file
    throw new LabError((e as Error).message.replace(/(^|; )spec\b/g, `$1${P}.spec`));
  }
  const env = obj(own(root, 'env'), `${P}.env`);
  const split = obj(own(root, 'split'), `${P}.split`);
  const pre = obj(own(root, 'pretrain'), `${P}.pretrain`);
  const fc = own(split, 'forgetClass');
  const out: ExperimentResult = {
    ...(root as object),
    spec,
    env: {
      ...(env as object),
      backend: str(own(env, 'backend'), `${P}.env.backend`, 200),
      versions:
        own(env, 'versions') === undefined
          ? {}
          : Object.fromEntries(
              Object.entries(obj(env.versions, `${P}.env.versions`)).map(([k, v]) => [
                k,
                str(v, `${P}.env.versions.${k.slice(0, 40)}`, 200),
              ]),
            ),
      startedAt: own(env, 'startedAt') === undefined ? '' : str(env.startedAt, `${P}.env.startedAt`, 100),
      seconds: own(env, 'seconds') === undefined ? NaN : seconds(env.seconds, `${P}.env.seconds`),
    },
    split: {
      trainSize: count(own(split, 'trainSize'), `${P}.split.trainSize`),
      retainSize: count(own(split, 'retainSize'), `${P}.split.retainSize`),
      forgetSize: count(own(split, 'forgetSize'), `${P}.split.forgetSize`),
      testUsedSize: count(own(split, 'testUsedSize'), `${P}.split.testUsedSize`),
      testEvalSize: count(own(split, 'testEvalSize'), `${P}.split.testEvalSize`),
      forgetClass:
        fc === null || fc === undefined ? null : num(fc, `${P}.split.forgetClass`, { int: true, min: 0, max: 9 }),
    },
    pretrain: {
      ...(pre as object),
      seconds: seconds(own(pre, 'seconds'), `${P}.pretrain.seconds`),
      testAcc: pct(own(pre, 'testAcc'), `${P}.pretrain.testAcc`),
      trainAcc: own(pre, 'trainAcc') === undefined ? NaN : pct(pre.trainAcc, `${P}.pretrain.trainAcc`),
      reused: own(pre, 'reused') === undefined ? false : bool(pre.reused, `${P}.pretrain.reused`),
      source: optional(pre, 'source', `${P}.pretrain`, (v, p) => {
        if (v === 'trained' || v === 'cache' || v === 'shipped') return v;
        throw new Bad(p, `must be trained, cache or shipped, got ${clipValue(v)}`);
      }),
      shipped: optional(pre, 'shipped', `${P}.pretrain`, (v, p) => {
        const o = obj(v, p);
        return { file: str(own(o, 'file'), `${p}.file`, 200), sha256: str(own(o, 'sha256'), `${p}.sha256`, 64) };
      }),
      metrics: optional(pre, 'metrics', `${P}.pretrain`, metrics),
      ...modelViews(pre, `${P}.pretrain`),
    },
    condense: optional(root, 'condense', P, condense),
    condenseRounds: optional(root, 'condenseRounds', P, (v, p) =>
      list(v, p, 1000).map((c, i) => condense(c, `${p}[${i}]`)),
    ),
    methods: list(own(root, 'methods'), `${P}.methods`, 100_000).map((m, i) => method(m, `${P}.methods[${i}]`)),
    cancelled: optional(root, 'cancelled', P, bool),
  };
  if (out.condense === undefined) delete out.condense;
  if (out.condenseRounds === undefined) delete out.condenseRounds;
  if (out.cancelled === undefined) delete out.cancelled;
  checkAgainstSpec(out);
  return out;
}

/** The row every comparison may carry besides the spec's methods: the original model before unlearning. */
export const ORIGINAL_ROW = 'Original';

/**
 * Semantic checks (issue 19 item 5): the forgetting setting of the split agrees with the spec's, every method row
 * is one of the spec's methods (or the Original row) in one of its arms and rounds, and no row occurs twice.
 */
function checkAgainstSpec(r: ExperimentResult): void {
  const P = 'result';
  const { spec } = r;
  const fc = r.split.forgetClass;
  if (spec.forget.mode === 'uniform' && fc !== null) {
    throw new Bad(`${P}.split.forgetClass`, `must be null in uniform forgetting (the spec's mode), got ${fc}`);
  }
  if (spec.forget.mode === 'class' && fc === null) {
    throw new Bad(`${P}.split.forgetClass`, 'must name the forgotten class in class forgetting (the spec\'s mode)');
  }
  // a spec without a class draws it from the seed; a spec with one must have forgotten that one
  if (spec.forget.mode === 'class' && spec.forget.class !== null && fc !== spec.forget.class) {
    throw new Bad(`${P}.split.forgetClass`, `must be ${spec.forget.class}, the spec's forget class, got ${fc}`);
  }
  const methods = spec.unlearn.methods as readonly string[];
  const arms = spec.unlearn.arms;
  const seen = new Map<string, number>();
  r.methods.forEach((m, i) => {
    const at = `${P}.methods[${i}]`;
    if ((m.name as string) !== ORIGINAL_ROW) {
      if (!methods.includes(m.name)) {
        throw new Bad(`${at}.name`, `${clipValue(m.name)} is not among the spec's methods (${methods.join(', ')})`);
      }
      if ((m.withDC && arms === 'without') || (!m.withDC && arms === 'with')) {
        throw new Bad(`${at}.withDC`, `${m.withDC} is not in the spec's arms ("${arms}")`);
      }
    }
    if (m.round >= spec.rounds) {
      throw new Bad(`${at}.round`, `must be below the spec's ${spec.rounds} round(s), got ${m.round}`);
    }
    const key = `${m.name}|${m.withDC}|${m.round}`;
    const first = seen.get(key);
    if (first !== undefined) throw new Bad(at, `repeats the row of ${P}.methods[${first}] (same method, arm and round)`);
    seen.set(key, i);
  });
}

/**
 * Parse and check an imported result file's text. Throws a LabError whose message names the path of the problem
 * (and never echoes a long value); the size cap is checked before the text is parsed.
 */
export function parseImportedResult(text: string): ExperimentResult {
  if (typeof text !== 'string') throw new LabError('expected the text of a JSON file', 'result');
  if (text.length > MAX_RESULT_CHARS) {
    throw new LabError(
      `the file is larger than ${MAX_RESULT_CHARS / 2 ** 20} MB, the limit for an imported result ` +
        '(a result without per-example losses is far smaller)',
      'result',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new LabError(`not valid JSON (${clipValue((e as Error).message, 120).slice(1, -1)})`, 'result');
  }
  return checkImportedResult(parsed);
}
