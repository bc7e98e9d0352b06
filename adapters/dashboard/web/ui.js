// Small DOM helpers: no framework, no inline styles (the page runs under a strict CSP).

// h builds an element: props sets text, class, on<event> handlers, boolean
// properties (hidden, disabled, checked…) and other attributes; children may be
// nodes, strings, or falsy (skipped).
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el[k] = true;
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let toastTimer;

// toast shows a short message; kind "error" shows it in red.
export function toast(message, kind) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = kind === 'error' ? 'error' : '';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 6000 : 3000);
}

// hideToast takes the toast away at once: it spoke of the page just left.
export function hideToast() {
  clearTimeout(toastTimer);
  document.getElementById('toast').hidden = true;
}

// act runs an API action from a button: disabled while it runs, errors shown.
export async function act(button, fn, done) {
  if (button) button.disabled = true;
  try {
    const out = await fn();
    if (done) toast(done);
    return out;
  } catch (e) {
    toast(e.message, 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// field is a labelled input.
export function field(label, input) {
  return h('label', { class: 'field' }, h('span', { text: label }), input);
}

export function badge(status) {
  return h('span', { class: 'badge s-' + status, text: status.replace('_', ' ') });
}

// ago formats an ISO time as "3 min ago", with the exact time as its tooltip.
export function ago(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  let text;
  if (s < 45) text = 'just now';
  else if (s < 3600) text = Math.round(s / 60) + ' min ago';
  else if (s < 86400) text = Math.round(s / 3600) + ' h ago';
  else text = new Date(iso).toLocaleDateString();
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString(), text });
}

export function card(title, ...children) {
  return h('section', { class: 'card' }, title && h('h2', { text: title }), ...children);
}

export function empty(text) {
  return h('p', { class: 'empty', text });
}
