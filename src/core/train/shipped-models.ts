/**
 * Shipped original models (issue 14 item 3): pretrained weights that travel with the static site
 * (`public/models/`), so a first visit with the default settings does not spend a minute and a half pretraining.
 *
 * A shipped model is an ordinary sealed weights-cache entry (weights-cache.ts: the envelope names the exact key,
 * which covers the configuration and a fingerprint of the very training images and labels) written by
 * `npm run ship-model` with ONE training worker, listed in `models/manifest.json` with its SHA-256. The session
 * looks it up under the key its spec would have with one worker — whatever its own worker count — so every run of
 * a matching spec (page or CLI, any number of workers, any cache state) starts from the same original model, and
 * the result records that it did (`pretrain.source: 'shipped'`, the file and its SHA-256). A dataset whose pixels
 * differ (another CIFAR-10 preparation) has another fingerprint, so its key finds nothing: the model is trained
 * as usual. A file whose SHA-256 or length differs from the manifest is refused with the reason. tfjs-free.
 */
import { LabError } from '../types';
import { sha256Hex } from '../data/formats';

export const SHIPPED_MANIFEST_VERSION = 1;
export const SHIPPED_MANIFEST = 'manifest.json';

export interface ShippedModelEntry {
  /** file name inside the models folder */
  file: string;
  /** the exact weights-cache key the entry was sealed for (one training worker) */
  key: string;
  sha256: string;
  bytes: number;
  preset: string;
  seed: number;
  /** how it was built (a command line), for the README and the result's log */
  command: string;
  createdAt: string;
}

export interface ShippedManifest {
  v: number;
  models: ShippedModelEntry[];
}

export interface ShippedModel {
  entry: ShippedModelEntry;
  /** the sealed envelope, its length and SHA-256 checked against the manifest */
  bytes: Uint8Array;
}

/** Read-only source of shipped original models. */
export interface ShippedModels {
  /** the entry sealed for `key`, checked; null when none matches; a LabError when one matches but is corrupt */
  find(key: string): Promise<ShippedModel | null>;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

/** Parse and check a manifest; a LabError names the field and the place. */
export function parseShippedManifest(text: string, where: string): ShippedManifest {
  const fail = (m: string) => new LabError(m, where);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('expected an object');
  const o = raw as Record<string, unknown>;
  if (o.v !== SHIPPED_MANIFEST_VERSION) throw fail(`manifest version ${String(o.v)}, expected 1`);
  if (!Array.isArray(o.models)) throw fail('"models" must be an array');
  const models = o.models.map((m, i): ShippedModelEntry => {
    const at = `models[${i}]`;
    if (typeof m !== 'object' || m === null) throw fail(`${at}: expected an object`);
    const e = m as Record<string, unknown>;
    const str = (k: string) => {
      if (typeof e[k] !== 'string' || e[k] === '') throw fail(`${at}.${k}: expected a non-empty string`);
      return e[k];
    };
    const file = str('file');
    if (!FILE_NAME.test(file)) throw fail(`${at}.file: "${file}" is not a plain file name`);
    const sha256 = str('sha256');
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw fail(`${at}.sha256: expected 64 lower-case hex digits`);
    const bytes = e.bytes;
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes <= 0 || bytes > 256 * 1024 * 1024)
      throw fail(`${at}.bytes: expected a positive integer (≤ 256 MiB)`);
    const seed = e.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw fail(`${at}.seed: expected an integer`);
    return {
      file,
      key: str('key'),
      sha256,
      bytes,
      preset: str('preset'),
      seed,
      command: str('command'),
      createdAt: str('createdAt'),
    };
  });
  return { v: SHIPPED_MANIFEST_VERSION, models };
}

/**
 * Shipped models read through two functions (files in Node, fetch in the worker): `readText(name)` /
 * `readBytes(name)` return null when the file does not exist. The manifest is read once.
 */
export function shippedModels(io: {
  where: string;
  readText(name: string): Promise<string | null>;
  readBytes(name: string): Promise<Uint8Array | null>;
}): ShippedModels {
  let manifest: Promise<ShippedManifest | null> | null = null;
  const load = () =>
    (manifest ??= io
      .readText(SHIPPED_MANIFEST)
      .then((t) => (t === null ? null : parseShippedManifest(t, `${io.where}/${SHIPPED_MANIFEST}`))));
  return {
    async find(key) {
      const m = await load();
      const entry = m?.models.find((e) => e.key === key);
      if (!entry) return null;
      const where = `${io.where}/${entry.file}`;
      const bytes = await io.readBytes(entry.file);
      if (bytes === null) throw new LabError('listed in the manifest but missing', where);
      if (bytes.length !== entry.bytes)
        throw new LabError(`${bytes.length} bytes, the manifest says ${entry.bytes} (truncated?)`, where);
      const got = await sha256Hex(bytes);
      if (got !== entry.sha256)
        throw new LabError(`SHA-256 ${got.slice(0, 12)}…, the manifest says ${entry.sha256.slice(0, 12)}…`, where);
      return { entry, bytes };
    },
  };
}
