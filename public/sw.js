// Kubeplay's service worker: after the first visit the page works offline.
// On install it caches the page and every file the page names (Trunk's hashed script,
// wasm, styles, icon, manifest, bundle.json, explain.json); afterwards it answers hashed
// files from the cache first, and the page and its data files (whose names stay the same
// from one build to the next) from the network when there is one.
// All URLs are relative to this file, so the site works from any folder of any host.
const CACHE = 'kubeplay-v1';
// The data files the page fetches by a fixed name.
const DATA = /\/(bundle|explain)\.json$/;

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('./', { cache: 'no-cache' });
  const html = await page.clone().text();
  await cache.put('./', page);
  // Absolute URLs, so no file is listed twice (addAll refuses duplicates).
  const scope = self.registration.scope;
  const assets = new Set(
    ['./sw.js', './bundle.json', './explain.json', './favicon.svg', './manifest.webmanifest'].map((u) => new URL(u, scope).href),
  );
  for (const m of html.matchAll(/(?:href|src)="([^"]+)"/g)) {
    const url = new URL(m[1], scope);
    if (url.origin === self.location.origin) assets.add(url.href);
  }
  // The module script imports its wasm by name: cache the wasm next to the script.
  for (const m of html.matchAll(/['"]([^'"]+\.wasm)['"]/g)) {
    assets.add(new URL(m[1], scope).href);
  }
  await cache.addAll([...assets]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate' || DATA.test(new URL(request.url).pathname)) {
    // The page and its data: fresh when online (a new build), the cached copy when offline.
    const key = request.mode === 'navigate' ? './' : request;
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((c) => c.put(key, copy));
          }
          return response;
        })
        .catch(() => caches.match(key)),
    );
    return;
  }
  // Hashed assets never change under one name: cache first.
  event.respondWith(
    caches.match(request).then(
      (hit) =>
        hit ||
        fetch(request).then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((c) => c.put(request, copy));
          }
          return response;
        }),
    ),
  );
});
