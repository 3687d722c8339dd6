/**
 * Outputs and options checked before any work (issue 19 items 3 and 5): the output lock, the output paths, the
 * worker cap and the preset lookup. Each case was tried on the code before this change and went through there
 * (no lock existed; `--md` = `--out`, `--out` in public/datasets and `--out` a folder were accepted; `--workers 256`
 * ran on 2 cores; `--preset constructor` ran the default experiment).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../core';
import { acquireOutLock } from './out-lock';
import { checkOutputPaths } from './out-paths';
import { capWorkers } from './parallel-node';

const root = mkdtempSync(join(tmpdir(), 'lab-out-guard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the output lock', () => {
  it('refuses a second writer of one output while the first holds it, and frees it on release', async () => {
    const out = join(root, 'a.json');
    const first = await acquireOutLock(out);
    await expect(acquireOutLock(out)).rejects.toThrow(/another run \(pid \d+.*is writing/);
    await first.release();
    const again = await acquireOutLock(out);
    await again.release();
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it("takes over a dead process's lock with a warning", async () => {
    const out = join(root, 'b.json');
    // a process that has ended: its pid is free (spawnSync waits for it)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const { hostname } = await import('node:os');
    writeFileSync(`${out}.lock`, JSON.stringify({ pid: dead, host: hostname(), startedAt: 'earlier', token: 'x' }));
    const warned: string[] = [];
    const lock = await acquireOutLock(out, (l) => warned.push(l));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(new RegExp(`taking over the lock .*pid ${dead}`));
    await lock.release();
  });

  it('refuses while a live process holds the lock', async () => {
    const out = join(root, 'c.json');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      const { hostname } = await import('node:os');
      writeFileSync(`${out}.lock`, JSON.stringify({ pid: child.pid, host: hostname(), startedAt: 'now', token: 'y' }));
      await expect(acquireOutLock(out)).rejects.toThrow(new RegExp(`pid ${child.pid}`));
    } finally {
      child.kill();
    }
  });
});

describe('output paths are checked before any work', () => {
  const data = join(root, 'datasets');
  mkdirSync(join(data, 'cifar10'), { recursive: true });
  const file = (flag: string, path: string) => ({ flag, path, kind: 'file' as const });

  it('--md equal to --out is refused', async () => {
    const p = join(root, 'r.json');
    await expect(checkOutputPaths([file('--out', p), file('--md', p)], data)).rejects.toThrow(
      /--md: .*r\.json: the same file as --out/,
    );
  });

  it('outputs inside the prepared datasets folder are refused, also through a symlink', async () => {
    await expect(checkOutputPaths([file('--out', join(data, 'cifar10', 'r.json'))], data)).rejects.toThrow(
      /inside the prepared datasets folder/,
    );
    symlinkSync(join(data, 'cifar10'), join(root, 'link'));
    await expect(checkOutputPaths([file('--out', join(root, 'link', 'r.json'))], data)).rejects.toThrow(
      /inside the prepared datasets folder/,
    );
    await expect(
      checkOutputPaths([{ flag: '--resume-dir', path: join(data, 'parts'), kind: 'dir' }], data),
    ).rejects.toThrow(/--resume-dir/);
  });

  it('--out an existing folder, or under a file, is refused; a fresh path is fine', async () => {
    mkdirSync(join(root, 'folder'));
    await expect(checkOutputPaths([file('--out', join(root, 'folder'))], data)).rejects.toThrow(/is a folder/);
    writeFileSync(join(root, 'plain'), 'x');
    await expect(checkOutputPaths([file('--out', join(root, 'plain', 'r.json'))], data)).rejects.toThrow(
      /is a file, not a folder/,
    );
    await expect(
      checkOutputPaths(
        [file('--out', join(root, 'new', 'deep', 'r.json')), file('--md', join(root, 'new', 'deep', 'r.md'))],
        data,
      ),
    ).resolves.toBeUndefined();
  });

  it('the experiment CLI refuses --md = --out at once and writes nothing', { timeout: 60_000 }, () => {
    const dir = join(root, 'cli');
    mkdirSync(dir);
    const out = join(dir, 'r.json');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/experiment.ts', '--preset', 'smoke', '--out', out, '--md', out, '--quiet'],
      { encoding: 'utf8', timeout: 55_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--md: .*the same file as --out/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('options', () => {
  it('--workers above the cores needs --oversubscribe', () => {
    expect(() => capWorkers(16, false, 2)).toThrow(/--workers 16: more than the 2 cores here; add --oversubscribe/);
    expect(capWorkers(16, true, 2)).toBe(16);
    expect(capWorkers(2, false, 2)).toBe(2);
  });

  it('a preset is looked up among own keys only', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => getPreset(name)).toThrow(/unknown preset/);
    }
    expect(getPreset('smoke').spec.dataset).toBe('synthetic');
  });
});
