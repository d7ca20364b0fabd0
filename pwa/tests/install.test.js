// Install criteria, headers, offline start and the first-load budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startServer, launchPersistent, launch, signIn, watch, PHONE, shot } from './helpers.js';

let srv;

before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

test('headers: CSP everywhere, sw.js not cached, manifest and CSS types, app paths get the shell', async () => {
  const get = (p) => fetch(srv.base + p, { headers: { 'Accept-Encoding': 'gzip' } });
  const index = await get('/');
  assert.equal(index.headers.get('content-security-policy'), CSP);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const html = await index.text();
  assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest">/);
  assert.doesNotMatch(html, /<script>(?!<)|<style|style=|https?:\/\/(?!www\.w3\.org)/, 'no inline script or style, no third-party host');
  const sw = await get('/sw.js');
  assert.equal(sw.headers.get('cache-control'), 'no-cache');
  assert.match(sw.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await get('/manifest.webmanifest')).headers.get('content-type'), 'application/manifest+json');
  const css = await get('/vendor/nhsuk/nhsuk-frontend.min.css');
  assert.match(css.headers.get('content-type'), /^text\/css/);
  assert.ok(!/assets\.nhs\.uk|@font-face/.test(await css.text()), 'system fonts, no font host');
  for (const p of ['/manage/2', '/board?home=3', '/overview', '/alerts', '/signin']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.match(await r.text(), /<div id="app">/, p);
  }
  const etag = css.headers.get('etag');
  assert.equal((await fetch(srv.base + '/app.css', { headers: { 'If-None-Match': (await get('/app.css')).headers.get('etag') } })).status, 304);
  assert.ok(etag);
  assert.equal((await get('/api/v1/nope')).status, 404, 'API paths never get the shell');
  assert.equal((await get('/nope.js')).status, 404);
});

test('installable: valid linked manifest, service worker in control, no installability errors, offline start', { timeout: 60000 }, async () => {
  const ctx = await launchPersistent();
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = watch(page);
  await signIn(page, srv.base, 'manager');
  await page.getByRole('link', { name: 'Lindens Court' }).click();
  await page.getByRole('heading', { level: 1, name: 'Lindens Court' }).waitFor();

  const manifest = await (await fetch(srv.base + '/manifest.webmanifest')).json();
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/');
  assert.ok(manifest.name && manifest.short_name && manifest.theme_color);
  const sizes = manifest.icons.map((i) => `${i.sizes}:${i.purpose}`);
  for (const want of ['192x192:any', '512x512:any', '512x512:maskable']) assert.ok(sizes.includes(want), want);
  for (const icon of manifest.icons) {
    const r = await fetch(srv.base + icon.src);
    assert.equal(r.status, 200, icon.src);
    assert.equal(r.headers.get('content-type'), icon.type, icon.src);
  }

  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Lindens Court' }).waitFor();
  assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true, 'the service worker controls the page');

  const cdp = await ctx.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const { url, errors: manifestErrors } = await cdp.send('Page.getAppManifest');
  assert.equal(url, srv.base + '/manifest.webmanifest');
  assert.deepEqual(manifestErrors, []);

  // No network at all: the server stops. The shell and the manager's
  // last-known figures still open.
  await srv.stop();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Lindens Court' }).waitFor();
  await page.getByText('Shown as last saved on this phone').waitFor();
  assert.ok(await page.getByRole('button', { name: 'One more available bed: nursing, dementia' }).isVisible());
  await shot(page, 'manager-offline-start');
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|Failed to fetch/.test(e)), []);
  await ctx.close();
  srv = await startServer();
});

test('first load is under 100 KB of JS and CSS, gzipped, nhsuk-frontend included', { timeout: 60000 }, async () => {
  const browser = await launch();
  const ctx = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  const page = await ctx.newPage();
  const files = new Map();
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    try { files.set(new URL(r.url()).pathname, await r.body()); } catch { /* redirects have no body */ }
  });
  await page.goto(srv.base + '/');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Bedstate' }).waitFor();
  await page.waitForLoadState('networkidle');
  const size = (paths) => [...paths].reduce((n, p) => n + gzipSync(files.get(p), { level: 9 }).length, 0);
  const shell = size(files.keys());
  const shellFiles = files.size;
  // Then every screen's module: a coordinator reaches the board and alerts,
  // a commissioner the overview, a manager the update screen.
  for (const who of ['coordinator', 'commissioner', 'manager']) {
    await signIn(page, srv.base, who);
    await page.locator('h1:not(:text("Sign in"))').waitFor();
    for (const p of ['/board', '/alerts', '/overview', '/manage']) {
      await page.goto(srv.base + p);
      await page.waitForLoadState('networkidle');
    }
    await page.evaluate(() => self.BS.logout());
  }
  const all = size(files.keys());
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`first load (sign-in screen, ${shellFiles} files), JS+CSS gzipped: ${kb(shell)} KB; with every screen's code (${files.size} files): ${kb(all)} KB; budget 100 KB`);
  for (const [p, b] of [...files].sort()) console.log(`  ${p}: ${kb(b.length)} KB raw, ${kb(gzipSync(b, { level: 9 }).length)} KB gzipped`);
  assert.ok(files.has('/vendor/nhsuk/nhsuk-frontend.min.css') && files.has('/vendor/nhsuk/nhsuk-frontend.min.js'), 'nhsuk-frontend counted');
  assert.ok(shell < 100 * 1024 && all < 100 * 1024, `all JS+CSS ${kb(all)} KB gzipped, budget 100 KB`);
  await browser.close();
});
