/**
 * Reading files the lab did not write itself (dataset shards, manifests, weights-cache entries, resume records):
 * `stat` first and require a regular file within a size cap, so a FIFO never hangs a run and a symlink to
 * `/dev/zero` is never read until memory runs out (issue 19 item 4). Symlinks to regular files stay allowed (a
 * symlinked data folder is a legitimate setup). The file is opened non-blocking and checked again on the open
 * handle, and at most `maxBytes + 1` bytes are read, so a file swapped or grown after the first check is refused too.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { LabError } from '../core';

const n = (x: number) => x.toLocaleString('en-US');

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why `path` may not be read (one line), or null when it is a regular file of at most `maxBytes`. */
export async function regularFileProblem(path: string, maxBytes: number): Promise<string | null> {
  const st = await stat(path);
  if (!st.isFile()) return `is ${kindOf(st)}, not a regular file`;
  if (st.size > maxBytes) return `holds ${n(st.size)} bytes, more than the ${n(maxBytes)} allowed`;
  return null;
}

/**
 * The bytes of `path`, a regular file of at most `maxBytes`; a LabError naming the file otherwise (a missing file
 * keeps Node's ENOENT error, whose `code` callers test).
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const problem = await regularFileProblem(path, maxBytes);
  if (problem) throw new LabError(problem, path);
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new LabError(`is ${kindOf(st)}, not a regular file`, path);
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > maxBytes) throw new LabError(`grew past the ${n(maxBytes)} bytes allowed while being read`, path);
      if (got === buf.length) break;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** `readRegularFile`, or null when the file does not exist. */
export async function readRegularFileIfExists(path: string, maxBytes: number): Promise<Buffer | null> {
  try {
    return await readRegularFile(path, maxBytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
