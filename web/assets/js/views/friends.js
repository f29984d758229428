// Friends: search people, send requests, accept or decline incoming ones (they also
// arrive live), unfriend, block and unblock.

import { api, query } from '../api.js';
import { actionButton, clear, field, h, onSubmit, timeEl, toast } from '../dom.js';
import { nameOf, on, remember, userById } from '../state.js';

function person(user, ...actions) {
  return h('li', { dataset: { userId: user.id } },
    h('div.item-head', {},
      h('span', {}, h('strong', {}, nameOf(user)), h('span.muted', {}, ` @${user.username}`)),
      h('div.item-actions', {}, actions)));
}

/** "Block" that turns into "Unblock" (the hub has no list of one's blocks to read). */
function blockToggle(user, after) {
  let blocked = false;
  const button = actionButton('Block', async () => {
    await api(`blocks/${user.id}`, { method: blocked ? 'DELETE' : 'POST' });
    blocked = !blocked;
    button.textContent = blocked ? 'Unblock' : 'Block';
    button.setAttribute('aria-label', `${blocked ? 'Unblock' : 'Block'} ${nameOf(user)}`);
    toast(blocked ? `You blocked ${nameOf(user)}` : `You unblocked ${nameOf(user)}`);
    if (after) after();
  }, { class: 'small danger', 'aria-label': `Block ${nameOf(user)}` });
  return button;
}

export function friendsView({ me }) {
  const results = h('ul.list', { 'aria-live': 'polite' });
  const incoming = h('ul.list');
  const outgoing = h('ul.list');
  const friends = h('ul.list');
  const search = h('input', { type: 'search', autocomplete: 'off' });
  const form = h('form', { role: 'search', noValidate: true, 'aria-label': 'Find people' },
    field('Find people by name', search, { name: 'q' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Search'));

  const request = (user) => actionButton('Add friend', async () => {
    await api('friends/requests', { method: 'POST', body: { userId: user.id } });
    toast(`Friend request sent to ${nameOf(user)}`);
    loadRequests();
  }, { class: 'small', 'aria-label': `Add ${nameOf(user)} as a friend` });

  onSubmit(form, async (data) => {
    const page = await api(`users${query({ q: String(data.get('q')).trim(), per_page: 20 })}`);
    const others = page.items.filter((u) => u.id !== me.id).map(remember);
    clear(results).append(...(others.length
      ? others.map((u) => person(u, request(u), blockToggle(u)))
      : [h('li.muted', {}, 'Nobody found.')]));
  });

  const requestRow = async (r, direction) => {
    const other = await userById(direction === 'incoming' ? r.from : r.to);
    if (direction === 'outgoing') {
      return person(other, h('span.muted', {}, 'Pending · ', timeEl(r.createdAt)));
    }
    const answer = (verb) => actionButton(verb === 'accept' ? 'Accept' : 'Decline', async () => {
      await api(`friends/requests/${r.id}/${verb}`, { method: 'POST' });
      toast(verb === 'accept' ? `You and ${nameOf(other)} are friends now` : 'Request declined');
      loadRequests();
      if (verb === 'accept') loadFriends();
    }, { class: verb === 'accept' ? 'small' : 'small secondary', 'aria-label': `${verb === 'accept' ? 'Accept' : 'Decline'} ${nameOf(other)}` });
    return person(other, answer('accept'), answer('decline'));
  };

  async function loadRequests() {
    const [inc, out] = await Promise.all([
      api(`friends/requests${query({ direction: 'incoming', per_page: 50 })}`),
      api(`friends/requests${query({ direction: 'outgoing', per_page: 50 })}`),
    ]);
    const pendingOnly = (items) => items.filter((r) => r.status === 'pending');
    const inRows = await Promise.all(pendingOnly(inc.items).map((r) => requestRow(r, 'incoming')));
    const outRows = await Promise.all(pendingOnly(out.items).map((r) => requestRow(r, 'outgoing')));
    clear(incoming).append(...(inRows.length ? inRows : [h('li.muted', {}, 'No requests.')]));
    clear(outgoing).append(...(outRows.length ? outRows : [h('li.muted', {}, 'None pending.')]));
  }

  async function loadFriends() {
    const page = await api(`friends${query({ per_page: 100 })}`);
    const rows = page.items.map(remember).map((f) => person(f,
      actionButton('Unfriend', async () => {
        await api(`friends/${f.id}`, { method: 'DELETE' });
        toast(`You and ${nameOf(f)} are no longer friends`);
        loadFriends();
      }, { class: 'small secondary', 'aria-label': `Unfriend ${nameOf(f)}` }),
      blockToggle(f, loadFriends)));
    clear(friends).append(...(rows.length ? rows : [h('li.muted', {}, 'No friends yet.')]));
  }

  const stops = [
    on('friend_request', () => loadRequests()),
    on('friend_accepted', () => { loadRequests(); loadFriends(); }),
  ];
  const section = (id, title, ...content) => h('section.card', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
  const el = h('div', {},
    h('h1.sr-only', {}, 'Friends'),
    h('div.grid', {},
      section('search-title', 'Find people', form, results),
      section('incoming-title', 'Friend requests', incoming),
      section('outgoing-title', 'Sent requests', outgoing),
      section('friend-list-title', 'Your friends', friends)));
  return { el, load: () => Promise.all([loadRequests(), loadFriends()]), dispose: () => stops.forEach((s) => s()) };
}
