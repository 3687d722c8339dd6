/**
 * Browser persistence used by the worker: an IndexedDB key/value store (pretrained weights, imported datasets)
 * and the Cache API for verified dataset shards. Both degrade to "no cache" when the browser refuses
 * (private mode, opaque origins): caching is an optimisation, never a requirement.
 */
import type { WeightsCache } from '../core';

const DB_NAME = 'unlearning-lab';
const DB_VERSION = 1;
export const STORES = ['weights', 'datasets'] as const;
export type StoreName = (typeof STORES)[number];

let dbPromise: Promise<IDBDatabase | null> | null = null;

function openDb(): Promise<IDBDatabase | null> {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    let req: IDBOpenDBRequest;
    try {
      req = indexedDB.open(DB_NAME, DB_VERSION);
    } catch {
      return resolve(null);
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const s of STORES) if (!db.objectStoreNames.contains(s)) db.createObjectStore(s);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  return dbPromise;
}

export async function idbGet<T>(store: StoreName, key: string): Promise<T | null> {
  const db = await openDb();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const req = db.transaction(store, 'readonly').objectStore(store).get(key);
      req.onsuccess = () => resolve((req.result as T | undefined) ?? null);
      req.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

export async function idbPut(store: StoreName, key: string, value: unknown): Promise<boolean> {
  const db = await openDb();
  if (!db) return false;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(store, 'readwrite');
      tx.objectStore(store).put(value, key);
      tx.oncomplete = () => resolve(true);
      tx.onerror = () => resolve(false);
      tx.onabort = () => resolve(false);
    } catch {
      resolve(false);
    }
  });
}

export async function idbClear(store: StoreName): Promise<void> {
  const db = await openDb();
  if (!db) return;
  await new Promise<void>((resolve) => {
    try {
      const tx = db.transaction(store, 'readwrite');
      tx.objectStore(store).clear();
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
    } catch {
      resolve();
    }
  });
}

/** Pretrained weights in IndexedDB (the session decides the keys: spec hash + dataset + backend-independent). */
export class IdbWeightsCache implements WeightsCache {
  async get(key: string): Promise<Uint8Array | null> {
    const v = await idbGet<ArrayBuffer | Uint8Array>('weights', key);
    if (!v) return null;
    return v instanceof Uint8Array ? v : new Uint8Array(v);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    // store a compact copy (bytes may be a view into a larger buffer)
    await idbPut('weights', key, bytes.slice().buffer);
  }
}

const SHARD_CACHE = 'unlearning-lab-shards-v1';

/** A shard from the Cache API, keyed by URL + its expected SHA-256 (so a re-prepared dataset misses). */
export async function cachedShard(url: string, sha256: string): Promise<Uint8Array | null> {
  if (typeof caches === 'undefined') return null;
  try {
    const cache = await caches.open(SHARD_CACHE);
    const hit = await cache.match(shardKey(url, sha256));
    if (!hit) return null;
    return new Uint8Array(await hit.arrayBuffer());
  } catch {
    return null;
  }
}

export async function storeShard(url: string, sha256: string, bytes: Uint8Array): Promise<void> {
  if (typeof caches === 'undefined') return;
  try {
    const cache = await caches.open(SHARD_CACHE);
    await cache.put(
      shardKey(url, sha256),
      new Response(bytes.slice().buffer, { headers: { 'content-type': 'application/octet-stream' } }),
    );
  } catch {
    /* quota or unsupported: run without cache */
  }
}

function shardKey(url: string, sha256: string): string {
  const u = new URL(url);
  u.searchParams.set('sha256', sha256);
  return u.toString();
}

/** Bytes under any key of the shard cache (partial-load.ts: the image index, records of a shard); null on a miss. */
export async function cachedBytes(key: string): Promise<Uint8Array | null> {
  if (typeof caches === 'undefined') return null;
  try {
    const hit = await (await caches.open(SHARD_CACHE)).match(key);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

export async function storeBytes(key: string, bytes: Uint8Array): Promise<void> {
  if (typeof caches === 'undefined') return;
  try {
    const cache = await caches.open(SHARD_CACHE);
    await cache.put(
      key,
      new Response(bytes.slice().buffer, { headers: { 'content-type': 'application/octet-stream' } }),
    );
  } catch {
    /* quota or unsupported: run without cache */
  }
}
