// The commissioner's freshness overview of their area: homes whose figures
// are over 24 hours old, homes closed to admissions, suspended homes; and
// suspending or reinstating a home.
import { h, tag, ago, when, timeEl, input, errorSummary, problemText, CLOSURE_REASONS, RATINGS } from './ui.js';
import { screen } from './app.js';

const BS = self.BS;
const DAY = 864e5;

async function allHomes() {
  const homes = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const page = await BS.json('/homes?limit=500' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    homes.push(...page.homes);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return homes;
}

export async function overview() {
  const homes = await allHomes();
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  const body = h('div');
  const districtSel = h('select', { class: 'nhsuk-select', id: 'district', name: 'district' });
  const districts = [...new Set(homes.map((x) => x.district).filter(Boolean))].sort();
  districtSel.append(h('option', { value: '' }, 'All areas'), ...districts.map((d) => h('option', { value: d }, d)));
  districtSel.value = new URLSearchParams(location.search).get('district') || '';
  districtSel.addEventListener('change', () => {
    history.replaceState(null, '', '/overview' + (districtSel.value ? '?district=' + encodeURIComponent(districtSel.value) : ''));
    render();
  });

  const staleOf = (x) => !x.beds_observed_at || Date.now() - Date.parse(x.beds_observed_at) > DAY;

  function suspendButton(x) {
    const label = x.suspended ? `Reinstate ${x.name}` : `Suspend ${x.name}`;
    const btn = h('button', { type: 'button', class: `nhsuk-button nhsuk-button--small ${x.suspended ? 'nhsuk-button--secondary' : 'nhsuk-button--warning'} nhsuk-u-margin-bottom-0`, 'aria-label': label },
      x.suspended ? 'Reinstate' : 'Suspend');
    btn.addEventListener('click', () => {
      const cell = btn.parentElement;
      const id = `reason-${x.id}`;
      const form = h('form', { class: 'bs-inline-form', novalidate: true },
        x.suspended ? h('p', { class: 'nhsuk-body-s' }, `Reinstate ${x.name} for new placements?`)
          : input(id, `Why suspend ${x.name}?`, { type: 'text', minlength: '3', maxlength: '280', required: true }, 'Shown to your team in the audit trail. At least 3 characters.'),
        h('button', { type: 'submit', class: `nhsuk-button nhsuk-button--small ${x.suspended ? '' : 'nhsuk-button--warning'} nhsuk-u-margin-bottom-0` }, x.suspended ? `Confirm reinstating ${x.name}` : `Confirm suspending ${x.name}`),
        ' ',
        h('button', { type: 'button', class: 'nhsuk-button nhsuk-button--small nhsuk-button--secondary nhsuk-u-margin-bottom-0', onclick: () => render() }, 'Cancel'));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const reason = x.suspended ? '' : form[id].value.trim();
        if (!x.suspended && reason.length < 3) {
          msg.replaceChildren(errorSummary('There is a problem', ['Enter why the home is suspended (at least 3 characters)']));
          msg.firstChild.focus();
          return;
        }
        try {
          const updated = await BS.json(`/homes/${x.id}/suspension`, {
            method: 'PUT', body: x.suspended ? { suspended: false } : { suspended: true, reason },
            headers: { 'Idempotency-Key': BS.uuid(), 'X-Bedstate-Client': 'pwa' },
          });
          Object.assign(x, updated);
          msg.replaceChildren(h('div', { class: 'nhsuk-inset-text bs-message' }, h('p', {}, updated.suspended ? `${x.name} is suspended from new placements.` : `${x.name} is reinstated for new placements.`)));
          render();
        } catch (e) {
          msg.replaceChildren(errorSummary('There is a problem', [problemText(e)]));
          msg.firstChild.focus();
        }
      });
      cell.replaceChildren(form);
      const first = form.querySelector('input, button');
      if (first) first.focus();
    });
    return btn;
  }

  function table(caption, list, cols) {
    if (!list.length) return h('p', { class: 'nhsuk-body-s' }, `${caption}: none.`);
    return h('div', { class: 'bs-scroll' }, h('table', { class: 'bs-table' },
      h('caption', { class: 'nhsuk-table__caption nhsuk-u-visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Home'), cols.map(([t]) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, 'Placements'))),
      h('tbody', {}, list.map((x) => h('tr', { 'data-home-id': String(x.id) },
        h('th', { scope: 'row' }, x.name, h('br'), h('span', { class: 'nhsuk-body-s' }, x.district || x.local_authority)),
        cols.map(([, fn]) => h('td', {}, fn(x))),
        h('td', {}, suspendButton(x)))))));
  }

  function render() {
    const d = districtSel.value;
    const mine = homes.filter((x) => !d || x.district === d);
    const stale = mine.filter(staleOf).sort((a, b) => Date.parse(a.beds_observed_at || 0) - Date.parse(b.beds_observed_at || 0));
    const closed = mine.filter((x) => x.status !== 'open');
    const suspended = mine.filter((x) => x.suspended);
    const phone = (x) => x.phone ? h('a', { href: 'tel:' + x.phone.replace(/[^\d+]/g, ''), 'aria-label': `Call ${x.name} on ${x.phone}` }, x.phone) : '';
    body.replaceChildren(
      h('ul', { class: 'bs-stats' },
        h('li', {}, h('strong', {}, String(mine.length)), 'homes'),
        h('li', { 'data-stat': 'stale' }, h('strong', {}, String(stale.length)), 'not updated for 24 hours'),
        h('li', { 'data-stat': 'closed' }, h('strong', {}, String(closed.length)), 'closed or restricted'),
        h('li', { 'data-stat': 'suspended' }, h('strong', {}, String(suspended.length)), 'suspended')),
      h('h2', { class: 'nhsuk-heading-m', id: 'stale' }, `Not updated for more than 24 hours (${stale.length})`),
      table('Homes not updated for more than 24 hours', stale, [
        ['Last update', (x) => x.beds_observed_at ? [timeEl(x.beds_observed_at, ago(x.beds_observed_at)), ' ', Date.now() - Date.parse(x.beds_observed_at) > 3 * DAY ? tag('Stale', 'red') : tag('Ageing', 'yellow')] : tag('Never', 'red')],
        ['Phone', phone]]),
      h('h2', { class: 'nhsuk-heading-m', id: 'closed' }, `Closed to admissions (${closed.length})`),
      table('Homes closed to admissions', closed, [
        ['Status', (x) => [tag(x.status === 'closed' ? 'Closed' : 'Restricted', 'orange'), ' ', x.status_reason ? (CLOSURE_REASONS[x.status_reason] || x.status_reason) : '']],
        ['Until', (x) => x.status_expires_at ? timeEl(x.status_expires_at) : '']]),
      h('h2', { class: 'nhsuk-heading-m', id: 'suspended' }, `Suspended (${suspended.length})`),
      table('Suspended homes', suspended, [
        ['Reason', (x) => x.suspension_reason || ''],
        ['Since', (x) => x.suspended_at ? timeEl(x.suspended_at) : '']]),
      h('h2', { class: 'nhsuk-heading-m', id: 'all' }, 'All homes'),
      h('details', { class: 'nhsuk-details' },
        h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, `Every home in ${d || 'your area'} (${mine.length})`)),
        h('div', { class: 'nhsuk-details__text' }, table('All homes', [...mine].sort((a, b) => a.name.localeCompare(b.name)), [
          ['Rating', (x) => RATINGS[x.cqc_rating] || ''],
          ['Last update', (x) => x.beds_observed_at ? when(x.beds_observed_at) : 'never']]))));
  }

  screen('Your area: freshness and placements', msg,
    h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: 'district' }, 'Area'), districtSel),
    body);
  render();
}
