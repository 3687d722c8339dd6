/**
 * The reproduce driver's cell store in Node: one `<out>/cells/<id>.json` per finished cell (`{ spec, seconds,
 * result | rows }`), written atomically as soon as the cell finishes, plus the cell's own report `<id>.md`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { markdownReport } from '../core/lite';
import type { CellStore, StoredCell } from '../core/lite';
import { writeAtomic } from './node-io';

export function fileCellStore(out: string): CellStore {
  const path = (id: string) => `${out}/cells/${id}.json`;
  return {
    async get(cell) {
      const p = path(cell.id);
      if (!existsSync(p)) return null;
      try {
        return JSON.parse(await readFile(p, 'utf8')) as StoredCell;
      } catch (e) {
        console.error(`  ignoring unreadable ${p} (${(e as Error).message})`);
        return null;
      }
    },
    async put(cell, stored) {
      await writeAtomic(path(cell.id), JSON.stringify(stored, null, 2));
      if (stored.result) await writeAtomic(`${out}/cells/${cell.id}.md`, markdownReport(stored.result, cell.title));
    },
  };
}
