// Bedstate app: boot, routing, the header and sign-in.
import { h, errorSummary, problemText, cleanup, input } from './ui.js';

const BS = self.BS;
const app = document.getElementById('app');
const nav = document.getElementById('nav');
const net = document.getElementById('netstatus');
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');

export const state = { session: null, swReg: null, listeners: new Set() };

// Other modules subscribe to outbox and sync events here.
export function onEvent(fn) {
  state.listeners.add(fn);
  return () => state.listeners.delete(fn);
}
function dispatch(msg) {
  if (msg && msg.type === 'signed-out') { state.session = null; go('/signin'); return; }
  for (const fn of [...state.listeners]) fn(msg);
}
BS.onmessage = dispatch;
if (BS.channel) BS.channel.onmessage = (e) => dispatch(e.data);

const ROLE_HOME = { manager: '/manage', coordinator: '/board', commissioner: '/overview', admin: '/board' };
const NAV = {
  manager: [['/manage', 'My homes'], ['/alerts', 'Reminders']],
  coordinator: [['/board', 'Vacancies'], ['/alerts', 'Alerts']],
  commissioner: [['/overview', 'Overview'], ['/board', 'Vacancies'], ['/alerts', 'Alerts']],
  admin: [['/board', 'Vacancies'], ['/overview', 'Overview']],
};

export function go(path, replace) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

function renderNav() {
  nav.replaceChildren();
  const s = state.session;
  if (!s) return;
  const here = location.pathname;
  const items = (NAV[s.user.role] || []).map(([href, text]) => h('li', {},
    h('a', { href, 'aria-current': here === href || here.startsWith(href + '/') ? 'page' : null }, text)));
  items.push(h('li', {}, h('button', { type: 'button', class: 'bs-linkbutton', onclick: signOut }, 'Sign out')));
  nav.append(h('ul', {}, items));
}

async function signOut() {
  const left = (await BS.outbox.all()).length;
  if (left) {
    await flushSoon();
    const still = (await BS.outbox.all()).length;
    // Signing out drops changes not yet sent: say so first.
    if (still && !confirm(`${still} change${still === 1 ? ' has' : 's have'} not been sent yet and will be lost if you sign out. Sign out anyway?`)) return;
  }
  await BS.logout();
  state.session = null;
  go('/signin');
}

// screen renders one screen into #app and moves focus to its heading, so a
// screen reader announces the change.
export function screen(title, ...children) {
  document.title = `${title} - Bedstate`;
  const h1 = h('h1', { tabindex: '-1', class: 'bs-h1' }, title);
  app.replaceChildren(h1, ...children.flat().filter((c) => c != null && c !== false));
  if (screen.moved) h1.focus({ preventScroll: false });
  screen.moved = true;
  return app;
}

async function route() {
  cleanup();
  renderNav();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (!state.session && path !== '/signin') return go('/signin', true);
  if (!state.session) return signIn();
  const role = state.session.user.role;
  try {
    if (path === '/' || path === '/signin') return go(ROLE_HOME[role] || '/board', true);
    if (path === '/manage' || path.startsWith('/manage/')) {
      const m = await import('./manager.js');
      return path === '/manage' ? m.homes() : m.home(Number(path.split('/')[2]));
    }
    if (path === '/board') return (await import('./board.js')).board();
    if (path === '/alerts') return (await import('./alerts.js')).alerts();
    if (path === '/overview') return (await import('./overview.js')).overview();
    screen('Page not found', h('p', {}, 'There is no page at this address. ', h('a', { href: ROLE_HOME[role] }, 'Go to the start')));
  } catch (e) {
    if (e instanceof BS.AuthError) return go('/signin', true);
    screen('Sorry, there is a problem', h('p', {}, problemText(e)), h('p', {}, h('a', { href: location.pathname + location.search }, 'Try again')));
  }
}

function signIn() {
  const err = h('div');
  const form = h('form', { novalidate: true, class: 'bs-narrow' },
    input('email', 'Email address', { type: 'email', autocomplete: 'username', spellcheck: 'false', required: true }),
    input('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { class: 'nhsuk-button', type: 'submit', 'data-module': 'nhsuk-button' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = form.email.value.trim();
    const password = form.password.value;
    err.replaceChildren();
    if (!email || !password) {
      const s = errorSummary('There is a problem', [!email ? 'Enter your email address' : 'Enter your password']);
      err.append(s); s.focus();
      return;
    }
    try {
      state.session = await BS.login(email, password);
      afterSignIn();
      go(ROLE_HOME[state.session.user.role] || '/board', true);
    } catch (e) {
      const msg = e.status === 401 ? 'The email address or password is not right' : problemText(e);
      const s = errorSummary('There is a problem', [msg]);
      err.append(s); s.focus();
    }
  });
  screen('Sign in to Bedstate', err,
    h('p', {}, 'Care-home managers update their beds here; hospital and council teams find free beds.'), form);
}

function showNet() {
  net.replaceChildren();
  if (!navigator.onLine) {
    net.append(h('div', { class: 'nhsuk-inset-text bs-offline' },
      h('p', {}, h('strong', {}, 'You are offline. '), 'Your changes are saved on this phone and sent when you are back online.')));
  }
}

// flushSoon sends queued writes now, or leaves them to Background Sync.
let flushing = null;
export async function flushSoon() {
  if (!state.session) return;
  if (!flushing) {
    flushing = (async () => {
      try { return await BS.flush(); } finally { flushing = null; }
    })();
  }
  const res = await flushing;
  if (res && res.left) {
    if (state.swReg && state.swReg.sync) state.swReg.sync.register('bedstate-outbox').catch(() => {});
    // A lost answer or a busy server: try again soon, backing off.
    if ((res.offline || res.retry) && navigator.onLine && !retryTimer) {
      retryDelay = Math.min(retryDelay * 2, 60000);
      retryTimer = setTimeout(() => { retryTimer = null; flushSoon(); }, retryDelay);
    }
  } else {
    retryDelay = 1000;
  }
  return res;
}
let retryTimer = null;
let retryDelay = 1000;

async function afterSignIn() {
  flushSoon();
  try { (await import('./alerts.js')).resync(); } catch (e) { /* alerts are optional */ }
}

// fromHash accepts the older link form /#/board?home=7 and /#/manager?home=7
// (as notifications may carry) and turns it into the app's paths.
function fromHash() {
  const m = location.hash.match(/^#\/([^?]*)(\?.*)?$/);
  if (!m) return false;
  const [, p, q = ''] = m;
  const home = new URLSearchParams(q).get('home');
  const path = p === 'manager' || p === 'manage' ? (home ? `/manage/${home}` : '/manage') : `/${p}${q}`;
  history.replaceState(null, '', path);
  return true;
}

async function boot() {
  fromHash();
  addEventListener('hashchange', () => { if (fromHash()) route(); });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' })
      .then((reg) => { state.swReg = reg; }).catch(() => {});
  }
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[href]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.target) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || a.hasAttribute('download')) return;
    ev.preventDefault();
    if (url.pathname === location.pathname && url.search === location.search && url.hash) { location.hash = url.hash; return; }
    go(url.pathname + url.search);
  });
  addEventListener('popstate', route);
  addEventListener('online', () => { showNet(); flushSoon(); });
  addEventListener('offline', showNet);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flushSoon(); });
  showNet();
  state.session = await BS.session();
  await route();
  if (state.session) afterSignIn();
  import('/vendor/nhsuk/nhsuk-frontend.min.js').then((m) => m.initAll && m.initAll()).catch(() => {});
}

boot();
