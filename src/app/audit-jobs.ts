/**
 * The page's current audit job, kept in the browser (the `jobs` store of the audit database, protocol.ts AUDIT_DB)
 * so that a reload finds it: a job that was running is started again and resumes from the records the worker
 * stored; a finished one shows its result at once. One job at a time (key `current`). When the browser refuses
 * IndexedDB the job lives in memory only (a reload forgets it) and `persistent` says so.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { AUDIT_DB, type AuditJob, type AuditJobResult } from '../worker/protocol';

export interface SavedAudit {
  job: AuditJob;
  state: 'running' | 'done' | 'stopped' | 'failed';
  /** ms since the epoch */
  startedAt: number;
  updatedAt: number;
  /** why it stopped or failed */
  message?: string;
  /** the finished job's result (state 'done') */
  result?: AuditJobResult;
}

export interface AuditJobsStore {
  persistent: boolean;
  get(): Promise<SavedAudit | null>;
  put(s: SavedAudit): Promise<void>;
}

const KEY = 'current';

/** The jobs store over IndexedDB, or in memory when the browser refuses it. */
export async function openAuditJobs(): Promise<AuditJobsStore> {
  let db: IDBPDatabase | null = null;
  if (typeof indexedDB !== 'undefined') {
    try {
      db = await openDB(AUDIT_DB.name, AUDIT_DB.version, {
        upgrade(d) {
          for (const s of AUDIT_DB.stores) if (!d.objectStoreNames.contains(s)) d.createObjectStore(s);
        },
      });
    } catch {
      db = null;
    }
  }
  if (!db) {
    let mem: SavedAudit | null = null;
    return {
      persistent: false,
      get: async () => mem,
      put: async (s) => void (mem = s),
    };
  }
  const d = db;
  return {
    persistent: true,
    get: async () => ((await d.get('jobs', KEY)) as SavedAudit | undefined) ?? null,
    put: async (s) => void (await d.put('jobs', s, KEY)),
  };
}
