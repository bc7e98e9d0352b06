// Events: the live stream of the caller's sessions' events, newest first.
import { h, ago, empty } from './ui.js';
import { live } from './live.js';

// summary is a one-line reading of an event's payload.
function summary(ev) {
  const d = ev.data || {};
  switch (ev.event) {
    case 'session_status':
      return [d.tags, d.status, d.reason].filter(Boolean).join(' · ');
    case 'message_received':
      return (d.sender && (d.sender.pushName || d.sender.authorJid) ? (d.sender.pushName || d.sender.authorJid) + ': ' : '') + (d.text || d.contentType || '');
    case 'session_health':
      return [d.health, d.reason].filter(Boolean).join(' · ');
    case 'message_status':
      return [d.status || d.state, d.to, d.messageId].filter(Boolean).join(' · ');
    default:
      return '';
  }
}

export async function eventsView(ctx) {
  const state = h('span', { class: 'badge s-connecting', text: 'connecting' });
  const filter = h('input', { type: 'search', placeholder: 'Filter by type or session', 'aria-label': 'Filter events' });
  const list = h('ol', { class: 'events' });
  let paused = false;
  const pause = h('button', { type: 'button', class: 'ghost', text: 'Pause', onclick: () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) draw();
  } });
  const row = (ev) => h('li', { 'data-event': ev.event },
    h('span', { class: 'etype', text: ev.event }),
    h('span', { class: 'esession', text: ev.sessionId }),
    h('span', { class: 'esummary', text: summary(ev) }),
    h('span', { class: 'small muted' }, ago(ev.occurredAt)));
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    const shown = live.recent.filter((ev) => !f || ev.event.includes(f) || ev.sessionId.toLowerCase().includes(f)).slice().reverse();
    list.replaceChildren(...(shown.length ? shown.map(row) : [empty('No events yet: they appear here as they happen.')]));
  };
  filter.addEventListener('input', draw);
  ctx.onLeave(live.on((m) => {
    if ('connected' in m) {
      state.className = 'badge ' + (m.connected ? 's-open' : 's-reconnecting');
      state.textContent = m.connected ? 'live' : 'reconnecting';
    }
    if (m.event && !paused) draw();
  }));
  state.className = 'badge s-open';
  state.textContent = 'live';
  draw();
  return h('div', {}, h('div', { class: 'row head' }, h('h1', { text: 'Live events' }), state, h('span', { class: 'grow' }), pause),
    h('div', { class: 'toolbar' }, filter), list);
}
