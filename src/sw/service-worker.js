/*
 * Unlearning Lab service worker: the page works offline after a first visit.
 *
 * Generated into dist/sw.js by src/sw/plugin.ts, which replaces the two placeholders below with the build's
 * version (a hash of the precached files) and the list of files to precache: every file of the build (HTML, JS,
 * CSS, the tfjs .wasm binaries, icons) and the prepared datasets' manifest.json files — not their shards.
 *
 * - Navigations and dataset manifests: network first (a fresh build or a re-prepared dataset is seen at once),
 *   the cached copy when offline.
 * - Other same-origin files: cache first (their names carry a content hash), fetched and cached on a miss.
 * - Dataset shards and image indexes (datasets/<id>/*.bin) pass through untouched, Range requests included: the lab
 *   worker keeps everything it verified (whole shards, the images fetched of a shard, the index; SHA-256 or per-image
 *   hashes) in its own Cache API store (src/worker/storage.ts, partial-load.ts) and reads that before fetching, so
 *   caching them here too would store them twice.
 *
 * Lookups ignore Vary: vite preview (and many hosts) send `Vary: Origin`, and the page's module scripts carry an
 * Origin header that the precache requests did not.
 *
 * Plain JavaScript on purpose: it is copied, not bundled, and must not import anything.
 */
const VERSION = '__LAB_SW_VERSION__';
const PRECACHE = /* __LAB_SW_PRECACHE__ */ [];
const APP_CACHE = `lab-app-${VERSION}`;
const PREFIX = 'lab-app-';

const scope = () => self.registration.scope;
const inScope = (url) => url.startsWith(scope());
const rel = (url) => url.slice(scope().length).split(/[?#]/)[0];
const isShard = (path) => /^datasets\/[^/]+\/[^/]+\.bin$/.test(path);
const isManifest = (path) => /^datasets\/[^/]+\/manifest\.json$/.test(path);
const isHtml = (res) => (res.headers.get('content-type') ?? '').includes('text/html');

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(APP_CACHE);
      // cache: 'reload' bypasses the HTTP cache so the precache holds exactly this build's bytes
      await cache.addAll(PRECACHE.map((p) => new Request(new URL(p, scope()), { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== APP_CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, fallbackKey, keep) {
  const cache = await caches.open(APP_CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && keep(res)) await cache.put(fallbackKey, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(fallbackKey, { ignoreSearch: true, ignoreVary: true });
    if (hit) return hit;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(APP_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.type === 'basic') await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !inScope(request.url)) return;
  const path = rel(request.url);
  if (isShard(path)) return;
  if (request.mode === 'navigate' || path === '' || path === 'index.html') {
    event.respondWith(networkFirst(request, new URL('index.html', scope()).toString(), isHtml));
  } else if (isManifest(path)) {
    // a static server's SPA fallback answers a missing manifest with index.html: never cache that as a manifest
    event.respondWith(networkFirst(request, new URL(path, scope()).toString(), (res) => !isHtml(res)));
  } else {
    event.respondWith(cacheFirst(request));
  }
});
