// Home: check in, send a hug, friends with their latest mood and online dot (moods
// update live), the hugs received and sent, and one's own recent check-ins.

import { api, query } from '../api.js';
import { h, timeEl, toast } from '../dom.js';
import { pending } from '../outbox.js';
import { MOOD_EMOJI, nameOf, on, remember } from '../state.js';
import { checkinCard } from './checkin.js';
import { hugForm, receivedCard, sentCard } from './hugs.js';

/** How often the online dots are brought up to date (the stream carries no presence). */
const PRESENCE_EVERY_MS = 30000;

function moodText(entry) {
  return `${MOOD_EMOJI[entry.mood] || ''} ${entry.mood} (${entry.intensity}/10)`;
}

/** The friends card; `onHug(friend)` preselects them in the hug form. */
function friendsCard(onHug) {
  const list = h('ul.list');
  const rows = new Map();
  const friends = [];
  const empty = h('p.muted', {}, 'No friends yet. ', h('a', { href: '#/friends' }, 'Find friends'), '.');
  const moodSlot = (friend, entry) => {
    const slot = rows.get(friend.id)?.querySelector('.latest-mood');
    if (!slot) return;
    slot.replaceChildren(entry
      ? h('span.mood-chip', {}, moodText(entry), entry.note ? ` · “${entry.note}”` : '', ' · ', timeEl(entry.createdAt))
      : h('span.muted', {}, 'No mood shared yet'));
  };
  const dot = (online) => h('span', { class: online ? 'dot on' : 'dot', role: 'img', 'aria-label': online ? 'online' : 'offline' });
  const row = (friend) => {
    const item = h('li', { dataset: { userId: friend.id } },
      h('div.item-head', {},
        h('span', {},
          dot(friend.online),
          ' ', h('strong', {}, nameOf(friend)), h('span.muted', {}, ` @${friend.username}`)),
        h('button.small.secondary', { type: 'button', onClick: () => onHug(friend) }, `Hug ${nameOf(friend)}`)),
      h('p.latest-mood', {}, h('span.muted', {}, 'Loading mood…')));
    rows.set(friend.id, item);
    return item;
  };
  const latest = async (friend) => {
    try {
      const moods = await api(`moods${query({ user_id: friend.id, per_page: 1 })}`);
      moodSlot(friend, moods.items[0]);
    } catch {
      moodSlot(friend, null);
    }
  };
  const load = async () => {
    const page = await api(`friends${query({ per_page: 100 })}`);
    friends.splice(0, friends.length, ...page.items.map(remember));
    list.replaceChildren(...friends.map(row));
    if (friends.length) empty.remove();
    await Promise.all(friends.map(latest));
  };
  const presence = async () => {
    const page = await api(`friends${query({ per_page: 100 })}`);
    for (const friend of page.items) {
      rows.get(friend.id)?.querySelector('.dot')?.replaceWith(dot(friend.online));
    }
  };
  const timer = setInterval(() => presence().catch(() => {}), PRESENCE_EVERY_MS);
  const stops = [
    () => clearInterval(timer),
    on('mood_update', (update) => {
      const friend = friends.find((f) => f.id === update.userId);
      if (!friend) return;
      if (update.action === 'deleted') latest(friend);
      else {
        moodSlot(friend, update);
        if (update.action === 'created') toast(`${nameOf(friend)} feels ${update.mood} ${MOOD_EMOJI[update.mood] || ''}`);
      }
    }),
  ];
  const el = h('section.card', { 'aria-labelledby': 'friends-title' },
    h('h2', { id: 'friends-title' }, 'Friends'), empty, list);
  return { el, load, friends: () => friends, dispose: () => stops.forEach((s) => s()) };
}

/** One's own recent check-ins, queued ones included. */
function myMoodsCard(me) {
  const list = h('ul.list');
  const items = new Map();
  const render = (key, entry, queued, top = true) => {
    const item = h(`li${queued ? '.pending' : ''}`, {},
      h('div.item-head', {}, h('span', {}, moodText(entry)), entry.createdAt && !queued ? timeEl(entry.createdAt) : null),
      entry.note ? h('p', {}, entry.note) : null,
      entry.tags && entry.tags.length ? h('p.muted', {}, entry.tags.map((t) => `#${t}`).join(' ')) : null,
      queued ? h('span.pending-tag', {}, 'Queued: sends when you are back online') : null);
    const old = items.get(key);
    items.set(key, item);
    if (old) old.replaceWith(item);
    else if (top) list.prepend(item);
    else list.append(item);
  };
  const load = async () => {
    const page = await api(`moods${query({ user_id: me.id, per_page: 5 })}`);
    for (const entry of page.items) render(entry.id, entry, false, false);
    for (const entry of await pending(me.id)) {
      if (entry.kind === 'mood') render(entry.key, { ...entry.body, createdAt: entry.createdAt }, true);
    }
  };
  const stops = [
    on('mood-created', (entry) => render(entry.id, entry, false)),
    on('outbox', ({ type, entry, result, error }) => {
      if (entry.kind !== 'mood') return;
      if (type === 'queued') render(entry.key, { ...entry.body, createdAt: entry.createdAt }, true);
      if (type === 'sent' || type === 'refused') {
        items.get(entry.key)?.remove();
        items.delete(entry.key);
      }
      if (type === 'sent' && !items.has(result.id)) render(result.id, result, false);
      if (type === 'refused') {
        toast(`Your ${entry.body.mood} check-in was not saved: ${error.message}`, { error: true, timeout: 10000 });
      }
    }),
  ];
  const el = h('section.card', { 'aria-labelledby': 'my-moods-title' },
    h('h2', { id: 'my-moods-title' }, 'Your recent check-ins'), list);
  return { el, load, dispose: () => stops.forEach((s) => s()) };
}

export function homeView({ me }) {
  const friends = friendsCard((friend) => hug.choose(friend.id));
  const hug = hugForm(me, friends.friends);
  const received = receivedCard();
  const sent = sentCard(me, friends.friends);
  const mine = myMoodsCard(me);
  const parts = [friends, received, sent, mine];
  const el = h('div', {},
    h('h1.sr-only', {}, 'Home'),
    // Three columns on a wide screen (check-in; hugs; people), one on a phone.
    h('div.grid', {},
      h('div.col', {}, checkinCard(me)),
      h('div.col', {}, hug.el, received.el),
      h('div.col', {}, friends.el, sent.el, mine.el)));
  const load = async () => {
    await friends.load();
    hug.fill();
    await Promise.all([received.load(), sent.load(), mine.load()]);
  };
  const reloads = [on('friend_accepted', () => friends.load().then(hug.fill)), on('reset', () => load())];
  return {
    el,
    load,
    dispose: () => {
      parts.forEach((p) => p.dispose());
      reloads.forEach((s) => s());
    },
  };
}
