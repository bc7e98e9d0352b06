// The API client: every call goes to the same origin with the login cookie and the
// X-WAREST-CSRF header the server requires of every call signed in by the cookie. A page opened with
// ?api_key= uses that key instead (kept for this tab only, and taken out of the URL).

const keyName = 'warestDashboardKey';
const urlKey = new URLSearchParams(location.search).get('api_key');
if (urlKey) {
  sessionStorage.setItem(keyName, urlKey);
  history.replaceState(null, '', location.pathname + location.hash);
}
const key = sessionStorage.getItem(keyName);

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function goToLogin() {
  location.assign('/login?next=' + encodeURIComponent('/' + location.hash));
}

// api sends a JSON request and returns the decoded body; a refusal throws an
// ApiError with the envelope's message, a lost login goes to the login page.
export async function api(method, path, body) {
  const headers = { ...authHeaders(), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (res.status === 401 && !key) {
    goToLogin();
  }
  if (!res.ok) {
    throw new ApiError((data && data.message) || res.statusText, res.status, data && data.code);
  }
  return data;
}

// results returns the envelope's results array.
export async function results(path) {
  return (await api('GET', path)).results || [];
}

export const q = encodeURIComponent;

// authHeaders go with every call.
export function authHeaders() {
  const headers = { 'X-WAREST-CSRF': '1' };
  if (key) headers['X-WAREST-API-KEY'] = key;
  return headers;
}

export async function logout() {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-WAREST-CSRF': '1' } });
  sessionStorage.removeItem(keyName);
  sessionStorage.removeItem('warestApiKey');
}
