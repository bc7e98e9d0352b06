// The dashboard shell: who is signed in, the navigation, hash routes to views, and
// one live event stream shared by every view.
import { results, logout, goToLogin } from './api.js';
import { h, badge, toast, hideToast } from './ui.js';
import { live } from './live.js';
import { sessionsView, sessionView } from './sessions.js';
import { webhooksView } from './webhooks.js';
import { eventsView } from './events.js';
import { usersView } from './users.js';

const routes = [
  { path: /^#\/sessions\/(.+)$/, view: sessionView },
  { path: /^#\/sessions$/, view: sessionsView, href: '#/sessions', nav: () => 'Sessions' },
  { path: /^#\/webhooks$/, view: webhooksView, href: '#/webhooks', nav: () => 'Webhooks' },
  { path: /^#\/events$/, view: eventsView, href: '#/events', nav: () => 'Events' },
  { path: /^#\/users$/, view: usersView, href: '#/users', nav: (me) => (me.role === 'admin' ? 'Users' : 'API keys') },
];

let me;
let leave = () => {};
let shown = 0; // counts renders: a view that loads after a later one started is dropped

async function render() {
  const n = ++shown;
  const hash = location.hash.split('?')[0] || '#/sessions';
  const route = routes.find((r) => r.path.test(hash));
  if (!route) {
    location.hash = '#/sessions';
    return;
  }
  leave();
  leave = () => {};
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  }
  const main = document.getElementById('view');
  const stale = () => n !== shown;
  // A view left while it still loads stops its timers and listeners at once.
  const onLeave = (fn) => { if (stale()) fn(); else leave = fn; };
  const ctx = { me, param: decodeURIComponent((hash.match(route.path)[1]) || ''), onLeave };
  let view;
  try {
    view = await route.view(ctx);
  } catch (e) {
    view = h('p', { class: 'error', text: e.message });
  }
  if (!stale()) main.replaceChildren(view);
}

async function start() {
  try {
    [me] = await results('/api/auth/me');
  } catch (e) {
    if (e.status !== 401) toast(e.message, 'error');
    return;
  }
  const who = document.getElementById('who');
  who.append(h('span', { class: 'name', text: me.username }));
  if (me.role === 'admin') who.append(badge('admin'));
  document.getElementById('nav').replaceChildren(...routes.filter((r) => r.nav).map((r) =>
    h('a', { href: r.href, text: r.nav(me) })));
  document.getElementById('logout').addEventListener('click', async () => {
    live.stop();
    await logout();
    goToLogin();
  });
  window.addEventListener('hashchange', () => { hideToast(); render(); });
  try {
    await live.start();
  } catch (e) {
    toast('Live updates are off: ' + e.message, 'error');
  }
  await render();
}

start();
