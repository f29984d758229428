// The service worker: keeps the app shell (the page, its scripts, styles and icon)
// in a cache so the app opens without a connection. Network first: online, every
// file comes fresh from the hub (and refreshes the cache); offline, from the cache.
// API calls and the event stream are never touched here.

const CACHE = 'hugmood-shell-v1';
const SHELL = [
  './',
  'assets/app.css',
  'assets/icon.svg',
  'assets/manifest.webmanifest',
  'assets/js/main.js',
  'assets/js/api.js',
  'assets/js/session.js',
  'assets/js/live.js',
  'assets/js/outbox.js',
  'assets/js/charts.js',
  'assets/js/dom.js',
  'assets/js/state.js',
  'assets/js/views/analytics.js',
  'assets/js/views/auth.js',
  'assets/js/views/checkin.js',
  'assets/js/views/friends.js',
  'assets/js/views/home.js',
  'assets/js/views/hugs.js',
  'assets/js/views/inbox.js',
  'assets/js/views/jar.js',
  'assets/js/views/settings.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** The shell file a request is for (its cache key), or null for anything else. */
function shellKey(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  const path = url.pathname.slice(scope.pathname.length);
  if (path === '' || path === 'index.html') return scope.href;
  return path.startsWith('assets/') ? new URL(path, scope).href : null;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (key) event.respondWith(networkFirst(event.request, key));
});
