/**
 * The page's audit record store (docs/audit.md "On the page"): the core's `AuditStore` over IndexedDB, in the
 * audit's own database (`unlearning-lab-audit`, protocol.ts AUDIT_DB) through the `idb` package. Every finished
 * (model, method) record is one `put` of { key, record } under its id — one transaction, so a record is either all
 * there or absent (a cancelled job leaves no half-written record) — and is reused only under the same key with a
 * finite φ list of the pool's length, as the CLI's file store does (src/cli/audit-store.ts). When the browser
 * refuses IndexedDB (private mode, opaque origins) the job still runs, keeping its records in memory only.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AuditRecord, AuditStore } from '../core';
import { AUDIT_DB } from './protocol';

/** One stored record: the key of what produced it, the record, and when it was written. */
export interface StoredAuditRecord {
  key: string;
  record: AuditRecord;
  savedAt: number;
}

interface AuditDbSchema extends DBSchema {
  records: { key: string; value: StoredAuditRecord };
  jobs: { key: string; value: unknown };
}

/** What the store needs of the database (idb's IDBPDatabase has it; tests pass a Map-backed fake). */
export interface AuditRecordsDb {
  get(id: string): Promise<StoredAuditRecord | undefined>;
  put(id: string, value: StoredAuditRecord): Promise<void>;
  count(): Promise<number>;
}

/** Opens the audit database (creating its stores on first use); null when the browser refuses IndexedDB. */
export async function openAuditRecordsDb(): Promise<AuditRecordsDb | null> {
  if (typeof indexedDB === 'undefined') return null;
  let db: IDBPDatabase<AuditDbSchema>;
  try {
    db = await openDB<AuditDbSchema>(AUDIT_DB.name, AUDIT_DB.version, {
      upgrade(d) {
        for (const s of AUDIT_DB.stores) if (!d.objectStoreNames.contains(s)) d.createObjectStore(s);
      },
    });
  } catch {
    return null;
  }
  return {
    get: (id) => db.get('records', id),
    put: async (id, value) => {
      await db.put('records', value, id);
    },
    count: () => db.count('records'),
  };
}

/** A finite φ list (of `n` values when `n` is given). */
function finitePhi(r: unknown, n?: number): r is AuditRecord {
  const phi = (r as { phi?: unknown } | null)?.phi;
  return (
    Array.isArray(phi) &&
    (n === undefined || phi.length === n) &&
    phi.every((x) => typeof x === 'number' && Number.isFinite(x))
  );
}

export class IdbAuditStore implements AuditStore {
  /** records written by this store (the job's "computed" count) */
  written = 0;
  private readonly memory = new Map<string, StoredAuditRecord>();

  /**
   * @param db the database, or null to keep records in memory only (the browser refused IndexedDB)
   * @param warn told about a stored record that is ignored (written for another setting, or unreadable)
   */
  constructor(
    private readonly db: AuditRecordsDb | null,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Whether records outlive the page (false: IndexedDB refused, memory only). */
  get persistent(): boolean {
    return this.db !== null;
  }

  async get(id: string, key: string): Promise<AuditRecord | null> {
    let v: StoredAuditRecord | undefined;
    try {
      v = this.db ? await this.db.get(id) : this.memory.get(id);
    } catch (e) {
      this.warn(`audit record ${id}: unreadable (${(e as Error).message}); recomputing`);
      return null;
    }
    if (!v) return null;
    if (v.key !== key) return null; // another setting, data or seed: recomputed (and replaced) quietly
    if (!finitePhi(v.record)) {
      this.warn(`audit record ${id}: ignored (no finite φ list); recomputing`);
      return null;
    }
    return v.record;
  }

  async put(id: string, key: string, record: AuditRecord): Promise<void> {
    if (!finitePhi(record)) throw new Error(`audit record ${id}: refusing to store a non-finite φ list`);
    const value: StoredAuditRecord = { key, record, savedAt: Date.now() };
    if (this.db) await this.db.put(id, value);
    else this.memory.set(id, value);
    this.written++;
  }
}
