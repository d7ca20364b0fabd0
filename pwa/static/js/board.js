// The vacancy board for discharge coordinators and brokerage teams:
// filters, distance from a hospital, freshness badges, tap to call, and a
// quiet refresh every 15 seconds with ETag revalidation.
import { h, select, freshnessTag, tag, money, categoryTitle, when, onLeave, areas, CARE_TYPES, CLIENT_GROUPS, STAY_TYPES, ADMIT, RATINGS, problemText } from './ui.js';
import { screen, state } from './app.js';

const BS = self.BS;
export const POLL_MS = 15000;
const FIELDS = ['care_type', 'client_group', 'stay_type', 'district', 'from', 'radius_km', 'min_rating', 'guide_rate_only', 'admit_within', 'sort', 'stale'];

function readFilters(user) {
  const q = new URLSearchParams(location.search);
  const f = {};
  for (const k of FIELDS) f[k] = q.get(k) || '';
  if (!q.has('from') && user.hospital_id) f.from = String(user.hospital_id);
  if (!q.has('radius_km') && f.from) f.radius_km = '25';
  if (!f.sort) f.sort = 'distance';
  return { f, focusHome: Number(q.get('home')) || 0 };
}

function apiQuery(f, limit) {
  const q = new URLSearchParams();
  for (const k of ['care_type', 'client_group', 'stay_type', 'min_rating', 'admit_within']) if (f[k]) q.set(k, f[k]);
  if (f.district.startsWith('la:')) q.set('local_authority', f.district.slice(3));
  else if (f.district) q.set('district', f.district);
  if (f.from) { q.set('hospital_id', f.from); if (f.radius_km) q.set('radius_km', f.radius_km); }
  if (f.guide_rate_only) q.set('guide_rate_only', 'true');
  if (f.stale) q.set('freshness', 'stale');
  q.set('limit', String(limit));
  return q.toString();
}

export async function board() {
  const user = state.session.user;
  let { f, focusHome } = readFilters(user);
  let hospitals = [];
  try {
    hospitals = (await BS.json('/hospitals')).hospitals || [];
    await BS.kv.set('hospitals', hospitals);
  } catch (e) {
    hospitals = (await BS.kv.get('hospitals')) || [];
  }
  // Areas from GET /areas: districts by value; a local authority whose
  // homes name no district is chosen as "la:" + its name.
  const areaList = await areas();
  const manyLAs = new Set(areaList.map((a) => a.local_authority)).size > 1;
  const areaOpts = [['', 'Any area'], ...areaList.map((a) => a.district
    ? [a.district, manyLAs ? `${a.district} (${a.local_authority})` : a.district]
    : [`la:${a.local_authority}`, a.local_authority])];
  if (f.district && !areaOpts.some(([v]) => v === f.district)) areaOpts.push([f.district, f.district.replace(/^la:/, '')]);

  const summary = h('p', { class: 'bs-summary', role: 'status', 'aria-live': 'polite' });
  const checked = h('p', { class: 'bs-updated' });
  const results = h('div', { class: 'bs-results' });
  const more = h('div');
  const errorBox = h('div');
  let limit = 50;
  let etag = null;
  let lastQuery = '';
  let data = null;
  let pinned = null;

  const form = h('form', { class: 'bs-filters', novalidate: true, 'aria-label': 'Filter vacancies' },
    h('div', { class: 'bs-filters__grid' },
      select('care_type', 'Care type', { '': 'Any care type', ...CARE_TYPES }, f.care_type),
      select('client_group', 'Need', { '': 'Any need', ...CLIENT_GROUPS }, f.client_group),
      select('stay_type', 'Stay', { '': 'Any stay (long term)', ...STAY_TYPES }, f.stay_type),
      select('district', 'Area', areaOpts, f.district),
      select('from', 'Distance from', { '': 'Anywhere (no distance)', ...Object.fromEntries(hospitals.map((x) => [String(x.id), x.name])) }, f.from),
      select('radius_km', 'Within', { '': 'Any distance', 5: '5 km', 10: '10 km', 15: '15 km', 25: '25 km', 50: '50 km', 100: '100 km' }, f.radius_km),
      select('min_rating', 'CQC rating at least', { '': 'Any rating', outstanding: 'Outstanding', good: 'Good', requires_improvement: 'Requires improvement' }, f.min_rating),
      select('admit_within', 'Can admit', { '': 'Any time', same_day: 'Same day', next_day: 'By tomorrow' }, f.admit_within),
      select('sort', 'Sort by', { distance: 'Distance', freshness: 'Freshest first' }, f.sort)),
    h('div', { class: 'nhsuk-form-group' },
      h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small' },
        h('div', { class: 'nhsuk-checkboxes__item' },
          h('input', { class: 'nhsuk-checkboxes__input', id: 'guide_rate_only', name: 'guide_rate_only', type: 'checkbox', value: '1', checked: !!f.guide_rate_only }),
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: 'guide_rate_only' }, 'Accepts the council guide price')),
        h('div', { class: 'nhsuk-checkboxes__item' },
          h('input', { class: 'nhsuk-checkboxes__input', id: 'stale', name: 'stale', type: 'checkbox', value: '1', checked: !!f.stale }),
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: 'stale' }, 'Include stale figures (older than 3 days)')))),
    h('button', { type: 'submit', class: 'nhsuk-button nhsuk-u-margin-bottom-0' }, 'Show beds'));

  function fromForm() {
    const n = {};
    for (const k of FIELDS) {
      const el = form.elements[k];
      n[k] = el.type === 'checkbox' ? (el.checked ? '1' : '') : el.value;
    }
    return n;
  }

  function saveURL() {
    const q = new URLSearchParams();
    for (const k of FIELDS) if (f[k]) q.set(k, f[k]);
    if (!f.from) q.set('from', '');
    if (focusHome) q.set('home', String(focusHome));
    history.replaceState(null, '', '/board' + (q.toString() ? '?' + q : ''));
  }

  async function fetchPage(quiet) {
    const qs = apiQuery(f, limit);
    if (qs !== lastQuery) { etag = null; lastQuery = qs; }
    let r;
    try {
      r = await BS.api('/vacancies?' + qs, { headers: etag ? { 'If-None-Match': etag } : {} });
    } catch (e) {
      if (e instanceof BS.AuthError) throw e;
      checked.textContent = `Could not refresh (offline?). Showing figures checked ${when(checked.dataset.at)}.`;
      return;
    }
    const at = new Date().toISOString();
    checked.dataset.at = at;
    if (r.status === 304) {
      checked.textContent = `Checked for changes ${when(at)}: none.`;
      return;
    }
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      errorBox.replaceChildren(h('div', { class: 'nhsuk-error-summary', role: 'alert' },
        h('h2', { class: 'nhsuk-error-summary__title' }, 'The search did not work'),
        h('div', { class: 'nhsuk-error-summary__body' }, h('p', {}, problemText({ problem: body })))));
      return;
    }
    errorBox.replaceChildren();
    etag = r.headers.get('ETag');
    data = body;
    checked.textContent = `Updated ${when(at)}. Refreshes every 15 seconds while open.`;
    render(quiet);
  }

  function card(v, extra) {
    const hosp = hospitals.find((x) => String(x.id) === f.from);
    const phone = v.phone ? v.phone.replace(/[^\d+]/g, '') : '';
    const total = v.categories.reduce((n, c) => n + c.available, 0);
    return h('li', { class: 'nhsuk-card bs-result', 'data-home-id': String(v.id), id: `home-${v.id}`, tabindex: '-1' },
      h('div', { class: 'nhsuk-card__content' },
        extra,
        h('h2', { class: 'nhsuk-card__heading nhsuk-heading-m' }, v.name),
        h('p', { class: 'nhsuk-body-s nhsuk-u-margin-bottom-2' },
          `${v.district || v.local_authority}${v.postcode ? ', ' + v.postcode : ''}`,
          v.distance_km != null ? ` · ${v.distance_km.toFixed(1)} km${hosp ? ' from ' + hosp.name : ''}` : ''),
        h('div', { class: 'bs-meta' },
          freshnessTag(v.freshness, v.observed_at),
          tag(`CQC: ${RATINGS[v.cqc_rating] || 'Not rated'}`, v.cqc_rating === 'inadequate' ? 'red' : v.cqc_rating === 'requires_improvement' ? 'orange' : 'white'),
          tag(v.nursing ? 'Nursing home' : 'Residential home', 'grey'),
          v.status !== 'open' ? tag(v.status === 'closed' ? 'Closed to admissions' : 'Restricted admissions', 'orange') : null,
          v.suspended ? tag('Suspended', 'red') : null),
        h('div', { class: 'bs-scroll' }, h('table', { class: 'bs-beds' },
          h('caption', { class: 'nhsuk-u-visually-hidden' }, `Free beds at ${v.name}: ${total}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Beds'), h('th', { scope: 'col' }, 'Free'), h('th', { scope: 'col' }, 'Weekly fee'), h('th', { scope: 'col' }, 'Admits'))),
          h('tbody', {}, v.categories.map((c) => h('tr', { 'data-category': `${c.care_type}/${c.client_group}` },
            h('th', { scope: 'row' }, categoryTitle(c)),
            h('td', { class: 'bs-free' }, String(c.available)),
            h('td', {}, c.weekly_fee_from ? `from ${money(c.weekly_fee_from)}` : '', c.guide_rate_accepted ? h('span', { class: 'nhsuk-body-s' }, c.weekly_fee_from ? ', guide price' : 'Guide price') : ''),
            h('td', {}, ADMIT[c.admit_within] || ''),
          ))))),
        phone ? h('p', { class: 'nhsuk-u-margin-bottom-0' },
          h('a', { class: 'bs-call', href: `tel:${phone}`, 'aria-label': `Call ${v.name} on ${v.phone}` }, `Call ${v.phone}`)) : null));
  }

  function render(quiet) {
    let list = [...data.vacancies];
    if (f.sort === 'freshness') list.sort((a, b) => Date.parse(b.observed_at || 0) - Date.parse(a.observed_at || 0));
    const focusEl = document.activeElement;
    const focusId = focusEl && focusEl.closest && focusEl.closest('[data-home-id]') && focusEl.closest('[data-home-id]').dataset.homeId;
    const items = list.map((v) => card(v));
    const shown = list.some((v) => v.id === focusHome);
    if (focusHome && !shown && pinned) items.unshift(card(pinned, h('p', { class: 'nhsuk-body-s' }, tag('From your alert', 'blue'), ' (outside these filters)')));
    results.replaceChildren(items.length ? h('ul', { class: 'nhsuk-list' }, items)
      : h('p', { class: 'nhsuk-inset-text' }, 'No homes with a free bed match these filters. Try a wider distance or fewer filters.'));
    const beds = list.reduce((n, v) => n + v.categories.reduce((m, c) => m + c.available, 0), 0);
    const text = `${data.total} home${data.total === 1 ? '' : 's'} with free beds${data.total > list.length ? `, showing ${list.length}` : ''} (${beds} bed${beds === 1 ? '' : 's'})`;
    if (summary.textContent !== text) summary.textContent = text;
    more.replaceChildren(data.next_cursor && limit < 200 ? h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--secondary', onclick: () => { limit = Math.min(200, limit + 50); fetchPage(); } }, 'Show more homes') : '');
    if (focusHome && !quiet) {
      const el = results.querySelector(`[data-home-id="${focusHome}"]`);
      if (el) { el.classList.add('bs-result--focus'); el.scrollIntoView({ block: 'center' }); el.focus({ preventScroll: true }); }
    } else if (focusHome) {
      const el = results.querySelector(`[data-home-id="${focusHome}"]`);
      if (el) el.classList.add('bs-result--focus');
    }
    if (quiet && focusId) {
      const el = results.querySelector(`[data-home-id="${focusId}"]`);
      if (el) el.focus({ preventScroll: true });
    }
  }

  async function pin() {
    if (!focusHome) return;
    try {
      const [home, beds] = await Promise.all([BS.json(`/homes/${focusHome}`), BS.json(`/homes/${focusHome}/beds`)]);
      pinned = Object.assign({}, home, { observed_at: beds.observed_at, freshness: (beds.categories[0] || {}).freshness, categories: beds.categories });
    } catch (e) { pinned = null; }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
  form.addEventListener('change', () => apply());
  async function apply() {
    f = fromForm();
    limit = 50;
    saveURL();
    await fetchPage();
  }

  const filterSummary = h('span', { class: 'nhsuk-details__summary-text' });
  const describe = () => {
    const hosp = hospitals.find((x) => String(x.id) === f.from);
    const parts = [
      f.care_type && CARE_TYPES[f.care_type], f.client_group && CLIENT_GROUPS[f.client_group].toLowerCase(),
      f.district.replace(/^la:/, ''), hosp && `${f.radius_km ? 'within ' + f.radius_km + ' km of ' : 'by distance from '}${hosp.name}`,
      f.min_rating && `rated ${RATINGS[f.min_rating].toLowerCase()} or better`, f.guide_rate_only && 'guide price',
      f.admit_within && ADMIT[f.admit_within].toLowerCase(),
    ].filter(Boolean);
    filterSummary.textContent = `Filters: ${parts.length ? parts.join(', ') : 'none'}`;
  };
  describe();
  form.addEventListener('change', describe);
  const details = h('details', { class: 'nhsuk-details bs-filter-details', open: matchMedia('(min-width: 48.0625em)').matches },
    h('summary', { class: 'nhsuk-details__summary' }, filterSummary), form);
  screen('Free care-home beds', details, errorBox, summary, checked, results, more);
  saveURL();
  await pin();
  await fetchPage();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') fetchPage(true); }, POLL_MS);
  const onVisible = () => { if (document.visibilityState === 'visible') fetchPage(true); };
  document.addEventListener('visibilitychange', onVisible);
  onLeave(() => { clearInterval(timer); document.removeEventListener('visibilitychange', onVisible); });
}
