/** The audit's record store on disk (`<out>/models/<id>.json`), used by `npm run audit` (src/cli/audit.ts). */
import type { AuditRecord, AuditStore } from '../core';
import { writeAtomic } from './node-io';
import { readRegularFileIfExists } from './regular-file';

const MAX_RECORD_BYTES = 64 << 20;

/** Records as `<dir>/<id>.json` = { key, record }: reused only under the same key. */
export function fileAuditStore(dir: string, warn: (l: string) => void): AuditStore {
  return {
    async get(id, key) {
      const path = `${dir}/${id}.json`;
      let buf: Buffer | null;
      try {
        buf = await readRegularFileIfExists(path, MAX_RECORD_BYTES);
      } catch (e) {
        warn(`⚠ ${path}: ${(e as Error).message}; recomputing`);
        return null;
      }
      if (buf === null) return null;
      try {
        const f = JSON.parse(buf.toString('utf8')) as { key?: unknown; record?: AuditRecord };
        if (f.key !== key) {
          warn(`⚠ ${path}: ignored (written for another setting, data or seed); recomputing`);
          return null;
        }
        const r = f.record;
        if (!r || !Array.isArray(r.phi) || !r.phi.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          warn(`⚠ ${path}: ignored (no finite φ list); recomputing`);
          return null;
        }
        return r;
      } catch (e) {
        warn(`⚠ ${path}: unreadable (${(e as Error).message}); recomputing`);
        return null;
      }
    },
    async put(id, key, record) {
      await writeAtomic(`${dir}/${id}.json`, JSON.stringify({ key, record }));
    },
  };
}
