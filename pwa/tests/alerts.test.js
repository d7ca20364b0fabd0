// Alerts: the alerts screen with the browser's push subscription stubbed at
// the browser edge only (headless Chromium cannot reach a push service),
// and the service worker's real push handler fired through DevTools.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, launchPersistent, signIn, watch, token, api, shot } from './helpers.js';

let srv;
let sink;
let sinkURL;

before(async () => {
  // A push endpoint on loopback that accepts and drops whatever the server
  // sends, so no test traffic leaves the machine.
  sink = createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 201; res.end(); }); });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  sinkURL = `http://127.0.0.1:${sink.address().port}/push`;
  srv = await startServer({ BEDSTATE_PUSH_ALLOWED_HOSTS: `127.0.0.1:${sink.address().port}` });
});
after(async () => {
  await srv?.stop();
  sink.closeAllConnections();
  await new Promise((r) => sink.close(r));
});

// stubPush replaces PushManager's subscribe and getSubscription in pages
// (not in the service worker) with a subscription that has real P-256 keys
// and the loopback endpoint. It survives reloads through localStorage.
function stubPush(endpoint) {
  const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const make = (json, key) => ({
    endpoint: json.endpoint, expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer },
    toJSON: () => json,
    getKey: () => null,
    unsubscribe: async () => { localStorage.removeItem('stub-push'); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    const s = JSON.parse(localStorage.getItem('stub-push') || 'null');
    return s ? make(s.json, s.key) : null;
  };
  PushManager.prototype.subscribe = async function (opts) {
    const kp = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const raw = await crypto.subtle.exportKey('raw', kp.publicKey);
    const json = { endpoint: `${endpoint}/${crypto.randomUUID()}`, expirationTime: null,
      keys: { p256dh: b64u(raw), auth: b64u(crypto.getRandomValues(new Uint8Array(16))) } };
    const key = b64u(opts.applicationServerKey);
    localStorage.setItem('stub-push', JSON.stringify({ json, key }));
    return make(json, key);
  };
}

test('alerts: add a filter, turn alerts on for it, re-sync on open, edit, turn off', { timeout: 90000 }, async () => {
  const ctx = await launchPersistent();
  await ctx.grantPermissions(['notifications'], { origin: srv.base });
  await ctx.addInitScript(stubPush, sinkURL);
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = watch(page);
  const tok = await token(srv.base, 'coordinator');

  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
  // The Areas choices are the districts GET /areas names.
  const areas = (await api(srv.base, tok, '/areas')).areas.map((a) => a.district).filter(Boolean);
  assert.deepEqual(await page.getByRole('group', { name: 'Areas' }).locator('input').evaluateAll((els) => els.map((e) => e.value)), areas);

  // A filter: nursing dementia within 15 km of Royal Stoke.
  await page.getByLabel('Name').fill('Nursing dementia near Royal Stoke');
  await page.getByRole('group', { name: 'Care type' }).getByLabel('Nursing').check();
  await page.getByRole('group', { name: 'Need' }).getByLabel('Dementia').check();
  await page.getByLabel('Near').selectOption('1');
  await page.getByLabel('Within').selectOption('15');
  await page.getByRole('button', { name: 'Add alert' }).click();
  await page.getByText('Added the alert "Nursing dementia near Royal Stoke".').waitFor();
  const saved = (await api(srv.base, tok, '/alerts')).alerts;
  assert.equal(saved.length, 1);
  const alert = saved[0];
  assert.deepEqual(alert.filter.care_types, ['nursing']);
  assert.deepEqual(alert.filter.client_groups, ['dementia']);
  assert.equal(alert.filter.hospital_id, 1);
  assert.equal(alert.filter.radius_km, 15);

  // This device follows that filter.
  const posted = page.waitForRequest((r) => r.url().endsWith('/api/v1/push/subscriptions') && r.method() === 'POST');
  await page.getByLabel('Alerts to send to this device').selectOption(String(alert.id));
  await page.getByRole('button', { name: 'Turn on alerts on this device' }).click();
  const body = (await posted).postDataJSON();
  await page.getByText('Alerts are on.').waitFor();
  assert.equal(body.filter_id, alert.id);
  assert.ok(body.subscription.endpoint.startsWith(sinkURL));
  assert.ok(body.subscription.keys.p256dh && body.subscription.keys.auth);
  const vapid = (await api(srv.base, tok, '/push/vapid-public-key')).public_key;
  const stub = await page.evaluate(() => JSON.parse(localStorage.getItem('stub-push')));
  assert.equal(stub.key, vapid.replace(/=+$/, ''), 'subscribed with the server VAPID key');
  let subs = (await api(srv.base, tok, '/push/subscriptions')).subscriptions;
  assert.equal(subs.length, 1);
  assert.equal(subs[0].endpoint, body.subscription.endpoint);
  assert.equal(subs[0].filter_id, alert.id);
  await shot(page, 'coordinator-alerts');

  // The server forgets the device; opening the app registers it again.
  await api(srv.base, tok, `/push/subscriptions/${subs[0].id}`, { method: 'DELETE' });
  await page.reload();
  const deadline = Date.now() + 10000;
  while (!(subs = (await api(srv.base, tok, '/push/subscriptions')).subscriptions).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(subs.length, 1, 're-synced on open');
  assert.equal(subs[0].endpoint, body.subscription.endpoint);
  assert.equal(subs[0].filter_id, alert.id);

  // Edit the filter.
  await page.getByRole('button', { name: 'Change alert: Nursing dementia near Royal Stoke' }).click();
  await page.getByLabel('Name').fill('Nursing dementia, same day');
  await page.getByLabel('Can admit').selectOption('same_day');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await page.getByText('Saved the alert "Nursing dementia, same day".').waitFor();
  const edited = (await api(srv.base, tok, '/alerts')).alerts[0];
  assert.equal(edited.name, 'Nursing dementia, same day');
  assert.equal(edited.filter.admit_within, 'same_day');

  // Turn off on this device, then delete the filter.
  await page.getByRole('button', { name: 'Turn off alerts on this device' }).click();
  await page.getByText('Alerts are off on this device.').waitFor();
  assert.equal((await api(srv.base, tok, '/push/subscriptions')).subscriptions.length, 0);
  await page.getByRole('button', { name: 'Delete alert: Nursing dementia, same day' }).click();
  await page.getByText('Deleted the alert').waitFor();
  assert.equal((await api(srv.base, tok, '/alerts')).alerts.length, 0);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the service worker shows a pushed vacancy, replaces it when filled, and links a reminder to the update screen', { timeout: 60000 }, async () => {
  const ctx = await launchPersistent();
  await ctx.grantPermissions(['notifications'], { origin: srv.base });
  const page = ctx.pages()[0] || await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  const regs = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => { for (const r of e.registrations) if (!r.isDeleted) regs.set(r.scopeURL, r.registrationId); });
  await cdp.send('ServiceWorker.enable');
  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const scope = srv.base + '/';
  for (let i = 0; i < 50 && !regs.has(scope); i++) await new Promise((r) => setTimeout(r, 100));
  const registrationId = regs.get(scope);
  assert.ok(registrationId, 'service worker registered for the whole origin');

  const push = (payload) => cdp.send('ServiceWorker.deliverPushMessage', { origin: srv.base, registrationId, data: JSON.stringify(payload) });
  const shown = () => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })));
  async function waitFor(pred) {
    for (let i = 0; i < 50; i++) {
      const list = await shown();
      if (pred(list)) return list;
      await new Promise((r) => setTimeout(r, 100));
    }
    return shown();
  }

  const base = { home_id: 12, home_name: 'Oak Lodge', district: 'Stafford', care_type: 'nursing', client_group: 'dementia', observed_at: new Date().toISOString(), tag: 'h12-nursing-dementia' };
  await push({ ...base, type: 'vacancy', available: 2, url: '/board?home=12' });
  let list = await waitFor((l) => l.length === 1);
  assert.equal(list.length, 1);
  assert.equal(list[0].title, '2 nursing, dementia beds free');
  assert.equal(list[0].body, 'Oak Lodge, Stafford');
  assert.equal(list[0].tag, 'h12-nursing-dementia');
  assert.equal(list[0].data.url, '/board?home=12', 'a click opens the home on the board');

  await push({ ...base, type: 'filled', available: 0, url: '/#/board?home=12' });
  list = await waitFor((l) => l.length === 1 && l[0].title === 'Bed no longer free');
  assert.equal(list.length, 1, 'the filled notice replaces the vacancy one (same tag)');
  assert.equal(list[0].title, 'Bed no longer free');
  assert.equal(list[0].data.url, '/board?home=12', 'the older /#/ link form is accepted');

  await push({ type: 'reminder', home_id: 2, home_name: 'Lindens Court', tag: 'reminder', url: '/#/manager?home=2' });
  list = await waitFor((l) => l.some((n) => n.tag === 'reminder'));
  const rem = list.find((n) => n.tag === 'reminder');
  assert.equal(rem.title, 'Update your beds for today');
  assert.equal(rem.data.url, '/manage/2', 'a reminder opens the manager update screen');

  // The link form the app understands: /manage/2 opens the update screen.
  await ctx.close();
});
