// Test set-up over the REST API (what the page itself is not under test for).

let counter = 0;

/** A name unique to this run. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}_${process.pid % 10000}_${counter}_${Math.floor(Math.random() * 1000)}`.slice(0, 30);
}

export async function call(base, path, { method = 'GET', token, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${base}/api/v1/${path}`, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return data;
}

export const PASSWORD = 'correct-horse-battery';

/** Registers someone: `{user, accessToken, refreshToken, username, password}`. */
export async function register(base, prefix, displayName) {
  const username = uniqueName(prefix);
  const auth = await call(base, 'auth/register', {
    method: 'POST',
    body: { username, email: `${username}@example.com`, password: PASSWORD, displayName },
  });
  return { ...auth, username, password: PASSWORD };
}

/** Makes `a` and `b` friends. */
export async function befriend(base, a, b) {
  const request = await call(base, 'friends/requests', { method: 'POST', token: a.accessToken, body: { userId: b.user.id } });
  await call(base, `friends/requests/${request.id}/accept`, { method: 'POST', token: b.accessToken });
}
