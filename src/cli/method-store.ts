/**
 * A MethodStore on disk (issue 10 item 4, issue 19 item 3): `<dir>/spec.json` names the spec the folder belongs
 * to, and every finished method writes `<dir>/methods/<Method>__<raw|dc>__r<round>.json` as it finishes (atomic
 * write) as `{ stamp, result }`. The stamp (contracts.ts `StoreStamp`: spec fingerprint, seed, arm, round, method
 * name, training-data fingerprint) ties the file to the run that wrote it. A record is reused only when it is a
 * regular file within the size cap, its stamp equals the resuming run's, and its result passes the result schema;
 * anything else is ignored with one warning line naming the file, and the method is recomputed. A different spec
 * clears the folder's method files first. Two runs never share a folder at once: the CLI locks it (out-lock.ts).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCondenseResult, checkMethodResult, stampMismatch } from '../core';
import type { CondenseResult, ExperimentSpec, MethodResult, MethodStore, StoreStamp } from '../core';
import { writeAtomic } from './node-io';
import { readRegularFileIfExists } from './regular-file';

/** A stored record larger than this is not read (a full-scale result with per-example losses is a few MB). */
export const MAX_STORED_RECORD_BYTES = 256 * 1024 * 1024;

const fileOf = (key: string) =>
  key
    .split('|')
    .map((p) => p.replace(/[^A-Za-z0-9-]+/g, '_'))
    .join('__') + '.json';

export class FileMethodStore implements MethodStore {
  private constructor(
    readonly dir: string,
    private readonly log: (line: string) => void,
    private readonly maxBytes: number,
  ) {}

  /** Opens (or creates) the folder for `spec`; `log` hears about reuse, clearing and ignored files. */
  static async open(
    dir: string,
    spec: ExperimentSpec,
    log: (line: string) => void = () => {},
    opts: { maxBytes?: number } = {},
  ): Promise<FileMethodStore> {
    const maxBytes = opts.maxBytes ?? MAX_STORED_RECORD_BYTES;
    const specPath = join(dir, 'spec.json');
    const want = JSON.stringify({ ...spec, seeds: 1 });
    let have: string | null = null;
    try {
      const bytes = await readRegularFileIfExists(specPath, 1 << 20);
      have = bytes === null ? null : JSON.stringify({ ...(JSON.parse(bytes.toString('utf8')) as object), seeds: 1 });
    } catch (e) {
      log(`  ⚠ ${specPath}: ignored (${(e as Error).message}); its method files are cleared`);
      have = '';
    }
    if (have !== null && have !== want) {
      log(`  ${dir}: finished methods belong to another spec; clearing them`);
      await rm(join(dir, 'methods'), { recursive: true, force: true });
    }
    await mkdir(join(dir, 'methods'), { recursive: true });
    await writeAtomic(specPath, JSON.stringify(spec, null, 2));
    const done = (await readdir(join(dir, 'methods'))).filter((f) => f.endsWith('.json'));
    if (done.length) log(`  ${dir}: ${done.length} result file(s) from an earlier sitting, reused once checked`);
    return new FileMethodStore(dir, log, maxBytes);
  }

  private async read<T>(key: string, stamp: StoreStamp, check: (x: unknown, path: string) => T): Promise<T | null> {
    const path = join(this.dir, 'methods', fileOf(key));
    const ignore = (why: string) => {
      this.log(`  ⚠ ${path}: ignored (${why}); recomputing`);
      return null;
    };
    let bytes: Buffer | null;
    try {
      bytes = await readRegularFileIfExists(path, this.maxBytes);
    } catch (e) {
      return ignore((e as Error).message);
    }
    if (bytes === null) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      return ignore(`not valid JSON: ${(e as Error).message.slice(0, 120)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || !('stamp' in parsed) || !('result' in parsed)) {
      return ignore('no stamp: written by an older version or by hand');
    }
    const { stamp: got, result } = parsed as { stamp: unknown; result: unknown };
    const differs = stampMismatch(stamp, got);
    if (differs) return ignore(`written by another run: its ${differs === 'no stamp' ? 'stamp' : differs} differs`);
    try {
      return check(result, 'result');
    } catch (e) {
      return ignore(`fails the result schema: ${(e as Error).message}`);
    }
  }

  async get(key: string, stamp: StoreStamp): Promise<MethodResult | null> {
    const r = await this.read(key, stamp, checkMethodResult);
    if (!r) return null;
    if (r.name !== stamp.method || (r.withDC ? 'dc' : 'raw') !== stamp.arm || r.round !== stamp.round) {
      this.log(`  ⚠ ${join(this.dir, 'methods', fileOf(key))}: ignored (holds another method's result); recomputing`);
      return null;
    }
    return r;
  }
  async put(key: string, result: MethodResult, stamp: StoreStamp): Promise<void> {
    await writeAtomic(join(this.dir, 'methods', fileOf(key)), JSON.stringify({ stamp, result }));
  }
  async getCondense(key: string, stamp: StoreStamp): Promise<CondenseResult | null> {
    const r = await this.read(key, stamp, checkCondenseResult);
    if (r && r.round !== stamp.round) {
      this.log(`  ⚠ ${join(this.dir, 'methods', fileOf(key))}: ignored (another round's record); recomputing`);
      return null;
    }
    return r;
  }
  async putCondense(key: string, result: CondenseResult, stamp: StoreStamp): Promise<void> {
    await writeAtomic(join(this.dir, 'methods', fileOf(key)), JSON.stringify({ stamp, result }));
  }
}
