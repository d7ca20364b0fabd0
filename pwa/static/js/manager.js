// The care-home manager's screens: their homes, and one home's beds with
// one-tap changes that are queued on the phone and sent when possible.
import { h, category, categoryTitle, when, timeEl, tag, select, input, onLeave, CLOSURE_REASONS, UNAVAILABLE_REASONS } from './ui.js';
import { screen, onEvent, flushSoon, go } from './app.js';

const BS = self.BS;

async function cached(key, load) {
  try {
    const v = await load();
    await BS.kv.set(key, v);
    return { v, offline: false };
  } catch (e) {
    if (e instanceof BS.AuthError || (e.status && e.status !== 503)) throw e;
    const v = await BS.kv.get(key);
    if (v === undefined) throw e;
    return { v, offline: true };
  }
}

function statusText(home) {
  if (home.status === 'open') return null;
  const what = home.status === 'closed' ? 'Closed to admissions' : 'Restricted admissions';
  return `${what}${home.status_reason ? ' (' + (CLOSURE_REASONS[home.status_reason] || home.status_reason).toLowerCase() + ')' : ''}${home.status_expires_at ? ' until ' + when(home.status_expires_at) : ''}`;
}

export async function homes() {
  const { v, offline } = await cached('homes', () => BS.json('/homes'));
  const list = v.homes || [];
  if (list.length === 1 && !offline) return go(`/manage/${list[0].id}`, true);
  const pending = await BS.outbox.all();
  screen('Your care homes',
    offline ? h('p', { class: 'nhsuk-inset-text' }, 'Shown as last saved on this phone.') : null,
    list.length ? null : h('p', {}, 'No homes are linked to your account yet. Ask your commissioner to add you.'),
    h('ul', { class: 'nhsuk-list bs-cards' }, list.map((home) => {
      const n = pending.filter((p) => p.homeId === home.id).length;
      const st = statusText(home);
      return h('li', { class: 'nhsuk-card nhsuk-card--clickable' },
        h('div', { class: 'nhsuk-card__content' },
          h('h2', { class: 'nhsuk-card__heading nhsuk-heading-m' },
            h('a', { class: 'nhsuk-card__link', href: `/manage/${home.id}` }, home.name)),
          h('p', { class: 'nhsuk-card__description' }, `${home.district || home.local_authority}. Figures as of `, timeEl(home.beds_observed_at), '.'),
          st ? tag(st, 'orange') : null,
          n ? tag(`${n} waiting to send`, 'yellow') : null));
    })));
}

// apply moves one category's beds as the server will, so the screen shows
// queued taps before they are sent.
function apply(beds, item) {
  if (item.kind !== 'adjust') return;
  const b = item.body;
  const c = beds.categories.find((x) => x.care_type === b.care_type && x.client_group === b.client_group);
  if (!c) return;
  const n = Math.min(b.count || 1, c[b.from]);
  c[b.from] -= n;
  c[b.to] += n;
  if (b.to === 'unavailable') c.unavailable_reason = b.unavailable_reason || 'other';
}

const MOVES = [
  // [from, to, accessible name start, visible text]
  ['available', 'reserved', 'Reserve one available bed', 'Reserve one'],
  ['reserved', 'available', 'Release one reserved bed', 'Release one'],
  ['available', 'unavailable', 'Mark one available bed unavailable', 'Mark one unavailable'],
  ['unavailable', 'available', 'Make one unavailable bed available', 'Make one available'],
];

export async function home(id) {
  const key = `home:${id}`;
  const load = async () => {
    // The bed state says when its counts last changed (updated_at) and when
    // "no change today" was last confirmed (confirmed_at).
    const [homeV, beds] = await Promise.all([BS.json(`/homes/${id}`), BS.json(`/homes/${id}/beds`)]);
    return { home: homeV, beds };
  };
  const res = await cached(key, load);
  const data = res.v;
  const save = () => BS.kv.set(key, data);

  const live = h('p', { class: 'nhsuk-u-visually-hidden', role: 'status', 'aria-live': 'polite' });
  const conflictsBox = h('div');
  const pendingBox = h('div');
  const statusBox = h('div');
  const times = h('p', { class: 'bs-times' });
  const cards = h('div', { class: 'bs-categories' });
  const confirmBtn = h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary bs-confirm' }, 'Confirm no change today');
  let pending = [];
  const refs = new Map();

  function display() {
    const beds = JSON.parse(JSON.stringify(data.beds));
    for (const p of pending) apply(beds, p);
    return beds;
  }

  function buildCards() {
    cards.replaceChildren();
    refs.clear();
    for (const c of data.beds.categories) {
      const name = category(c);
      const k = `${c.care_type}/${c.client_group}`;
      const r = {};
      r.count = h('span', { class: 'bs-count__n' });
      r.pending = h('span', { class: 'bs-pending' });
      r.observed = h('span');
      r.minus = h('button', { type: 'button', class: 'bs-tap bs-tap--minus', 'aria-label': `One fewer available bed: ${name}`, onclick: () => tap(c, 'available', 'occupied') }, '−');
      r.plus = h('button', { type: 'button', class: 'bs-tap bs-tap--plus', 'aria-label': `One more available bed: ${name}`, onclick: () => tap(c, 'occupied', 'available') }, '+');
      r.reserved = h('strong');
      r.unavailable = h('strong');
      r.why = h('span', { class: 'bs-why' });
      const reasonId = `reason-${c.care_type}-${c.client_group}`;
      r.reason = select(reasonId, 'Why beds are unavailable', [['', 'Choose a reason (optional)'], ...Object.entries(UNAVAILABLE_REASONS)], '',
        { 'aria-describedby': reasonId + '-hint' });
      r.reason.insertBefore(h('div', { class: 'nhsuk-hint', id: reasonId + '-hint' }, 'Sent with "Mark one unavailable". If you do not choose, it is recorded as other.'), r.reason.querySelector('select'));
      r.occupied = h('strong');
      r.moves = MOVES.map(([from, to, label, text]) => {
        const b = h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small bs-move', 'aria-label': `${label}: ${name}`, onclick: () => tap(c, from, to, to === 'unavailable' ? r.reason.querySelector('select').value : '') }, text);
        b.dataset.from = from;
        return b;
      });
      const headingId = `cat-${c.care_type}-${c.client_group}`;
      cards.append(h('section', { class: 'nhsuk-card bs-category', 'aria-labelledby': headingId, 'data-category': k },
        h('div', { class: 'nhsuk-card__content' },
          h('h2', { class: 'nhsuk-heading-s bs-category__title', id: headingId }, categoryTitle(c)),
          h('div', { class: 'bs-count' },
            r.minus,
            h('p', { class: 'bs-count__value' }, r.count, h('span', { class: 'bs-count__label' }, 'available')),
            r.plus),
          r.pending,
          h('p', { class: 'nhsuk-body-s bs-observed' }, 'As of ', r.observed),
          h('details', { class: 'nhsuk-details bs-more' },
            h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, 'Reserved and unavailable')),
            h('div', { class: 'nhsuk-details__text' },
              h('dl', { class: 'bs-split' },
                h('div', {}, h('dt', {}, 'Reserved'), h('dd', {}, r.reserved)),
                h('div', {}, h('dt', {}, 'Unavailable'), h('dd', {}, r.unavailable, r.why)),
                h('div', {}, h('dt', {}, 'Occupied'), h('dd', {}, r.occupied))),
              r.reason,
              h('div', { class: 'bs-moves' }, r.moves))))));
      refs.set(k, r);
    }
  }

  function update() {
    const beds = display();
    for (const c of beds.categories) {
      const k = `${c.care_type}/${c.client_group}`;
      const r = refs.get(k);
      if (!r) { buildCards(); return update(); }
      r.count.textContent = String(c.available);
      r.reserved.textContent = String(c.reserved);
      r.unavailable.textContent = String(c.unavailable);
      r.why.textContent = c.unavailable && c.unavailable_reason ? ` (${(UNAVAILABLE_REASONS[c.unavailable_reason] || c.unavailable_reason).toLowerCase()})` : '';
      r.occupied.textContent = `${c.occupied} of ${c.capacity}`;
      r.observed.replaceChildren(timeEl(c.observed_at));
      r.minus.disabled = c.available < 1;
      r.plus.disabled = c.occupied < 1;
      for (const b of r.moves) b.disabled = c[b.dataset.from] < 1;
      const n = pending.filter((p) => p.kind === 'adjust' && p.body.care_type === c.care_type && p.body.client_group === c.client_group).length;
      r.pending.replaceChildren(n ? tag(`Pending: ${n} change${n === 1 ? '' : 's'} waiting to send`, 'yellow') : '');
    }
    const updated = data.beds.updated_at || data.updatedAt;
    const confirmed = data.beds.confirmed_at || data.confirmedAt;
    times.replaceChildren(
      'Last updated: ', updated ? timeEl(updated) : 'not recorded', h('br'),
      'Last confirmed: ', confirmed ? timeEl(confirmed) : 'not yet');
    pendingBox.replaceChildren();
    if (pending.length) {
      pendingBox.append(h('div', { class: 'nhsuk-inset-text bs-pending-all', 'data-pending': String(pending.length) },
        h('p', {}, h('strong', {}, `${pending.length} change${pending.length === 1 ? '' : 's'} waiting to send. `),
          navigator.onLine ? 'Sending now.' : 'They are saved on this phone and will be sent when you are back online.')));
    }
    renderStatus();
  }

  async function refreshPending() {
    pending = (await BS.outbox.all()).filter((p) => p.homeId === id);
    update();
  }

  async function tap(c, from, to, reason) {
    const name = category(c);
    const observed = new Date().toISOString();
    const body = { care_type: c.care_type, client_group: c.client_group, from, to, count: 1, observed_at: observed };
    // The reason travels in the queued body, so a tap made offline keeps it.
    if (to === 'unavailable' && reason) body.unavailable_reason = reason;
    await BS.queue({
      kind: 'adjust', homeId: id, method: 'POST', path: `/homes/${id}/beds/adjust`, body,
      label: `${from} to ${to}${body.unavailable_reason ? ' (' + UNAVAILABLE_REASONS[reason].toLowerCase() + ')' : ''}: ${name}`,
    });
    await refreshPending();
    const now = display().categories.find((x) => x.care_type === c.care_type && x.client_group === c.client_group);
    live.textContent = `${name}: ${now.available} available${navigator.onLine ? '' : ', saved on this phone'}`;
    flushSoon();
  }

  confirmBtn.addEventListener('click', async () => {
    await BS.queue({ kind: 'confirm', homeId: id, method: 'POST', path: `/homes/${id}/beds/confirm`, body: { observed_at: new Date().toISOString() }, label: 'no change today' });
    await refreshPending();
    live.textContent = 'No change today: confirmed' + (navigator.onLine ? '' : ', saved on this phone');
    flushSoon();
  });

  function renderStatus() {
    const home = data.home;
    const queued = pending.filter((p) => p.kind === 'status');
    statusBox.replaceChildren();
    if (home.status_decision_due) {
      statusBox.append(h('div', { class: 'nhsuk-warning-callout' },
        h('h3', { class: 'nhsuk-warning-callout__label' }, 'Closure has lapsed'),
        h('p', {}, 'The closure you set has expired, so the home shows as open. Close it again if it still cannot admit.')));
    }
    if (queued.length) statusBox.append(h('p', {}, tag('Pending: admissions change waiting to send', 'yellow')));
    if (home.status !== 'open') {
      statusBox.append(h('div', { class: 'nhsuk-warning-callout' },
        h('h3', { class: 'nhsuk-warning-callout__label' }, statusText(home)),
        home.status_note ? h('p', {}, home.status_note) : null,
        h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary', onclick: () => setStatus({ status: 'open' }) }, 'Reopen to admissions')));
      return;
    }
    const today = new Date();
    const iso = (d) => d.toISOString().slice(0, 10);
    const week = new Date(today.getTime() + 7 * 864e5);
    const max = new Date(today.getTime() + 89 * 864e5);
    const form = h('form', { novalidate: true },
      select('status-kind', 'What is changing', { closed: 'Closed to all admissions', restricted: 'Restricted: some admissions only' }, 'closed'),
      select('status-reason', 'Reason', CLOSURE_REASONS, 'infection_outbreak'),
      input('status-until', 'Until (we will ask you again then)', { type: 'date', min: iso(today), max: iso(max), value: iso(week), required: true }),
      input('status-note', 'Note for hospitals and councils (optional)', { type: 'text', maxlength: '280' }),
      h('button', { type: 'submit', class: 'nhsuk-button nhsuk-button--warning' }, 'Close to admissions'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const until = form['status-until'].value;
      if (!until) return;
      const body = { status: form['status-kind'].value, reason: form['status-reason'].value, expires_at: new Date(until + 'T23:59:00').toISOString() };
      const note = form['status-note'].value.trim();
      if (note) body.note = note;
      setStatus(body);
    });
    statusBox.append(h('details', { class: 'nhsuk-details' },
      h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, 'Close to admissions')),
      h('div', { class: 'nhsuk-details__text' }, form)));
  }

  async function setStatus(body) {
    await BS.queue({ kind: 'status', homeId: id, method: 'PUT', path: `/homes/${id}/status`, body, label: 'admissions status' });
    // Show the decision at once; the server's answer replaces it.
    Object.assign(data.home, { status: body.status, status_reason: body.reason, status_expires_at: body.expires_at, status_note: body.note, status_decision_due: false });
    await refreshPending();
    live.textContent = body.status === 'open' ? 'Reopened to admissions' : 'Closed to admissions';
    flushSoon();
  }

  async function renderConflicts() {
    const all = (await BS.kv.get('conflicts')) || [];
    const mine = all.filter((c) => c.home_id === id);
    conflictsBox.replaceChildren();
    for (const c of mine) {
      const p = c.problem || {};
      const it = c.item || {};
      const what = it.kind === 'confirm' ? `"No change today" from ${when(it.body && it.body.observed_at)}`
        : it.kind === 'adjust' ? `Your change (${it.label}) from ${when(it.body.observed_at)}`
          : `Your change (${it.label || 'update'})`;
      const why = p.code === 'stale-update' ? 'was not saved: the beds were updated more recently, on another device or by another person.'
        : p.code === 'not-enough-beds' ? `was not saved: ${p.detail || 'there were not enough beds to move'}.`
          : `was not saved: ${p.detail || p.title || 'the server refused it'}.`;
      const cur = p.current;
      const box = h('div', { class: 'nhsuk-error-summary bs-conflict', role: 'alert', tabindex: '-1', 'data-code': p.code || '' },
        h('h2', { class: 'nhsuk-error-summary__title' }, 'A change was not saved'),
        h('div', { class: 'nhsuk-error-summary__body' },
          h('p', {}, `${what} ${why}`),
          cur ? h('div', {}, h('p', {}, 'The figures stored now (as of ', timeEl(cur.observed_at), '):'),
            h('ul', { class: 'bs-current' }, cur.categories.map((x) => h('li', {},
              `${categoryTitle(x)}: ${x.available} available, ${x.reserved} reserved, ${x.unavailable} unavailable, ${x.occupied} occupied`)))) : null,
          h('p', {}, 'Check the figures below and tap again if they are not right.'),
          h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', onclick: async () => {
            const left = ((await BS.kv.get('conflicts')) || []).filter((x) => x.id !== c.id);
            await BS.kv.set('conflicts', left);
            renderConflicts();
          } }, 'Dismiss')));
      conflictsBox.append(box);
    }
  }

  const off = onEvent(async (msg) => {
    if (msg.type === 'outbox') return refreshPending();
    if (!msg.item || msg.item.homeId !== id) return;
    if (msg.type === 'synced' && msg.result) {
      if (msg.item.kind === 'status') data.home = msg.result;
      else data.beds = msg.result;
      live.textContent = msg.item.kind === 'confirm' ? 'No change today: sent' : `Sent: ${msg.item.label || 'change'}`;
    }
    if (msg.type === 'conflict') {
      if (msg.problem && msg.problem.current) data.beds = msg.problem.current;
      else if (msg.item.kind === 'status') {
        try { data.home = await BS.json(`/homes/${id}`); } catch (e) { /* keep */ }
      }
      await renderConflicts();
      const first = conflictsBox.querySelector('.bs-conflict');
      if (first) first.focus();
    }
    await save();
    await refreshPending();
  });
  onLeave(off);

  const home = data.home;
  screen(home.name,
    h('p', { class: 'nhsuk-lede-text bs-lede' }, `${home.address || ''}${home.postcode ? ', ' + home.postcode : ''}`),
    res.offline ? h('p', { class: 'nhsuk-inset-text' }, 'Shown as last saved on this phone: you are offline.') : null,
    conflictsBox, pendingBox, live,
    h('p', { class: 'nhsuk-body-s' }, 'Tap + when a bed frees up and − when a bed is taken. Each tap is saved at once.'),
    cards, times, confirmBtn,
    h('h2', { class: 'nhsuk-heading-m' }, 'Admissions'), statusBox,
    h('p', {}, h('a', { href: '/manage', class: 'nhsuk-back-link__link' }, 'All your homes')));
  buildCards();
  await renderConflicts();
  await refreshPending();
  flushSoon();
  const tick = setInterval(() => { if (pending.length && navigator.onLine) flushSoon(); }, 20000);
  onLeave(() => clearInterval(tick));
}
