// Bedstate core: storage, sign-in and the outbox of queued writes.
// A classic script shared by the page (<script defer>) and the service
// worker (importScripts), so both flush the same queue with the same
// tokens. Web Locks keep the two from rotating one refresh token twice
// (the server revokes a sign-in whose rotated token is reused).
(function (self) {
  'use strict';
  const DB_NAME = 'bedstate';
  let dbp = null;

  function db() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          d.createObjectStore('kv');
          d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbp;
  }

  async function tx(store, mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const s = t.objectStore(store);
      let out;
      const r = fn(s);
      if (r) r.onsuccess = () => { out = r.result; };
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const kv = {
    get: (k) => tx('kv', 'readonly', (s) => s.get(k)),
    set: (k, v) => tx('kv', 'readwrite', (s) => s.put(v, k)),
    del: (k) => tx('kv', 'readwrite', (s) => s.delete(k)),
  };

  const outbox = {
    add: (item) => tx('outbox', 'readwrite', (s) => s.add(item)),
    all: () => tx('outbox', 'readonly', (s) => s.getAll()),
    del: (seq) => tx('outbox', 'readwrite', (s) => s.delete(seq)),
    clear: () => tx('outbox', 'readwrite', (s) => s.clear()),
  };

  function withLock(name, fn) {
    if (self.navigator && self.navigator.locks) return self.navigator.locks.request(name, fn);
    return fn();
  }

  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('bedstate') : null;
  function announce(msg) {
    if (channel) channel.postMessage(msg);
    if (self.BS && self.BS.onmessage) self.BS.onmessage(msg);
  }

  class AuthError extends Error {}
  class HTTPError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || 'HTTP ' + status);
      this.status = status;
      this.problem = problem || {};
    }
  }

  function uuid() {
    if (self.crypto && self.crypto.randomUUID) return self.crypto.randomUUID();
    const b = self.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function saveTokens(body, user) {
    const s = {
      access: body.access_token,
      accessExp: Date.now() + (body.expires_in || 600) * 1000,
      refresh: body.refresh_token,
      user: body.user || user,
    };
    await kv.set('session', s);
    return s;
  }

  async function session() { return (await kv.get('session')) || null; }

  async function login(email, password) {
    const r = await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new HTTPError(r.status, body);
    const prev = await session();
    if (prev && prev.user && body.user && prev.user.id !== body.user.id) await outbox.clear();
    return saveTokens(body);
  }

  async function logout() {
    const s = await session();
    await kv.del('session');
    await outbox.clear();
    await kv.del('conflicts');
    if (s && s.refresh) {
      fetch('/api/v1/auth/logout', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: s.refresh }),
      }).catch(() => {});
    }
  }

  // accessToken returns a valid access token, refreshing (and rotating the
  // refresh token) when it is near expiry or when `stale` was refused.
  async function accessToken(stale) {
    return withLock('bedstate-auth', async () => {
      const s = await session();
      if (!s) throw new AuthError('signed out');
      if (s.access && s.access !== stale && s.accessExp - Date.now() > 30000) return s.access;
      const r = await fetch('/api/v1/auth/refresh', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: s.refresh }),
      });
      if (r.status === 400 || r.status === 401 || r.status === 403) {
        await kv.del('session');
        announce({ type: 'signed-out' });
        throw new AuthError('the sign-in has ended');
      }
      if (!r.ok) throw new HTTPError(r.status, await r.json().catch(() => null));
      return (await saveTokens(await r.json(), s.user)).access;
    });
  }

  // api calls the API with the access token; one retry after a refused token.
  async function api(path, opts) {
    opts = opts || {};
    const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let token = await accessToken();
    for (let attempt = 0; ; attempt++) {
      headers.Authorization = 'Bearer ' + token;
      const r = await fetch('/api/v1' + path, { method: opts.method || 'GET', headers, body, cache: 'no-store' });
      if (r.status === 401 && attempt === 0) {
        token = await accessToken(token);
        continue;
      }
      return r;
    }
  }

  async function json(path, opts) {
    const r = await api(path, opts);
    if (r.status === 204) return null;
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new HTTPError(r.status, body);
    return body;
  }

  // queue stores a write to send now or later. `kind` and `meta` let the
  // screens show it as pending (for example the category it changes).
  async function queue(item) {
    const full = Object.assign({ key: uuid(), queuedAt: new Date().toISOString() }, item);
    full.seq = await outbox.add(full);
    announce({ type: 'outbox' });
    return full;
  }

  async function addConflict(c) {
    const list = (await kv.get('conflicts')) || [];
    list.push(c);
    await kv.set('conflicts', list.slice(-20));
  }

  // flush sends queued writes in order, each once: the Idempotency-Key makes
  // a retry after a lost answer safe. It stops at the first network failure
  // (and reports it), so order is kept.
  async function flush() {
    return withLock('bedstate-flush', async () => {
      let sent = 0;
      for (;;) {
        const items = await outbox.all();
        if (!items.length) return { sent, left: 0 };
        const item = items[0];
        let r;
        try {
          r = await api(item.path, {
            method: item.method, body: item.body,
            headers: { 'Idempotency-Key': item.key, 'X-Bedstate-Client': 'pwa' },
          });
        } catch (e) {
          if (e instanceof AuthError) return { sent, left: items.length, auth: true };
          return { sent, left: items.length, offline: true };
        }
        if (r.status >= 500 || r.status === 429 || r.status === 408) {
          return { sent, left: items.length, retry: true };
        }
        const body = await r.json().catch(() => null);
        await outbox.del(item.seq);
        if (r.ok) {
          sent++;
          announce({ type: 'synced', item, result: body });
        } else {
          const problem = body || { status: r.status };
          await addConflict({ id: item.key, home_id: item.homeId, item, problem, at: new Date().toISOString() });
          announce({ type: 'conflict', item, problem });
        }
      }
    });
  }

  self.BS = { db, kv, outbox, login, logout, session, accessToken, api, json, queue, flush, uuid, withLock, AuthError, HTTPError, channel, onmessage: null };
})(self);
