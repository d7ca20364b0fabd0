// The commissioner's freshness overview: stale, closed and suspended homes
// in their area; suspending and reinstating a home.
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

test('a commissioner sees stale, closed and suspended homes and suspends and reinstates one', async () => {
  const tok = await token(srv.base, 'commissioner');
  const homes = (await api(srv.base, tok, '/homes?limit=500')).homes;
  const stale = homes.filter((x) => !x.beds_observed_at || Date.now() - Date.parse(x.beds_observed_at) > 864e5);
  const ctx = await browser.newContext({ viewport: PHONE });
  const page = await ctx.newPage();
  const errors = watch(page);
  await signIn(page, srv.base, 'commissioner');
  await page.waitForURL(/\/overview/);
  await page.locator('[data-stat="stale"]').waitFor();
  assert.equal(await page.locator('[data-stat="stale"] strong').innerText(), String(stale.length));
  assert.equal(await page.locator('[data-stat="closed"] strong').innerText(), String(homes.filter((x) => x.status !== 'open').length));
  assert.equal(await page.locator('[data-stat="suspended"] strong').innerText(), String(homes.filter((x) => x.suspended).length));
  await shot(page, 'commissioner-overview');

  const target = stale.find((x) => !x.suspended);
  const row = page.locator(`table:has(caption:text("Homes not updated")) tr[data-home-id="${target.id}"]`);
  await row.getByRole('button', { name: `Suspend ${target.name}` }).click();
  await page.getByLabel(`Why suspend ${target.name}?`).fill('CQC rated inadequate: safeguarding');
  await page.getByRole('button', { name: `Confirm suspending ${target.name}` }).click();
  await page.getByText(`${target.name} is suspended from new placements.`).waitFor();
  const h1 = await api(srv.base, tok, `/homes/${target.id}`);
  assert.equal(h1.suspended, true);
  assert.equal(h1.suspension_reason, 'CQC rated inadequate: safeguarding');
  const srow = page.locator(`table:has(caption:text("Suspended homes")) tr[data-home-id="${target.id}"]`);
  await srow.waitFor();
  assert.match(await srow.innerText(), /safeguarding/);

  await srow.getByRole('button', { name: `Reinstate ${target.name}` }).click();
  await page.getByRole('button', { name: `Confirm reinstating ${target.name}` }).click();
  await page.getByText(`${target.name} is reinstated for new placements.`).waitFor();
  assert.equal((await api(srv.base, tok, `/homes/${target.id}`)).suspended, false);
  assert.deepEqual(errors, []);
  await ctx.close();
});
