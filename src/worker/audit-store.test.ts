/** The page's audit record store: reused only under the same key with a finite φ list; writes are whole or absent. */
import { describe, expect, it } from 'vitest';
import { IdbAuditStore, type AuditRecordsDb, type StoredAuditRecord } from './audit-store';

/** The database as a Map, with a switch that makes the next put fail (a refused transaction). */
function fakeDb() {
  const map = new Map<string, StoredAuditRecord>();
  let failNext = false;
  const db: AuditRecordsDb = {
    get: async (id) => structuredClone(map.get(id)),
    put: async (id, value) => {
      if (failNext) {
        failNext = false;
        throw new Error('QuotaExceededError');
      }
      map.set(id, structuredClone(value));
    },
    count: async () => map.size,
  };
  return { db, map, failNext: () => (failNext = true) };
}

const record = { phi: [0.5, -1.25, 3], trainSeconds: 2, methodSeconds: 1 };

describe('IdbAuditStore', () => {
  it('round-trips a record under its key and ignores it under another', async () => {
    const { db, map } = fakeDb();
    const store = new IdbAuditStore(db);
    expect(store.persistent).toBe(true);
    expect(await store.get('shadow0-Original', 'k1')).toBeNull();
    await store.put('shadow0-Original', 'k1', record);
    expect(store.written).toBe(1);
    expect(await store.get('shadow0-Original', 'k1')).toEqual(record);
    expect(map.get('shadow0-Original')?.key).toBe('k1');
    expect(await store.get('shadow0-Original', 'k2')).toBeNull();
    // a second store over the same database (a reload) finds it
    expect(await new IdbAuditStore(db).get('shadow0-Original', 'k1')).toEqual(record);
  });

  it('refuses a stored record without a finite φ list, with one warning, and never stores one', async () => {
    const { db, map } = fakeDb();
    const warnings: string[] = [];
    const store = new IdbAuditStore(db, (m) => warnings.push(m));
    map.set('a', { key: 'k', record: { ...record, phi: [1, NaN] }, savedAt: 0 });
    map.set('b', { key: 'k', record: { trainSeconds: 1 } as never, savedAt: 0 });
    expect(await store.get('a', 'k')).toBeNull();
    expect(await store.get('b', 'k')).toBeNull();
    expect(warnings).toEqual([
      'audit record a: ignored (no finite φ list); recomputing',
      'audit record b: ignored (no finite φ list); recomputing',
    ]);
    await expect(store.put('c', 'k', { ...record, phi: [Infinity] })).rejects.toThrow(/non-finite/);
    expect(map.has('c')).toBe(false);
    expect(store.written).toBe(0);
  });

  it('a failed write leaves nothing behind and is reported to the job', async () => {
    const { db, map, failNext } = fakeDb();
    const store = new IdbAuditStore(db);
    failNext();
    await expect(store.put('x', 'k', record)).rejects.toThrow(/Quota/);
    expect(map.has('x')).toBe(false);
    expect(store.written).toBe(0);
    await store.put('x', 'k', record);
    expect(await store.get('x', 'k')).toEqual(record);
  });

  it('keeps records in memory when the browser refuses IndexedDB', async () => {
    const store = new IdbAuditStore(null);
    expect(store.persistent).toBe(false);
    await store.put('x', 'k', record);
    expect(await store.get('x', 'k')).toEqual(record);
    expect(await store.get('x', 'other')).toBeNull();
  });
});
