/**
 * A MethodStore on disk (issue 10 item 4): `<dir>/spec.json` names the spec the folder belongs to, and every finished
 * method writes `<dir>/methods/<Method>__<raw|dc>__r<round>.json` as it finishes (atomic write). A resumed run with
 * the same spec reuses them; a different spec clears the folder's method files first (stale results never mix).
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CondenseResult, ExperimentSpec, MethodResult, MethodStore } from '../core';
import { writeAtomic } from './node-io';

const fileOf = (key: string) =>
  key
    .split('|')
    .map((p) => p.replace(/[^A-Za-z0-9-]+/g, '_'))
    .join('__') + '.json';

export class FileMethodStore implements MethodStore {
  private constructor(readonly dir: string) {}

  /** Opens (or creates) the folder for `spec`; `log` hears about reuse and clearing. */
  static async open(
    dir: string,
    spec: ExperimentSpec,
    log: (line: string) => void = () => {},
  ): Promise<FileMethodStore> {
    const specPath = join(dir, 'spec.json');
    const want = JSON.stringify({ ...spec, seeds: 1 });
    let have: string | null = null;
    try {
      have = JSON.stringify({ ...(JSON.parse(await readFile(specPath, 'utf8')) as ExperimentSpec), seeds: 1 });
    } catch {
      have = null;
    }
    if (have !== null && have !== want) {
      log(`  ${dir}: finished methods belong to another spec; clearing them`);
      await rm(join(dir, 'methods'), { recursive: true, force: true });
    }
    await mkdir(join(dir, 'methods'), { recursive: true });
    await writeAtomic(specPath, JSON.stringify(spec, null, 2));
    const done = (await readdir(join(dir, 'methods'))).filter((f) => f.endsWith('.json'));
    if (done.length) log(`  ${dir}: ${done.length} finished result(s) from an earlier sitting will be reused`);
    return new FileMethodStore(dir);
  }

  private async read<T>(key: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'methods', fileOf(key)), 'utf8')) as T;
    } catch {
      return null;
    }
  }
  get(key: string): Promise<MethodResult | null> {
    return this.read<MethodResult>(key);
  }
  async put(key: string, result: MethodResult): Promise<void> {
    await writeAtomic(join(this.dir, 'methods', fileOf(key)), JSON.stringify(result));
  }
  getCondense(key: string): Promise<CondenseResult | null> {
    return this.read<CondenseResult>(key);
  }
  async putCondense(key: string, result: CondenseResult): Promise<void> {
    await writeAtomic(join(this.dir, 'methods', fileOf(key)), JSON.stringify(result));
  }
}
