// The inbox: notifications newest first, mark one or all read. New ones arrive live;
// reads made on another device (or tab) arrive as `notification_read` events and
// update the list and the badge here.

import { api, query } from '../api.js';
import { actionButton, h, timeEl } from '../dom.js';
import { on, setUnread, unreadCount } from '../state.js';

const PER_PAGE = 30;

export function inboxView() {
  const list = h('ul.list', { 'aria-live': 'polite' });
  const rows = new Map();
  const empty = h('p.muted', {}, 'Nothing here yet.');
  const countText = h('p.muted', { id: 'inbox-count' });
  const showCount = (n) => { countText.textContent = n ? `${n} unread` : 'All read'; };

  const markRead = (id) => {
    const row = rows.get(id);
    if (!row) return;
    row.classList.remove('unread');
    row.querySelector('.read-button')?.remove();
    row.querySelector('.sr-state').textContent = 'Read. ';
  };

  const row = (n, top = false) => {
    if (rows.has(n.id)) return;
    const item = h(`li${n.isRead ? '' : '.unread'}`, { dataset: { notificationId: n.id } },
      h('div.item-head', {},
        h('span', {}, h('span.sr-only.sr-state', {}, n.isRead ? 'Read. ' : 'Unread. '), h('strong', {}, n.title)),
        timeEl(n.createdAt)),
      h('p', {}, n.body),
      n.isRead ? null : h('div.item-actions', {}, actionButton('Mark read', async () => {
        await api(`notifications/${n.id}/read`, { method: 'POST' });
        markRead(n.id);
      }, { class: 'small secondary read-button', 'aria-label': `Mark read: ${n.title}` })));
    rows.set(n.id, item);
    empty.remove();
    if (top) list.prepend(item);
    else list.append(item);
  };

  const readAll = actionButton('Mark all read', async () => {
    await api('notifications/read-all', { method: 'POST' });
    for (const id of rows.keys()) markRead(id);
    setUnread(0);
  }, { class: 'secondary' });

  const load = async () => {
    const inbox = await api(`notifications${query({ per_page: PER_PAGE })}`);
    for (const n of inbox.notifications) row(n);
    setUnread(inbox.unreadCount);
  };

  const stops = [
    on('notification', (n) => row(n, true)),
    on('notification_read', (data) => {
      if (data.all) for (const id of rows.keys()) markRead(id);
      else markRead(data.notificationId);
    }),
    on('unread', showCount),
  ];
  showCount(unreadCount());
  const el = h('section.card', { 'aria-labelledby': 'inbox-title' },
    h('div.item-head', {}, h('h1', { id: 'inbox-title' }, 'Inbox'), readAll),
    countText, empty, list);
  return { el, load, dispose: () => stops.forEach((s) => s()) };
}
