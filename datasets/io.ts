/**
 * Node-side helpers of the dataset pipeline: atomic folder replacement, hashing and downloads.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LabError } from '../src/core/lite';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Tidy up after an interrupted earlier run: restore `<id>` from a leftover `.<id>.old-*` when the swap was cut
 * between its two renames, and delete temp folders of processes that no longer run.
 */
export async function recoverLeftovers(outRoot: string, id: string): Promise<void> {
  if (!existsSync(outRoot)) return;
  const target = join(outRoot, id);
  for (const name of await readdir(outRoot)) {
    const m = new RegExp(`^\\.${id}\\.(tmp|old)-(\\d+)-`).exec(name);
    if (!m || alive(Number(m[2]))) continue;
    const p = join(outRoot, name);
    if (m[1] === 'old' && !existsSync(target)) await rename(p, target);
    else await rm(p, { recursive: true, force: true });
  }
}

export interface AtomicWriter {
  /** the temporary folder being filled */
  dir: string;
  write(file: string, bytes: Uint8Array | string): Promise<void>;
  /** replace `<outRoot>/<id>` with the temporary folder */
  commit(): Promise<void>;
  /** delete the temporary folder (after a failure) */
  abort(): Promise<void>;
}

/**
 * Start writing `<outRoot>/<id>` atomically: files go to a temporary sibling folder; `commit` swaps it in by
 * rename, and only then removes the old folder. A failure before `commit` leaves the previous data untouched.
 */
export async function atomicDir(outRoot: string, id: string): Promise<AtomicWriter> {
  await mkdir(outRoot, { recursive: true });
  await recoverLeftovers(outRoot, id);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const dir = join(outRoot, `.${id}.tmp-${tag}`);
  const target = join(outRoot, id);
  await mkdir(dir);
  return {
    dir,
    async write(file, bytes) {
      if (!/^[\w.-]+$/.test(file)) throw new LabError(`refusing to write odd file name ${JSON.stringify(file)}`, dir);
      await writeFile(join(dir, file), bytes);
    },
    async commit() {
      let old: string | null = null;
      if (existsSync(target)) {
        old = join(outRoot, `.${id}.old-${tag}`);
        await rename(target, old);
      }
      try {
        await rename(dir, target);
      } catch (e) {
        if (old) await rename(old, target);
        throw e;
      }
      if (old) await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function md5File(path: string): Promise<string> {
  const h = createHash('md5');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/**
 * Download `url` to `dest` (via `dest.part`, renamed when complete), checking the MD5 when given.
 * Reuses an existing `dest` with the right MD5.
 */
export async function download(
  url: string,
  dest: string,
  expectMd5: string | null,
  log: (s: string) => void,
  hint = 'give a local copy instead',
): Promise<void> {
  if (existsSync(dest) && expectMd5 && (await md5File(dest)) === expectMd5) {
    log(`using cached download ${dest}`);
    return;
  }
  await mkdir(dirname(dest), { recursive: true });
  log(`downloading ${url} …`);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { message?: string; code?: string } }).cause;
    throw new LabError(
      `download failed (${cause?.code ?? cause?.message ?? (e as Error).message})); without network, ${hint}`,
      url,
    );
  }
  if (!res.ok || !res.body) throw new LabError(`download failed: HTTP ${res.status} ${res.statusText}`, url);
  const part = `${dest}.part`;
  const h = createHash('md5');
  const total = Number(res.headers.get('content-length')) || 0;
  let got = 0,
    lastPct = -10;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => {
    h.update(c);
    got += c.length;
    const pct = total ? Math.floor((100 * got) / total) : -1;
    if (pct >= lastPct + 10) {
      lastPct = pct;
      log(`  ${pct}% of ${(total / 1e6).toFixed(0)} MB`);
    }
  });
  try {
    await pipeline(body, createWriteStream(part));
  } catch (e) {
    await rm(part, { force: true });
    throw new LabError(`download interrupted after ${got} bytes (${(e as Error).message})`, url);
  }
  const sum = h.digest('hex');
  if (expectMd5 && sum !== expectMd5) {
    await rm(part, { force: true });
    throw new LabError(`downloaded file has MD5 ${sum}, expected ${expectMd5}; not using it`, url);
  }
  await rename(part, dest);
}
