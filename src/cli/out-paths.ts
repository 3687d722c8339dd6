/**
 * Output paths are checked before any work (issue 19 item 5): a run that would end by failing to write its
 * result, or by writing it over another output or over prepared data, is refused at once with one line naming
 * the flag. Rules: no two outputs are the same file; an output file is not an existing folder or special file and
 * its parent is a folder (or does not exist yet) that can be written; a resume folder is not an existing file; no
 * output lies inside the prepared datasets folder (symlinks resolved).
 */
import { constants, realpathSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, relative, resolve, isAbsolute, basename, join } from 'node:path';
import { LabError } from '../core';
import { DEFAULT_DATASET_DIR } from './dataset-node';

export interface OutputPath {
  /** the flag it came from, e.g. '--md' (named in the error) */
  flag: string;
  path: string;
  /** 'file' (written at the end) or 'dir' (a folder the run writes into) */
  kind: 'file' | 'dir';
}

/** The real path of `p`: its nearest existing ancestor resolved through symlinks, the rest appended. */
export function realish(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(p);
      tail.push(basename(head));
      head = up;
    }
  }
}

const inside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Throws a LabError naming the first bad output; `dataDir` is the prepared datasets folder (default public/datasets). */
export async function checkOutputPaths(outs: OutputPath[], dataDir = DEFAULT_DATASET_DIR): Promise<void> {
  const data = realish(dataDir);
  const seen = new Map<string, string>();
  for (const o of outs) {
    const real = realish(o.path);
    const bad = (msg: string) => new LabError(`${o.path}: ${msg}`, o.flag);
    const other = seen.get(real);
    if (other) throw bad(`the same file as ${other}; give each output its own path`);
    seen.set(real, o.flag);
    if (inside(real, data)) throw bad(`inside the prepared datasets folder (${dataDir}); write results elsewhere`);
    const st = statOrNull(real);
    if (o.kind === 'file' && st && !st.isFile()) {
      throw bad(st.isDirectory() ? 'is a folder; give a file name' : 'exists and is not a regular file');
    }
    if (o.kind === 'dir' && st && !st.isDirectory()) throw bad('exists and is not a folder');
    // the nearest existing ancestor must be a folder we may write into
    let up = o.kind === 'dir' && st ? real : dirname(real);
    let ust = statOrNull(up);
    while (!ust) {
      up = dirname(up);
      ust = statOrNull(up);
    }
    if (!ust.isDirectory()) throw bad(`${up} is a file, not a folder`);
    try {
      await access(up, constants.W_OK);
    } catch {
      throw bad(`cannot write in ${up}`);
    }
  }
}
