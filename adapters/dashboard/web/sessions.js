// Sessions: the list with live state, creating and linking one (QR or pair code),
// reconnect / log out / delete, a test message, and the session's webhooks.
import { api, results, q } from './api.js';
import { h, act, field, badge, ago, card, empty, toast } from './ui.js';
import { live } from './live.js';
import { webhookCard, subscriptionsCard } from './webhooks.js';

const sessionList = async () => (await results('/api/v1/session/list'))[0].items;

// The list's status for a session waiting for its login is "connecting".
const linked = (s) => s.status === 'open';

// actions are a session's buttons; after runs once one of them succeeded.
function actions(s, after) {
  const run = (label, method, path, done, confirmText, cls, then) => h('button', {
    type: 'button', class: cls || 'ghost', text: label,
    onclick: async (e) => {
      if (confirmText && !confirm(confirmText)) return;
      const ok = await act(e.currentTarget, () => api(method, path + '?sessionId=' + q(s.id)), done);
      if (ok) (then || after)();
    },
  });
  return h('div', { class: 'actions' },
    run('Reconnect', 'GET', '/api/v1/session/reconnect', 'Reconnect scheduled'),
    run('Log out', 'GET', '/api/v1/session/logout', 'Logged out', 'Log out ' + s.id + '? The phone must link it again.'),
    run('Delete', 'DELETE', '/api/v1/session/delete', 'Session deleted', 'Delete ' + s.id + ' and everything it stored?', 'danger',
      () => { location.hash = '#/sessions'; }));
}

function who(s) {
  if (!s.me) return h('span', { class: 'muted', text: 'not linked' });
  return h('span', {}, s.pushName || '', ' ', h('span', { class: 'muted', text: '+' + s.me.id.split(/[@:]/)[0] }));
}

export async function sessionsView(ctx) {
  const list = h('div', { class: 'grid' });
  const refresh = async () => {
    const items = await sessionList();
    list.replaceChildren(...(items.length ? items.map((s) => h('article', { class: 'card session', 'data-session': s.id },
      h('div', { class: 'row' }, h('a', { class: 'title', href: '#/sessions/' + q(s.id), text: s.id }), badge(s.status)),
      h('p', {}, who(s)),
      s.lastError && h('p', { class: 'error small', text: s.lastError }),
      h('p', { class: 'small muted' }, 'Last connected ', ago(s.lastConn)),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/sessions/' + q(s.id), text: linked(s) ? 'Open' : 'Link' })),
    )) : [empty('No sessions yet. Create one above and link it with your phone.')]));
  };
  ctx.onLeave(live.on((m) => { if (m.event && m.event.event === 'session_status') refresh(); }));
  await refresh();
  return h('div', {}, h('h1', { text: 'Sessions' }), createCard(), list);
}

function createCard() {
  const id = h('input', { name: 'sessionId', required: true, placeholder: 'e.g. shop', pattern: '[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}', autocomplete: 'off' });
  const form = h('form', { class: 'inline', onsubmit: (e) => {
    e.preventDefault();
    location.hash = '#/sessions/' + q(id.value.trim()) + '?link=1';
  } }, field('New session id', id), h('button', { type: 'submit', text: 'Create and link' }));
  return card(null, form);
}

// sessionView is one session: its state, linking, actions, a test message and webhooks.
export async function sessionView(ctx) {
  const id = ctx.param;
  const wantLink = location.hash.includes('?link=1');
  const head = h('div', { class: 'row head' });
  const linkBox = h('div');
  const body = h('div', { class: 'columns' });
  let current;

  const refresh = async () => {
    current = (await sessionList()).find((s) => s.id === id);
    if (!current) {
      head.replaceChildren(h('h1', { text: id }), h('span', { class: 'muted', text: 'not created yet' }));
      return;
    }
    head.replaceChildren(h('h1', { text: id }), badge(current.status), h('span', { class: 'grow' }), actions(current, refresh));
    if (current.status !== 'connecting') { // no QR pending (any more)
      qrButton.hidden = false;
      qrImg.hidden = true;
      qrNote.textContent = '';
    }
    linkBox.replaceChildren(linked(current) ? card('Linked', h('p', {}, who(current), ' · connected ', ago(current.lastConn))) : linkCard);
  };

  const qrImg = h('img', { class: 'qr', alt: 'QR code to scan with WhatsApp', hidden: true });
  const qrNote = h('p', { class: 'small muted' });
  const showQR = (data) => {
    qrImg.src = data.qr;
    qrImg.hidden = false;
    qrButton.hidden = true;
    qrNote.textContent = 'On your phone: WhatsApp › Linked devices › Link a device. The code refreshes by itself'
      + (data.qrDuration ? ' (this one for ' + data.qrDuration + ' s).' : '.');
  };
  const startQR = async (button) => {
    const res = await act(button, () => api('GET', '/api/v1/session/create?sessionId=' + q(id)));
    if (!res) return;
    const r = res.results[0];
    if (r.qr) showQR(r);
    else toast(res.message);
    await refresh();
  };
  const phone = h('input', { name: 'phone', inputmode: 'numeric', placeholder: '6281234567890', required: true });
  const pairOut = h('p', { class: 'paircode' });
  const pairForm = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const res = await act(e.submitter, () => api('GET', '/api/v1/session/create/pair-code?sessionId=' + q(id) + '&phone=' + q(phone.value.trim())));
    if (!res) return;
    const code = res.results[0].pairCode;
    pairOut.textContent = code ? code : res.message;
    await refresh();
  } }, field('Phone number, with country code', phone), h('button', { type: 'submit', class: 'ghost', text: 'Get pair code' }));

  const qrButton = h('button', { type: 'button', text: 'Show QR code', onclick: (e) => startQR(e.currentTarget) });
  const linkCard = card('Link a phone',
    h('div', { class: 'link' },
      h('div', {}, qrButton, qrImg, qrNote),
      h('div', {}, h('h3', { text: 'Or use a pair code' }), pairForm, pairOut)));

  ctx.onLeave(live.on((m) => {
    const ev = m.event;
    if (!ev || ev.sessionId !== id || ev.event !== 'session_status') return;
    if (ev.data.qr) showQR(ev.data);
    refresh();
  }));
  await refresh();
  if (wantLink && (!current || !linked(current))) startQR();

  body.append(sendCard(id), await webhookCard(id), await subscriptionsCard(id));
  return h('div', {}, h('p', {}, h('a', { href: '#/sessions', text: '‹ All sessions' })), head, linkBox, body);
}

function sendCard(id) {
  const to = h('input', { name: 'to', inputmode: 'numeric', placeholder: '6281234567890', required: true });
  const text = h('textarea', { name: 'message', required: true, rows: 3, text: 'Hello from WAREST' });
  const out = h('p', { class: 'small' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const res = await act(e.submitter, () => api('POST', '/api/v1/messages/send/text', { sessionId: id, to: to.value.trim(), message: text.value }));
    if (!res) return;
    const r = (res.results || [])[0];
    out.replaceChildren(r ? h('span', {}, 'Message ', badge(r.state), ' ', h('code', { text: r.messageId || '' })) : res.message);
  } }, field('To (phone number)', to), field('Message', text), h('button', { type: 'submit', text: 'Send test message' }), out);
  return card('Send a test message', form);
}
