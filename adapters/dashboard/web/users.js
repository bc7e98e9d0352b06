// Users and API keys: admins see every user and create users; everyone manages
// their own keys.
import { api, results, q } from './api.js';
import { h, act, field, badge, ago, card, empty } from './ui.js';

export async function usersView(ctx) {
  const admin = ctx.me.role === 'admin';
  const list = h('div');
  const refresh = async () => {
    const users = admin ? await results('/api/v1/users') : [ctx.me];
    list.replaceChildren(...users.map(userItem));
  };
  await refresh();
  return h('div', {}, h('h1', { text: admin ? 'Users and API keys' : 'Your API keys' }), admin && createUserCard(refresh), list);
}

function createUserCard(refresh) {
  const name = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const pass = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, h('option', { value: 'user', text: 'user' }), h('option', { value: 'admin', text: 'admin' }));
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    if (await act(e.submitter, () => api('POST', '/api/v1/users', { username: name.value.trim(), password: pass.value, role: role.value }), 'User created')) {
      form.reset();
      refresh();
    }
  } }, field('Username', name), field('Password', pass), field('Role', role), h('button', { type: 'submit', text: 'Create user' }));
  return card('New user', form);
}

function userItem(u) {
  const keys = h('div', { class: 'list' });
  const issued = h('p', { class: 'small' });
  const refresh = async () => {
    const list = await results('/api/v1/users/' + q(u.id) + '/keys');
    keys.replaceChildren(...(list.length ? list.map((k) => h('div', { class: 'item' },
      h('div', { class: 'grow' },
        h('div', {}, k.name || '(unnamed)', ' ', h('code', { text: k.prefix + '…' })),
        h('div', { class: 'small muted' }, k.kind === 'login' ? 'login session' : 'API key', ' · created ', ago(k.createdAt),
          ' · last used ', ago(k.lastUsedAt))),
      badge(k.revokedAt ? 'revoked' : 'active'),
      !k.revokedAt && h('button', { type: 'button', class: 'danger', text: 'Revoke', onclick: async (e) => {
        if (confirm('Revoke this key? Anything using it stops working.')
          && await act(e.currentTarget, () => api('DELETE', '/api/v1/users/' + q(u.id) + '/keys/' + q(k.id)), 'Key revoked')) refresh();
      } }))) : [empty('No keys.')]));
  };
  const name = h('input', { name: 'name', placeholder: 'e.g. n8n', maxlength: 64 });
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const res = await act(e.submitter, () => api('POST', '/api/v1/users/' + q(u.id) + '/keys', { name: name.value.trim() }), 'Key issued');
    if (!res) return;
    issued.replaceChildren('New key (copy it now, it is not shown again): ', h('code', { class: 'select', text: res.results[0].key }));
    name.value = '';
    refresh();
  } }, field('Key name', name), h('button', { type: 'submit', class: 'ghost', text: 'Issue key' }));
  const details = h('details', { class: 'card user', ontoggle: () => { if (details.open) refresh(); } },
    h('summary', {}, h('strong', { text: u.username }), ' ', badge(u.role), h('span', { class: 'small muted' }, ' since ', ago(u.createdAt))),
    keys, form, issued);
  return details;
}
