// Bedstate service worker: the app shell offline, queued writes sent by
// Background Sync, and Web Push notifications.
'use strict';
importScripts('/js/core.js');

const VERSION = 'bedstate-shell-v1';
const SHELL = [
  '/',
  '/index.html',
  '/app.css',
  '/manifest.webmanifest',
  '/js/core.js',
  '/js/app.js',
  '/js/ui.js',
  '/js/manager.js',
  '/js/board.js',
  '/js/alerts.js',
  '/js/overview.js',
  '/vendor/nhsuk/nhsuk-frontend.min.css',
  '/vendor/nhsuk/nhsuk-frontend.min.js',
  '/vendor/nhsuk/images/nhsuk-icon-arrow-down.svg',
  '/vendor/nhsuk/images/nhsuk-icon-arrow-up.svg',
  '/vendor/nhsuk/images/nhsuk-icon-arrow-up-down.svg',
  '/vendor/nhsuk/images/nhsuk-icon-cross.svg',
  '/icons/icon.svg',
  '/icons/icon-192.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    await cache.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) if (k !== VERSION) await caches.delete(k);
    await self.clients.claim();
  })());
});

// The API is never cached here (the page keeps its own last-known figures);
// the shell is served network-first so an update shows at once, and from the
// cache when the network fails.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (['/healthz', '/readyz', '/metrics'].includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    const navigate = req.mode === 'navigate';
    try {
      const res = await fetch(req);
      if (res.ok && !navigate && SHELL.includes(url.pathname)) cache.put(req, res.clone());
      if (res.ok && navigate) cache.put('/index.html', res.clone());
      return res;
    } catch (err) {
      const hit = navigate ? await cache.match('/index.html') : await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});

// Background Sync: send the manager's queued taps even with the app closed.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'bedstate-outbox') return;
  event.waitUntil((async () => {
    const res = await BS.flush();
    if (res.offline || res.retry) throw new Error('not sent yet; the browser retries');
  })());
});

// Pages ask the worker to flush when they cannot (for example in the background).
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'flush') event.waitUntil(BS.flush());
});

const CARE = { residential: 'residential', nursing: 'nursing' };
const GROUP = {
  older_people: 'older people', dementia: 'dementia', learning_disability_autism: 'learning disability or autism',
  mental_health: 'mental health', physical_disability_sensory: 'physical disability or sensory impairment',
};

// notificationFor turns a push payload into a notification's title and options.
function notificationFor(p) {
  const category = [CARE[p.care_type] || p.care_type, GROUP[p.client_group] || p.client_group].filter(Boolean).join(', ');
  const place = [p.home_name, p.district].filter(Boolean).join(', ');
  let title;
  let body;
  if (p.type === 'reminder') {
    title = 'Update your beds for today';
    body = (p.home_name ? p.home_name + ': ' : '') + 'one tap to update, or confirm no change.';
  } else if (p.type === 'filled') {
    title = 'Bed no longer free';
    body = `${place}: ${category} bed taken` + (p.available ? ` (${p.available} still free)` : '');
  } else {
    const n = p.available || 1;
    title = `${n} ${category} bed${n === 1 ? '' : 's'} free`;
    body = place || 'A bed matching your alert is free.';
  }
  return {
    title,
    options: {
      body,
      tag: p.tag || `home-${p.home_id}-${p.care_type}-${p.client_group}`,
      renotify: p.type === 'vacancy',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      timestamp: p.observed_at ? Date.parse(p.observed_at) : Date.now(),
      data: { url: urlFor(p), type: p.type, home_id: p.home_id },
    },
  };
}

// urlFor keeps notification links on this origin: a vacancy opens the home
// on the board, a reminder opens the manager's update screen.
function urlFor(p) {
  if (p.url) {
    try {
      const u = new URL(p.url, self.location.origin);
      const m = u.hash.match(/^#\/([^?]*)(\?.*)?$/);
      if (u.origin === self.location.origin && m) {
        const home = new URLSearchParams(m[2] || '').get('home');
        if (m[1] === 'manager' || m[1] === 'manage') return home ? `/manage/${home}` : '/manage';
        return `/${m[1]}${m[2] || ''}`;
      }
      if (u.origin === self.location.origin) return u.pathname + u.search + u.hash;
    } catch (e) { /* fall through */ }
  }
  if (p.type === 'reminder') return p.home_id ? `/manage/${p.home_id}` : '/manage';
  return p.home_id ? `/board?home=${p.home_id}` : '/board';
}

self.addEventListener('push', (event) => {
  let p = {};
  try { p = event.data ? event.data.json() : {}; } catch (e) { p = { type: 'vacancy' }; }
  const n = notificationFor(p);
  event.waitUntil(self.registration.showNotification(n.title, n.options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) {
      if (new URL(w.url).origin === self.location.origin && 'navigate' in w) {
        await w.focus();
        return w.navigate(url);
      }
    }
    return self.clients.openWindow(url);
  })());
});

function keyBytes(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

// The push service replaced the subscription: register the new one.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const saved = await BS.kv.get('push');
    let sub = event.newSubscription;
    if (!sub) {
      const key = (event.oldSubscription && event.oldSubscription.options.applicationServerKey) ||
        keyBytes((await BS.json('/push/vapid-public-key')).public_key);
      sub = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    const body = { subscription: sub.toJSON() };
    if (saved && saved.filter_id) body.filter_id = saved.filter_id;
    const created = await BS.json('/push/subscriptions', { method: 'POST', body, headers: { 'Idempotency-Key': BS.uuid(), 'X-Bedstate-Client': 'pwa' } });
    if (saved && saved.id) await BS.api('/push/subscriptions/' + saved.id, { method: 'DELETE' }).catch(() => {});
    await BS.kv.set('push', { id: created.id, endpoint: sub.endpoint, filter_id: body.filter_id || null });
  })());
});
