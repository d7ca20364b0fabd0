// The service worker sends queued taps on Background Sync by itself, and an
// expired or refused access token is refreshed once (the refresh token
// rotates) without losing the sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchPersistent, signIn, token, api } from './helpers.js';

let srv;

before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

test('Background Sync: the service worker flushes the outbox with the stored sign-in', { timeout: 60000 }, async () => {
  const ctx = await launchPersistent();
  const page = ctx.pages()[0] || await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  const regs = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => { for (const r of e.registrations) if (!r.isDeleted) regs.set(r.scopeURL, r.registrationId); });
  await cdp.send('ServiceWorker.enable');
  await signIn(page, srv.base, 'manager');
  await page.waitForURL(/\/manage/);
  await page.evaluate(() => navigator.serviceWorker.ready);
  for (let i = 0; i < 50 && !regs.has(srv.base + '/'); i++) await new Promise((r) => setTimeout(r, 100));

  const tok = await token(srv.base, 'manager');
  const before = (await api(srv.base, tok, '/homes/1/beds')).categories.find((c) => c.client_group === 'dementia');
  // Queue a tap without letting the page send it.
  const key = await page.evaluate(async () => (await self.BS.queue({
    kind: 'adjust', homeId: 1, method: 'POST', path: '/homes/1/beds/adjust',
    body: { care_type: 'residential', client_group: 'dementia', from: 'occupied', to: 'available', count: 1, observed_at: new Date().toISOString() },
  })).key);
  await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: srv.base, registrationId: regs.get(srv.base + '/'), tag: 'bedstate-outbox', lastChance: false });
  let after;
  for (let i = 0; i < 100; i++) {
    after = (await api(srv.base, tok, '/homes/1/beds')).categories.find((c) => c.client_group === 'dementia');
    if (after.available !== before.available) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(after.available, before.available + 1, 'sent by the worker');
  assert.equal(await page.evaluate(async () => (await self.BS.outbox.all()).length), 0, 'and taken off the queue');
  const ev = (await api(srv.base, tok, '/homes/1/history?limit=1')).events[0];
  assert.equal(ev.kind, 'adjust');
  assert.equal(ev.source, 'app');
  assert.ok(key);
  await ctx.close();
});

test('a refused access token is refreshed once and the rotated refresh token kept', { timeout: 60000 }, async () => {
  const ctx = await launchPersistent();
  const page = ctx.pages()[0] || await ctx.newPage();
  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  const first = await page.evaluate(async () => self.BS.session());
  // The server no longer accepts the access token (as after a key change).
  await page.evaluate(async () => {
    const s = await self.BS.session();
    await self.BS.kv.set('session', { ...s, access: s.access.slice(0, -4) + 'AAAA' });
  });
  const hospitals = await page.evaluate(async () => (await self.BS.json('/hospitals')).hospitals.length);
  assert.ok(hospitals > 0);
  const second = await page.evaluate(async () => self.BS.session());
  assert.notEqual(second.refresh, first.refresh, 'the refresh token rotated');
  assert.notEqual(second.access, first.access);
  // Near expiry: refreshed before use, by two callers at once, only once.
  await page.evaluate(async () => {
    const s = await self.BS.session();
    await self.BS.kv.set('session', { ...s, accessExp: Date.now() });
  });
  const ok = await page.evaluate(async () => (await Promise.all([self.BS.json('/me'), self.BS.json('/me'), self.BS.json('/hospitals')])).length);
  assert.equal(ok, 3);
  const third = await page.evaluate(async () => self.BS.session());
  assert.notEqual(third.refresh, second.refresh);
  // The kept token still works (a reused rotated token would end the sign-in).
  const r = await fetch(srv.base + '/api/v1/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: third.refresh }) });
  assert.equal(r.status, 200);
  await ctx.close();
});
