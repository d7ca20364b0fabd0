// Every screen at phone size (390 x 844): an axe-core scan with no serious
// or critical violations (WCAG 2.2 AA rules), and a screenshot in
// test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { startServer, launch, signIn, watch, PHONE, shot } from './helpers.js';

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

async function scan(page, name) {
  await shot(page, name);
  const res = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`).join('\n  ');
  console.log(`axe ${name}: ${res.passes.length} rules pass; violations: ${res.violations.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none'}`);
  assert.equal(bad.length, 0, `${name}: ${report}`);
  return res;
}

// One context per role; each screen scanned in its usual state and, where
// it has one, with its "one step away" part open.
const SCREENS = {
  signin: [{ name: 'signin', path: '/signin' }],
  manager: [
    { name: 'manager-homes', path: '/manage', ready: 'h1:text("Your care homes")' },
    { name: 'manager-update', path: '/manage/2', ready: '.bs-category' },
    { name: 'manager-update-details', path: '/manage/2', ready: '.bs-category', act: async (p) => { await p.locator('.bs-more summary').first().click(); await p.locator('.bs-more summary').first().scrollIntoViewIfNeeded(); } },
    { name: 'manager-reminders', path: '/alerts', ready: 'h1:text("Reminders")' },
  ],
  coordinator: [
    { name: 'coordinator-board', path: '/board', ready: '.bs-result' },
    { name: 'coordinator-board-filters', path: '/board', ready: '.bs-result', act: (p) => p.locator('.bs-filter-details summary').click() },
    { name: 'coordinator-alerts', path: '/alerts', ready: 'h1:text("Alerts")' },
  ],
  commissioner: [
    { name: 'commissioner-overview', path: '/overview', ready: '[data-stat="stale"]' },
  ],
};

for (const [who, screens] of Object.entries(SCREENS)) {
  test(`accessibility and screenshots: ${who}`, { timeout: 90000 }, async () => {
    const ctx = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
    const page = await ctx.newPage();
    const errors = watch(page);
    if (who !== 'signin') {
      await signIn(page, srv.base, who);
      await page.locator('h1:not(:text("Sign in"))').waitFor();
    }
    for (const s of screens) {
      await page.goto(srv.base + s.path);
      await page.locator(s.ready || 'h1').first().waitFor();
      if (s.act) await s.act(page);
      await page.waitForTimeout(150);
      await scan(page, s.name);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('accessibility: a sign-in error', { timeout: 60000 }, async () => {
  const ctx = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/signin');
  await page.getByLabel('Email address').fill('nobody@example.test');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('nhsuk-error-summary')), true, 'the error summary takes focus');
  await scan(page, 'signin-error');
  await ctx.close();
});
