// The signed-in session: the user and the token pair, kept in localStorage so a
// reload (or a second tab) stays signed in. Refresh tokens rotate: each refresh
// spends the old one, so tabs take turns (Web Locks) and re-read the stored pair
// first — another tab may have refreshed already.

const KEY = 'hugmood.session';
const listeners = new Set();

function read() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || 'null');
    return value && value.accessToken && value.refreshToken && value.user ? value : null;
  } catch {
    return null;
  }
}

let current = read();

function write(value) {
  current = value;
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
}

function emit(kind) {
  for (const listener of listeners) listener(kind, current);
}

/** Runs `fn` while holding the cross-tab refresh lock (where the browser has one). */
function exclusive(fn) {
  return navigator.locks ? navigator.locks.request('hugmood-refresh', fn) : fn();
}

/** Thrown when the hub cannot be reached at all. */
export class NetworkError extends Error {
  constructor() {
    super('the hub cannot be reached');
    this.name = 'NetworkError';
  }
}

export const session = {
  get user() {
    return current && current.user;
  },
  get signedIn() {
    return !!current;
  },
  accessToken() {
    return current && current.accessToken;
  },

  /** Starts a session from an auth answer `{user, accessToken, refreshToken}`. */
  start(auth) {
    const changedUser = !current || current.user.id !== auth.user.id;
    write({ user: auth.user, accessToken: auth.accessToken, refreshToken: auth.refreshToken });
    emit(changedUser ? 'login' : 'refresh');
  },

  updateUser(user) {
    if (!current) return;
    write({ ...current, user: { ...current.user, ...user } });
    emit('user');
  },

  /**
   * Gets a fresh access token after `failed` was refused. True when there is one to
   * retry with; false when the session is over (the caller is signed out).
   */
  refresh(failed) {
    return exclusive(async () => {
      current = read();
      if (!current) return false;
      if (current.accessToken !== failed) return true;
      let response;
      try {
        response = await fetch('api/v1/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        });
      } catch {
        throw new NetworkError();
      }
      if (response.ok) {
        const auth = await response.json();
        write({ user: current.user, accessToken: auth.accessToken, refreshToken: auth.refreshToken });
        emit('refresh');
        return true;
      }
      if (response.status === 401 || response.status === 400) {
        session.end();
      }
      return false;
    });
  },

  /** Logs out on the hub (which also revokes the stream cookie), then forgets the session. */
  async logout() {
    const ending = current;
    if (ending) {
      try {
        await fetch('api/v1/auth/logout', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ending.accessToken}` },
          body: JSON.stringify({ refreshToken: ending.refreshToken }),
        });
      } catch {
        // Offline: the tokens are forgotten here all the same; they expire on the hub.
      }
    }
    session.end();
  },

  /** Forgets the session on this device. */
  end() {
    write(null);
    emit('logout');
  },

  /** `listener(kind, session)` with kind login, refresh, user or logout. */
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

// Another tab signed in, out, or refreshed.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY && event.key !== null) return;
  const before = current;
  current = read();
  if (!current) emit('logout');
  else if (!before || before.user.id !== current.user.id) emit('login');
  else emit('refresh');
});
