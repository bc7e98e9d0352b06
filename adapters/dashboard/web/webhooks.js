// Webhooks: a session's webhook and subscriptions, and every delivery and dead
// letter with redelivery.
import { api, results, q } from './api.js';
import { h, act, field, badge, ago, card, empty } from './ui.js';

// webhookCard edits the session's own webhook (its config).
export async function webhookCard(id) {
  const subs = await results('/api/v1/webhooks/subscriptions?sessionId=' + q(id)).catch(() => []);
  const primary = subs.find((s) => s.id === 'primary:' + id);
  const url = h('input', { name: 'webhookUrl', type: 'url', placeholder: 'https://example.com/warest', value: primary ? primary.url : '' });
  const preflight = h('input', { type: 'checkbox', name: 'preflight', checked: true });
  const out = h('p', { class: 'small' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const res = await act(e.submitter, () => api('POST', '/api/v1/session/' + q(id) + '/config',
      { webhookUrl: url.value.trim(), preflight: preflight.checked }), 'Webhook saved');
    if (!res) return;
    const secret = res.results[0].webhookSecret;
    out.replaceChildren(secret ? h('span', {}, 'Signing secret: ', h('code', { text: secret })) : '');
  } },
  field('Webhook URL (empty turns it off)', url),
  h('label', { class: 'check' }, preflight, ' Send a signed test request first'),
  h('button', { type: 'submit', text: 'Save webhook' }), out);
  return card('Webhook', form);
}

// subscriptionsCard lists the session's extra webhook subscriptions.
export async function subscriptionsCard(id) {
  const list = h('div', { class: 'list' });
  const refresh = async () => {
    const subs = (await results('/api/v1/webhooks/subscriptions?sessionId=' + q(id))).filter((s) => !s.id.startsWith('primary:'));
    list.replaceChildren(...(subs.length ? subs.map((s) => h('div', { class: 'item' },
      h('div', { class: 'grow' },
        h('div', { class: 'mono', text: s.url }),
        h('div', { class: 'small muted', text: (s.events.length ? s.events.join(', ') : 'all events') + ' · ' + s.mode
          + (s.failures ? ' · ' + s.failures + ' failures' : '') + (s.disabledReason ? ' · ' + s.disabledReason : '') })),
      badge(s.enabled ? 'enabled' : 'disabled'),
      h('button', { type: 'button', class: 'ghost', text: s.enabled ? 'Disable' : 'Enable',
        onclick: async (e) => { if (await act(e.currentTarget, () => api('PATCH', '/api/v1/webhooks/subscriptions/' + q(s.id), { enabled: !s.enabled }))) refresh(); } }),
      h('button', { type: 'button', class: 'danger', text: 'Remove',
        onclick: async (e) => {
          if (confirm('Remove this subscription?') && await act(e.currentTarget, () => api('DELETE', '/api/v1/webhooks/subscriptions/' + q(s.id)), 'Subscription removed')) refresh();
        } }),
    )) : [empty('No subscriptions besides the webhook above.')]));
  };
  const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/hook' });
  const events = h('input', { name: 'events', placeholder: 'message_received, session_status (empty: all)' });
  const secret = h('p', { class: 'small' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const list = events.value.split(',').map((s) => s.trim()).filter(Boolean);
    const res = await act(e.submitter, () => api('POST', '/api/v1/webhooks/subscriptions', { sessionId: id, url: url.value.trim(), events: list }), 'Subscription added');
    if (!res) return;
    secret.replaceChildren('Secret (shown once): ', h('code', { text: res.results[0].secret }));
    url.value = '';
    events.value = '';
    refresh();
  } }, field('URL', url), field('Events', events), h('button', { type: 'submit', class: 'ghost', text: 'Add subscription' }), secret);
  await refresh();
  return card('Subscriptions', list, form);
}

// webhooksView lists deliveries (all or dead letters) of the caller's sessions.
export async function webhooksView(ctx) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  let dead = params.get('dead') === '1';
  const session = h('select', { name: 'session', onchange: () => refresh() }, h('option', { value: '', text: 'All sessions' }));
  for (const s of (await results('/api/v1/session/list'))[0].items) {
    session.append(h('option', { value: s.id, text: s.id, selected: s.id === params.get('session') }));
  }
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const list = h('div', { class: 'list' });

  const refresh = async () => {
    tabs.replaceChildren(
      h('button', { type: 'button', role: 'tab', class: dead ? 'tab' : 'tab active', text: 'All deliveries', onclick: () => { dead = false; refresh(); } }),
      h('button', { type: 'button', role: 'tab', class: dead ? 'tab active' : 'tab', text: 'Dead letters', onclick: () => { dead = true; refresh(); } }));
    const sel = session.value ? 'sessionId=' + q(session.value) + '&' : '';
    const rows = await results(dead ? '/api/v1/webhooks/dead-letters?' + sel + 'limit=100' : '/api/v1/webhooks/deliveries?' + sel + 'limit=100');
    list.replaceChildren(...(rows.length ? rows.map(deliveryRow(refresh)) : [empty(dead ? 'No dead letters.' : 'No deliveries yet.')]));
    all.hidden = !dead || !rows.length;
    list.dataset.view = dead ? 'dead' : 'all';
  };
  const all = h('button', { type: 'button', class: 'ghost', text: 'Redeliver all', onclick: async (e) => {
    const body = { status: 'dead' };
    if (session.value) body.sessionId = session.value;
    if (await act(e.currentTarget, () => api('POST', '/api/v1/webhooks/deliveries/redeliver', body), 'Redelivery scheduled')) refresh();
  } });
  const timer = setInterval(() => refresh().catch(() => {}), 3000);
  ctx.onLeave(() => clearInterval(timer));
  await refresh();
  return h('div', {}, h('h1', { text: 'Webhook deliveries' }),
    h('div', { class: 'row toolbar' }, tabs, h('span', { class: 'grow' }), all, field('Session', session)), list);
}

const deliveryRow = (refresh) => (d) => h('div', { class: 'item delivery', 'data-delivery': d.id },
  badge(d.status),
  h('div', { class: 'grow' },
    h('div', { class: 'mono', text: d.url }),
    h('div', { class: 'small muted' }, d.sessionId + ' · event ' + d.eventId.slice(-8) + ' · ', d.attempts + (d.attempts === 1 ? ' attempt' : ' attempts'),
      d.lastStatus ? ' · last answer HTTP ' + d.lastStatus : '', d.lastError ? ' · ' + d.lastError : '', ' · ', ago(d.updatedAt))),
  h('button', { type: 'button', class: 'ghost', text: 'Redeliver', onclick: async (e) => {
    if (await act(e.currentTarget, () => api('POST', '/api/v1/webhooks/deliveries/' + q(d.id) + '/redeliver'), 'Redelivery scheduled')) refresh();
  } }));
