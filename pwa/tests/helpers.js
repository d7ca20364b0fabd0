// Shared test harness: the real Go server (built once per run into a temp
// binary, shared by the test files through a lock-free cache keyed on the
// source tree) and the system's Chromium through playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const PASSWORD = 'bedstate-demo';
export const USERS = {
  manager: 'manager@demo.bedstate.test',
  coordinator: 'coordinator@demo.bedstate.test',
  commissioner: 'commissioner@demo.bedstate.test',
};
export const PHONE = { width: 390, height: 844 };
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Chromium's harmless start-up noise (dbus, the Debian wrapper).
const NOISE = /dbus|Failed to connect to the bus|chromium-wrapper|org\.freedesktop|Fontconfig|DevTools listening/i;

let binary;
function build() {
  if (binary) return binary;
  // A binary built elsewhere (for example from another checkout).
  if (process.env.BEDSTATE_TEST_BINARY) return (binary = process.env.BEDSTATE_TEST_BINARY);
  const dir = join(tmpdir(), 'bedstate-pwa-tests');
  mkdirSync(dir, { recursive: true });
  binary = join(dir, `bedstate-${process.pid}`);
  execFileSync('go', ['build', '-o', binary, './backend/cmd/bedstate'], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CGO_ENABLED: '0' },
  });
  const built = binary;
  process.on('exit', () => rmSync(built, { force: true }));
  return binary;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// startServer runs `bedstate serve --demo` on a fresh data folder and a free port.
export async function startServer(env = {}) {
  const bin = build();
  const data = mkdtempSync(join(tmpdir(), 'bedstate-data-'));
  const port = await freePort();
  const proc = spawn(bin, ['serve', '--demo'], {
    env: { ...process.env, BEDSTATE_DATA_DIR: data, PORT: String(port), BEDSTATE_LOG_LEVEL: 'warn', CGO_ENABLED: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error('server exited:\n' + log);
    try {
      const r = await fetch(base + '/readyz');
      if (r.ok) break;
    } catch { /* not yet */ }
    if (i > 300) throw new Error('server not ready:\n' + log);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base, port, log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.once('exit', r); });
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return browser;
}

export async function launchPersistent(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bedstate-profile-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport: PHONE, ...opts,
  });
  const close = ctx.close.bind(ctx);
  ctx.close = async () => { await close(); rmSync(dir, { recursive: true, force: true }); };
  return ctx;
}

// watch collects console errors and failed requests; CSP violations show here.
export function watch(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !NOISE.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export async function signIn(page, base, who) {
  await page.goto(base + '/signin');
  await page.getByLabel('Email address').fill(USERS[who]);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// API calls straight to the server, for setting up and checking.
export async function token(base, who) {
  const r = await fetch(base + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: USERS[who], password: PASSWORD }),
  });
  if (!r.ok) throw new Error('login ' + r.status);
  return (await r.json()).access_token;
}

export async function api(base, tok, path, opts = {}) {
  const r = await fetch(base + '/api/v1' + path, {
    method: opts.method || 'GET',
    headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json', ...(opts.headers || {}) },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  });
  const text = await r.text();
  const body = text ? JSON.parse(text) : null;
  if (!r.ok && !opts.allow) throw new Error(`${opts.method || 'GET'} ${path}: ${r.status} ${text}`);
  return body;
}

export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export async function shot(page, name) {
  await page.screenshot({ path: artifact(name + '.png'), fullPage: false });
}

export { existsSync, statSync };
