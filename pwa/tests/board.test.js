// The coordinator's vacancy board: filters, freshness, tap to call, and a
// bed a manager frees appearing without a reload (ETag polling).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, signIn, watch, token, api, PHONE, shot } from './helpers.js';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a coordinator filters the board and sees a bed a manager frees, without reloading', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const page = await ctx.newPage();
  const errors = watch(page);
  const vacancyCalls = [];
  let areaCalls = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/areas')) areaCalls++; });
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/vacancies')) vacancyCalls.push({ status: r.status(), inm: r.request().headers()['if-none-match'] });
  });
  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  await page.locator('.bs-result').first().waitFor();

  // Distance from the coordinator's own hospital by default.
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('from'), '1', 'their hospital (Royal Stoke) is the default');
  assert.match(await page.locator('.bs-result').first().innerText(), /km from Royal Stoke University Hospital/);
  await shot(page, 'coordinator-board');

  // Every card: a freshness badge, a rating, a tap-to-call link.
  const first = page.locator('.bs-result').first();
  await first.locator('.bs-fresh').waitFor();
  assert.match(await first.locator('a[href^="tel:"]').getAttribute('href'), /^tel:\d+$/);
  assert.match(await first.innerText(), /CQC: /);

  // The Area filter lists every district GET /areas names, in its order.
  await page.locator('.bs-filter-details summary').click();
  const areas = (await api(srv.base, await token(srv.base, 'coordinator'), '/areas')).areas;
  assert.ok(areaCalls > 0, 'the board asked for /areas');
  assert.deepEqual(await page.locator('#district option').evaluateAll((els) => els.map((e) => e.value)),
    ['', ...areas.map((a) => a.district || 'la:' + a.local_authority)]);

  // Filter: residential dementia beds in Cannock Chase, anywhere.
  await page.getByLabel('Distance from').selectOption('');
  await page.getByLabel('Care type').selectOption('residential');
  await page.getByLabel('Need').selectOption('dementia');
  await page.getByLabel('Area').selectOption('Cannock Chase');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('district') === 'Cannock Chase');
  await page.locator('.bs-summary').filter({ hasText: /homes? with free beds/ }).waitFor();
  const names = await page.locator('.bs-result h2').allInnerTexts();
  assert.ok(names.length > 0, 'some homes match');
  assert.ok(!names.includes('Upper Meadow'), 'Upper Meadow has no free residential dementia bed yet');
  for (const t of await page.locator('.bs-result tbody th').allInnerTexts()) assert.equal(t, 'Residential: dementia');

  // Sort by freshness: newest first.
  await page.getByLabel('Sort by').selectOption('freshness');
  const times = await page.locator('.bs-result .bs-fresh').evaluateAll((els) => els.map((e) => e.textContent));
  assert.ok(times.length === names.length);

  // A manager frees a bed at Upper Meadow (Cannock Chase) through the API.
  await page.evaluate(() => { window.__notReloaded = true; });
  const mgr = await token(srv.base, 'manager');
  await api(srv.base, mgr, '/homes/1/beds/adjust', { method: 'POST', body: { care_type: 'residential', client_group: 'dementia', from: 'occupied', to: 'available' } });
  const card = page.locator('.bs-result[data-home-id="1"]');
  await card.waitFor({ timeout: 20000 });
  assert.match(await card.innerText(), /Upper Meadow/);
  assert.equal(await card.locator('tr[data-category="residential/dementia"] .bs-free').innerText(), '1');
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  assert.ok(vacancyCalls.some((c) => c.inm), 'polls revalidate with If-None-Match');
  await shot(page, 'coordinator-board-filtered');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a notification link opens the home on the board, even outside the filters', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const page = await ctx.newPage();
  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  // Upper Meadow (Cannock Chase) is 35 km from Royal Stoke: outside the default 25 km.
  await page.goto(srv.base + '/board?home=1');
  const card = page.locator('.bs-result[data-home-id="1"]');
  await card.waitFor();
  assert.match(await card.innerText(), /From your alert/);
  assert.ok(await card.evaluate((el) => el.classList.contains('bs-result--focus')));
  await ctx.close();
});

test('stale figures carry a clear stale badge', async () => {
  const ctx = await browser.newContext({ viewport: PHONE });
  const page = await ctx.newPage();
  await signIn(page, srv.base, 'coordinator');
  await page.waitForURL(/\/board/);
  await page.goto(srv.base + '/board?from=&stale=1&limit=200');
  await page.locator('.bs-result').first().waitFor();
  let stale = page.locator('.bs-fresh[data-freshness="stale"]');
  for (let i = 0; i < 3 && await stale.count() === 0; i++) {
    const more = page.getByRole('button', { name: 'Show more homes' });
    if (!await more.count()) break;
    await more.click();
    await page.waitForTimeout(300);
  }
  stale = page.locator('.bs-fresh[data-freshness="stale"]');
  assert.ok(await stale.count() > 0, 'the demo data has stale homes');
  assert.match(await stale.first().innerText(), /^Stale: updated \d+ days ago$/);
  await ctx.close();
});
