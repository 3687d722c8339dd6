/**
 * One writer per output (issue 19 item 3): `<path>.lock` holds `{pid, host, startedAt}` of the run writing
 * `<path>`. A second run for the same path is refused with one line; a lock left by a process that no longer runs
 * (on this host) is taken over with a warning. Released when the run ends (the lock file is removed only while it
 * is still this run's own).
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LabError } from '../core';
import { regularFileProblem } from './regular-file';

interface LockBody {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

/** True when process `pid` runs on this host (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OutLock {
  path: string;
  release(): Promise<void>;
}

/**
 * Take the lock of `target` (a file or folder the run will write), or throw a LabError naming the run that holds
 * it. `warn` hears about a stale lock taken over.
 */
export async function acquireOutLock(target: string, warn: (line: string) => void = () => {}): Promise<OutLock> {
  const path = `${resolve(target)}.lock`;
  await mkdir(dirname(path), { recursive: true });
  const body: LockBody = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(body));
      } finally {
        await fh.close();
      }
      return {
        path,
        async release() {
          const now = await readFile(path, 'utf8').catch(() => '');
          if (now.includes(body.token)) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const problem = await regularFileProblem(path, 4096).catch(() => null);
    if (problem) throw new LabError(`the lock ${problem}; remove it by hand`, path);
    let held: Partial<LockBody> = {};
    try {
      held = JSON.parse(await readFile(path, 'utf8')) as Partial<LockBody>;
    } catch {
      held = {};
    }
    const pid = typeof held.pid === 'number' && Number.isInteger(held.pid) && held.pid > 0 ? held.pid : null;
    if (pid !== null && held.host !== undefined && held.host !== hostname()) {
      throw new LabError(
        `another run (pid ${pid} on ${String(held.host)}, since ${String(held.startedAt)}) is writing ${target}; ` +
          'use another output, or delete the lock if that run is gone',
        path,
      );
    }
    if (pid !== null && processAlive(pid)) {
      throw new LabError(
        `another run (pid ${pid}, since ${String(held.startedAt)}) is writing ${target}; wait for it or use another output`,
        path,
      );
    }
    warn(
      `⚠ ${path}: taking over the lock of a run that no longer runs (${pid === null ? 'unreadable lock' : `pid ${pid}`})`,
    );
    await rm(path, { force: true });
  }
  throw new LabError(`could not take the lock (another run took it at the same moment)`, path);
}
