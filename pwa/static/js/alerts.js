// Alerts: Web Push on this device (subscribe with the server's VAPID key,
// register the subscription, keep it in step when the app opens) and the
// user's alert filters. Managers get their daily reminder the same way.
import { h, select, checkboxes, input, tag, errorSummary, problemText, CARE_TYPES, CLIENT_GROUPS, STAY_TYPES, RATINGS, ADMIT, areas } from './ui.js';
import { screen, state } from './app.js';

const BS = self.BS;
const ALERTEES = ['coordinator', 'commissioner', 'admin'];

function keyBytes(b64) {
  const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in self && 'Notification' in self;
}

async function registration() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('The app is still installing; try again in a moment.')), 10000)),
  ]);
}

const writeHeaders = () => ({ 'Idempotency-Key': BS.uuid(), 'X-Bedstate-Client': 'pwa' });

async function register(sub, filterID) {
  const body = { subscription: sub.toJSON() };
  if (filterID) body.filter_id = filterID;
  const created = await BS.json('/push/subscriptions', { method: 'POST', body, headers: writeHeaders() });
  const saved = { id: created.id, endpoint: sub.endpoint, filter_id: filterID || null };
  await BS.kv.set('push', saved);
  return saved;
}

async function subscribeDevice(reg) {
  const { public_key: key } = await BS.json('/push/vapid-public-key');
  let sub = await reg.pushManager.getSubscription();
  if (sub && sub.options && sub.options.applicationServerKey) {
    const had = new Uint8Array(sub.options.applicationServerKey);
    const want = keyBytes(key);
    if (had.length !== want.length || had.some((b, i) => b !== want[i])) { await sub.unsubscribe(); sub = null; }
  }
  return sub || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
}

// turnOn asks for permission, subscribes and registers this device.
export async function turnOn(filterID) {
  if (!supported()) throw new Error('This browser cannot show alerts.');
  const perm = await Notification.requestPermission();
  if (perm !== 'granted') throw new Error('Notifications are blocked for Bedstate. Allow them in your browser settings, then try again.');
  const reg = await registration();
  const sub = await subscribeDevice(reg);
  const old = await BS.kv.get('push');
  const saved = await register(sub, filterID);
  if (old && old.id && old.id !== saved.id) await BS.api('/push/subscriptions/' + old.id, { method: 'DELETE', headers: writeHeaders() }).catch(() => {});
  return saved;
}

export async function turnOff() {
  const saved = await BS.kv.get('push');
  if (saved && saved.id) {
    const r = await BS.api('/push/subscriptions/' + saved.id, { method: 'DELETE', headers: writeHeaders() });
    if (!r.ok && r.status !== 404) throw new BS.HTTPError(r.status, await r.json().catch(() => null));
  }
  await BS.kv.del('push');
  if (supported()) {
    const reg = await registration().catch(() => null);
    const sub = reg && await reg.pushManager.getSubscription();
    if (sub) await sub.unsubscribe().catch(() => {});
  }
}

// resync runs when the app opens: the browser may have renewed or dropped
// the subscription, or the server may have forgotten it.
export async function resync() {
  if (!supported() || Notification.permission !== 'granted') return;
  const saved = await BS.kv.get('push');
  if (!saved) return;
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  if (!sub) sub = await subscribeDevice(reg);
  const list = (await BS.json('/push/subscriptions')).subscriptions || [];
  const there = list.find((s) => s.endpoint === sub.endpoint);
  if (there && sub.endpoint === saved.endpoint) {
    if (there.id !== saved.id) await BS.kv.set('push', { ...saved, id: there.id });
    return;
  }
  const now = await register(sub, saved.filter_id);
  if (saved.id && saved.id !== now.id && list.some((s) => s.id === saved.id)) {
    await BS.api('/push/subscriptions/' + saved.id, { method: 'DELETE', headers: writeHeaders() }).catch(() => {});
  }
}

function describe(f, hospitals) {
  const parts = [];
  if (f.care_types && f.care_types.length) parts.push(f.care_types.map((x) => CARE_TYPES[x] || x).join(' or '));
  if (f.client_groups && f.client_groups.length) parts.push(f.client_groups.map((x) => (CLIENT_GROUPS[x] || x).toLowerCase()).join(' or '));
  if (f.stay_type) parts.push(STAY_TYPES[f.stay_type] || f.stay_type);
  if (f.districts && f.districts.length) parts.push(f.districts.join(', '));
  if (f.local_authorities && f.local_authorities.length) parts.push(f.local_authorities.join(', '));
  if (f.hospital_id) {
    const hosp = hospitals.find((x) => x.id === f.hospital_id);
    parts.push(`within ${f.radius_km || '?'} km of ${hosp ? hosp.name : 'hospital ' + f.hospital_id}`);
  }
  if (f.min_rating) parts.push(`rated ${(RATINGS[f.min_rating] || f.min_rating).toLowerCase()} or better`);
  if (f.guide_rate_only) parts.push('guide price');
  if (f.admit_within) parts.push(`admits ${(ADMIT[f.admit_within] || f.admit_within).toLowerCase()}`);
  return parts.length ? parts.join('; ') : 'Every free bed you can see';
}

export async function alerts() {
  const user = state.session.user;
  const alertee = ALERTEES.includes(user.role);
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const device = h('div');
  const filtersBox = h('div');
  const formBox = h('div');
  let filters = [];
  let hospitals = [];
  let areaList = [];

  const show = (text, kind) => {
    msg.replaceChildren(kind === 'error' ? errorSummary('There is a problem', [text])
      : h('div', { class: 'nhsuk-inset-text bs-message' }, h('p', {}, text)));
    const s = msg.querySelector('.nhsuk-error-summary');
    if (s) s.focus();
  };

  async function renderDevice() {
    const saved = await BS.kv.get('push');
    const on = !!saved && supported() && Notification.permission === 'granted';
    device.replaceChildren();
    if (!supported()) {
      device.append(h('p', {}, 'This browser cannot show alerts. On an iPhone or iPad, add Bedstate to your Home Screen first (iOS 16.4 or later), then open it from there.'));
      return;
    }
    device.append(h('p', {}, 'Alerts on this device: ', on ? tag('On', 'green') : tag('Off', 'grey')));
    if (alertee) {
      const opts = [['', 'All my alert filters'], ...filters.map((x) => [String(x.id), x.name])];
      device.append(select('device-filter', 'Alerts to send to this device', opts, on && saved.filter_id ? String(saved.filter_id) : ''));
    }
    const btn = h('button', { type: 'button', class: on ? 'nhsuk-button nhsuk-button--secondary' : 'nhsuk-button' },
      on ? 'Turn off alerts on this device' : 'Turn on alerts on this device');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        if (on) {
          await turnOff();
          show('Alerts are off on this device.');
        } else {
          const sel = device.querySelector('#device-filter');
          await turnOn(sel && sel.value ? Number(sel.value) : null);
          show(alertee ? 'Alerts are on. You will be told on this device when a bed matching your filters frees up.' : 'Reminders are on for this device.');
        }
      } catch (e) {
        show(problemText(e), 'error');
      }
      await renderDevice();
    });
    device.append(btn);
    const sel = device.querySelector('#device-filter');
    if (sel && on) {
      sel.addEventListener('change', async () => {
        try { await turnOn(sel.value ? Number(sel.value) : null); show('This device now gets the alerts you chose.'); } catch (e) { show(problemText(e), 'error'); }
      });
    }
  }

  async function loadFilters() {
    filters = (await BS.json('/alerts')).alerts || [];
  }

  function renderFilters() {
    filtersBox.replaceChildren(
      filters.length ? h('ul', { class: 'nhsuk-list bs-cards' }, filters.map((a) => h('li', { class: 'nhsuk-card', 'data-alert-id': String(a.id) },
        h('div', { class: 'nhsuk-card__content' },
          h('h3', { class: 'nhsuk-card__heading nhsuk-heading-s' }, a.name),
          h('p', { class: 'nhsuk-card__description' }, describe(a.filter || {}, hospitals)),
          h('div', { class: 'bs-moves' },
            h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', 'aria-label': `Change alert: ${a.name}`, onclick: () => renderForm(a) }, 'Change'),
            h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--warning nhsuk-button--small', 'aria-label': `Delete alert: ${a.name}`, onclick: () => remove(a) }, 'Delete'))))))
        : h('p', {}, 'You have no alert filters yet. Without one, you are alerted to every free bed you can see.'));
  }

  async function remove(a) {
    try {
      await BS.json('/alerts/' + a.id, { method: 'DELETE', headers: writeHeaders() });
      await loadFilters();
      renderFilters();
      await renderDevice();
      show(`Deleted the alert "${a.name}".`);
    } catch (e) { show(problemText(e), 'error'); }
  }

  function renderForm(a) {
    const f = (a && a.filter) || {};
    const districts = [...new Set([...areaList.map((x) => x.district).filter(Boolean), ...(f.districts || [])])];
    const form = h('form', { novalidate: true, class: 'bs-filters' },
      h('h2', { class: 'nhsuk-heading-m' }, a ? `Change "${a.name}"` : 'Add an alert'),
      input('alert-name', 'Name', { type: 'text', maxlength: '80', value: a ? a.name : '', required: true }, 'For example: Nursing dementia near Royal Stoke'),
      checkboxes('alert-care', 'Care type', CARE_TYPES, f.care_types, 'Leave empty for any'),
      checkboxes('alert-group', 'Need', CLIENT_GROUPS, f.client_groups, 'Leave empty for any'),
      select('alert-stay', 'Stay', { '': 'Any stay (long term)', ...STAY_TYPES }, f.stay_type || ''),
      checkboxes('alert-district', 'Areas', Object.fromEntries(districts.map((d) => [d, d])), f.districts, 'Leave empty for anywhere'),
      h('div', { class: 'bs-filters__grid' },
        select('alert-hospital', 'Near', [['', 'Anywhere'], ...hospitals.map((x) => [String(x.id), x.name])], f.hospital_id ? String(f.hospital_id) : (a ? '' : String(state.session.user.hospital_id || ''))),
        select('alert-radius', 'Within', { 5: '5 km', 10: '10 km', 15: '15 km', 25: '25 km', 50: '50 km' }, String(f.radius_km || 25)),
        select('alert-rating', 'CQC rating at least', { '': 'Any rating', outstanding: 'Outstanding', good: 'Good', requires_improvement: 'Requires improvement' }, f.min_rating || ''),
        select('alert-admit', 'Can admit', { '': 'Any time', same_day: 'Same day', next_day: 'By tomorrow' }, f.admit_within || '')),
      h('div', { class: 'nhsuk-form-group' }, h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small' },
        h('div', { class: 'nhsuk-checkboxes__item' },
          h('input', { class: 'nhsuk-checkboxes__input', id: 'alert-guide', name: 'alert-guide', type: 'checkbox', value: '1', checked: !!f.guide_rate_only }),
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: 'alert-guide' }, 'Accepts the council guide price')))),
      h('button', { type: 'submit', class: 'nhsuk-button' }, a ? 'Save alert' : 'Add alert'),
      a ? h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary bs-cancel', onclick: () => renderForm(null) }, 'Cancel') : null);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const name = form['alert-name'].value.trim();
      if (!name) { show('Enter a name for the alert', 'error'); return; }
      const checked = (n) => [...form.querySelectorAll(`input[name="${n}"]:checked`)].map((x) => x.value);
      const filter = { care_types: checked('alert-care'), client_groups: checked('alert-group'), districts: checked('alert-district') };
      if (form['alert-stay'].value) filter.stay_type = form['alert-stay'].value;
      if (form['alert-hospital'].value) { filter.hospital_id = Number(form['alert-hospital'].value); filter.radius_km = Number(form['alert-radius'].value); }
      if (form['alert-rating'].value) filter.min_rating = form['alert-rating'].value;
      if (form['alert-admit'].value) filter.admit_within = form['alert-admit'].value;
      if (form['alert-guide'].checked) filter.guide_rate_only = true;
      try {
        if (a) await BS.json('/alerts/' + a.id, { method: 'PUT', body: { name, filter }, headers: writeHeaders() });
        else await BS.json('/alerts', { method: 'POST', body: { name, filter }, headers: writeHeaders() });
        await loadFilters();
        renderFilters();
        await renderDevice();
        renderForm(null);
        show(a ? `Saved the alert "${name}".` : `Added the alert "${name}".`);
      } catch (e) { show(problemText(e), 'error'); }
    });
    formBox.replaceChildren(form);
    if (a) form['alert-name'].focus();
  }

  if (alertee) {
    try { hospitals = (await BS.json('/hospitals')).hospitals || []; } catch (e) { hospitals = (await BS.kv.get('hospitals')) || []; }
    areaList = await areas();
    await loadFilters();
  }
  screen(alertee ? 'Alerts' : 'Reminders',
    msg,
    h('p', {}, alertee ? 'Be told on this phone or computer the moment a bed matching your filters frees up, and when it is taken.'
      : 'A reminder on this phone each day your beds have not been updated or confirmed. Tapping it opens the update screen.'),
    h('h2', { class: 'nhsuk-heading-m' }, 'This device'), device,
    alertee ? [h('h2', { class: 'nhsuk-heading-m' }, 'Your alert filters'), filtersBox, formBox] : null);
  await renderDevice();
  if (alertee) { renderFilters(); renderForm(null); }
}
