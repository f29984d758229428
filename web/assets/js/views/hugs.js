// Hugs on the home screen: the send form, the hugs received (new ones arrive live,
// with a small animation) and the hugs sent (queued ones marked, until the hub has
// them, or removed with a message if it refuses them).

import { api, query } from '../api.js';
import { actionButton, clear, field, h, onSubmit, timeEl, toast } from '../dom.js';
import { pending, send } from '../outbox.js';
import { emit, HUG_EMOJI, HUG_TYPES, nameOf, on, refreshUnread, userById } from '../state.js';

const SHOWN = 10;

/** The hug jar's first collection, made on first use. */
export async function defaultJar() {
  const jars = await api(`collections${query({ per_page: 1 })}`);
  if (jars.items.length) return jars.items[0];
  return api('collections', { method: 'POST', body: { name: 'My hug jar' } });
}

function hugLine(hug, who) {
  const type = HUG_TYPES.find(([t]) => t === hug.hugType);
  return [
    h('span.hug-burst', { 'aria-hidden': 'true' }, HUG_EMOJI[hug.hugType] || '🤗'),
    ' ', h('strong', {}, `${type ? type[2] : hug.hugType} hug`), ` ${who}`,
  ];
}

/** The send form; `friends()` gives the people it offers. */
export function hugForm(me, friends) {
  const recipient = h('select', {});
  const form = h('form', { noValidate: true, 'aria-labelledby': 'hug-title' },
    field('To', recipient, { name: 'recipientId' }),
    h('fieldset', { dataset: { field: 'hugType' } },
      h('legend', {}, 'Kind of hug'),
      h('div.choices', {}, HUG_TYPES.map(([type, emoji, label], i) => h('label.choice', {},
        h('input', { type: 'radio', name: 'hugType', value: type, checked: i === 0 }),
        h('span', {}, `${emoji} ${label}`)))),
      h('p.field-error', { dataset: { errorFor: 'hugType' } })),
    field('Message (optional)', h('textarea', { maxLength: 280 }), { name: 'message', hint: 'Up to 280 characters.' }),
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Send hug'));
  const fill = () => {
    const chosen = recipient.value;
    clear(recipient).append(
      h('option', { value: '' }, friends().length ? 'Choose a friend' : 'Add friends to send hugs'),
      ...friends().map((f) => h('option', { value: f.id }, nameOf(f))));
    recipient.value = chosen;
  };
  onSubmit(form, async (data) => {
    const body = { recipientId: data.get('recipientId') || null, hugType: data.get('hugType') };
    const message = String(data.get('message') || '').trim();
    if (message) body.message = message;
    const outcome = await send(me.id, 'hug', body);
    const to = nameOf(friends().find((f) => f.id === body.recipientId));
    if (outcome.status === 'sent') emit('hug-sent', outcome.result);
    toast(outcome.status === 'sent'
      ? `Hug sent to ${to}`
      : `You are offline: your hug to ${to} will be sent when the connection is back.`);
    form.querySelector('textarea').value = '';
  });
  return {
    el: h('section.card', { 'aria-labelledby': 'hug-title' }, h('h2', { id: 'hug-title' }, 'Send a hug'), form),
    fill,
    choose(id) {
      recipient.value = id;
      recipient.focus();
    },
  };
}

/** Hugs received, newest first; live ones are added at the top. */
export function receivedCard() {
  const list = h('ul.list', { 'aria-live': 'polite' });
  const shown = new Set();
  const empty = h('p.muted', {}, 'No hugs yet.');
  const add = async (hug, { live = false } = {}) => {
    if (shown.has(hug.id)) return;
    shown.add(hug.id);
    const sender = await userById(hug.senderId);
    const status = h('span.muted', {}, hug.status);
    const actions = h('div.item-actions', {},
      hug.status === 'seen' ? null : actionButton('Mark seen', async () => {
        await api(`hugs/${hug.id}/seen`, { method: 'POST' });
        status.textContent = 'seen';
        actions.firstChild.remove();
      }, { class: 'small secondary' }),
      actionButton('Hug back', async () => {
        await api(`hugs/${hug.id}/reciprocate`, { method: 'POST', body: { hugType: hug.hugType } });
        toast(`You hugged ${nameOf(sender)} back`);
      }, { class: 'small secondary' }),
      actionButton('Save to jar', async () => {
        const jar = await defaultJar();
        await api(`collections/${jar.id}/hugs`, { method: 'POST', body: { hugId: hug.id } });
        toast(`Saved to ${jar.name}`);
      }, { class: 'small secondary' }));
    const item = h(`li${live ? '.hug-new' : ''}`, { dataset: { hugId: hug.id } },
      h('div.item-head', {}, h('span', {}, hugLine(hug, `from ${nameOf(sender)}`)), timeEl(hug.sentAt)),
      hug.message ? h('p', {}, hug.message) : null,
      status, actions);
    empty.remove();
    if (live) list.prepend(item);
    else list.append(item);
    while (list.children.length > SHOWN) list.lastElementChild.remove();
    if (live) toast(`${nameOf(sender)} sent you a ${hug.hugType} hug ${HUG_EMOJI[hug.hugType] || ''}`);
  };
  const load = async () => {
    const page = await api(`hugs/received${query({ per_page: SHOWN })}`);
    for (const hug of page.items) await add(hug);
  };
  const stop = on('hug_received', (hug) => {
    add(hug, { live: true });
    refreshUnread();
  });
  const el = h('section.card', { 'aria-labelledby': 'received-title' },
    h('h2', { id: 'received-title' }, 'Hugs received'), empty, list);
  return { el, load, dispose: stop };
}

/** Hugs sent, with those still queued on this device. */
export function sentCard(me, friends) {
  const list = h('ul.list');
  const items = new Map();
  const empty = h('p.muted', {}, 'You have not sent a hug yet.');
  const who = (id) => nameOf(friends().find((f) => f.id === id) || { displayName: 'someone' });
  const render = (key, hug, queued) => {
    const status = queued ? h('span.pending-tag', {}, 'Queued: sends when you are back online') : h('span.muted', {}, hug.status);
    const item = h(`li${queued ? '.pending' : ''}`, { dataset: { hugId: hug.id || '', key } },
      h('div.item-head', {}, h('span', {}, hugLine(hug, `to ${who(hug.recipientId)}`)),
        hug.sentAt ? timeEl(hug.sentAt) : null),
      hug.message ? h('p', {}, hug.message) : null,
      status);
    const old = items.get(key);
    items.set(key, item);
    empty.remove();
    if (old) old.replaceWith(item);
    else list.prepend(item);
  };
  const load = async () => {
    const page = await api(`hugs/sent${query({ per_page: SHOWN })}`);
    for (const hug of [...page.items].reverse()) render(hug.id, hug, false);
    for (const entry of await pending(me.id)) {
      if (entry.kind === 'hug') render(entry.key, entry.body, true);
    }
  };
  const stops = [
    on('outbox', ({ type, entry, result, error }) => {
      if (entry.kind !== 'hug') return;
      if (type === 'queued') render(entry.key, entry.body, true);
      if (type === 'sent') {
        items.get(entry.key)?.remove();
        items.delete(entry.key);
        if (!items.has(result.id)) render(result.id, result, false);
      }
      if (type === 'refused') {
        items.get(entry.key)?.remove();
        items.delete(entry.key);
        toast(`Your hug to ${who(entry.body.recipientId)} was not sent: ${error.message}`, { error: true, timeout: 10000 });
      }
    }),
    on('hug-sent', (hug) => render(hug.id, hug, false)),
    on('hug_seen', (hug) => { if (items.has(hug.id)) render(hug.id, hug, false); }),
  ];
  const el = h('section.card', { 'aria-labelledby': 'sent-title' },
    h('h2', { id: 'sent-title' }, 'Hugs sent'), empty, list);
  return { el, load, dispose: () => stops.forEach((s) => s()) };
}
