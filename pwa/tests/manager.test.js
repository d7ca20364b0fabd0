// The care-home manager: one-tap changes reach the API, "no change today"
// moves every observed time, taps made offline are queued, shown pending
// and sent once each, and a stale queued update shows the conflict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { startServer, launch, signIn, watch, token, api, PHONE, shot } from './helpers.js';

const HOME = 2; // Lindens Court: nursing, older people and dementia
let srv;
let browser;
let tok;

before(async () => {
  srv = await startServer();
  browser = await launch();
  tok = await token(srv.base, 'manager');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const beds = () => api(srv.base, tok, `/homes/${HOME}/beds`);
const cat = (st, group) => st.categories.find((c) => c.care_type === 'nursing' && c.client_group === group);
async function until(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openHome(ctx) {
  const page = await ctx.newPage();
  const errors = watch(page);
  page.historyCalls = [];
  page.on('request', (r) => { if (r.url().includes('/history')) page.historyCalls.push(r.url()); });
  await signIn(page, srv.base, 'manager');
  await page.getByRole('link', { name: 'Lindens Court' }).click();
  await page.getByRole('heading', { level: 1, name: 'Lindens Court' }).waitFor();
  return { page, errors };
}

test('a manager taps + and the API shows the new count; confirm moves every observed time', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const { page, errors } = await openHome(ctx);
  await shot(page, 'manager-homes-detail');
  const before = cat(await beds(), 'dementia');
  await page.getByRole('button', { name: 'One more available bed: nursing, dementia' }).click();
  const after = await until(async () => {
    const c = cat(await beds(), 'dementia');
    return c.available === before.available + 1 && c;
  }, 'the tap to reach the API');
  assert.equal(after.occupied, before.occupied - 1, 'a freed bed moves from occupied to available');
  await page.getByRole('button', { name: 'One fewer available bed: nursing, dementia' }).click();
  await until(async () => cat(await beds(), 'dementia').available === before.available, 'the second tap');

  // Reserved and unavailable, one step away.
  await page.locator('[data-category="nursing/older_people"] summary').click();
  await page.getByRole('button', { name: 'Reserve one available bed: nursing, older people' }).click();
  await until(async () => cat(await beds(), 'older_people').reserved === 1, 'a reservation');
  await page.getByRole('button', { name: 'Release one reserved bed: nursing, older people' }).click();
  await until(async () => cat(await beds(), 'older_people').reserved === 0, 'a release');

  const was = await beds();
  await new Promise((r) => setTimeout(r, 1100)); // observed times have one-second resolution
  await page.getByRole('button', { name: 'Confirm no change today' }).click();
  const now = await until(async () => {
    const st = await beds();
    return st.categories.every((c, i) => Date.parse(c.observed_at) > Date.parse(was.categories[i].observed_at)) && st;
  }, 'every observed_at to move');
  for (const [i, c] of now.categories.entries()) {
    const o = was.categories[i];
    assert.deepEqual([c.occupied, c.reserved, c.available, c.unavailable], [o.occupied, o.reserved, o.available, o.unavailable], 'counts stay');
  }
  await page.getByText('Last confirmed:').waitFor();
  assert.doesNotMatch(await page.locator('.bs-times').innerText(), /not yet/);
  // The times shown are the bed state's own, not read from /history.
  assert.ok(now.confirmed_at, 'the bed state has confirmed_at');
  assert.ok(now.updated_at, 'the bed state has updated_at after the taps');
  const times = page.locator('.bs-times time');
  await page.waitForFunction((at) => document.querySelectorAll('.bs-times time')[1]?.getAttribute('datetime') === at, now.confirmed_at);
  assert.equal(await times.nth(0).getAttribute('datetime'), now.updated_at);
  assert.deepEqual(page.historyCalls, [], 'the manager screen does not read /history');

  // History says the app made these changes.
  const hist = await api(srv.base, tok, `/homes/${HOME}/history?limit=10`);
  assert.ok(hist.events.filter((e) => e.kind !== 'home').every((e) => e.source === 'app'), 'X-Bedstate-Client: pwa on writes');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('offline taps are queued, shown pending and sent once each; a stale one shows the conflict', async () => {
  // The page itself queues and flushes here; the service worker is left out
  // so that emulated offline applies to every request.
  const ctx = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  const { page, errors } = await openHome(ctx);
  const start = await beds();
  const histStart = (await api(srv.base, tok, `/homes/${HOME}/history?limit=1`)).events[0].seq;

  await ctx.setOffline(true);
  await page.getByText('You are offline').waitFor();
  await page.getByRole('button', { name: 'One more available bed: nursing, older people' }).click();
  await page.getByRole('button', { name: 'One more available bed: nursing, dementia' }).click();
  await page.locator('[data-pending="2"]').waitFor();
  await page.locator('[data-category="nursing/older_people"]').getByText('Pending: 1 change waiting to send').waitFor();
  await page.locator('[data-category="nursing/dementia"]').getByText('Pending: 1 change waiting to send').waitFor();
  assert.equal(await page.locator('[data-category="nursing/dementia"] .bs-count__n').innerText(), String(cat(start, 'dementia').available + 1), 'the queued tap shows at once');
  await shot(page, 'manager-offline-pending');
  assert.deepEqual(await beds(), start, 'nothing reached the server while offline');

  // The first answer is lost on the way back: the app must retry with the
  // same Idempotency-Key and the server must apply it once.
  let lost = 0;
  const keys = [];
  await page.route('**/api/v1/homes/*/beds/adjust', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (lost++ === 0) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await ctx.setOffline(false);
  await until(async () => {
    const st = await beds();
    return cat(st, 'older_people').available === cat(start, 'older_people').available + 1 &&
      cat(st, 'dementia').available === cat(start, 'dementia').available + 1;
  }, 'both queued taps to arrive', 15000);
  await page.locator('[data-pending]').waitFor({ state: 'detached' });
  await page.unroute('**/api/v1/homes/*/beds/adjust');
  const events = (await api(srv.base, tok, `/homes/${HOME}/history?limit=20`)).events.filter((e) => e.seq > histStart);
  assert.equal(events.length, 2, 'each queued tap applied exactly once');
  assert.ok(events.every((e) => e.kind === 'adjust' && e.source === 'app'));
  assert.equal(keys.length, 3, 'one retry of the lost answer');
  assert.equal(keys[0], keys[1], 'the retry reuses its Idempotency-Key');
  assert.notEqual(keys[1], keys[2]);

  // A stale update: confirmed offline, then someone else updates first.
  await ctx.setOffline(true);
  await page.getByRole('button', { name: 'Confirm no change today' }).click();
  await page.locator('[data-pending="1"]').waitFor();
  await new Promise((r) => setTimeout(r, 1100));
  await api(srv.base, tok, `/homes/${HOME}/beds/adjust`, { method: 'POST', body: { care_type: 'nursing', client_group: 'dementia', from: 'occupied', to: 'available' } });
  const current = await beds();
  await ctx.setOffline(false);
  const conflict = page.locator('.bs-conflict[data-code="stale-update"]');
  await conflict.waitFor();
  const text = await conflict.innerText();
  assert.match(text, /A change was not saved/);
  assert.match(text, /No change today/);
  assert.match(text, new RegExp(`Nursing: dementia: ${cat(current, 'dementia').available} available`), 'the current state is shown');
  assert.equal(await page.locator('[data-category="nursing/dementia"] .bs-count__n').innerText(), String(cat(current, 'dementia').available));
  await shot(page, 'manager-conflict');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  assert.deepEqual(axe.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id), [], 'the conflict screen passes axe');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await conflict.waitFor({ state: 'detached' });
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|409/.test(e)), []);
  await ctx.close();
});

test('a manager closes the home to admissions with a reason and expiry, then reopens it', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const { page } = await openHome(ctx);
  await page.getByText('Close to admissions', { exact: true }).first().click();
  await page.getByLabel('Reason').selectOption('staffing');
  await page.getByLabel('Note for hospitals and councils (optional)').fill('Short of nurses this week');
  await shot(page, 'manager-close-form');
  await page.getByRole('button', { name: 'Close to admissions' }).click();
  const closed = await until(async () => {
    const h = await api(srv.base, tok, `/homes/${HOME}`);
    return h.status === 'closed' && h;
  }, 'the closure');
  assert.equal(closed.status_reason, 'staffing');
  assert.ok(Date.parse(closed.status_expires_at) > Date.now() + 6 * 864e5, 'expires in about a week');
  await page.getByText(/Closed to admissions \(staffing\) until/).waitFor();
  await page.getByRole('button', { name: 'Reopen to admissions' }).click();
  await until(async () => (await api(srv.base, tok, `/homes/${HOME}`)).status === 'open', 'the reopening');
  await ctx.close();
});

test('a move to unavailable sends the reason chosen, online and queued offline', async () => {
  const ctx = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  const { page, errors } = await openHome(ctx);
  const start = await beds();

  // Online: staffing.
  const older = page.locator('[data-category="nursing/older_people"]');
  await older.locator('summary').click();
  await older.getByLabel('Why beds are unavailable').selectOption('staffing');
  await shot(page, 'manager-unavailable-reason');
  await page.getByRole('button', { name: 'Mark one available bed unavailable: nursing, older people' }).click();
  const c1 = await until(async () => {
    const c = cat(await beds(), 'older_people');
    return c.unavailable === cat(start, 'older_people').unavailable + 1 && c;
  }, 'the move to unavailable');
  assert.equal(c1.unavailable_reason, 'staffing');
  await older.getByText('(staffing)').waitFor();

  // Offline: infection control, kept in the queue and sent on reconnecting.
  await ctx.setOffline(true);
  await page.getByText('You are offline').waitFor();
  const dem = page.locator('[data-category="nursing/dementia"]');
  await dem.locator('summary').click();
  await dem.getByLabel('Why beds are unavailable').selectOption('infection_control');
  await page.getByRole('button', { name: 'Mark one available bed unavailable: nursing, dementia' }).click();
  await page.locator('[data-pending="1"]').waitFor();
  const queued = await page.evaluate(async () => (await self.BS.outbox.all()).map((x) => x.body.unavailable_reason));
  assert.deepEqual(queued, ['infection_control'], 'the queued action keeps the reason');
  await ctx.setOffline(false);
  const c2 = await until(async () => {
    const c = cat(await beds(), 'dementia');
    return c.unavailable === cat(start, 'dementia').unavailable + 1 && c;
  }, 'the queued move to arrive', 15000);
  assert.equal(c2.unavailable_reason, 'infection_control');

  // Skipped: recorded as other.
  await page.locator('[data-pending]').waitFor({ state: 'detached' });
  await dem.getByLabel('Why beds are unavailable').selectOption('');
  await page.getByRole('button', { name: 'Make one unavailable bed available: nursing, dementia' }).click();
  await until(async () => cat(await beds(), 'dementia').unavailable === cat(start, 'dementia').unavailable, 'the release');
  await page.getByRole('button', { name: 'Mark one available bed unavailable: nursing, dementia' }).click();
  const c3 = await until(async () => {
    const c = cat(await beds(), 'dementia');
    return c.unavailable === cat(start, 'dementia').unavailable + 1 && c;
  }, 'the move without a reason');
  assert.equal(c3.unavailable_reason, 'other');
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e)), []);
  await ctx.close();
});
