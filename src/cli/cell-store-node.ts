/**
 * The reproduce driver's cell store in Node: one `<out>/cells/<id>.json` per finished cell (`{ spec, seconds,
 * result | rows }`), written atomically as soon as the cell finishes, plus the cell's own report `<id>.md`.
 */
import { checkImportedResult, markdownReport, MAX_RESULT_CHARS } from '../core/lite';
import type { CellStore, StoredCell } from '../core/lite';
import { writeAtomic } from './node-io';
import { readRegularFileIfExists } from './regular-file';

/**
 * A stored cell is reused only when it is a regular file within the result size cap, parses, and its `result`
 * passes the result schema (issue 19 item 3); anything else is ignored with one line naming the file, and rerun.
 * The driver then reuses it only when its `spec` equals the cell's.
 */
export function fileCellStore(out: string, warn: (line: string) => void = (l) => console.error(l)): CellStore {
  const path = (id: string) => `${out}/cells/${id}.json`;
  return {
    async get(cell) {
      const p = path(cell.id);
      try {
        const bytes = await readRegularFileIfExists(p, MAX_RESULT_CHARS);
        if (bytes === null) return null;
        const stored = JSON.parse(bytes.toString('utf8')) as unknown;
        if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new Error('not an object');
        const s = stored as StoredCell;
        if (s.result === undefined && !Array.isArray(s.rows)) throw new Error('holds neither a result nor rows');
        if (s.result !== undefined) s.result = checkImportedResult(s.result);
        return s;
      } catch (e) {
        warn(`  ⚠ ${p}: ignored (${(e as Error).message.slice(0, 300)}); rerunning the cell`);
        return null;
      }
    },
    async put(cell, stored) {
      await writeAtomic(path(cell.id), JSON.stringify(stored, null, 2));
      if (stored.result) await writeAtomic(`${out}/cells/${cell.id}.md`, markdownReport(stored.result, cell.title));
    },
  };
}
