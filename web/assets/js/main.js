// The HugMood web app: signs in, routes between screens (`#/inbox`, …), keeps the
// live stream open while signed in, replays writes queued offline, and installs the
// service worker that caches the app shell.

import { banner, clear, h, messageOf } from './dom.js';
import { startLive, stopLive } from './live.js';
import { pending, replay } from './outbox.js';
import { session } from './session.js';
import { on, refreshUnread, setUnread } from './state.js';
import { analyticsView } from './views/analytics.js';
import { authView } from './views/auth.js';
import { friendsView } from './views/friends.js';
import { homeView } from './views/home.js';
import { inboxView } from './views/inbox.js';
import { jarView } from './views/jar.js';
import { settingsView } from './views/settings.js';

const ROUTES = {
  '': ['Home', homeView],
  inbox: ['Inbox', inboxView],
  friends: ['Friends', friendsView],
  jar: ['Hug jar', jarView],
  analytics: ['Analytics', analyticsView],
  settings: ['Settings', settingsView],
};
/** While writes wait in the outbox, sending them is tried again after this, doubling
 * up to the maximum while the hub stays out of reach. */
const REPLAY_FIRST_MS = 2000;
const REPLAY_MAX_MS = 30000;

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let shown = null;

function routeName() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0];
  return name in ROUTES ? name : '';
}

async function render({ focus = true } = {}) {
  if (shown && shown.dispose) shown.dispose();
  shown = null;
  const me = session.user;
  nav.hidden = !me;
  if (!me) {
    document.title = 'HugMood';
    clear(main).append(authView());
    return;
  }
  const name = routeName();
  const [title, view] = ROUTES[name];
  document.title = `${title} · HugMood`;
  for (const link of nav.querySelectorAll('a')) {
    const current = link.getAttribute('href') === `#/${name}`;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const screen = view({ me });
  shown = screen;
  clear(main).append(screen.el);
  if (focus) main.focus();
  try {
    if (screen.load) await screen.load();
  } catch (err) {
    if (shown === screen) main.append(h('p.form-error', { role: 'alert' }, messageOf(err)));
  }
}

// --- the offline queue ----------------------------------------------------------

let replayTimer = null;
let replayDelay = REPLAY_FIRST_MS;

async function replayOutbox() {
  const me = session.user;
  if (!me) return;
  await replay(me.id);
  const left = (await pending(me.id)).length;
  clearTimeout(replayTimer);
  if (left) {
    banner(`${left} ${left === 1 ? 'write waits' : 'writes wait'} to be sent: they go out when the hub can be reached.`);
    replayTimer = setTimeout(replayOutbox, replayDelay);
    replayDelay = Math.min(replayDelay * 2, REPLAY_MAX_MS);
  } else {
    replayDelay = REPLAY_FIRST_MS;
    if (navigator.onLine !== false) banner('');
  }
}

window.addEventListener('online', () => {
  banner('');
  replayOutbox();
});
window.addEventListener('offline', () => {
  banner('You are offline. Hugs and check-ins you make now are sent when you are back online.');
});
on('outbox', ({ type }) => {
  if (type === 'queued') replayOutbox();
});
// The stream (re)opened: the hub is reachable again, even if the browser never
// noticed it was gone (a restarted hub).
on('live-open', () => {
  replayOutbox();
  refreshUnread();
});

// --- the badge, from live events --------------------------------------------------

on('notification', () => refreshUnread());
on('notification_read', (data) => {
  if (typeof data.unreadCount === 'number') setUnread(data.unreadCount);
  else refreshUnread();
});
on('reset', (data) => setUnread(data.unreadCount));

// --- session --------------------------------------------------------------------

function signedIn() {
  startLive();
  refreshUnread();
  replayOutbox();
}

session.subscribe((kind) => {
  if (kind === 'login') {
    stopLive();
    signedIn();
    render();
  } else if (kind === 'logout') {
    stopLive();
    setUnread(0);
    banner('');
    render();
  }
});

window.addEventListener('hashchange', () => render());
// The skip link moves the focus; as a `#main` link it would change the route.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch((err) => {
    console.warn('the app will not work offline:', err.message);
  });
}

if (session.signedIn) signedIn();
if (navigator.onLine === false) {
  banner('You are offline. Hugs and check-ins you make now are sent when you are back online.');
}
render({ focus: false });
