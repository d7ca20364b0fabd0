// Small DOM and wording helpers. Elements are built with h(), never from
// HTML strings, so API data cannot inject markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) add(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const CARE_TYPES = { residential: 'Residential', nursing: 'Nursing' };
export const CLIENT_GROUPS = {
  older_people: 'Older people',
  dementia: 'Dementia',
  learning_disability_autism: 'Learning disability or autism',
  mental_health: 'Mental health',
  physical_disability_sensory: 'Physical disability or sensory impairment',
};
export const STAY_TYPES = {
  long_term: 'Long term', respite: 'Respite', discharge_to_assess: 'Discharge to assess (D2A)', intermediate_care: 'Intermediate care',
};
export const ADMIT = { same_day: 'Same day', next_day: 'Next day', later: 'Later' };
export const RATINGS = {
  outstanding: 'Outstanding', good: 'Good', requires_improvement: 'Requires improvement', inadequate: 'Inadequate', not_yet_rated: 'Not yet rated',
};
export const CLOSURE_REASONS = { infection_outbreak: 'Infection outbreak', staffing: 'Staffing', maintenance: 'Maintenance', other: 'Other' };
export const UNAVAILABLE_REASONS = { infection_control: 'Infection control', staffing: 'Staffing', maintenance: 'Maintenance', regulatory: 'Regulatory', other: 'Other' };

// areas loads the local authorities and districts that have homes
// (GET /areas), kept on the phone for offline starts; [] when unknown.
export async function areas() {
  const BS = self.BS;
  try {
    const list = (await BS.json('/areas')).areas || [];
    await BS.kv.set('areas', list);
    return list;
  } catch (e) {
    if (e instanceof BS.AuthError) throw e;
    return (await BS.kv.get('areas')) || [];
  }
}

// category names one bed category in words: "nursing, dementia".
export function category(c) {
  return `${(CARE_TYPES[c.care_type] || c.care_type).toLowerCase()}, ${(CLIENT_GROUPS[c.client_group] || c.client_group).toLowerCase()}`;
}
export function categoryTitle(c) {
  return `${CARE_TYPES[c.care_type] || c.care_type}: ${(CLIENT_GROUPS[c.client_group] || c.client_group).toLowerCase()}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
export function when(iso) { return iso ? dateTime.format(new Date(iso)) : 'never'; }
export function day(iso) { return iso ? dateOnly.format(new Date(iso)) : ''; }

// ago says how old a time is, in words: "3 hours ago".
export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr} hour${hr === 1 ? '' : 's'} ago`;
  const d = Math.floor(hr / 24);
  return `${d} days ago`;
}

export function timeEl(iso, text) {
  return h('time', { datetime: iso || '' }, text || when(iso));
}

// freshnessTag: fresh (green), ageing (yellow), stale (red, and says so).
export function freshnessTag(band, iso) {
  const cls = { fresh: 'nhsuk-tag--green', ageing: 'nhsuk-tag--yellow', stale: 'nhsuk-tag--red' }[band] || 'nhsuk-tag--grey';
  const word = { fresh: 'Fresh', ageing: 'Ageing', stale: 'Stale' }[band] || 'Unknown';
  return h('strong', { class: `nhsuk-tag ${cls} bs-fresh`, 'data-freshness': band || 'unknown' }, `${word}: updated ${ago(iso)}`);
}

export function tag(text, colour) {
  return h('strong', { class: `nhsuk-tag${colour ? ' nhsuk-tag--' + colour : ''}` }, text);
}

export function money(n) {
  return n == null ? '' : '£' + Number(n).toLocaleString('en-GB', { maximumFractionDigits: 0 });
}

// entries puts the empty ("any") choice first: JavaScript lists integer-like
// keys before others.
function entries(options) {
  const e = Array.isArray(options) ? options : Object.entries(options);
  return [...e.filter(([v]) => v === ''), ...e.filter(([v]) => v !== '')];
}

export function select(id, label, options, value, attrs) {
  return h('div', { class: 'nhsuk-form-group' },
    h('label', { class: 'nhsuk-label', for: id }, label),
    h('select', Object.assign({ class: 'nhsuk-select', id, name: id }, attrs || {}),
      entries(options).map(([v, t]) => h('option', { value: v, selected: String(value ?? '') === v }, t))));
}

export function checkboxes(name, legend, options, values, hint) {
  const set = new Set(values || []);
  return h('div', { class: 'nhsuk-form-group' },
    h('fieldset', { class: 'nhsuk-fieldset' },
      h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s' }, legend),
      hint ? h('div', { class: 'nhsuk-hint' }, hint) : null,
      h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small' },
        Object.entries(options).map(([v, t], i) => h('div', { class: 'nhsuk-checkboxes__item' },
          h('input', { class: 'nhsuk-checkboxes__input', id: `${name}-${i}`, name, type: 'checkbox', value: v, checked: set.has(v) }),
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: `${name}-${i}` }, t))))));
}

export function input(id, label, attrs, hint) {
  return h('div', { class: 'nhsuk-form-group' },
    h('label', { class: 'nhsuk-label', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint', id: id + '-hint' }, hint) : null,
    h('input', Object.assign({ class: 'nhsuk-input', id, name: id, 'aria-describedby': hint ? id + '-hint' : null }, attrs || {})));
}

// errorSummary is the NHS error summary; it takes focus so screen readers
// read it at once.
export function errorSummary(title, items) {
  const el = h('div', { class: 'nhsuk-error-summary', 'aria-labelledby': 'error-summary-title', role: 'alert', tabindex: '-1' },
    h('h2', { class: 'nhsuk-error-summary__title', id: 'error-summary-title' }, title),
    h('div', { class: 'nhsuk-error-summary__body' },
      h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' }, items.map((t) => h('li', {}, t)))));
  return el;
}

export function problemText(e) {
  if (!e) return 'Something went wrong.';
  if (e.problem && e.problem.errors && e.problem.errors.length) return e.problem.errors.map((x) => `${x.field}: ${x.reason}`).join('; ');
  if (e.problem && e.problem.detail) return e.problem.detail;
  if (e instanceof TypeError) return 'No connection. Check your signal and try again.';
  return e.message || 'Something went wrong.';
}

export function cleanup() {
  for (const fn of cleanup.fns.splice(0)) { try { fn(); } catch (e) { /* ignore */ } }
}
cleanup.fns = [];
export function onLeave(fn) { cleanup.fns.push(fn); }
