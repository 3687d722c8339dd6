/**
/**
 * "Clear cached data": the lab's weights and datasets (IndexedDB), the stored runs (their own IndexedDB database,
 * `unlearning-lab-runs`), the audit's records and job (its own IndexedDB database, `unlearning-lab-audit`), dataset
 * shards (Cache API) and reproduce cells / runs kept by earlier versions (localStorage), with how much that freed.
 * Origin usage comes from navigator.storage.estimate() before and after (IndexedDB + Cache API); localStorage is not
 * part of that estimate, so its cleared characters are added (UTF-16, 2 bytes each). The page's live session keeps
 * what it has already loaded (the runs list is emptied by its caller, `forgetAllRuns`).
 */
import { AUDIT_DB } from '../worker/protocol';
import { RUNS_DB_NAME } from './store/runs-db';

/**
 * the lab's IndexedDB databases (src/worker/storage.ts; the runs list, src/app/store/runs-db.ts; the audit's,
 * protocol.ts) and Cache API names
 */
const DB_NAMES = ['unlearning-lab', RUNS_DB_NAME, AUDIT_DB.name];
const CACHE_PREFIX = 'unlearning-lab';
const LOCAL_PREFIX = 'unlearning-lab.';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/**
 * Empty every object store of one of the lab's databases (a worker's open connection does not block this; an audit
 * running meanwhile keeps running and stores what it finishes from then on).
 */
async function clearIndexedDb(name: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  const open = indexedDB.open(name);
  // never create the database just to clear it: abort a first-time upgrade
  open.onupgradeneeded = () => open.transaction?.abort();
  let db: IDBDatabase;
  try {
    db = await request(open);
  } catch {
    return;
  }
  try {
    const names = Array.from(db.objectStoreNames);
    if (!names.length) return;
    const tx = db.transaction(names, 'readwrite');
    for (const n of names) tx.objectStore(n).clear();
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function clearLabStorage(): Promise<void> {
  for (const name of DB_NAMES) await clearIndexedDb(name);
  if (typeof caches === 'undefined') return;
  try {
    for (const name of await caches.keys()) if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
  } catch {
    /* unsupported: nothing stored there */
  }
}

export interface ClearReport {
  /** bytes freed, or null when the browser gives no usage estimate */
  freedBytes: number | null;
  localKeys: number;
}

async function usage(): Promise<number | null> {
  try {
    const e = await globalThis.navigator?.storage?.estimate?.();
    return typeof e?.usage === 'number' ? e.usage : null;
  } catch {
    return null;
  }
}

function clearLocal(): { keys: number; bytes: number } {
  const ls = globalThis.localStorage;
  if (!ls) return { keys: 0, bytes: 0 };
  const keys: string[] = [];
  for (let i = 0; i < ls.length; i++) {
    const k = ls.key(i);
    if (k && k.startsWith(LOCAL_PREFIX)) keys.push(k);
  }
  let bytes = 0;
  for (const k of keys) {
    bytes += 2 * (k.length + (ls.getItem(k)?.length ?? 0));
    ls.removeItem(k);
  }
  return { keys: keys.length, bytes };
}

export async function clearLabData(): Promise<ClearReport> {
  const before = await usage();
  await clearLabStorage();
  const local = clearLocal();
  const after = await usage();
  const stored = before !== null && after !== null ? Math.max(0, before - after) : null;
  return { freedBytes: stored === null ? local.bytes || null : stored + local.bytes, localKeys: local.keys };
}
